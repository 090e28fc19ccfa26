// sign_file: decides the format, runs the PAdES or CAdES path, writes the output atomically.
#include "esign/sign.h"

#include <algorithm>
#include <fstream>
#include <iostream>

#include "cms/archive_timestamp.h"
#include "cms/signed_data.h"
#include "common/file_map.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/output.h"
#include "pdf/dss.h"
#include "pdf/pades.h"
#include "sign/long_term.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

using sign::dss_for_newest_timestamp;
using sign::long_term_data;

bool embeds_revocation(const Profile& profile, SignatureLevel level) {
  return level == SignatureLevel::b_lt || level == SignatureLevel::b_lta || profile.revocation_embed;
}

bool has_pdf_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".pdf";
}

SignOutcome sign_pades(const Profile& profile, Signer& signer, const fs::path& input, const fs::path& output,
                       const SignOptions& options) {
  InputBytes in = InputBytes::open(input);
  pdf::PadesOptions po;
  po.digest = profile.signature.digest;
  po.reason = options.reason.value_or(profile.signature.reason);
  po.location = options.location.value_or(profile.signature.location);
  po.contact = profile.signature.contact;
  if (profile.appearance) po.appearance = profile.appearance;
  else if (options.visible) po.appearance = Appearance{};
  po.signing_time = std::chrono::system_clock::now();
  const SignatureLevel level = options.level.value_or(profile.signature.level);
  if (level != SignatureLevel::b_b) po.timestamper = options.timestamper;
  pdf::SignedUpdate signed_update = pdf::sign_pdf(in.bytes(), input.string(), signer, po);
  std::string tail = std::move(signed_update.tail);
  if (embeds_revocation(profile, level)) {
    // B-LT: the validation material in a DSS update after the signature; B-LTA: then a
    // document time-stamp over all of it (EN 319 142-1 §6.3, §6.4).
    cms::ValidationData data = long_term_data(profile, signer.chain(), signed_update.token, input.string());
    Bytes file(in.bytes().begin(), in.bytes().end());
    file.insert(file.end(), tail.begin(), tail.end());
    std::string dss = pdf::add_dss(file, input.string(), data, {{signed_update.contents, data}});
    tail += dss;
    if (level == SignatureLevel::b_lta) {
      file.insert(file.end(), dss.begin(), dss.end());
      std::string stamp = pdf::timestamp_pdf(file, input.string(), *options.timestamper);
      file.insert(file.end(), stamp.begin(), stamp.end());
      tail += stamp;
      // The document time-stamp's own validation data, when its TSA's is not there yet.
      tail += dss_for_newest_timestamp(file, input.string(), profile);
    }
  }

  OutputFile out(output, options.overwrite);
  out.write(in.bytes());
  out.write(as_bytes(tail));
  SignOutcome o;
  if (options.defer_commit) o.temporary = out.release();
  else out.commit();

  o.format = SignatureFormat::pades;
  Hasher input_hash(DigestAlgorithm::sha256);
  input_hash.update(in.bytes());
  o.input_sha256 = to_hex(input_hash.finish().value);
  Hasher output_hash(DigestAlgorithm::sha256);
  output_hash.update(in.bytes());
  output_hash.update(as_bytes(tail));
  o.output_sha256 = to_hex(output_hash.finish().value);
  return o;
}

// `cms` with the validation data it lacks (sign::cades_missing_data) added.
Bytes with_missing_data(Bytes cms, const Profile& profile, const std::string& name, bool refresh_newest) {
  cms::ValidationData missing = sign::cades_missing_data(cms, profile, name, refresh_newest);
  return missing.empty() ? cms : cms::add_validation_data(cms, missing, name);
}

// Streams the input once, hashing with the profile's digest (and SHA-256 for the ledger).
SignOutcome sign_cades(const Profile& profile, Signer& signer, const fs::path& input, const fs::path& output,
                       const SignOptions& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    if (fs::is_directory(input)) throw Error(Errc::input, input.string(), "is a directory");
    file.open(input, std::ios::binary);
    if (!file) throw Error(Errc::input, input.string(), "cannot open for reading");
    in = &file;
  }
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
  Digest digest = content.finish();

  cms::AttributeOptions attrs;
  attrs.signing_time = std::chrono::system_clock::now();
  const SignatureLevel level = options.level.value_or(profile.signature.level);
  cms::PreparedSignature prepared = cms::prepare(digest, signer.chain().front(), attrs);
  Bytes value = signer.sign(prepared.to_sign);
  Bytes token;
  if (level != SignatureLevel::b_b) token = options.timestamper->timestamp(cms::timestamp_imprint(value));
  std::optional<cms::ValidationData> long_term;
  if (embeds_revocation(profile, level)) long_term = long_term_data(profile, signer.chain(), token, input.string());
  Bytes signature = cms::assemble(prepared, value, signer.chain(), signer.scheme(), token, long_term ? &*long_term : nullptr);
  if (level == SignatureLevel::b_lta) {
    // B-LTA (EN 319 122-1 §5.5.3): an archive-time-stamp-v3 over the B-LT signature, then that
    // time-stamp's own validation data when its TSA's is not there yet (as for a PDF).
    signature = cms::add_archive_timestamp(signature, 0, digest, *options.timestamper, input.string());
    signature = with_missing_data(std::move(signature), profile, input.string(), false);
  }

  OutputFile out(output, options.overwrite);
  out.write(signature);
  SignOutcome o;
  if (options.defer_commit) o.temporary = out.release();
  else out.commit();

  o.format = SignatureFormat::cades;
  o.input_sha256 = to_hex(ledger_hash ? ledger_hash->finish().value : digest.value);
  o.output_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, signature).value);
  return o;
}

// Writes input + tail atomically to `output`: the outcome of stamp_pdf and extend_pdf.
SignOutcome write_stamped(ByteView input_bytes, const std::string& tail, const fs::path& input, const fs::path& output,
                          bool overwrite) {
  OutputFile out(output, overwrite);
  out.write(input_bytes);
  out.write(as_bytes(tail));
  out.commit();
  SignOutcome o;
  o.input = input;
  o.output = output;
  o.format = SignatureFormat::pades;
  o.input_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, input_bytes).value);
  Hasher h(DigestAlgorithm::sha256);
  h.update(input_bytes);
  h.update(as_bytes(tail));
  o.output_sha256 = to_hex(h.finish().value);
  return o;
}

}  // namespace

SignatureFormat detect_format(const fs::path& input) {
  if (has_pdf_extension(input)) return SignatureFormat::pades;
  if (input == "-") return SignatureFormat::cades;
  std::ifstream in(input, std::ios::binary);
  char head[1024];
  in.read(head, sizeof head);
  return pdf::looks_like_pdf(as_bytes(std::string_view(head, static_cast<std::size_t>(in.gcount()))))
             ? SignatureFormat::pades
             : SignatureFormat::cades;
}

fs::path default_output_path(const fs::path& input, SignatureFormat format, const std::optional<fs::path>& out_dir) {
  if (input == "-") return "-";
  std::string name = input.filename().string();
  if (format == SignatureFormat::pades) {
    fs::path p(name);
    name = has_pdf_extension(p) ? p.stem().string() + ".signed" + p.extension().string() : name + ".signed.pdf";
  } else {
    name += ".p7s";
  }
  return out_dir ? *out_dir / name : input.parent_path() / name;
}

void check_sign_options(const Profile& profile, const SignOptions& options) {
  SignatureLevel level = options.level.value_or(profile.signature.level);
  if (level != SignatureLevel::b_b && !options.timestamper)
    throw Error(Errc::config, profile.file.string(),
                "signature level " + to_string(level) + " needs a timestamp: section (a TSA url) in the profile");
}

SignOutcome sign_file(const Profile& profile, Signer& signer, const fs::path& input, const fs::path& output,
                      const SignOptions& options) {
  check_sign_options(profile, options);
  // A signature made with a certificate outside its validity period can never verify.
  const Certificate& cert = signer.chain().front();
  const auto now = std::chrono::system_clock::now();
  if (now < cert.not_before() || now > cert.not_after())
    throw Error(Errc::key, profile.file.string(),
                "the signer certificate (" + cert.common_name() + ") is not valid now (" +
                    (now > cert.not_after() ? "it expired" : "it is not yet valid") + ")");
  if (!cert.key_usage_allows_signing())
    throw Error(Errc::key, profile.file.string(),
                "the signer certificate (" + cert.common_name() + ") has a key usage that does not allow signing");
  if (!cert.extended_key_usage_allows_document_signing())
    throw Error(Errc::key, profile.file.string(),
                "the signer certificate (" + cert.common_name() +
                    ") has an extended key usage that does not allow signing documents");
  if (std::string weak = cert.key_weakness(KeyPolicy{}); !weak.empty())
    throw Error(Errc::key, profile.file.string(), "the signer certificate (" + cert.common_name() + ") has " + weak);
  SignatureFormat format = options.format.value_or(profile.signature.format);
  if (format == SignatureFormat::auto_detect) format = detect_format(input);
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  SignOutcome o = format == SignatureFormat::pades ? sign_pades(profile, signer, input, output, options)
                                                   : sign_cades(profile, signer, input, output, options);
  o.input = input;
  o.output = output;
  o.signer_fingerprint = signer.chain().front().sha256_fingerprint();
  return o;
}

SignOutcome stamp_pdf(Timestamper& timestamper, const fs::path& input, const fs::path& output, bool overwrite) {
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  InputBytes in = InputBytes::open(input);
  std::string tail = pdf::timestamp_pdf(in.bytes(), input.string(), timestamper);
  return write_stamped(in.bytes(), tail, input, output, overwrite);
}

SignOutcome extend_pdf(Timestamper& timestamper, const Profile& profile, const fs::path& input, const fs::path& output,
                       bool overwrite) {
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  InputBytes in = InputBytes::open(input);
  Bytes file(in.bytes().begin(), in.bytes().end());
  std::string tail = dss_for_newest_timestamp(file, input.string(), profile);
  file.insert(file.end(), tail.begin(), tail.end());
  tail += pdf::timestamp_pdf(file, input.string(), timestamper);
  return write_stamped(in.bytes(), tail, input, output, overwrite);
}

SignOutcome extend_cades(Timestamper& timestamper, const Profile& profile, const fs::path& input, const fs::path& output,
                         bool overwrite) {
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  InputBytes in = InputBytes::open(input);
  const std::string name = input.string();
  Digest content = sign::cades_content_digest(in.bytes(), name);  // refuses what cannot be extended
  // Before anything is fetched or sent: an existing output without --force is refused here.
  OutputFile out(output, overwrite);
  // What the new archive time-stamp is to cover: fresh evidence for the newest time-stamp's TSA,
  // and whatever else the signature lacks (a B-T signature's signer path, its TSA's path).
  Bytes cms = with_missing_data(Bytes(in.bytes().begin(), in.bytes().end()), profile, name, true);
  cms = cms::add_archive_timestamp(cms, 0, content, timestamper, name);
  cms = with_missing_data(std::move(cms), profile, name, false);
  out.write(cms);
  out.commit();
  SignOutcome o;
  o.input = input;
  o.output = output;
  o.format = SignatureFormat::cades;
  o.input_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, in.bytes()).value);
  o.output_sha256 = to_hex(digest_of(DigestAlgorithm::sha256, cms).value);
  return o;
}

AuditFields audit_fields(const SignOutcome& outcome) {
  AuditFields f;
  f.input_sha256 = outcome.input_sha256;
  f.output_sha256 = outcome.output_sha256;
  f.fingerprint = outcome.signer_fingerprint;
  f.detail = outcome.format == SignatureFormat::pades ? "pades" : "cades";
  return f;
}

}  // namespace esign
