// Validation of signed files: PAdES/PDF signatures and detached or attached CMS signatures.
// A bad signature is a report, not an exception: verify_file() throws only when the file
// cannot be read at all.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "esign/certificate.h"
#include "esign/profile.h"

namespace esign {

class Ledger;

struct VerifyOptions {
  std::vector<std::filesystem::path> trust;  // PEM files of trust anchors; empty: the system store
  std::optional<std::filesystem::path> data; // the signed content of a detached .p7s
  // Policy: every signature (document time-stamps aside) must reach this baseline level.
  std::optional<SignatureLevel> required_level;
  // Revocation from embedded evidence only (DSS, CMS crls): never ask OCSP responders or CRL
  // distribution points. A certificate whose status is then unknown makes its signature invalid.
  bool offline = false;
  // Smallest keys accepted for the signer and every certificate of its path (and the TSA's).
  KeyPolicy keys;
};

// One named check of a signature; `detail` says why it failed (or what was found).
struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

struct SignatureReport {
  std::string field;            // PDF field name, or "signer 1" for CMS
  std::string subfilter;        // PDF /SubFilter, or "cms"
  bool valid = false;
  std::string signer;           // subject DN of the signer certificate
  std::string signer_fingerprint;
  std::string signing_time;     // RFC 3339 UTC, empty when unknown (claimed by the signer)
  std::string timestamp_time;   // RFC 3339 UTC of a valid signature time-stamp, empty when none
  std::string level;            // B-B, B-T, B-LT or B-LTA when valid, empty otherwise
  bool covers_whole_file = false;
  std::size_t signed_bytes = 0; // end of the signed revision (PDF) or content size (CMS)
  std::vector<Check> checks;
  std::string error;            // the first failed check's reason, empty when valid
};

// One object an incremental update added, changed or removed, and whether that kind of change
// keeps the earlier signatures valid (EN 319 142-1 §5.4: validation data, document time-stamps
// and further signatures may follow a signature; nothing else may).
struct ObjectChange {
  std::string object;  // "12 0"
  std::string change;  // added | modified | deleted
  std::string what;    // "signature field Signature2", "DSS", "page 1: /Contents", ...
  bool allowed = false;
};

// An incremental update made after the first signature: where it ends and what it changed.
struct RevisionReport {
  std::size_t end = 0;  // byte offset where this revision ends
  std::vector<ObjectChange> changes;
  bool allowed = false;  // every change allowed
};

struct FileReport {
  std::string path;
  std::string kind;             // "pdf" or "cms"
  bool valid = false;
  std::optional<std::string> error;  // why the file as a whole is not valid
  std::vector<SignatureReport> signatures;
  std::string sha256;           // of the file
  bool unreadable = false;      // the file (or its detached data) could not be read: `error` says why
  std::vector<RevisionReport> revisions;  // PDF: the revisions after the earliest signature
};

// Holds the trust anchors, loaded once for many files. Thread-safe for concurrent verify_file.
class Verifier {
 public:
  // Throws Error(input) when a trust file cannot be read.
  explicit Verifier(VerifyOptions options);
  ~Verifier();
  Verifier(Verifier&&) noexcept;

  // Throws Error(input) only when `file` (or its detached data) cannot be opened or read.
  FileReport verify_file(const std::filesystem::path& file) const;
  // The same with the signed content of a detached CMS given for this call (overriding
  // VerifyOptions::data).
  FileReport verify_file(const std::filesystem::path& file, const std::optional<std::filesystem::path>& data) const;
  // Verifies many files on `jobs` threads (0: one per core); reports come back in input order,
  // unreadable files as reports with `unreadable` set instead of exceptions.
  std::vector<FileReport> verify_files(const std::vector<std::filesystem::path>& files, unsigned jobs = 0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class ReportFormat { text, json, junit };
std::string format_reports(const std::vector<FileReport>& reports, ReportFormat format);

// Records one verify event per report, all in one ledger transaction.
void record_verify(Ledger& ledger, const std::vector<FileReport>& reports);

}  // namespace esign
