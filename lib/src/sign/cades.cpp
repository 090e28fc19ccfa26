// CAdES signing in stages: the content streamed once into a digest and the signed attributes;
// between the stages the caller's key signs; then the detached CMS at the level asked for.
#include <fstream>
#include <iostream>
#include <optional>

#include "cms/archive_timestamp.h"
#include "esign/error.h"
#include "esign/output.h"
#include "sign/long_term.h"
#include "sign/stages.h"

namespace esign::sign {

namespace fs = std::filesystem;

Bytes with_missing_data(Bytes cms, const Profile& profile, const std::string& name, bool refresh_newest) {
  der::ValidationData missing = cades_missing_data(cms, profile, name, refresh_newest);
  return missing.empty() ? cms : cms::add_validation_data(cms, missing, name);
}

PreparedCades prepare_cades(const Profile& profile, const Signer& signer, const fs::path& input,
                            const SignOptions& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    if (fs::is_directory(input)) throw Error(Errc::input, input.string(), "is a directory");
    file.open(input, std::ios::binary);
    if (!file) throw Error(Errc::input, input.string(), "cannot open for reading");
    in = &file;
  }
  // The profile's digest for the signature, and SHA-256 for the ledger when that is another.
  Hasher content(profile.signature.digest);
  std::optional<Hasher> ledger_hash;
  if (profile.signature.digest != DigestAlgorithm::sha256) ledger_hash.emplace(DigestAlgorithm::sha256);
  std::vector<std::uint8_t> buf(1 << 20);
  while (*in) {
    in->read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    ByteView chunk(buf.data(), static_cast<std::size_t>(in->gcount()));
    content.update(chunk);
    if (ledger_hash) ledger_hash->update(chunk);
  }
  if (in->bad()) throw Error(Errc::input, input.string(), "read error");

  PreparedCades p;
  p.content = content.finish();
  p.input_sha256 = to_hex(ledger_hash ? ledger_hash->finish().value : p.content.value);
  p.level = options.level.value_or(profile.signature.level);
  cms::AttributeOptions attrs;
  attrs.signing_time = std::chrono::system_clock::now();
  p.cms = cms::prepare(p.content, signer.chain().front(), attrs);
  return p;
}

SignOutcome finish_cades(PreparedCades prepared, ByteView signature_value, const Profile& profile, const Signer& signer,
                         const fs::path& input, const fs::path& output, const SignOptions& options) {
  const std::string name = input.string();
  Bytes token;
  if (prepared.level != SignatureLevel::b_b) token = options.timestamper->timestamp(cms::timestamp_imprint(signature_value));
  std::optional<der::ValidationData> long_term;
  if (embeds_revocation(profile, prepared.level))
    long_term = long_term_data(profile, signer.chain(), token, name);
  Bytes signature = cms::assemble(prepared.cms, signature_value, signer.chain(), signer.scheme(), token,
                                  long_term ? &*long_term : nullptr);
  if (prepared.level == SignatureLevel::b_lta) {
    // B-LTA (EN 319 122-1 §5.5.3): an archive-time-stamp-v3 over the B-LT signature, then that
    // time-stamp's own validation data when its TSA's is not there yet (as for a PDF).
    signature = cms::add_archive_timestamp(signature, 0, prepared.content, *options.timestamper, name);
    signature = with_missing_data(std::move(signature), profile, name, false);
  }

  // prepare_signature refused an existing output; the rename still refuses one made since.
  OutputFile out(output, options.overwrite, 0644, OutputFile::Existing::refuse_at_commit);
  out.write(signature);
  SignOutcome o;
  if (options.defer_commit) o.temporary = out.release();
  else out.commit();

  o.format = SignatureFormat::cades;
  o.input_sha256 = std::move(prepared.input_sha256);
  o.output_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, signature).value);
  return o;
}

}  // namespace esign::sign
