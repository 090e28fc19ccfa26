// Validation of every signature in a PDF, each against the revision it signed.
#pragma once

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/verify.h"
#include "verify/cms_check.h"

namespace esign::verify {

// Fills `report` (kind, signatures, valid, error) for the PDF `data`. Never throws for bad input.
void verify_pdf(ByteView data, X509_STORE* trust, CertificateCache& certificates, ChainCache& chains,
                FileReport& report);

}  // namespace esign::verify
