// Signing one file: PAdES for PDFs, a detached CAdES .p7s for anything else.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

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
  bool overwrite = false;                  // --force
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

// Signs `input` into `output` (atomically; "-" for stdin/stdout). Never modifies the input;
// on any failure no output file appears. Throws Error: input (unreadable, encrypted or broken
// PDF), key (signer failed), conflict (output exists without overwrite), config (unsupported level).
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
