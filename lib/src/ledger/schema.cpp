// The ledger's schema and its migrations, applied in order and recorded in schema_version.
#include <array>

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign::ledger {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Never edit a migration that has shipped: add the next one. Every text column of events is
// NOT NULL DEFAULT '' so that "empty" has one spelling and the hash input is unambiguous.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE events (
  id                 INTEGER PRIMARY KEY,
  time               TEXT NOT NULL,
  operation          TEXT NOT NULL DEFAULT '',
  profile            TEXT NOT NULL DEFAULT '',
  user               TEXT NOT NULL DEFAULT '',
  input_path         TEXT NOT NULL DEFAULT '',
  input_sha256       TEXT NOT NULL DEFAULT '',
  output_path        TEXT NOT NULL DEFAULT '',
  output_sha256      TEXT NOT NULL DEFAULT '',
  outcome            TEXT NOT NULL DEFAULT '',
  signer_fingerprint TEXT NOT NULL DEFAULT '',
  detail             TEXT NOT NULL DEFAULT '',
  prev_hash          TEXT NOT NULL,
  hash               TEXT NOT NULL
);

-- The newest event as the writer last left it: deleting the newest events shows up as a mismatch.
CREATE TABLE chain_head (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  events    INTEGER NOT NULL,
  last_id   INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO chain_head (id, events, last_id, last_hash)
  VALUES (1, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- esign bulk: one job per (source, profile, output, options); key identifies a re-run of it.
CREATE TABLE jobs (
  id         INTEGER PRIMARY KEY,
  key        TEXT NOT NULL,
  created    TEXT NOT NULL,
  updated    TEXT NOT NULL,
  profile    TEXT NOT NULL DEFAULT '',
  source_dir TEXT NOT NULL DEFAULT '',
  out_dir    TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL DEFAULT 'running'
);

-- One row per input file of a job; state: pending | done | failed.
CREATE TABLE items (
  id            INTEGER PRIMARY KEY,
  job_id        INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  path          TEXT NOT NULL,
  size          INTEGER NOT NULL DEFAULT 0,
  mtime_ns      INTEGER NOT NULL DEFAULT 0,
  sha256        TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT 'pending',
  output_path   TEXT NOT NULL DEFAULT '',
  output_sha256 TEXT NOT NULL DEFAULT '',
  detail        TEXT NOT NULL DEFAULT '',
  ms            INTEGER NOT NULL DEFAULT 0,
  updated       TEXT NOT NULL DEFAULT '',
  UNIQUE (job_id, path)
);
CREATE INDEX items_by_job_state ON items (job_id, state);
CREATE INDEX jobs_by_key ON jobs (key, id);
)sql"},
};

static_assert(kMigrations.back().version == Ledger::kSchemaVersion,
              "the last migration must produce Ledger::kSchemaVersion");

}  // namespace

int migrate(SQLite::Database& db, const std::filesystem::path& path) {
  // IMMEDIATE: two processes opening a new file at once must not both run migration 1.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "  version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const int current = db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt();
  if (current > Ledger::kSchemaVersion) {
    throw Error(Errc::config, path.string(),
                fmt::format("ledger schema version {} is newer than this esign supports ({})", current,
                            Ledger::kSchemaVersion));
  }
  int version = current;
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    db.exec(m.sql);
    SQLite::Statement record(db, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
    record.bind(1, m.version);
    record.bind(2, utc_now());
    record.exec();
    version = m.version;
  }
  tx.commit();
  return version;
}

}  // namespace esign::ledger
