// Where a unit test's ledger lives: a SQLite file in the test's folder, or, when the test runs
// under tests/support/with_postgresql (ESIGN_TEST_PG_HOST set), a new, empty database of that
// private PostgreSQL server. The same tests thus run against both backends.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace esign::test {

inline const char* postgresql_host() {
  const char* h = std::getenv("ESIGN_TEST_PG_HOST");
  return h != nullptr && *h != '\0' ? h : nullptr;
}

inline bool on_postgresql() { return postgresql_host() != nullptr; }

// Runs SQL on a PostgreSQL database: the first column of the first row ("" when none). Throws
// when the connection fails, or when the SQL fails and `must_succeed`.
inline std::string postgresql_sql(const std::string& uri, const std::string& sql, bool must_succeed = true) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string m = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect: " + m);
  }
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  const std::string error = PQresultErrorMessage(r);
  std::string out;
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(c);
  if (!ok && must_succeed) throw std::runtime_error("SQL failed: " + error);
  return out;
}

inline std::filesystem::path ledger_location(const std::filesystem::path& folder) {
  const char* host = postgresql_host();
  if (host == nullptr) return folder / "ledger.db";
  static int n = 0;
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  postgresql_sql(std::string("postgresql://postgres@/postgres?host=") + host, "CREATE DATABASE " + name);
  return "postgresql://postgres@/" + name + "?host=" + host;
}

}  // namespace esign::test
