// Validation of signed files: PAdES/PDF signatures and detached or attached CMS signatures.
// A bad signature is a report, not an exception: verify_file() throws only when the file
// cannot be read at all.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esign/certificate.h"
#include "esign/error.h"
#include "esign/profile.h"

namespace esign {

class Ledger;

// How revocation is checked (--revocation). Embedded evidence (DSS, CMS crls) is used first in
// every mode but `off`.
enum class RevocationPolicy {
  require,    // every certificate's status must be proven; an unreachable responder: INDETERMINATE
  soft_fail,  // an unreachable responder is noted and tolerated; "revoked" never is
  off,        // no revocation checks (the report says so)
};
RevocationPolicy parse_revocation_policy(const std::string& text, const std::string& where);
const char* to_string(RevocationPolicy policy);

// The `verify:` section of the configuration file (see default_config_path in auth.h).
struct VerifyConfig {
  RevocationPolicy revocation = RevocationPolicy::require;
  // How old embedded OCSP responses and CRLs may be, before the time they are to prove a status
  // at; nullopt: each piece of evidence's own update interval (nextUpdate - thisUpdate).
  std::optional<std::chrono::seconds> max_evidence_age;
};
// Throws Error(config, "FILE:LINE") for unknown keys and bad values; defaults when absent.
VerifyConfig load_verify_config(const std::filesystem::path& file);

// What kind of modification a change after signing is, least first: what a certification
// signature's permission level (or, for approval signatures, the verify policy) may allow.
enum class ChangeLevel {
  validation_data,  // DSS and VRI, document time-stamps (in invisible fields), the structure they need
  signing,          // further signatures: their fields, widgets and appearances
  form_filling,     // existing form fields filled in: values, appearances, field flags
  annotations,      // markup and pop-up annotations added, changed or removed
  other,            // anything else: a modification of what was signed
};
const char* to_string(ChangeLevel level);  // "validation data", "signing", ...
// The most a signature tolerates after it: by its certification level (P1: validation data; P2:
// form filling and signing; P3: annotations), and for approval signatures validation data and
// further signatures (EN 319 142-1 §5.4).
ChangeLevel tolerated_changes(Certification certification);
// "lta" (validation data and signing), "form-filling" or "annotations" (--max-changes); throws
// Error(usage, where) for anything else.
ChangeLevel parse_max_changes(const std::string& text, const std::string& where);

// What a visible change after a signature does (--visual): fails the signature, is reported as
// a warning, or is not looked for (nothing is rendered).
enum class VisualPolicy { fail, warn, off };
VisualPolicy parse_visual_policy(const std::string& text, const std::string& where);  // Error(usage)
const char* to_string(VisualPolicy policy);  // "fail", "warn", "off"

// A rectangle on a page (1-based) in default user space, in points.
struct PageBox {
  std::size_t page = 0;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Where an allowed later change may paint: the rectangle of a widget or annotation it added or
// changed. A signature widget an update adds must also not cover what the signed revision shows
// there (`must_not_cover`).
struct PaintedArea {
  PageBox box;
  bool must_not_cover = false;
};

// A visible difference between a signature's revision and the final one, found by rendering
// both: `what` is "changed" (pixels differ outside every allowed area; `box` bounds them),
// "covers signed content" (a new signature widget over something the signed revision shows;
// `box` is the widget) or "page count N -> M" (box.page 0).
struct VisualChange {
  PageBox box;
  std::string what;
};

struct VerifyOptions {
  std::vector<std::filesystem::path> trust;  // PEM files of trust anchors; empty: the system store
  // PEM files of untrusted intermediate certificates that may complete a signer's path (--certs).
  std::vector<std::filesystem::path> intermediates;
  std::optional<std::filesystem::path> data; // the signed content of a detached .p7s
  // Policy: every signature (document time-stamps aside) must reach this baseline level.
  std::optional<SignatureLevel> required_level;
  // Nothing from the network: revocation from embedded evidence only (DSS, CMS crls), no OCSP
  // responder, CRL distribution point or AIA caIssuers is asked.
  bool offline = false;
  RevocationPolicy revocation = RevocationPolicy::require;
  std::optional<std::chrono::seconds> max_evidence_age;  // see VerifyConfig
  // Smallest keys accepted for the signer and every certificate of its path (and the TSA's).
  KeyPolicy keys;
  // PDF: the most an approval signature tolerates after it (--max-changes): `signing` (lta:
  // validation data, document time-stamps and further signatures), `form_filling` or
  // `annotations`. A certified document's permission level governs all its signatures instead.
  ChangeLevel max_changes = ChangeLevel::signing;
  // PDF: what a visible difference between a signature's revision and the final one does.
  VisualPolicy visual = VisualPolicy::fail;
};

// ETSI EN 319 102-1 §5.1.3 main indications, worst last.
enum class Indication { total_passed, indeterminate, total_failed };
const char* to_string(Indication indication);  // "TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED"

// One named check of a signature; `detail` says why it failed (or what was found). A failed
// check carries the indication it leads to and the ETSI sub-indication ("HASH_FAILURE",
// "OUT_OF_BOUNDS_NO_POE", "TRY_LATER", ...).
struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
  Indication indication = Indication::total_passed;
  std::string sub_indication;
};

// Something validation relied on (ETSI TS 119 102-2 ValidationObject).
struct ValidationObject {
  std::string type;     // "certificate", "OCSP response", "CRL", "time-stamp"
  std::string sha256;   // hex digest of its DER encoding
  std::string summary;  // subject, issuer and update times, or the time-stamp's time
};

struct SignatureReport {
  std::string field;            // PDF field name, or "signer 1" for CMS
  std::string subfilter;        // PDF /SubFilter, or "cms"
  bool valid = false;           // indication == total_passed
  Indication indication = Indication::total_failed;
  std::string sub_indication;   // of the worst failed check, empty when passed
  std::string signer;           // subject DN of the signer certificate
  std::string signer_fingerprint;
  std::string signing_time;     // RFC 3339 UTC claimed by the signer (/M, signing-time): shown, never trusted
  std::string timestamp_time;   // RFC 3339 UTC of a valid signature time-stamp, empty when none
  // The time the signer's path was validated at: the earliest proof of existence (a signature
  // time-stamp, else a document time-stamp over the signature's revision), else now.
  std::string validation_time;
  std::string validation_time_source;  // "signature time-stamp" | "document time-stamp" | "current time"
  std::string reason;           // PDF /Reason, shown
  std::string level;            // B-B, B-T, B-LT or B-LTA when valid, empty otherwise
  bool covers_whole_file = false;
  std::size_t signed_bytes = 0; // end of the signed revision (PDF) or content size (CMS)
  std::vector<Check> checks;
  std::string error;            // the worst failed check's reason, empty when valid
  std::vector<ValidationObject> used;  // certificates, revocation evidence, time-stamps relied on
  // PDF: a certification signature's DocMDP permission level (ISO 32000-2 §12.8.2.2), none for
  // an approval signature; and the form fields its FieldMDP reference locks.
  Certification certification = Certification::none;
  FieldLock locked_fields;
  std::vector<VisualChange> visual_changes;  // PDF: what a reader sees differently now
};


// One object an incremental update added, changed or removed, and whether that kind of change
// keeps the earlier signatures valid (EN 319 142-1 §5.4: validation data, document time-stamps
// and further signatures may follow a signature; nothing else may).
struct ObjectChange {
  std::string object;  // "12 0"
  std::string change;  // added | modified | deleted
  std::string what;    // "signature field Signature2", "DSS", "page 1: /Contents", ...
  bool allowed = false;
  ChangeLevel level = ChangeLevel::validation_data;  // `other` whenever not allowed
  std::string field{};  // the form field a signing change fills or adds (fully qualified name)
};

// An incremental update made after the first signature: where it ends and what it changed.
struct RevisionReport {
  std::size_t end = 0;  // byte offset where this revision ends
  std::vector<ObjectChange> changes;
  bool allowed = false;  // every change allowed
  ChangeLevel level = ChangeLevel::validation_data;  // the highest of its changes' levels
  std::vector<PaintedArea> areas;  // where its allowed changes may paint
};

struct FileReport {
  std::string path;
  std::string kind;             // "pdf", "cms" or "tsr"
  bool valid = false;           // indication == total_passed
  Indication indication = Indication::total_failed;  // the worst of its signatures' and its own
  std::string sub_indication;
  std::optional<std::string> error;  // why the file as a whole is not valid
  std::vector<SignatureReport> signatures;
  std::string sha256;           // of the file
  bool unreadable = false;      // the file (or its detached data) could not be read: `error` says why
  Remedy remedy = Remedy::none;  // unreadable: what would let it be checked (esign/error.h)
  std::vector<RevisionReport> revisions;  // PDF: the revisions after the earliest signature
};

// A file to verify, and where the signed content of a detached signature is (nullopt: beside it,
// X.p7s -> X, or VerifyOptions::data).
struct VerifyInput {
  std::filesystem::path file;
  std::optional<std::filesystem::path> data;
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
  // The same for files each with its own signed content (inputs_to_verify).
  std::vector<FileReport> verify_files(const std::vector<VerifyInput>& inputs, unsigned jobs = 0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The files to verify for the command line's arguments: a file stands for itself; a folder for
// the signed files in it (*.pdf, *.p7s, *.p7m, *.tsr, sorted by path), and with `recursive` in
// its subfolders too. A path that does not exist stands for itself (its report says so). With
// `data_dir` (as `bulk` writes: outputs in one tree, inputs in another), a detached signature
// found as R/X.p7s under a folder argument (or given as X.p7s) is checked against DATA_DIR/R/X.
// Throws Error(input) for a folder that cannot be listed.
std::vector<VerifyInput> inputs_to_verify(const std::vector<std::filesystem::path>& arguments, bool recursive,
                                          const std::optional<std::filesystem::path>& data_dir);

enum class ReportFormat { text, json, junit, etsi };
// `etsi`: an ETSI TS 119 102-2 ValidationReport (XML) for all files.
std::string format_reports(const std::vector<FileReport>& reports, ReportFormat format);

// The exit code of a verify run: `ok` when every file passed, `failed` when any failed,
// `indeterminate` when the worst outcome is INDETERMINATE, `error` when a file could not be read.
ExitCode exit_code_for(const std::vector<FileReport>& reports);

// Text from a signed file or its name (field names, signers, reasons, errors) made safe for one
// terminal line: control characters and malformed UTF-8 become U+FFFD.
std::string printable(std::string_view text);

// Records one verify event per report, all in one ledger transaction.
void record_verify(Ledger& ledger, const std::vector<FileReport>& reports);

}  // namespace esign
