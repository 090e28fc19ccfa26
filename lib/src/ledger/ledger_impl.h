// The inside of a Ledger, shared by the files of src/ledger/ (the only place a database is used).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "esign/error.h"
#include "esign/ledger.h"
#include "ledger/db.h"

namespace esign {

using ledger::Db;
using ledger::Query;
using ledger::Tx;

struct Ledger::Impl {
  Impl(std::filesystem::path p, std::unique_ptr<ledger::Db> d) : path(std::move(p)), db(std::move(d)) {}

  std::filesystem::path path;  // the SQLite file, or the PostgreSQL URI (a password only as a reference)
  std::unique_ptr<ledger::Db> db;
  int schema_version = 0;
};

// The one door from a Ledger to its connection, for other parts of the ledger module (jobs,
// users) that need to run their own statements in their own transactions.
struct LedgerAccess {
  static Ledger::Impl& impl(const Ledger& ledger) { return *ledger.impl_; }
};

namespace ledger {

// The database's error as an esign::Error about `path`: Errc::conflict when another writer held
// the ledger past the lock timeout, Errc::config otherwise.
Error db_error(const std::filesystem::path& path, const DbError& e, const char* doing);

// The current UTC time in RFC 3339 with seconds: 2026-12-01T08:10:03Z.
std::string utc_now();

// Creates or upgrades the schema to Ledger::kSchemaVersion in one write transaction and returns
// the resulting version. Throws Error(Errc::config) when the database is newer than this build;
// DbError for anything the database refuses.
int migrate(Db& db, const std::filesystem::path& path);

// Runs `f(db)` in one transaction of the given kind and commits; rolls back when f throws, and
// turns the database's errors into esign::Error.
template <class F>
auto in_transaction(Ledger::Impl& impl, Tx kind, const char* doing, F&& f) {
  try {
    return transaction(*impl.db, kind, std::forward<F>(f));
  } catch (const DbError& e) {
    throw db_error(impl.path, e, doing);
  }
}

// Appends one event and advances the chain head; returns its id.
// The chain head row. Throws Error(Errc::config) when it is missing.
ChainHead read_head(Db& db, const std::filesystem::path& path);

// REQUIRES: a write transaction is open on `db`, so that reading the head and writing the event
// are one atomic step. Throws Error(Errc::config) when the chain head row is missing; DbError for
// anything the database refuses.
std::int64_t append_event(Db& db, const std::filesystem::path& path, const NewEvent& e, const std::string& time);
// The same for several events in order, one chain-head read and one update for all: their ids.
std::vector<std::int64_t> append_events(Db& db, const std::filesystem::path& path,
                                        const std::vector<const NewEvent*>& events, const std::string& time);

// Rows per multi-row statement (INSERT ... VALUES (...),(...), UPDATE ... FROM (VALUES ...)):
// well within SQLite's 32766 parameters, and one round trip per bulk group on PostgreSQL.
inline constexpr std::size_t kRowsPerStatement = 64;
// "row,row,...": `count` copies of `row`, for a multi-row VALUES list.
std::string repeated_rows(std::string_view row, std::size_t count);

// The column list every SELECT of events uses, in the order read_event() expects.
extern const char* const kEventColumns;

// Reads the current row of a statement that selected kEventColumns.
AuditEvent read_event(const Query& row);

// Checks the whole chain. REQUIRES: a read transaction is open on `db` (one snapshot).
ChainCheck check_chain(Db& db);

}  // namespace ledger
}  // namespace esign
