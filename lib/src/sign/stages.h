// The format-specific stages behind prepare_signature and finish_signature (esign/sign.h):
// PAdES in sign/pades.cpp, CAdES in sign/cades.cpp. Between the two stages the caller has the
// key sign `cms.to_sign`; no stage here calls the signer.
#pragma once

#include <filesystem>
#include <string>

#include "cms/signed_data.h"
#include "common/file_map.h"
#include "esign/bytes.h"
#include "esign/profile.h"
#include "esign/sign.h"
#include "esign/signer.h"
#include "esign/timestamp.h"
#include "pdf/pades.h"

namespace esign::sign {

// B-LT and B-LTA embed validation material, and so does any level when the profile asks for it.
inline bool embeds_revocation(const Profile& profile, SignatureLevel level) {
  return level == SignatureLevel::b_lt || level == SignatureLevel::b_lta || profile.revocation_embed;
}

// A PDF ready for its signature value: the input mapped, the incremental update with its
// placeholder (sized for this signer and the TSA's largest token), the signed attributes over
// the ByteRange digest.
struct PreparedPades {
  InputBytes input;
  pdf::PreparedUpdate update;
  cms::PreparedSignature cms;  // cms.to_sign: what the key signs
  SignatureLevel level = SignatureLevel::b_b;
};

// Reads and prepares `input`. Throws Error(input) for an unreadable, encrypted or broken PDF.
PreparedPades prepare_pades(const Profile& profile, const Signer& signer, const std::filesystem::path& input,
                            const SignOptions& options);

// The CMS around `signature_value` (with the signature time-stamp at B-T and above) embedded in
// the update, then the DSS (B-LT) and a document time-stamp (B-LTA), written to `output`.
// Throws Error(remote) from the TSA or for a token larger than it announced, Error(key) for a
// revoked certificate, Error(conflict) for an existing output without overwrite.
SignOutcome finish_pades(PreparedPades prepared, ByteView signature_value, const Profile& profile, const Signer& signer,
                         const std::filesystem::path& input, const std::filesystem::path& output,
                         const SignOptions& options);

// Any file ready for its signature value: the content's digest (the input streamed once) and
// the signed attributes over it.
struct PreparedCades {
  Digest content;
  std::string input_sha256;  // hex, for the ledger
  cms::PreparedSignature cms;
  SignatureLevel level = SignatureLevel::b_b;
};

// Streams `input` ("-": stdin). Throws Error(input) when it cannot be read.
PreparedCades prepare_cades(const Profile& profile, const Signer& signer, const std::filesystem::path& input,
                            const SignOptions& options);

// The detached CMS around `signature_value` at the level asked for, written to `output`.
// Throws like finish_pades.
SignOutcome finish_cades(PreparedCades prepared, ByteView signature_value, const Profile& profile, const Signer& signer,
                         const std::filesystem::path& input, const std::filesystem::path& output,
                         const SignOptions& options);

// The update that adds a document time-stamp to `pdf`: placeholder, the TSA's token over its
// ByteRange digest, embedded. Throws Error(input) for a PDF that cannot take one, Error(remote)
// from the TSA or for a token larger than it announced.
std::string document_timestamp(ByteView pdf, const std::string& name, Timestamper& timestamper);

// `cms` with the validation data it lacks (cades_missing_data, sign/long_term.h) added.
Bytes with_missing_data(Bytes cms, const Profile& profile, const std::string& name, bool refresh_newest);

}  // namespace esign::sign
