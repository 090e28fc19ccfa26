// run_bulk: plan from the folder and the ledger, sign on worker threads, record outcomes from
// one writer thread in small transactions (the only thread that touches the ledger then).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <ctime>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bulk/pipeline.h"
#include "bulk/queue.h"
#include "bulk/report.h"
#include "bulk/scan.h"
#include "esign/bulk.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/output.h"
#include "esign/verify.h"

namespace esign {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kGroupSize = 64;                 // outcomes per ledger transaction, at most
constexpr std::chrono::milliseconds kGroupDelay{50};   // ... or what came within this long
constexpr std::chrono::milliseconds kWatchPoll{250};
constexpr std::size_t kClaimSize = 64;                // items claimed per ledger transaction
constexpr std::chrono::milliseconds kLeasePoll{500};  // waiting for items other processes hold

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// This process as a lease holder: the host's name ($ESIGN_HOST_NAME, else the system's), and an
// owner string no other process has.
Lease this_process() {
  Lease lease;
  if (const char* name = std::getenv("ESIGN_HOST_NAME"); name != nullptr && *name != '\0') {
    lease.host = name;
  } else {
    char buf[256] = {};
    lease.host = ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
  }
  std::uint64_t nonce = 0;
  if (::getrandom(&nonce, sizeof nonce, 0) != static_cast<ssize_t>(sizeof nonce)) nonce ^= static_cast<std::uint64_t>(std::clock());
  lease.owner = fmt::format("{}:{}:{:016x}", lease.host, ::getpid(), nonce);
  return lease;
}

// Use of an output folder (flock on the folder itself: released by the kernel when the process
// dies, so a SIGKILL never leaves a stale lock). Exclusive for a SQLite ledger: one process per
// folder. Shared for a PostgreSQL ledger: the processes (hosts) on it share the job through leases,
// and only a SQLite-ledger process is kept out.
class FolderLock {
 public:
  FolderLock(const fs::path& dir, bool wait, bool shared) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw Error(Errc::input, dir.string(), std::string("cannot open the output folder: ") + std::strerror(errno));
    while (::flock(fd_, (shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd_);
      if (e == EWOULDBLOCK)
        throw Error(Errc::conflict, dir.string(), "another bulk job is signing into this folder", Remedy::wait_for_lock);
      throw Error(Errc::input, dir.string(), std::string("cannot lock the output folder: ") + std::strerror(e));
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

struct Task {
  JobItem item;
  SignatureFormat format = SignatureFormat::pades;
};

struct Finished {
  ItemOutcome outcome;
  BulkItemResult result;
  fs::path folder;     // the output's folder (fsync'ed before the group is recorded)
  fs::path temporary;  // the written output, moved into place by the writer ("" when none)
  fs::path target;
  bool overwrite = false;
};

// A document between prepare and finish.
struct InFlight {
  Finished finished;  // the outcome so far
  std::optional<PreparedSignature> prepared;
  Clock::time_point started;
  BatchSignature signature;  // from the key
  const Digest& digest() const { return prepared->to_sign(); }
};

void mark_failed(Finished& f, const Error& err) {
  JobItem& item = f.outcome.item;
  item.state = "failed";
  item.detail = err.what();
  f.outcome.event.outcome = "failed";
  f.outcome.event.detail = err.what();
  f.result.status = "failed";
  f.result.error = err.what();
  f.result.remedy = err.remedy();
  f.result.output.clear();
}

bool is_inside(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin(), o = outer.begin();
  for (; o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

// Removes the temporary files a killed run left for these outputs. Only this job's outputs:
// another command (esign sign --out-dir) may be writing other files into the same folder.
void remove_temporaries(const fs::path& out_dir, const std::set<std::string>& outputs) {
  std::set<fs::path> folders;
  for (const std::string& o : outputs) folders.insert((out_dir / o).parent_path());
  std::error_code ec;
  for (const fs::path& folder : folders) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const fs::path& p = entry.path();
      if (!is_temporary_output(p)) continue;
      std::string name = p.filename().string();
      std::string target = name.substr(1, name.find(".esign-tmp-") - 1);
      std::string rel = (p.parent_path() / target).lexically_relative(out_dir).generic_string();
      if (outputs.count(rel)) fs::remove(p, ec);
    }
  }
}

class Engine {
 public:
  Engine(Operation& operation, Signer& signer, const BulkOptions& options, BulkProgress& progress, std::stop_token stop)
      : operation_(operation), profile_(operation.profile()), ledger_(operation.ledger()), options_(options),
        progress_(progress), stop_(std::move(stop)), signer_(signer) {
    fingerprint_ = signer.chain().front().sha256_fingerprint();
  }

  BulkSummary run();

 private:
  void prepare_folders();
  std::string job_key() const;
  Task task_for(JobItem item) const;
  std::string output_name(const std::string& rel, SignatureFormat format) const;
  // Prepare: the item to sign, or nullptr with `done` holding the outcome (adopted, failed).
  std::unique_ptr<InFlight> begin(const Task& task, std::optional<Finished>& done);
  // Finish: the signature value in, the output written (not yet committed).
  Finished complete(InFlight& item);
  void close_item(Finished& f, Clock::time_point started);
  bool written_for(const fs::path& input, const fs::path& output, SignatureFormat format) const;
  // The output the ledger recorded for a done item is still there, unchanged.
  bool output_intact(const JobItem& item) const;
  void writer_loop();
  void renew_leases_when_due();
  // Claims pending items under this process's lease and feeds them to the pipeline until none is
  // left that no other process holds.
  void feed_claimed(Ledger& claims);
  void release_dead_local_leases(Ledger& claims, std::int64_t now);
  void flush(std::vector<Finished>& group);
  void watch_loop(std::map<std::string, JobItem>& items);
  BulkSummary dry_run(const std::vector<bulk::ScannedFile>& files);

  Operation& operation_;
  const Profile& profile_;
  Ledger& ledger_;
  const BulkOptions& options_;
  BulkProgress& progress_;
  std::stop_token stop_;
  Signer& signer_;
  std::string fingerprint_;

  fs::path in_, out_;
  bulk::ScanRules rules_;
  Lease lease_ = this_process();
  Clock::time_point next_renewal_{};
  Job job_;
  std::unique_ptr<bulk::ReportWriter> report_;
  std::unique_ptr<bulk::Pipeline<Task, InFlight>> pipeline_;
  bulk::Queue<Finished> finished_{1024};
  BulkSummary summary_;
  std::exception_ptr writer_error_;
  std::atomic<bool> writer_failed_{false};
  std::atomic<std::size_t> dropped_{0};
  mutable std::once_flag verifier_once_;
  mutable std::unique_ptr<Verifier> verifier_;  // for adopting outputs of interrupted runs
  std::map<std::string, bool> watched_outcomes_;  // --watch: path -> signed (its last try counts)
  std::size_t not_fed_ = 0;
};

namespace {
// Once, before anything is signed: a folder that cannot take a file fails the job with one
// error rather than every file with the same one.
void check_writable(const fs::path& out) {
  const fs::path probe = out / ".esign-write-probe";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const bool written = fd >= 0 && ::write(fd, "x", 1) == 1 && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  ::unlink(probe.c_str());
  if (!written) throw Error(Errc::input, out.string(), std::string("cannot write in the output folder: ") + std::strerror(err));
}
}  // namespace

void Engine::prepare_folders() {
  std::error_code ec;
  if (!fs::is_directory(options_.in_dir, ec)) throw Error(Errc::usage, options_.in_dir.string(), "not a folder");
  in_ = fs::canonical(options_.in_dir);
  fs::path out = fs::absolute(options_.out_dir).lexically_normal();
  if (fs::exists(out, ec)) out = fs::canonical(out);
  if (out == in_ || is_inside(out, in_))
    throw Error(Errc::usage, options_.out_dir.string(), "the output folder may not be the input folder or inside it");
  if (!options_.dry_run) {
    fs::create_directories(out, ec);
    if (ec) throw Error(Errc::usage, out.string(), "cannot create the output folder: " + ec.message());
    out = fs::canonical(out);
    // Again with every symlink resolved: a link may lead from outside into the input folder.
    if (out == in_ || is_inside(out, in_))
      throw Error(Errc::usage, options_.out_dir.string(), "the output folder may not be the input folder or inside it");
    check_writable(out);
  }
  out_ = out;
  rules_.recursive = options_.recursive;
  rules_.include = options_.include;
  rules_.exclude = options_.exclude;
}

std::string Engine::job_key() const {
  return fmt::format("in={}\nprofile={}\nout={}", in_.string(), fs::absolute(profile_.file).lexically_normal().string(),
                     out_.string());
}

std::string Engine::output_name(const std::string& rel, SignatureFormat format) const {
  return default_output_path(fs::path(rel), format, std::nullopt).generic_string();
}

Task Engine::task_for(JobItem item) const {
  Task t;
  t.format = options_.sign.format.value_or(profile_.signature.format);
  if (t.format == SignatureFormat::auto_detect) t.format = detect_format(in_ / item.path);
  item.output_path = output_name(item.path, t.format);
  t.item = std::move(item);
  return t;
}

bool Engine::written_for(const fs::path& input, const fs::path& output, SignatureFormat format) const {
  // An output from a run killed between its rename and its ledger commit: adopt it only when it
  // is this signer's complete, intact signature over this very input.
  try {
    // Only the signature's own bytes matter here: nothing is asked over the network.
    std::call_once(verifier_once_, [this] {
      VerifyOptions offline;
      offline.offline = true;
      offline.revocation = RevocationPolicy::off;
      verifier_ = std::make_unique<Verifier>(std::move(offline));
    });
    FileReport r = verifier_->verify_file(output, format == SignatureFormat::cades ? std::optional<fs::path>(input)
                                                                                   : std::nullopt);
    if (r.signatures.empty()) return false;
    const SignatureReport& s = r.signatures.back();
    if (s.signer_fingerprint != fingerprint_) return false;
    if (format == SignatureFormat::pades && !s.covers_whole_file) return false;
    for (const char* needed : {"message_digest", "signature_value"}) {
      bool ok = false;
      for (const Check& c : s.checks) ok = ok || (c.name == needed && c.ok);
      if (!ok) return false;
    }
    if (format == SignatureFormat::pades) {
      std::uintmax_t in_size = fs::file_size(input);
      if (s.signed_bytes <= in_size) return false;
      // The input must be an exact prefix of the output.
      std::string a = sha256_file_hex(input);
      Hasher h(DigestAlgorithm::sha256);
      std::ifstream out(output, std::ios::binary);
      std::vector<std::uint8_t> buf(1 << 16);
      for (std::uintmax_t left = in_size; left > 0 && out;) {
        out.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(std::min<std::uintmax_t>(left, buf.size())));
        h.update(ByteView(buf.data(), static_cast<std::size_t>(out.gcount())));
        left -= static_cast<std::uintmax_t>(out.gcount());
        if (out.gcount() == 0) break;
      }
      if (to_hex(h.finish().value) != a) return false;
    }
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool Engine::output_intact(const JobItem& item) const {
  const fs::path output = out_ / item.output_path;
  std::error_code ec;
  if (!fs::is_regular_file(output, ec)) return false;
  try {
    return sha256_file_hex(output) == item.output_sha256;
  } catch (const Error&) {
    return false;
  }
}

std::unique_ptr<InFlight> Engine::begin(const Task& task, std::optional<Finished>& done) {
  auto flight = std::make_unique<InFlight>();
  flight->started = Clock::now();
  Finished& f = flight->finished;
  JobItem& item = f.outcome.item;
  item = task.item;
  const fs::path input = in_ / item.path;
  const fs::path output = out_ / item.output_path;
  f.folder = output.parent_path();
  f.result.input = item.path;
  f.result.output = item.output_path;
  NewEvent& e = f.outcome.event;
  e = operation_.event({input, output}, {}, "");
  e.signer_fingerprint = fingerprint_;
  try {
    // The input's size and time are the scan's: a file changed since is signed as read now and
    // recorded as scanned, so the next run, seeing a newer time, signs it again.
    std::error_code ec;
    if (options_.recursive) fs::create_directories(f.folder, ec);
    SignOptions so = options_.sign;
    so.format = task.format;
    so.overwrite = options_.force;
    // The writer makes a whole group durable with one syncfs, then renames and records it:
    // workers never wait for the disk.
    so.defer_commit = true;
    try {
      flight->prepared.emplace(prepare_signature(profile_, signer_, input, output, so));
    } catch (const Error& err) {
      // prepare_signature found the output there: this job's from before (signed again), an
      // interrupted run's not yet recorded (verified and kept), or someone else's (refused).
      if (err.code() != Errc::conflict || err.subject() != output.string()) throw;
      if (!item.output_sha256.empty() && sha256_file_hex(output) == item.output_sha256) {
        so.overwrite = true;
        flight->prepared.emplace(prepare_signature(profile_, signer_, input, output, so));
      } else if (written_for(input, output, task.format)) {
        item.sha256 = sha256_file_hex(input);
        item.output_sha256 = sha256_file_hex(output);
        item.state = "done";
        e.outcome = "ok";
        e.detail = fmt::format("bulk job {} (output of an interrupted run, verified and kept)", job_.id);
        f.result.status = "signed";
        close_item(f, flight->started);
        done = std::move(f);
        return nullptr;
      } else {
        throw Error(Errc::conflict, output.string(), "output exists and was not written by this job", Remedy::overwrite);
      }
    }
    f.overwrite = so.overwrite;
    return flight;
  } catch (const Error& err) {
    mark_failed(f, err);
  }
  close_item(f, flight->started);
  done = std::move(f);
  return nullptr;
}

Finished Engine::complete(InFlight& flight) {
  Finished& f = flight.finished;
  JobItem& item = f.outcome.item;
  try {
    if (flight.signature.error) std::rethrow_exception(flight.signature.error);
    const fs::path output = flight.prepared->output();
    SignOutcome o = finish_signature(std::move(*flight.prepared), flight.signature.value);
    f.temporary = o.temporary;
    f.target = output;
    item.sha256 = o.input_sha256;
    item.output_sha256 = o.output_sha256;
    item.state = "done";
    item.detail.clear();
    f.outcome.event.outcome = "ok";
    f.outcome.event.detail = fmt::format("bulk job {}", job_.id);
    f.result.status = "signed";
  } catch (const Error& err) {
    mark_failed(f, err);
  }
  flight.prepared.reset();
  close_item(f, flight.started);
  return std::move(f);
}

void Engine::close_item(Finished& f, Clock::time_point started) {
  JobItem& item = f.outcome.item;
  NewEvent& e = f.outcome.event;
  item.ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  e.input_sha256 = item.sha256;
  e.output_sha256 = item.state == "done" ? item.output_sha256 : "";
  f.result.input_sha256 = item.sha256;
  f.result.output_sha256 = e.output_sha256;
  f.result.ms = item.ms;
}

void Engine::flush(std::vector<Finished>& group) {
  if (group.empty()) return;
  // Durable contents first, then the renames, then the folders, then the ledger: after a crash
  // an output under its final name is always complete, and the ledger never names a missing one.
  bool any = false;
  for (const Finished& f : group) any = any || !f.temporary.empty();
  if (any) sync_filesystem(out_);
  std::set<fs::path> folders;
  for (Finished& f : group) {
    folders.insert(f.folder);
    if (f.temporary.empty()) continue;
    try {
      commit_prepared(f.temporary, f.target, f.overwrite);
    } catch (const Error& err) {
      mark_failed(f, err);
      f.outcome.item.output_sha256.clear();
      f.outcome.event.output_sha256.clear();
      f.result.output_sha256.clear();
    }
  }
  for (const fs::path& folder : folders) sync_folder(folder);
  std::vector<ItemOutcome> outcomes;
  outcomes.reserve(group.size());
  for (const Finished& f : group) outcomes.push_back(f.outcome);
  ledger_.record_outcomes(outcomes, lease_);
  for (const Finished& f : group) {
    if (options_.watch) watched_outcomes_[f.result.input] = f.result.status == "signed";
    else if (f.result.status == "signed") ++summary_.signed_count;
    else ++summary_.failed;
    if (report_) report_->add(f.result);
    progress_.finished_item(f.result);
  }
  group.clear();
}

void Engine::writer_loop() {
  // A group is recorded when kGroupSize outcomes wait or kGroupDelay has passed: one wake-up,
  // one syncfs and one transaction per group, not per document.
  try {
    for (;;) {
      renew_leases_when_due();
      std::vector<Finished> group = finished_.pop_up_to(kGroupSize, kGroupDelay);
      const bool done = group.empty() && finished_.closed_and_empty();
      flush(group);
      if (done) return;
    }
  } catch (...) {
    writer_error_ = std::current_exception();
    writer_failed_ = true;
    if (pipeline_) pipeline_->shut();
    while (finished_.pop()) {
    }
  }
}

void Engine::renew_leases_when_due() {
  const Clock::time_point now = Clock::now();
  if (now < next_renewal_) return;
  ledger_.renew_leases(lease_, unix_now() + options_.lease.count());
  next_renewal_ = now + options_.lease / 3;
}

void Engine::release_dead_local_leases(Ledger& claims, std::int64_t now) {
  // A lease of a process on this host that is gone (a crash, a SIGKILL) need not run out: this
  // host can tell. Other hosts' leases end with their time.
  const std::string prefix = lease_.host + ":";
  for (const std::string& owner : claims.lease_owners(job_.id, now)) {
    if (!owner.starts_with(prefix) || owner == lease_.owner) continue;
    const std::string rest = owner.substr(prefix.size());
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || end == rest.data() || *end != ':' || pid <= 0) continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH) claims.release_leases(Lease{owner, lease_.host});
  }
}

void Engine::feed_claimed(Ledger& claims) {
  std::mutex m;
  std::condition_variable_any cv;
  while (!stop_.stop_requested() && !writer_failed_) {
    const std::int64_t now = unix_now();
    std::vector<JobItem> batch = claims.claim_items(job_.id, lease_, kClaimSize, now + options_.lease.count(), now);
    if (batch.empty()) {
      // Others may still hold items; if one of them dies, its items come back when its lease
      // ends. A hot folder does not wait: it signs what appears.
      if (options_.watch || claims.leased_items(job_.id, now, lease_).items == 0) return;
      release_dead_local_leases(claims, now);
      std::unique_lock lock(m);
      cv.wait_for(lock, stop_, kLeasePoll, [] { return false; });
      continue;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Task t = task_for(std::move(batch[i]));
      t.item.job_id = job_.id;
      if (stop_.stop_requested() || !pipeline_->push(std::move(t))) {
        not_fed_ += batch.size() - i;
        return;
      }
    }
  }
}

void Engine::watch_loop(std::map<std::string, JobItem>& items) {
  // A second connection: the writer thread owns the first one now.
  Ledger feeder = Ledger::open(ledger_.path());
  struct Seen {
    std::int64_t size, mtime;
    Clock::time_point since;
  };
  std::map<std::string, Seen> seen;
  std::mutex m;
  std::condition_variable_any cv;
  while (!stop_.stop_requested() && !writer_failed_) {
    std::vector<JobItem> ready;
    for (const bulk::ScannedFile& f : bulk::scan_folder(in_, rules_)) {
      auto known = items.find(f.path);
      if (known != items.end() && known->second.size == f.size && known->second.mtime_ns == f.mtime_ns) continue;
      auto [it, fresh] = seen.try_emplace(f.path, Seen{f.size, f.mtime_ns, Clock::now()});
      if (!fresh && (it->second.size != f.size || it->second.mtime != f.mtime_ns)) it->second = {f.size, f.mtime_ns, Clock::now()};
      if (Clock::now() - it->second.since < options_.settle) continue;
      JobItem item = known != items.end() ? known->second : JobItem{};
      item.path = f.path;
      item.size = f.size;
      item.mtime_ns = f.mtime_ns;
      item.state = "pending";
      ready.push_back(std::move(item));
      seen.erase(it);
    }
    if (!ready.empty()) {
      std::vector<Task> tasks;
      for (JobItem& item : ready) tasks.push_back(task_for(std::move(item)));
      std::vector<JobItem> to_save;
      for (const Task& t : tasks) to_save.push_back(t.item);
      std::vector<JobItem> saved = feeder.save_items(job_.id, std::move(to_save));
      progress_.grew(saved.size());
      for (std::size_t i = 0; i < saved.size(); ++i) {
        tasks[i].item.id = saved[i].id;
        tasks[i].item.job_id = job_.id;
        items[saved[i].path] = tasks[i].item;
        if (!pipeline_->push(std::move(tasks[i]))) return;
      }
    }
    std::unique_lock lock(m);
    cv.wait_for(lock, stop_, kWatchPoll, [] { return false; });
  }
}

BulkSummary Engine::dry_run(const std::vector<bulk::ScannedFile>& files) {
  std::map<std::string, JobItem> items;
  if (!options_.fresh)
    if (auto job = ledger_.find_job(job_key()))
      for (JobItem& i : ledger_.items(job->id)) items[i.path] = std::move(i);
  for (const bulk::ScannedFile& f : files) {
    JobItem planned;
    planned.path = f.path;
    Task t = task_for(std::move(planned));
    BulkItemResult r;
    r.input = f.path;
    r.output = t.item.output_path;
    auto it = items.find(f.path);
    bool done = it != items.end() && it->second.state == "done" && it->second.size == f.size &&
                it->second.mtime_ns == f.mtime_ns && output_intact(it->second);
    r.status = done ? "skipped" : "planned";
    if (done) ++summary_.skipped;
    else ++summary_.planned;
    progress_.finished_item(r);
  }
  return summary_;
}

BulkSummary Engine::run() {
  prepare_folders();
  rules_.skip_dir = out_;
  std::vector<bulk::ScannedFile> files = bulk::scan_folder(in_, rules_);
  check_sign_options(profile_, options_.sign);
  BatchLimits limits;
  try {
    limits = signer_.batch_limits(profile_.signing);
  } catch (const Error& e) {
    throw Error(e.code(), profile_.file.string(), e.subject() + ": " + e.reason());
  }
  // A dry run writes nothing, not even the report.
  if (options_.dry_run) return dry_run(files);
  if (options_.report) report_ = std::make_unique<bulk::ReportWriter>(*options_.report);

  const bool shared = ledger_.backend() == "postgresql";
  FolderLock lock(out_, options_.wait, shared);
  const std::string key = job_key();
  bool resumed = false;
  job_ = options_.fresh ? ledger_.create_job(key, profile_.name, in_.string(), out_.string())
                        : ledger_.find_or_create_job(key, profile_.name, in_.string(), out_.string(), resumed);
  summary_.job_id = job_.id;
  ledger_.set_job_state(job_.id, "running");

  std::map<std::string, JobItem> items;
  for (JobItem& i : ledger_.items(job_.id)) items[i.path] = std::move(i);

  // Plan: what is done and unchanged (with its output still there) is skipped. Only the items
  // to do are kept, once, so memory follows the work left rather than the folder.
  std::vector<JobItem> to_save;
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto settle_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.settle).count();
  for (const bulk::ScannedFile& f : files) {
    // --watch: a file changed within the settle time may still be being written; the watch
    // loop takes it once it has stayed unchanged.
    if (options_.watch && now_ns - f.mtime_ns < settle_ns) continue;
    auto it = items.find(f.path);
    if (it != items.end() && it->second.state == "done" && it->second.size == f.size && it->second.mtime_ns == f.mtime_ns &&
        output_intact(it->second)) {
      ++summary_.skipped;
      BulkItemResult r;
      r.input = f.path;
      r.output = it->second.output_path;
      r.input_sha256 = it->second.sha256;
      r.output_sha256 = it->second.output_sha256;
      r.status = "skipped";
      if (report_) report_->add(r);
      continue;
    }
    JobItem item = it != items.end() ? it->second : JobItem{};
    item.path = f.path;
    item.size = f.size;
    item.mtime_ns = f.mtime_ns;
    item.state = "pending";
    to_save.push_back(task_for(std::move(item)).item);
  }
  const std::size_t total = files.size();
  std::vector<bulk::ScannedFile>().swap(files);
  std::vector<JobItem> saved = ledger_.save_items(job_.id, std::move(to_save));
  // Another process sharing the folder may be writing temporaries right now.
  if (!shared) {
    std::set<std::string> outputs;
    for (const JobItem& i : saved) outputs.insert(i.output_path);
    remove_temporaries(out_, outputs);
  }
  if (options_.watch) {
    for (const JobItem& i : saved) items[i.path] = i;
  } else {
    std::map<std::string, JobItem>().swap(items);
  }
  progress_.started(job_.id, resumed, total, saved.size());

  unsigned jobs = options_.jobs ? options_.jobs : std::max(1u, std::thread::hardware_concurrency());
  pipeline_ = std::make_unique<bulk::Pipeline<Task, InFlight>>(limits, jobs);
  using Batch = bulk::Pipeline<Task, InFlight>::Batch;
  // A local key's batch: signed and finished by the worker that holds it.
  auto sign_and_finish = [this](Batch& batch) {
    bulk::sign_items(signer_, batch);
    for (std::unique_ptr<InFlight>& item : batch) finished_.push(complete(*item));
    pipeline_->finished_here(batch.size());
  };
  std::vector<std::jthread> workers;
  for (unsigned w = 0; w < jobs; ++w) {
    workers.emplace_back([this, &sign_and_finish] {
      while (std::optional<bulk::Pipeline<Task, InFlight>::Work> work = pipeline_->next_work()) {
        if (work->finish) {
          finished_.push(complete(*work->finish));
          pipeline_->finished();
        } else if (!work->sign.empty()) {
          sign_and_finish(work->sign);
        } else if (stop_.stop_requested()) {  // drop what is queued; it stays pending in the ledger
          ++dropped_;
          if (Batch batch = pipeline_->prepared(nullptr); !batch.empty()) sign_and_finish(batch);
        } else {
          std::optional<Finished> done;
          std::unique_ptr<InFlight> flight = begin(*work->prepare, done);
          if (done) finished_.push(std::move(*done));
          if (Batch batch = pipeline_->prepared(std::move(flight)); !batch.empty()) sign_and_finish(batch);
        }
      }
    });
  }
  // A remote key's batches wait on the network in threads of their own.
  std::vector<std::jthread> signing;
  if (!limits.local)
    for (std::size_t i = 0; i < limits.max_in_flight; ++i)
      signing.emplace_back([this] {
        while (std::optional<bulk::Pipeline<Task, InFlight>::Batch> batch = pipeline_->next_batch()) {
          bulk::sign_items(signer_, *batch);
          pipeline_->signed_batch(std::move(*batch));
        }
      });
  std::jthread writer([this] { writer_loop(); });

  std::exception_ptr feeder_error;
  try {
    std::vector<JobItem>().swap(saved);
    // Items are taken through leases even by a process alone on its ledger: one path, and two
    // processes on one ledger never sign the same item.
    Ledger claims = Ledger::open(ledger_.path());
    feed_claimed(claims);
    if (options_.watch && !stop_.stop_requested() && !writer_failed_) watch_loop(items);
  } catch (...) {
    feeder_error = std::current_exception();  // the workers and the writer still drain first
  }
  pipeline_->close();
  for (std::jthread& w : workers) w.join();
  for (std::jthread& t : signing) t.join();
  finished_.close();
  writer.join();
  // Sharing the folder, the run could not remove temporaries at its start (another host may have
  // been writing them); those of done items are nobody's now (a host that died left them).
  if (shared && !writer_error_ && !feeder_error) {
    std::set<std::string> done;
    for (const JobItem& i : ledger_.items(job_.id))
      if (i.state == "done") done.insert(i.output_path);
    remove_temporaries(out_, done);
  }
  // What this process claimed and did not finish is free for others at once.
  // (When the ledger itself failed, they end with their lease instead.)
  try {
    ledger_.release_leases(lease_);
  } catch (const Error&) {
    if (!writer_error_ && !feeder_error) throw;
  }
  if (writer_error_) std::rethrow_exception(writer_error_);
  if (feeder_error) std::rethrow_exception(feeder_error);

  // A hot folder retries a file that changes after a failed try: its last try is what counts.
  for (const auto& [path, ok] : watched_outcomes_) ++(ok ? summary_.signed_count : summary_.failed);
  // A hot folder runs until it is told to stop: that is its normal end, not an interruption.
  summary_.stopped = (stop_.stop_requested() && !options_.watch) || dropped_ > 0 || not_fed_ > 0;
  std::optional<Job> now = ledger_.job(job_.id);
  const bool failures = now ? now->failed > 0 : summary_.failed > 0;
  ledger_.set_job_state(job_.id, summary_.stopped ? "interrupted" : failures ? "failed" : "done");
  if (report_) report_->commit();
  return summary_;
}

}  // namespace

BulkSummary run_bulk(Operation& operation, Signer& signer, const BulkOptions& options, BulkProgress& progress,
                     std::stop_token stop) {
  Engine engine(operation, signer, options, progress, std::move(stop));
  return engine.run();
}

}  // namespace esign
