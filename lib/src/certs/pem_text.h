// PEM text of certificates, for files esign writes (key.cert, key.chain, certs export).
#pragma once

#include <string>
#include <vector>

#include "esign/certificate.h"

namespace esign::certs {

// The certificates as consecutive PEM blocks, in order.
std::string to_pem(const std::vector<Certificate>& certs);

}  // namespace esign::certs
