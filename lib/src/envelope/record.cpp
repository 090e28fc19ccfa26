// audit_fields for an encrypt or decrypt.
#include "esign/envelope.h"

namespace esign {

AuditFields audit_fields(const EnvelopeOutcome& outcome) {
  AuditFields f;
  f.input_sha256 = outcome.input_sha256;
  f.output_sha256 = outcome.output_sha256;
  if (outcome.recipient_fingerprints.size() == 1) f.fingerprint = outcome.recipient_fingerprints.front();
  std::string list;
  for (const std::string& fp : outcome.recipient_fingerprints) list += (list.empty() ? "" : ",") + fp;
  f.detail = list.empty() ? outcome.content_cipher  // PDF passwords: no certificate involved
                          : "cms " + outcome.content_cipher + " certificates " + list;
  return f;
}

}  // namespace esign
