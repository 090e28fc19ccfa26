// The ledger's schema and its migrations, applied in order and recorded in schema_version.
#include <array>

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
  "user"             TEXT NOT NULL DEFAULT '',
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
    Migration{2, R"sql(
-- Operator accounts (esign users). roles: comma-separated subset of admin,signer,auditor.
-- status: active | disabled | dormant. Times are Unix seconds (UTC); 0 means never/none.
-- password_hash is self-describing ($scrypt$ln=..,r=..,p=..$salt$hash); totp_secret and
-- totp_pending are sealed (AES-256-GCM) with a key kept outside the ledger, never plain.
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  roles           TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'active',
  password_hash   TEXT NOT NULL,
  totp_secret     TEXT NOT NULL DEFAULT '',
  totp_pending    TEXT NOT NULL DEFAULT '',
  totp_last_step  INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER NOT NULL DEFAULT 0,
  last_login      INTEGER NOT NULL DEFAULT 0,
  last_seen       INTEGER NOT NULL,
  created         TEXT NOT NULL
);

-- The last password hashes of each user, newest last (the current one included).
CREATE TABLE password_history (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  set_at        INTEGER NOT NULL
);
CREATE INDEX password_history_by_user ON password_history (user_id, id);

-- One-time recovery codes, SHA-256 hex of the code; pending ones belong to an enrollment that
-- is not confirmed yet. A used code is deleted.
CREATE TABLE recovery_codes (
  id        INTEGER PRIMARY KEY,
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  pending   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, code_hash)
);

-- Operator sessions: the SHA-256 hex of the session token (the token itself is only in the
-- operator's state file). restricted = 1: the user must enroll 2FA before doing anything else.
CREATE TABLE sessions (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created    INTEGER NOT NULL,
  last_used  INTEGER NOT NULL,
  expires    INTEGER NOT NULL,
  restricted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Which operators may sign with which profile (esign certs assign). A profile with links is
-- usable only by a linked user.
CREATE TABLE user_certificates (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  profile TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (user_id, profile)
);
CREATE INDEX user_certificates_by_profile ON user_certificates (profile);
)sql"},
    Migration{3, R"sql(
-- esign audit anchor: RFC 3161 time-stamps over the chain head. data = the 32 bytes of
-- head_hash (the hash of event event_id); token = the DER TimeStampToken; time = its genTime.
CREATE TABLE anchors (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL,
  head_hash TEXT NOT NULL,
  time      TEXT NOT NULL,
  tsa       TEXT NOT NULL DEFAULT '',
  tsa_url   TEXT NOT NULL DEFAULT '',
  token     BLOB NOT NULL
);
CREATE INDEX anchors_by_event ON anchors (event_id);
)sql"},
    Migration{4, R"sql(
-- Leases on items (esign bulk in several processes or on several hosts): lease_owner holds the
-- item until lease_expires (Unix seconds); host is who recorded the item's outcome.
ALTER TABLE items ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN lease_expires INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN host TEXT NOT NULL DEFAULT '';
-- Claims take pending items in path order; the index also serves what items_by_job_state did.
CREATE INDEX items_to_claim ON items (job_id, state, path);
DROP INDEX items_by_job_state;
)sql"},
};

static_assert(kMigrations.back().version == Ledger::kSchemaVersion,
              "the last migration must produce Ledger::kSchemaVersion");

}  // namespace

int migrate(Db& db, const std::filesystem::path& path) {
  // A write transaction: two processes opening a new ledger at once must not both run migration 1.
  return transaction(db, Tx::write, [&](Db& db) {
    db.exec(ddl("CREATE TABLE IF NOT EXISTS schema_version ("
                "  version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                db.backend()));
    const int current = static_cast<int>(db.query_i64("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    if (current > Ledger::kSchemaVersion) {
      throw Error(Errc::config, path.string(),
                  fmt::format("ledger schema version {} is newer than this esign supports ({})", current,
                              Ledger::kSchemaVersion));
    }
    int version = current;
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      db.exec(ddl(m.sql, db.backend()));
      Query record = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      record.bind(1, m.version);
      record.bind(2, utc_now());
      record.exec();
      version = m.version;
    }
    return version;
  });
}

}  // namespace esign::ledger
