// esign bulk: signing a folder into another, as a resumable, crash-safe job in the ledger.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "esign/error.h"
#include "esign/operation.h"
#include "esign/profile.h"
#include "esign/sign.h"
#include "esign/signer.h"

namespace esign {

struct BulkOptions {
  std::filesystem::path in_dir;
  std::filesystem::path out_dir;
  unsigned jobs = 0;                       // workers; 0: one per core
  bool recursive = false;                  // descend into sub-folders, mirrored under out_dir
  std::vector<std::string> include;        // globs; a file must match one (all files when empty)
  std::vector<std::string> exclude;        // globs; a file matching one is left out
  std::optional<std::filesystem::path> report;  // .csv or .json, one row per file
  bool dry_run = false;                    // list what would be signed, sign nothing
  bool fresh = false;                      // start a new job instead of continuing the last one
  bool force = false;                      // overwrite outputs the ledger did not write
  bool wait = false;                       // wait for another process holding the output folder
  bool watch = false;                      // keep running and sign files as they appear
  std::chrono::milliseconds settle{2000};  // --watch: a file is complete once unchanged this long
  std::chrono::seconds lease{60};          // how long claimed items stay this process's unless renewed
  SignOptions sign;                        // format, level, reason, location, visible
};

// What happened to one file; given to the progress sink as items finish.
struct BulkItemResult {
  std::string input;   // path as found under in_dir
  std::string output;  // path under out_dir ("" when none)
  std::string input_sha256;
  std::string output_sha256;
  std::string status;  // signed | skipped | failed | planned (dry run)
  std::string error;   // the one-line reason when failed
  Remedy remedy = Remedy::none;  // what would resolve the failure (esign/error.h)
  std::int64_t ms = 0;
};

// Receives a run's progress. Calls come from one thread at a time, in order.
class BulkProgress {
 public:
  virtual ~BulkProgress() = default;
  // The job and how much of it is left: `total` files of which `to_do` will be processed.
  virtual void started(std::int64_t job_id, bool resumed, std::size_t total, std::size_t to_do) = 0;
  // --watch: more files were queued.
  virtual void grew(std::size_t to_do) = 0;
  virtual void finished_item(const BulkItemResult& result) = 0;
};

struct BulkSummary {
  std::int64_t job_id = 0;
  std::size_t signed_count = 0;
  std::size_t skipped = 0;
  std::size_t failed = 0;
  std::size_t planned = 0;  // dry run: files that would be signed
  bool stopped = false;  // a stop was requested before the job was complete
};

// Runs (or continues) the job for in_dir -> out_dir with this profile. One failed file fails
// only its item. A stop request makes it finish the items in flight, record them and return.
// Throws Error(usage) for folders that cannot be used (out_dir inside in_dir, missing in_dir),
// Error(conflict) when another process works on out_dir (unless wait), Error(config) for
// ledger failures.
// The operation gives the profile, the ledger and the operator (checked before the key was opened);
// each item's audit event is operation.event(...), recorded with the item in one transaction.
BulkSummary run_bulk(Operation& operation, Signer& signer, const BulkOptions& options, BulkProgress& progress,
                     std::stop_token stop);

}  // namespace esign
