// Signing a file in stages (prepare, the key, finish) through the PAdES or CAdES path; document
// time-stamps and archive renewal; the audit event of a signature.
#include "esign/sign.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <variant>

#include "cms/archive_timestamp.h"
#include "common/file_map.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/output.h"
#include "pdf/pades.h"
#include "sign/long_term.h"
#include "sign/stages.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

using sign::document_timestamp;
using sign::dss_for_newest_timestamp;
using sign::with_missing_data;

bool has_pdf_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".pdf";
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

// One stat of the output, before the key is used: the output may not be the input, and an
// existing one is refused unless it is to be overwritten (the rename refuses one made since).
void refuse_existing_output(const fs::path& input, const fs::path& output, bool overwrite) {
  if (output == "-") return;
  struct stat out {};
  if (::stat(output.c_str(), &out) != 0) return;
  struct stat in {};
  if (input != "-" && ::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  if (!overwrite) throw Error(Errc::conflict, output.string(), "output exists", Remedy::overwrite);
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

struct PreparedSignature::State {
  const Profile* profile;
  const Signer* signer;
  SignOptions options;
  fs::path input;
  fs::path output;
  std::variant<sign::PreparedPades, sign::PreparedCades> prepared;
};

PreparedSignature::PreparedSignature(std::unique_ptr<State> state) : state_(std::move(state)) {}
PreparedSignature::PreparedSignature(PreparedSignature&&) noexcept = default;
PreparedSignature& PreparedSignature::operator=(PreparedSignature&&) noexcept = default;
PreparedSignature::~PreparedSignature() = default;

const Digest& PreparedSignature::to_sign() const {
  return std::visit([](const auto& p) -> const Digest& { return p.cms.to_sign; }, state_->prepared);
}
SignatureFormat PreparedSignature::format() const {
  return std::holds_alternative<sign::PreparedPades>(state_->prepared) ? SignatureFormat::pades : SignatureFormat::cades;
}
const fs::path& PreparedSignature::input() const { return state_->input; }
const fs::path& PreparedSignature::output() const { return state_->output; }

PreparedSignature prepare_signature(const Profile& profile, const Signer& signer, const fs::path& input,
                                    const fs::path& output, const SignOptions& options) {
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
  refuse_existing_output(input, output, options.overwrite);
  if (format == SignatureFormat::cades && (options.certify || options.lock_fields))
    throw Error(Errc::usage, input.string(), "certification and field locks are for PDF signatures; this is signed as CAdES");
  auto state = std::make_unique<PreparedSignature::State>(PreparedSignature::State{
      &profile, &signer, options, input, output,
      format == SignatureFormat::pades
          ? std::variant<sign::PreparedPades, sign::PreparedCades>(sign::prepare_pades(profile, signer, input, options))
          : std::variant<sign::PreparedPades, sign::PreparedCades>(sign::prepare_cades(profile, signer, input, options))});
  return PreparedSignature(std::move(state));
}

SignOutcome finish_signature(PreparedSignature prepared, ByteView signature_value) {
  PreparedSignature::State& s = *prepared.state_;
  SignOutcome o = std::visit(
      [&](auto& p) {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, sign::PreparedPades>)
          return sign::finish_pades(std::move(p), signature_value, *s.profile, *s.signer, s.input, s.output, s.options);
        else
          return sign::finish_cades(std::move(p), signature_value, *s.profile, *s.signer, s.input, s.output, s.options);
      },
      s.prepared);
  o.input = s.input;
  o.output = s.output;
  o.signer_fingerprint = s.signer->chain().front().sha256_fingerprint();
  return o;
}

SignOutcome sign_file(const Profile& profile, Signer& signer, const fs::path& input, const fs::path& output,
                      const SignOptions& options) {
  PreparedSignature prepared = prepare_signature(profile, signer, input, output, options);
  const Bytes value = signer.sign(prepared.to_sign());
  return finish_signature(std::move(prepared), value);
}

SignOutcome stamp_pdf(Timestamper& timestamper, const fs::path& input, const fs::path& output, bool overwrite) {
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, input.string(), "the output would overwrite the input");
  InputBytes in = InputBytes::open(input);
  std::string tail = document_timestamp(in.bytes(), input.string(), timestamper);
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
  tail += document_timestamp(file, input.string(), timestamper);
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
