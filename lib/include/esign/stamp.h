// Stamping files that are not PDFs: an RFC 3161 time-stamp over the file's SHA-256, as FILE.tsr.
#pragma once

#include <filesystem>
#include <string>

#include "esign/ledger.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {


struct StampOutcome {
  std::filesystem::path input;
  std::filesystem::path output;
  std::string input_sha256;     // lower-case hex; also the imprint sent to the TSA
  std::string output_sha256;    // of the .tsr written
  std::string time;             // the token's genTime, RFC 3339 UTC (2026-12-01T08:10:03Z)
  std::string tsa;              // subject of the TSA certificate
  std::string tsa_fingerprint;  // SHA-256 hex of the TSA certificate
  std::string tsa_url;          // the TSA, without query or credentials
  std::string detail;           // the ledger's detail when set (otherwise derived from the above)
};

// data.bin -> data.bin.tsr beside it; with `pdf` (a document timestamp, stamp_pdf in sign.h)
// report.pdf -> report.stamped.pdf; "-" (stdin) -> "-" (stdout).
std::filesystem::path default_stamp_output(const std::filesystem::path& input, bool pdf = false);

// What `esign stamp --extend` writes for a CMS signature, named like a renewed PDF:
// data.txt.p7s -> data.txt.stamped.p7s (also .p7m, any case); another name gets ".stamped.p7s"
// appended; "-" -> "-". `esign verify` finds the data of data.txt.stamped.p7s with --data.
std::filesystem::path default_extend_output(const std::filesystem::path& input);

// Streams `input` ("-": stdin) through SHA-256 (bounded memory, any size), asks the TSA of
// `settings` for a token over it (tsp: nonce, certReq, and every response check), and writes
// the TSA's DER TimeStampResp to `output` atomically ("-": stdout), the form
// `openssl ts -verify -data FILE -in FILE.tsr` reads. The input is never modified; on any
// failure no output appears. `profile_file` (may be empty) is where the settings came from:
// relative secret files resolve against its folder, and configuration errors name it.
// Throws Error: conflict (output exists without `overwrite`; checked before the TSA is asked),
// usage (output would be the input), input (unreadable input), config (bad timestamp settings,
// unresolvable secret), remote (transport failure, refusal, or a response that fails a check).
StampOutcome stamp_file(const TimestampSettings& settings, const std::filesystem::path& input,
                        const std::filesystem::path& output, bool overwrite, const SecretResolver& secrets,
                        const std::string& profile_file = "");

// The audit event's hashes, TSA certificate fingerprint and detail ("rfc3161 TIME URL", or
// outcome.detail when set).
AuditFields audit_fields(const StampOutcome& outcome);

}  // namespace esign
