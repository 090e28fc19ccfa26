// The local SQLite ledger: a tamper-evident, hash-chained log of every operation esign performs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace esign {

// Where the ledger lives when the user does not say: $ESIGN_LEDGER, else $ESIGN_HOME/ledger.db,
// else $XDG_DATA_HOME/esign/ledger.db, else ~/.local/share/esign/ledger.db. Empty variables count
// as unset. Throws Error(Errc::config) when none of these is set and no home directory is known.
std::filesystem::path default_ledger_path();

// What a caller records. Every string may be empty; none may hold a secret.
struct NewEvent {
  std::string operation;           // "sign", "verify", "bulk", "login", ...
  std::string profile;             // profile name, if one was used
  std::string user;                // logged-in operator, if any
  std::string input_path;
  std::string input_sha256;        // lower-case hex
  std::string output_path;
  std::string output_sha256;       // lower-case hex
  std::string outcome;             // "ok", "failed", "invalid", ...
  std::string signer_fingerprint;  // SHA-256 hex of the signer certificate's DER
  std::string detail;              // one-line reason
};

// What an item's audit event says beyond who, what and which files (Operation, esign/operation.h,
// fills in the rest); made from an outcome by the audit_fields() overload next to each outcome type.
struct AuditFields {
  std::string input_sha256;
  std::string output_sha256;
  std::string fingerprint;  // SHA-256 of the certificate involved: signer, TSA, recipient, installed
  std::string detail;       // one line, never a secret
};

// An event as stored: what was recorded, plus its place in the chain.
struct AuditEvent : NewEvent {
  std::int64_t id = 0;    // 1, 2, 3, ... without gaps
  std::string time;       // RFC 3339 UTC, seconds: 2026-12-01T08:10:03Z
  std::string prev_hash;  // hash of event id-1; 64 zeros for event 1
  std::string hash;       // audit_event_hash(*this)
};

// The result of recomputing the chain. A broken chain is a result, not an exception.
struct ChainCheck {
  bool ok = false;
  std::int64_t events = 0;        // events that were checked and found intact before any break
  std::int64_t first_bad_id = 0;  // when !ok: the first event id that is missing, altered or out of
                                  // place; 0 when the break is not about one event (head missing)
  std::string reason;             // when !ok: one line naming what is wrong
  std::string head_hash;          // when ok: hash of the newest event (64 zeros when empty); keep a
                                  // copy elsewhere to detect a rewrite of the whole chain
};

// The SHA-256 (lower-case hex) of an event: over a length-prefixed encoding of id, time, every
// NewEvent field in declaration order, and prev_hash. e.hash itself is not an input. Pure.
std::string audit_event_hash(const AuditEvent& e);

// 64 zeros: the prev_hash of event 1 and the head hash of an empty ledger.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The newest event of the chain: its id (0 when there is none) and hash (kGenesisHash then).
struct ChainHead {
  std::int64_t event_id = 0;
  std::string hash;
};

// What esign ledger info shows: where the ledger is, its schema, how much it holds.
struct LedgerInfo {
  std::string backend;  // "sqlite" | "postgresql"
  std::string location;  // the file, or the PostgreSQL URI
  int schema_version = 0;
  std::int64_t events = 0, users = 0, sessions = 0, jobs = 0, items = 0, anchors = 0;
  ChainHead head;
};

// An RFC 3161 time-stamp over the chain head (esign audit anchor): a TSA's proof that the chain up
// to `event_id`, ending in `head_hash`, existed at `time`. A rewrite of the events up to it, even
// with every hash recomputed, no longer matches the token.
struct Anchor {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string head_hash;             // lower-case hex; the time-stamped data is its 32 bytes
  std::string time;                  // the token's genTime, RFC 3339 UTC
  std::string tsa;                   // subject of the TSA certificate
  std::string tsa_url;               // without credentials
  std::vector<std::uint8_t> token;   // DER TimeStampToken (a CMS ContentInfo)
};

// esign bulk: a job is one folder signed into one output folder with one profile; `key` names
// that combination so a re-run of the same command finds its job.
struct Job {
  std::int64_t id = 0;
  std::string key;
  std::string created, updated;  // RFC 3339 UTC
  std::string profile, source_dir, out_dir;
  std::string state;             // running | done | interrupted
  std::int64_t pending = 0, done = 0, failed = 0;  // item counts by state
};

// One input file of a job. state: pending | done | failed.
struct JobItem {
  std::int64_t id = 0;
  std::int64_t job_id = 0;
  std::string path;           // relative to the job's source folder
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string sha256;         // of the input when it was last processed
  std::string state = "pending";
  std::string output_path;    // relative to the job's output folder
  std::string output_sha256;  // of the output this ledger wrote
  std::string detail;         // the failure reason
  std::int64_t ms = 0;        // time spent on the item
  std::string updated;
  std::string host;           // the host that recorded its outcome (ESIGN_HOST_NAME or its name)
};

// Who worked on a job (esign audit jobs): a host's name and the items it finished.
struct JobHost {
  std::string host;
  std::int64_t done = 0, failed = 0;
};

// esign bulk claims the items it works on, so that several processes (on several hosts, with a
// shared PostgreSQL ledger) share one job without doing an item twice. A claim is a lease: it
// names its holder and ends at `until` unless renewed; a holder that dies stops renewing, and
// after `until` its items may be claimed again.
struct Lease {
  std::string owner;  // unique per process: host, pid and a random part
  std::string host;   // the host's name, recorded with each item it finishes
};

// Pending items of a job that another holder's live lease keeps.
struct LeasedItems {
  std::int64_t items = 0;
  std::int64_t next_expiry = 0;  // Unix seconds: the soonest of those leases to end
};

// What a worker reports for an item; recorded with its audit event in one transaction.
struct ItemOutcome {
  JobItem item;    // id, state and the fields that changed
  NewEvent event;  // the sign event for the audit log
};

struct LedgerAccess;  // src/ledger/: lets the rest of the ledger module reach the connection
class Ledger;

// What esign ledger migrate did: the source and the copy as they are after it, and the copy's
// chain as recomputed through a new connection.
struct LedgerCopy {
  LedgerInfo from, to;
  ChainCheck chain;
};

// Copies every row of `from` (users, password history, recovery codes, sessions, certificate
// links, jobs, items, events with their hashes, the chain head, anchors) from one snapshot into
// the ledger at `to`, created if needed, in one transaction; then checks the copy's chain. `from`
// is not changed. Throws Error(Errc::conflict) when `to` already holds events, users, sessions,
// jobs or anchors; Error(Errc::usage) when it is `from` itself.
LedgerCopy copy_ledger(Ledger& from, const std::filesystem::path& to);

// One connection to a ledger: a SQLite file, or a PostgreSQL database (a postgresql:// URI).
// Several Ledger objects — in one process, in several, or on several hosts for PostgreSQL — may
// use one ledger at the same time: writes are serialized (SQLite's write lock; on PostgreSQL an
// advisory lock every write transaction takes), each waiting up to 10 s for the others.
// One Ledger object is not thread-safe: give each thread its own.
//
// Failures throw esign::Error: Errc::conflict when the file stayed locked by another writer past
// the busy timeout, Errc::config for anything else about the file (unreadable, not a database,
// read-only, disk full, schema newer than this esign).
//
// What the chain detects: any field of an event altered, an event deleted (anywhere, including
// the newest ones, through a separate chain head row kept in the same transaction), an event
// inserted out of sequence or with an id gap. What it cannot detect on its own: a rewrite of
// the whole chain and its head; compare ChainCheck::head_hash with a copy kept elsewhere.
class Ledger {
 public:
  // The schema version this build writes; open() migrates older files up to it.
  static constexpr int kSchemaVersion = 4;

  // Opens the ledger at `path`, creating it if needed. A postgresql:// or postgres:// URI opens a
  // PostgreSQL database instead (libpq's URI; a password only as password=env:VAR or
  // password=file:PATH, or from libpq's PGPASSWORD and ~/.pgpass). For a file: missing parent folders are created 0700
  // and a new file is made 0600 whatever the umask. Sets WAL mode, a 5 s busy timeout, foreign
  // keys, and applies pending schema migrations (in one transaction, so concurrent opens are
  // safe). Throws Error(Errc::config, path, reason), or Errc::conflict when locked.
  static Ledger open(const std::filesystem::path& path);

  Ledger(Ledger&&) noexcept;
  Ledger& operator=(Ledger&&) noexcept;
  ~Ledger();

  const std::filesystem::path& path() const;

  // The schema version of the open file (kSchemaVersion after open()).
  int schema_version() const;

  // Appends one event, stamped with the current UTC time, and returns its id. One BEGIN IMMEDIATE
  // transaction reads the chain head, inserts the event and advances the head, so appends from
  // several connections interleave without breaking the chain.
  std::int64_t append(const NewEvent& e);

  // Appends several events in one transaction (all or none); returns their ids in order.
  std::vector<std::int64_t> append_all(const std::vector<NewEvent>& events);

  // Events with id > after_id, oldest first, at most `limit` of them.
  std::vector<AuditEvent> events(std::int64_t after_id = 0, std::size_t limit = SIZE_MAX) const;

  // The newest `count` events, oldest first.
  std::vector<AuditEvent> last_events(std::size_t count) const;

  // Recomputes every hash in id order inside one read snapshot and checks ids, links and the
  // chain head. Never throws for a broken chain; throws Error only when the file cannot be read.
  ChainCheck verify_chain() const;

  // The newest event as the chain head row records it.
  ChainHead chain_head() const;
  // Backend, schema version, row counts and chain head, from one read snapshot.
  LedgerInfo info() const;
  // The event with `id`, if there is one.
  std::optional<AuditEvent> event(std::int64_t id) const;

  // --- Anchors (esign audit anchor) ---
  // Stores `anchor` and appends `event` (which says so) in one transaction; returns the anchor
  // with its id.
  Anchor add_anchor(Anchor anchor, const NewEvent& event);
  // Every anchor, oldest first.
  std::vector<Anchor> anchors() const;

  // --- Jobs (esign bulk) ---
  // The newest job with `key`, if any (counts filled in).
  std::optional<Job> find_job(const std::string& key) const;
  std::optional<Job> job(std::int64_t id) const;
  // All jobs, newest first, with counts.
  std::vector<Job> jobs() const;
  Job create_job(const std::string& key, const std::string& profile, const std::string& source_dir,
                 const std::string& out_dir);
  // The newest job with `key`, or a new one: one transaction, so that processes starting the same
  // job at once (on several hosts) all find the same one. `found` says which.
  Job find_or_create_job(const std::string& key, const std::string& profile, const std::string& source_dir,
                         const std::string& out_dir, bool& found);
  void set_job_state(std::int64_t id, const std::string& state);
  // The job's items ordered by path.
  std::vector<JobItem> items(std::int64_t job_id) const;
  // Inserts new items and updates changed ones (by job and path), in one transaction; returns
  // the ones it inserted or updated, with their ids. A done item with the same size and time whose
  // output_sha256 is no longer the caller's is left as it is: another process finished it since
  // the caller looked.
  std::vector<JobItem> save_items(std::int64_t job_id, std::vector<JobItem> items);
  // Records item outcomes and their audit events in one transaction, and ends their leases. An
  // item whose lease another holder has taken meanwhile (or finished) keeps that holder's state;
  // its audit event is recorded all the same.
  void record_outcomes(const std::vector<ItemOutcome>& outcomes, const Lease& lease = {});

  // --- Leases (esign bulk on several processes or hosts) ---
  // Claims up to `max` pending items of the job that no live lease holds (oldest path first),
  // for `lease` until `until` (Unix seconds; `now` says which leases have ended). On PostgreSQL
  // the rows are taken with FOR UPDATE SKIP LOCKED.
  std::vector<JobItem> claim_items(std::int64_t job_id, const Lease& lease, std::size_t max, std::int64_t until,
                                   std::int64_t now);
  // Extends every lease `lease` holds on pending items to `until`.
  void renew_leases(const Lease& lease, std::int64_t until);
  // Ends the leases `lease` holds on items still pending, so that others may take them at once.
  void release_leases(const Lease& lease);
  // Pending items of the job under a live lease at `now`, held by anyone but `except`.
  LeasedItems leased_items(std::int64_t job_id, std::int64_t now, const Lease& except) const;
  // The holders of live leases on the job's pending items.
  std::vector<std::string> lease_owners(std::int64_t job_id, std::int64_t now) const;
  // Who finished the job's items, by host name.
  std::vector<JobHost> job_hosts(std::int64_t job_id) const;

  // "sqlite" or "postgresql".
  std::string backend() const;

  struct Impl;  // src/ledger/ledger_impl.h

 private:
  friend struct LedgerAccess;
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace esign
