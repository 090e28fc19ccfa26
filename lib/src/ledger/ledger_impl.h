// The inside of a Ledger, shared by the files of src/ledger/ (the only place SQLiteCpp is used).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "esign/error.h"
#include "esign/ledger.h"

namespace esign {

struct Ledger::Impl {
  Impl(std::filesystem::path p, SQLite::Database d) : path(std::move(p)), db(std::move(d)) {}

  std::filesystem::path path;
  SQLite::Database db;
  int schema_version = 0;
};

// The one door from a Ledger to its connection, for other parts of the ledger module (jobs,
// users) that need to run their own statements in their own transactions.
struct LedgerAccess {
  static Ledger::Impl& impl(const Ledger& ledger) { return *ledger.impl_; }
};

namespace ledger {

// SQLite's error as an esign::Error about `path`: Errc::conflict when the file is locked by another
// connection (SQLITE_BUSY / SQLITE_LOCKED after the busy timeout), Errc::config otherwise.
Error sqlite_error(const std::filesystem::path& path, const SQLite::Exception& e, const char* doing);

// The current UTC time in RFC 3339 with seconds: 2026-12-01T08:10:03Z.
std::string utc_now();

// Creates or upgrades the schema to Ledger::kSchemaVersion in one BEGIN IMMEDIATE transaction and
// returns the resulting version. Throws Error(Errc::config) when the file is newer than this build;
// SQLite::Exception for anything SQLite refuses.
int migrate(SQLite::Database& db, const std::filesystem::path& path);

// Runs `f(db)` in one transaction of the given kind, commits, and translates SQLite's errors.
template <class F>
auto in_transaction(Ledger::Impl& impl, SQLite::TransactionBehavior behavior, const char* doing, F&& f) {
  try {
    SQLite::Transaction tx(impl.db, behavior);
    auto result = f(impl.db);
    tx.commit();
    return result;
  } catch (const SQLite::Exception& e) {
    throw sqlite_error(impl.path, e, doing);
  }
}

// Appends one event and advances the chain head; returns its id.
// The chain head row. Throws Error(Errc::config) when it is missing.
ChainHead read_head(SQLite::Database& db, const std::filesystem::path& path);

// REQUIRES: a write transaction (BEGIN IMMEDIATE) is open on `db`, so that reading the head and
// writing the event are one atomic step. Throws Error(Errc::config) when the chain head row is
// missing; SQLite::Exception for anything SQLite refuses.
std::int64_t append_event(SQLite::Database& db, const std::filesystem::path& path, const NewEvent& e,
                          const std::string& time);
// The same for several events in order, one chain-head read and one update for all: their ids.
std::vector<std::int64_t> append_events(SQLite::Database& db, const std::filesystem::path& path,
                                        const std::vector<const NewEvent*>& events, const std::string& time);

// The column list every SELECT of events uses, in the order read_event() expects.
extern const char* const kEventColumns;

// Reads the current row of a statement that selected kEventColumns.
AuditEvent read_event(const SQLite::Statement& row);

// Checks the whole chain. REQUIRES: a read transaction is open on `db` (one snapshot).
ChainCheck check_chain(SQLite::Database& db);

}  // namespace ledger
}  // namespace esign
