// The PostgreSQL side of ledger::Db (the only file that uses libpq).
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "esign/error.h"
#include "ledger/db.h"

namespace esign::ledger {

namespace {

// Every write transaction of every esign on the database takes this transaction-level advisory
// lock first, so that writes are serialized as SQLite serializes them: reading the chain head and
// appending to it is one step, whichever host appends. ("esgn" in ASCII.)
constexpr long long kWriteLock = 0x6573676e;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string first_line(const char* message) {
  std::string s = message != nullptr ? message : "";
  if (const std::size_t nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// Throws DbError unless `r` is a success. Lock waits past lock_timeout, serialization failures and
// deadlocks are "busy": the caller may try again.
void check(PGconn* conn, const Result& r) {
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state != nullptr ? state : "";
  const bool busy = code == "55P03" || code == "40001" || code == "40P01";
  throw DbError(first_line(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn)), busy);
}

// `?` becomes $1, $2, ... in order, and `?N` becomes $N; quoted text is left alone.
std::string to_dollar_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  count = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
      int n = 0;
      if (j > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + j, n);
      else n = ++next;
      out += '$';
      out += std::to_string(n);
      count = std::max(count, n);
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

class PgStatement final : public Statement {
 public:
  PgStatement(PGconn* conn, std::string name, int params) : conn_(conn), name_(std::move(name)) {
    values_.resize(static_cast<std::size_t>(params));
    binary_.resize(static_cast<std::size_t>(params), 0);
  }

  void bind(int index, std::int64_t value) override { set(index, std::to_string(value), 0); }
  void bind(int index, std::string_view value) override { set(index, std::string(value), 0); }
  void bind_blob(int index, ByteView value) override {
    set(index, std::string(reinterpret_cast<const char*>(value.data()), value.size()), 1);
  }

  bool step() override {
    if (!result_) run();
    return ++row_ < PQntuples(result_.get());
  }
  std::int64_t exec() override {
    run();
    std::int64_t changed = 0;
    const char* n = PQcmdTuples(result_.get());
    std::from_chars(n, n + std::strlen(n), changed);
    return changed;
  }
  void reset() override {
    result_.reset();
    row_ = -1;
  }
  std::int64_t i64(int column) const override {
    const std::string_view v = cell(column);
    std::int64_t out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
  }
  std::string text(int column) const override { return std::string(cell(column)); }
  std::vector<std::uint8_t> blob(int column) const override {
    // Text results give bytea as \x followed by hex digits.
    const std::string_view v = cell(column);
    std::vector<std::uint8_t> out;
    if (v.size() < 2 || v[0] != '\\' || v[1] != 'x') return out;
    out.reserve((v.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < v.size(); i += 2) {
      unsigned byte = 0;
      std::from_chars(v.data() + i, v.data() + i + 2, byte, 16);
      out.push_back(static_cast<std::uint8_t>(byte));
    }
    return out;
  }

  int columns() const override { return result_ ? PQnfields(result_.get()) : 0; }
  std::string column_name(int column) const override {
    const char* name = result_ ? PQfname(result_.get(), column) : nullptr;
    return name != nullptr ? name : "";
  }
  bool is_blob(int column) const override {
    constexpr Oid kByteaOid = 17;  // pg_type.oid of bytea, fixed since PostgreSQL 7
    return result_ && PQftype(result_.get(), column) == kByteaOid;
  }

 private:
  void set(int index, std::string value, int binary) {
    if (index < 1 || static_cast<std::size_t>(index) > values_.size())
      throw DbError(fmt::format("parameter {} out of range", index), false);
    values_[static_cast<std::size_t>(index) - 1] = std::move(value);
    binary_[static_cast<std::size_t>(index) - 1] = binary;
  }
  void run() {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const std::string& v : values_) {
      values.push_back(v.data());
      lengths.push_back(static_cast<int>(v.size()));
    }
    result_.reset(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(values.size()), values.data(), lengths.data(),
                                 binary_.data(), 0));
    row_ = -1;
    check(conn_, result_);
  }
  std::string_view cell(int column) const {
    if (!result_ || row_ < 0 || row_ >= PQntuples(result_.get()) || column < 0 || column >= PQnfields(result_.get()))
      throw DbError(fmt::format("no column {} in this row", column), false);
    return std::string_view(PQgetvalue(result_.get(), row_, column),
                            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }

  PGconn* conn_;
  std::string name_;
  std::vector<std::string> values_;
  std::vector<int> binary_;
  Result result_;
  int row_ = -1;
};

class PgDb final : public Db {
 public:
  explicit PgDb(PGconn* conn) : conn_(conn) {}
  ~PgDb() override { PQfinish(conn_); }

  Backend backend() const override { return Backend::postgresql; }

  std::unique_ptr<Statement> statement(std::string_view sql) override {
    // Each distinct statement is prepared once per connection and kept: the bulk writer runs the
    // same few thousands of times.
    auto it = prepared_.find(std::string(sql));
    if (it == prepared_.end()) {
      int count = 0;
      const std::string text = to_dollar_placeholders(sql, count);
      const std::string name = fmt::format("esign{}", prepared_.size() + 1);
      Result r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
      check(conn_, r);
      it = prepared_.emplace(std::string(sql), Prepared{name, count}).first;
    }
    return std::make_unique<PgStatement>(conn_, it->second.name, it->second.params);
  }

  void exec(std::string_view sql) override {
    Result r(PQexec(conn_, std::string(sql).c_str()));
    check(conn_, r);
  }

  void begin(Tx kind) override {
    if (kind == Tx::read) {
      exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    } else {
      // lock_timeout is the session's (set at connect): one statement less per transaction.
      exec(fmt::format("BEGIN; {}SELECT pg_advisory_xact_lock({})",
                       kind == Tx::lease ? "SET LOCAL synchronous_commit = off; " : "", kWriteLock));
    }
  }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override {
    Result r(PQexec(conn_, "ROLLBACK"));  // a failure leaves nothing open either way
  }

 private:
  struct Prepared {
    std::string name;
    int params;
  };
  PGconn* conn_;
  std::map<std::string, Prepared, std::less<>> prepared_;
};

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned byte = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, byte, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(byte);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

void ignore_notice(void*, const char*) {}

}  // namespace

bool is_postgresql_uri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<Db> open_postgresql(const std::string& uri, const SecretResolver& secrets) {
  const std::size_t scheme_end = uri.find("://") + 3;
  const std::size_t authority_end = uri.find_first_of("/?", scheme_end);
  const std::string authority = uri.substr(scheme_end, authority_end == std::string::npos ? std::string::npos
                                                                                       : authority_end - scheme_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) {
    throw Error(Errc::config, "ledger",
                "the PostgreSQL URI holds a password: give it as password=env:VAR or password=file:PATH");
  }
  // Take password=... out of the query: it is a reference, resolved here and handed to libpq
  // apart from the URI.
  std::string libpq_uri = uri;
  std::optional<Secret> password;
  if (const std::size_t q = uri.find('?'); q != std::string::npos) {
    libpq_uri = uri.substr(0, q);
    std::string kept;
    std::string_view query = std::string_view(uri).substr(q + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (param.starts_with("password=")) {
        const std::string ref = percent_decode(param.substr(9));
        if (!ref.starts_with("env:") && !ref.starts_with("file:")) {
          throw Error(Errc::config, "ledger",
                      "the PostgreSQL URI holds a password: give it as password=env:VAR or password=file:PATH");
        }
        password = secrets.resolve(ref, "the ledger's database password", ".", "ledger");
        continue;
      }
      if (!param.empty()) kept += (kept.empty() ? "" : "&") + std::string(param);
    }
    if (!kept.empty()) libpq_uri += "?" + kept;
  }
  std::vector<const char*> keys{"dbname", "application_name", "connect_timeout"};
  std::vector<const char*> values{libpq_uri.c_str(), "esign", "10"};
  if (password) {
    keys.push_back("password");
    values.push_back(password->reveal().c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  // The URI may be named in messages: a password in it is only a reference.
  if (conn == nullptr) throw Error(Errc::config, uri, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string reason = first_line(PQerrorMessage(conn));
    PQfinish(conn);
    throw Error(Errc::config, uri, fmt::format("cannot connect to PostgreSQL: {}", reason));
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto db = std::make_unique<PgDb>(conn);
  db->exec(fmt::format("SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET lock_timeout = {}", kLockTimeoutMs));
  return db;
}

}  // namespace esign::ledger
