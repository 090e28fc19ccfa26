// The checks every CMS signature gets, whether it sits in a PDF or in a .p7s file.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/verify.h"

namespace esign::verify {

struct CmsContext {
  X509_STORE* trust = nullptr;
  // Computes the digest of the signed content with the algorithm the signature names; nullopt
  // for a detached signature whose content must come from the CMS itself (attached).
  std::function<std::optional<Digest>(DigestAlgorithm)> content_digest;
  // PAdES: the time from /M (the validation time for B-B); CAdES: from the signing-time attribute.
  std::optional<std::chrono::system_clock::time_point> claimed_time;
  bool pades = false;  // ETSI.CAdES.detached: signing-certificate-v2 required, signing-time forbidden
};

// Fills report.checks, signer, signing_time, valid and error. Never throws for bad input.
void check_cms(ByteView der, const CmsContext& ctx, SignatureReport& report);

std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace esign::verify
