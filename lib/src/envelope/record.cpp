// record_envelope: the audit event of an encrypt or decrypt.
#include "esign/envelope.h"
#include "esign/ledger.h"

namespace esign {

namespace fs = std::filesystem;

void record_envelope(Ledger& ledger, const std::string& operation, const std::string& profile, const fs::path& input,
                     const fs::path& output, const EnvelopeOutcome* outcome, const std::string& error) {
  NewEvent e;
  e.operation = operation;
  e.profile = profile;
  e.input_path = input == "-" ? "-" : fs::absolute(input).lexically_normal().string();
  if (!output.empty()) e.output_path = output == "-" ? "-" : fs::absolute(output).lexically_normal().string();
  if (outcome) {
    e.input_sha256 = outcome->input_sha256;
    e.output_sha256 = outcome->output_sha256;
    if (outcome->recipient_fingerprints.size() == 1) e.signer_fingerprint = outcome->recipient_fingerprints.front();
    e.outcome = "ok";
    std::string list;
    for (const std::string& f : outcome->recipient_fingerprints) list += (list.empty() ? "" : ",") + f;
    if (list.empty()) e.detail = outcome->content_cipher;  // PDF passwords: no certificate involved
    else e.detail = "cms " + outcome->content_cipher + (operation == "encrypt" ? " recipients " : " key ") + list;
  } else {
    e.outcome = "failed";
    e.detail = error;
  }
  ledger.append(e);
}

}  // namespace esign
