// Signing one file: PAdES for PDFs, a detached CAdES .p7s for anything else.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/ledger.h"
#include "esign/profile.h"
#include "esign/signer.h"
#include "esign/timestamp.h"

namespace esign {


// Per-run choices that override or complete the profile.
struct SignOptions {
  std::optional<SignatureFormat> format;   // --format; the profile's otherwise
  std::optional<SignatureLevel> level;     // --level; the profile's otherwise
  std::optional<std::string> reason;       // --reason
  std::optional<std::string> location;     // --location
  bool visible = false;                    // --visible: draw the profile's appearance (or the default box)
  std::optional<Certification> certify;    // --certify; the profile's otherwise (PDF only)
  std::optional<FieldLock> lock_fields;    // --lock-fields; the profile's otherwise (PDF only)
  bool overwrite = false;                  // --force
  // --allow-hidden-content: sign a PDF that hides content a later update could show (unused
  // pages or XObjects, layers off by default, content of earlier revisions); refused otherwise.
  bool allow_hidden_content = false;
  Timestamper* timestamper = nullptr;      // the profile's TSA (open_timestamper); B-T and above
  bool defer_commit = false;               // leave the output as a temporary (SignOutcome::temporary)
                                           // for the caller to make durable and move into place
};

struct SignOutcome {
  std::filesystem::path input;
  std::filesystem::path output;
  SignatureFormat format = SignatureFormat::pades;  // pades or cades, as decided
  std::string input_sha256;
  std::string output_sha256;
  std::string signer_fingerprint;
  std::filesystem::path temporary;  // with defer_commit: the written, not yet synced temporary
};

// pades when the file is named *.pdf or starts like a PDF; cades otherwise. Reads at most 1 KiB.
SignatureFormat detect_format(const std::filesystem::path& input);

// report.pdf -> report.signed.pdf; data.bin -> data.bin.p7s; in `out_dir` when given, beside
// the input otherwise; "-" (stdin) -> "-" (stdout).
std::filesystem::path default_output_path(const std::filesystem::path& input, SignatureFormat format,
                                          const std::optional<std::filesystem::path>& out_dir);

// Throws Error(config) for options that cannot be honoured (a level above B-B without a
// time-stamping authority), so that a batch refuses before it starts rather than failing every
// file. Who may use the profile is Operation's concern (esign/operation.h).
void check_sign_options(const Profile& profile, const SignOptions& options);

// Signing in stages (docs/architecture.md "Signing in stages"), so that the key's part can be batched:
// prepare_signature reads the input and builds everything but the signature value; the caller
// has the key sign to_sign() (alone with Signer::sign, or with other documents' digests in one
// Signer::sign_batch); finish_signature puts the value in, adds what the level asks for (the
// signature time-stamp, validation data, an archive time-stamp) and writes the output.
// sign_file() is the three in a row. Move-only; owns the mapped input and the prepared bytes.
class PreparedSignature {
 public:
  PreparedSignature(PreparedSignature&&) noexcept;
  PreparedSignature& operator=(PreparedSignature&&) noexcept;
  ~PreparedSignature();

  // The digest the key signs: of the signed attributes, with the profile's digest algorithm.
  const Digest& to_sign() const;
  SignatureFormat format() const;  // pades or cades, as decided
  const std::filesystem::path& input() const;
  const std::filesystem::path& output() const;

 private:
  struct State;  // defined in the sign module
  explicit PreparedSignature(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  friend PreparedSignature prepare_signature(const Profile&, const Signer&, const std::filesystem::path&,
                                             const std::filesystem::path&, const SignOptions&);
  friend SignOutcome finish_signature(PreparedSignature, ByteView);
};

// Stage 1. Checks the options and the signer's certificate (valid now, key usages, key size),
// decides the format, and reads `input` ("-": stdin). Nothing is written and no key is used.
// REQUIRES: `profile`, `signer` and options.timestamper outlive the result. Throws Error:
// config or auth (check_sign_options), key (a certificate that cannot sign now), usage (the
// output is the input), input (unreadable, encrypted or broken PDF).
PreparedSignature prepare_signature(const Profile& profile, const Signer& signer, const std::filesystem::path& input,
                                    const std::filesystem::path& output, const SignOptions& options);

// Stage 3. `signature_value` is the key's signature of prepared.to_sign(), as Signer::sign
// returns it. Writes the output atomically (or leaves it a temporary with defer_commit); on any
// failure no output file appears. Throws Error: remote (TSA, revocation data), key (a revoked
// certificate), conflict (output exists without overwrite), input (an output folder that
// cannot be written). Separate prepared signatures may be finished on separate threads.
SignOutcome finish_signature(PreparedSignature prepared, ByteView signature_value);

// Signs `input` into `output` (atomically; "-" for stdin/stdout): prepare_signature, one
// signer.sign(), finish_signature. Never modifies the input; on any failure no output file
// appears. Throws like the two stages, and Error(key) when the signer fails.
SignOutcome sign_file(const Profile& profile, Signer& signer, const std::filesystem::path& input,
                      const std::filesystem::path& output, const SignOptions& options);

// Adds a document time-stamp (/DocTimeStamp, ETSI.RFC3161, EN 319 142-1 §5.4) to a PDF in an
// incremental update, written atomically to `output`. Throws like sign_file, Error(remote) from
// the TSA. The outcome's signer_fingerprint is empty.
SignOutcome stamp_pdf(Timestamper& timestamper, const std::filesystem::path& input, const std::filesystem::path& output,
                      bool overwrite);

// Archive renewal (`esign stamp --extend`, EN 319 142-1 §5.4, §6.4): the validation data of
// the newest document time-stamp's TSA (OCSP/CRL fetched now) goes into the DSS, then a new
// document time-stamp covers everything. `profile` gives the TSA's trust file and the
// revocation settings. Throws Error(input) when the PDF has no document time-stamp, Error(remote)
// when revocation data is required and cannot be had, and like stamp_pdf.
SignOutcome extend_pdf(Timestamper& timestamper, const Profile& profile, const std::filesystem::path& input,
                       const std::filesystem::path& output, bool overwrite);

// Archive renewal of a CAdES signature (`esign stamp --extend` on a .p7s, EN 319 122-1 §5.5.3):
// the validation data the signature lacks goes into the SignedData's certificates and crls
// fields (OCSP/CRL fetched now, always fresh for the newest time-stamp's TSA; for a B-T
// signature also the signer's path), then an archive-time-stamp-v3 covers everything, then that
// time-stamp's own TSA evidence is added when it is missing. The detached content is not needed
// (the archive time-stamp uses the signature's digest algorithm and message-digest attribute).
// Written atomically to `output`. Throws Error(input) for a file that is not a DER CMS
// SignedData with one signer at B-T or above (SHA-2 digest), and like extend_pdf.
SignOutcome extend_cades(Timestamper& timestamper, const Profile& profile, const std::filesystem::path& input,
                         const std::filesystem::path& output, bool overwrite);

// The audit event's hashes, signer fingerprint and detail ("pades" or "cades").
AuditFields audit_fields(const SignOutcome& outcome);

}  // namespace esign
