// The two databases a ledger can live in, behind one small interface: a SQLite file (SQLiteCpp)
// or a PostgreSQL server (libpq). The ledger's SQL is written once, in the subset both speak:
// `?` or `?N` placeholders (PostgreSQL's connection turns them into $N), RETURNING instead of a
// last-insert id, ON CONFLICT instead of INSERT OR IGNORE, "user" quoted. Only the schema's
// column types differ, and ddl() translates them.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "esign/bytes.h"
#include "esign/secret.h"

namespace esign::ledger {

// What either backend throws. `busy`: another writer held the database past the lock timeout.
class DbError : public std::runtime_error {
 public:
  DbError(const std::string& what, bool busy) : std::runtime_error(what), busy_(busy) {}
  bool busy() const noexcept { return busy_; }

 private:
  bool busy_;
};

enum class Backend { sqlite, postgresql };

// One prepared statement. Parameters count from 1, result columns from 0. Not thread-safe.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, std::string_view value) = 0;
  virtual void bind_blob(int index, ByteView value) = 0;
  // Runs the statement on the first call; each call moves to the next row; false after the last.
  virtual bool step() = 0;
  // Runs the statement to its end and returns the number of rows it changed.
  virtual std::int64_t exec() = 0;
  // Makes the statement ready to run again; the bindings are kept.
  virtual void reset() = 0;
  virtual std::int64_t i64(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual std::vector<std::uint8_t> blob(int column) const = 0;
  // The result's shape, for copying rows whatever their table (ledger migrate).
  virtual int columns() const = 0;
  virtual std::string column_name(int column) const = 0;
  virtual bool is_blob(int column) const = 0;
};

// A Statement by value, so that code reads q.bind(...), q.step(), q.text(0).
class Query {
 public:
  explicit Query(std::unique_ptr<Statement> s) : s_(std::move(s)) {}
  void bind(int index, std::int64_t value) { s_->bind(index, value); }
  void bind(int index, std::string_view value) { s_->bind(index, value); }
  void bind_blob(int index, ByteView value) { s_->bind_blob(index, value); }
  bool step() { return s_->step(); }
  std::int64_t exec() { return s_->exec(); }
  void reset() { s_->reset(); }
  std::int64_t i64(int column) const { return s_->i64(column); }
  std::string text(int column) const { return s_->text(column); }
  std::vector<std::uint8_t> blob(int column) const { return s_->blob(column); }
  int columns() const { return s_->columns(); }
  std::string column_name(int column) const { return s_->column_name(column); }
  bool is_blob(int column) const { return s_->is_blob(column); }

 private:
  std::unique_ptr<Statement> s_;
};

enum class Tx {
  read,   // one consistent snapshot, no writes
  write,  // serialized with every other write transaction on the same ledger, from any host
  lease,  // a write whose loss in a power cut is harmless (a claim or renewal of leases: its items
          // stay pending and are claimed again): PostgreSQL does not wait for its WAL flush
};

class Db {
 public:
  virtual ~Db() = default;
  virtual Backend backend() const = 0;
  virtual std::unique_ptr<Statement> statement(std::string_view sql) = 0;
  Query prepare(std::string_view sql) { return Query(statement(sql)); }
  // Runs SQL without parameters; may hold several statements.
  virtual void exec(std::string_view sql) = 0;
  virtual void begin(Tx kind) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // The first column of the first row, as an integer (0 when there is no row).
  std::int64_t query_i64(std::string_view sql) {
    Query q = prepare(sql);
    return q.step() ? q.i64(0) : 0;
  }
};

// Runs `f(db)` in one transaction of the given kind and commits; rolls back when f throws.
template <class F>
auto transaction(Db& db, Tx kind, F&& f) {
  db.begin(kind);
  try {
    auto result = f(db);
    db.commit();
    return result;
  } catch (...) {
    db.rollback();
    throw;
  }
}

// How long a writer waits for another one before DbError(busy).
inline constexpr int kLockTimeoutMs = 10000;

// Opens a SQLite file that exists (WAL, synchronous=FULL, foreign keys, busy timeout).
std::unique_ptr<Db> open_sqlite(const std::string& file);

// A PostgreSQL connection string: a libpq URI (postgresql:// or postgres://). Its password may be
// given only as a reference, `password=env:VAR` or `password=file:PATH` among the query
// parameters (or through libpq's own PGPASSWORD and ~/.pgpass): a literal password, in the user
// part or as a parameter, is refused, because the URI appears in command lines and messages.
bool is_postgresql_uri(std::string_view location);
// Opens the connection. Throws Error(Errc::config) naming the URI for a bad URI, a literal
// password, or a server that cannot be reached.
std::unique_ptr<Db> open_postgresql(const std::string& uri, const SecretResolver& secrets);

// The schema text written for SQLite, in the other backend's types.
std::string ddl(std::string_view sqlite_ddl, Backend backend);

}  // namespace esign::ledger
