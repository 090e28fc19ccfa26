// Unit tests of the ledger: real SQLite files in a temp folder, tampered with through raw SQL.
// With ESIGN_TEST_PG_HOST set (tests/support/with_postgresql), the same tests run against fresh
// databases of a private PostgreSQL server instead; the few about SQLite files say so and stop.
#define BOOST_TEST_MODULE ledger
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "esign/error.h"
#include "esign/ledger.h"
#include "test_ledger.h"

namespace fs = std::filesystem;
using esign::Anchor;
using esign::AuditEvent;
using esign::ChainCheck;
using esign::ChainHead;
using esign::kGenesisHash;
using esign::Ledger;
using esign::NewEvent;

namespace {

using esign::test::on_postgresql;
using esign::test::postgresql_host;
using esign::test::postgresql_sql;
bool is_uri(const fs::path& p) { return p.string().starts_with("postgresql://"); }

// A fresh folder under the system temp folder, removed at the end of the test, and the test's
// ledger location.
struct TempDir {
  fs::path path;
  fs::path ledger;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("esign-ledger-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(rd()));
    fs::create_directories(path);
    ledger = esign::test::ledger_location(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Raw SQL on the ledger, as a tamperer with access to the database would do it.
void raw_sql(const fs::path& db_path, const std::string& sql) {
  if (is_uri(db_path)) {
    postgresql_sql(db_path.string(), sql, true);
    return;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("sqlite3_open failed");
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("raw SQL failed: " + message);
}

std::string raw_query_text(const fs::path& db_path, const std::string& sql) {
  if (is_uri(db_path)) return postgresql_sql(db_path.string(), sql, false);
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    if (const unsigned char* text = sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

NewEvent sample_event(int n) {
  NewEvent e;
  e.operation = "sign";
  e.profile = "company-seal";
  e.user = "asha";
  e.input_path = "/docs/report-" + std::to_string(n) + ".pdf";
  e.input_sha256 = std::string(64, 'a');
  e.output_path = "/docs/report-" + std::to_string(n) + ".signed.pdf";
  e.output_sha256 = std::string(64, 'b');
  e.outcome = "ok";
  e.signer_fingerprint = std::string(64, 'c');
  e.detail = "event " + std::to_string(n);
  return e;
}

fs::path ledger_with_events(const TempDir& dir, int count) {
  const fs::path path = dir.ledger;
  Ledger ledger = Ledger::open(path);
  for (int i = 1; i <= count; ++i) ledger.append(sample_event(i));
  return path;
}

ChainCheck check(const fs::path& path) { return Ledger::open(path).verify_chain(); }

// Umask 0 for the test's duration, to show the modes do not depend on it.
struct UmaskZero {
  mode_t old = ::umask(0);
  ~UmaskZero() { ::umask(old); }
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ledger)

BOOST_AUTO_TEST_CASE(new_ledger_file_is_0600_and_in_wal_mode) {
  if (on_postgresql()) {
    BOOST_TEST_MESSAGE("about SQLite files only");
    return;
  }
  TempDir dir;
  const fs::path path = dir.path / "a" / "b" / "ledger.db";
  {
    UmaskZero umask_zero;
    Ledger ledger = Ledger::open(path);
    ledger.append(sample_event(1));
    BOOST_TEST(ledger.path() == path);
    BOOST_TEST(ledger.schema_version() == Ledger::kSchemaVersion);
    BOOST_TEST(mode_of(path) == 0600u);
    BOOST_TEST(mode_of(fs::path(path.string() + "-wal")) == 0600u);
    BOOST_TEST(mode_of(dir.path / "a") == 0700u);
    BOOST_TEST(mode_of(dir.path / "a" / "b") == 0700u);
  }
  BOOST_TEST(raw_query_text(path, "PRAGMA journal_mode") == "wal");
}

BOOST_AUTO_TEST_CASE(appended_events_form_an_intact_chain) {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.ledger);
  BOOST_TEST(ledger.verify_chain().ok);
  BOOST_TEST(ledger.verify_chain().head_hash == std::string(esign::kGenesisHash));

  for (int i = 1; i <= 5; ++i) BOOST_TEST(ledger.append(sample_event(i)) == i);
  const auto ids = ledger.append_all({sample_event(6), sample_event(7)});
  BOOST_TEST(ids == (std::vector<std::int64_t>{6, 7}), boost::test_tools::per_element());

  const std::vector<AuditEvent> events = ledger.events();
  BOOST_REQUIRE(events.size() == 7u);
  BOOST_TEST(events[0].prev_hash == std::string(esign::kGenesisHash));
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_TEST(events[i].id == static_cast<std::int64_t>(i + 1));
    BOOST_TEST(events[i].hash == esign::audit_event_hash(events[i]));
    BOOST_TEST(events[i].hash.size() == 64u);
    BOOST_TEST(events[i].time.size() == 20u);  // 2026-12-01T08:10:03Z
    BOOST_TEST(events[i].time.back() == 'Z');
    if (i > 0) BOOST_TEST(events[i].prev_hash == events[i - 1].hash);
  }
  BOOST_TEST(events[2].input_path == "/docs/report-3.pdf");
  BOOST_TEST(events[2].detail == "event 3");

  const ChainCheck c = ledger.verify_chain();
  BOOST_TEST(c.ok);
  BOOST_TEST(c.events == 7);
  BOOST_TEST(c.first_bad_id == 0);
  BOOST_TEST(c.head_hash == events.back().hash);

  BOOST_TEST(ledger.events(5).size() == 2u);
  BOOST_TEST(ledger.events(0, 3).size() == 3u);
  const auto last = ledger.last_events(2);
  BOOST_REQUIRE(last.size() == 2u);
  BOOST_TEST(last[0].id == 6);
  BOOST_TEST(last[1].id == 7);
}

BOOST_AUTO_TEST_CASE(hash_encoding_is_unambiguous) {
  AuditEvent a;
  a.id = 1;
  a.operation = "sign;";
  a.profile = "x";
  AuditEvent b = a;
  b.operation = "sign";
  b.profile = ";x";
  BOOST_TEST(esign::audit_event_hash(a) != esign::audit_event_hash(b));
  AuditEvent c = a;
  c.id = 11;
  BOOST_TEST(esign::audit_event_hash(a) != esign::audit_event_hash(c));
}

BOOST_AUTO_TEST_CASE(altered_field_is_detected_naming_the_event) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 5);
  raw_sql(path, "UPDATE events SET outcome = 'failed' WHERE id = 3");
  const ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 3);
  BOOST_TEST(c.events == 2);
  BOOST_TEST(c.reason.find("event 3") != std::string::npos, c.reason);
}

BOOST_AUTO_TEST_CASE(altered_field_with_a_recomputed_hash_breaks_the_next_link) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 5);
  AuditEvent forged = Ledger::open(path).events(1, 1).at(0);
  forged.output_path = "/elsewhere.pdf";
  raw_sql(path, "UPDATE events SET output_path = '/elsewhere.pdf', hash = '" + esign::audit_event_hash(forged) +
                    "' WHERE id = 2");
  const ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 3);
  BOOST_TEST(c.reason.find("link") != std::string::npos, c.reason);
}

BOOST_AUTO_TEST_CASE(deleted_middle_row_is_detected) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 5);
  raw_sql(path, "DELETE FROM events WHERE id = 3");
  const ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 3);
  BOOST_TEST(c.reason.find("missing") != std::string::npos, c.reason);
}

BOOST_AUTO_TEST_CASE(deleted_last_row_is_detected) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 5);
  raw_sql(path, "DELETE FROM events WHERE id = 5");
  ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 5);
  BOOST_TEST(c.events == 4);
  BOOST_TEST(c.reason.find("event 5 is missing") != std::string::npos, c.reason);

  raw_sql(path, "DELETE FROM events");
  c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 1);

  raw_sql(path, "DELETE FROM chain_head");
  c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.reason.find("head") != std::string::npos, c.reason);
}

BOOST_AUTO_TEST_CASE(reordered_insert_is_detected) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 3);
  const AuditEvent third = Ledger::open(path).events(2, 1).at(0);

  // An event that is correctly hashed and linked after event 3 but placed at id 5, with the chain
  // head forged to match: only the id gap betrays it.
  AuditEvent forged;
  static_cast<NewEvent&>(forged) = sample_event(99);
  forged.id = 5;
  forged.time = third.time;
  forged.prev_hash = third.hash;
  forged.hash = esign::audit_event_hash(forged);
  raw_sql(path,
          "INSERT INTO events (id, time, operation, profile, \"user\", input_path, input_sha256, output_path, "
          "output_sha256, outcome, signer_fingerprint, detail, prev_hash, hash) VALUES (5, '" +
              forged.time + "', 'sign', 'company-seal', 'asha', '" + forged.input_path + "', '" +
              forged.input_sha256 + "', '" + forged.output_path + "', '" + forged.output_sha256 + "', 'ok', '" +
              forged.signer_fingerprint + "', '" + forged.detail + "', '" + forged.prev_hash + "', '" + forged.hash +
              "');"
              "UPDATE chain_head SET events = 4, last_id = 5, last_hash = '" +
              forged.hash + "'");
  ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 4);
  BOOST_TEST(c.reason.find("event 4 is missing") != std::string::npos, c.reason);

  // Two events swapped in place.
  TempDir dir2;
  const fs::path path2 = ledger_with_events(dir2, 4);
  raw_sql(path2,
          "UPDATE events SET id = 100 WHERE id = 2;"
          "UPDATE events SET id = 2 WHERE id = 3;"
          "UPDATE events SET id = 3 WHERE id = 100;");
  c = check(path2);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 2);

  // An event slipped in before the first one.
  TempDir dir3;
  const fs::path path3 = ledger_with_events(dir3, 2);
  raw_sql(path3,
          "INSERT INTO events (id, time, prev_hash, hash) VALUES (0, '2026-01-01T00:00:00Z', '" +
              std::string(esign::kGenesisHash) + "', 'x')");
  c = check(path3);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 0);
  BOOST_TEST(c.reason.find("out of sequence") != std::string::npos, c.reason);
}

BOOST_AUTO_TEST_CASE(event_added_without_advancing_the_head_is_detected) {
  TempDir dir;
  const fs::path path = ledger_with_events(dir, 2);
  {
    // Replay a longer history's rows into this ledger, leaving the head as it was.
    TempDir other;
    const fs::path longer = ledger_with_events(other, 3);
    std::string sql = "DELETE FROM events;";
    for (const AuditEvent& e : Ledger::open(longer).events()) {
      sql += "INSERT INTO events (id, time, operation, profile, \"user\", input_path, input_sha256, output_path, "
             "output_sha256, outcome, signer_fingerprint, detail, prev_hash, hash) VALUES (" +
             std::to_string(e.id) + ", '" + e.time + "', '" + e.operation + "', '" + e.profile + "', '" + e.user +
             "', '" + e.input_path + "', '" + e.input_sha256 + "', '" + e.output_path + "', '" + e.output_sha256 +
             "', '" + e.outcome + "', '" + e.signer_fingerprint + "', '" + e.detail + "', '" + e.prev_hash + "', '" +
             e.hash + "');";
    }
    raw_sql(path, sql);
  }
  const ChainCheck c = check(path);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.first_bad_id == 3);
}

BOOST_AUTO_TEST_CASE(two_connections_appending_concurrently_keep_the_chain) {
  TempDir dir;
  const fs::path path = dir.ledger;
  Ledger::open(path);
  constexpr int kPerThread = 100;
  std::vector<std::exception_ptr> errors(2);
  std::vector<std::set<std::int64_t>> ids(2);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        try {
          Ledger ledger = Ledger::open(path);  // each thread its own connection
          for (int i = 0; i < kPerThread; ++i) ids[t].insert(ledger.append(sample_event(t * 1000 + i)));
        } catch (...) {
          errors[t] = std::current_exception();
        }
      });
    }
  }
  for (const auto& e : errors) BOOST_REQUIRE(!e);
  for (std::int64_t id : ids[0]) BOOST_TEST(ids[1].count(id) == 0u);
  const ChainCheck c = check(path);
  BOOST_TEST(c.ok, c.reason);
  BOOST_TEST(c.events == 2 * kPerThread);
}

BOOST_AUTO_TEST_CASE(two_processes_appending_concurrently_keep_the_chain) {
  TempDir dir;
  const fs::path path = dir.ledger;
  constexpr int kPerProcess = 100;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      int status = 0;
      try {
        Ledger ledger = Ledger::open(path);  // both create the file at once
        for (int i = 0; i < kPerProcess; ++i) ledger.append(sample_event(p * 1000 + i));
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  const ChainCheck c = check(path);
  BOOST_TEST(c.ok, c.reason);
  BOOST_TEST(c.events == 2 * kPerProcess);
}

BOOST_AUTO_TEST_CASE(a_version_1_ledger_gains_the_account_and_anchor_tables_and_keeps_its_events) {
  TempDir dir;
  const fs::path path = dir.ledger;
  {
    Ledger ledger = Ledger::open(path);
    ledger.append(sample_event(1));
  }
  // Back to what esign with schema 1 left behind: no account or anchor tables, version 1 recorded.
  raw_sql(path,
          "DROP TABLE anchors; DROP TABLE user_certificates; DROP TABLE sessions; DROP TABLE recovery_codes; "
          "DROP TABLE password_history; DROP TABLE users; ALTER TABLE items DROP COLUMN lease_owner; "
          "ALTER TABLE items DROP COLUMN lease_expires; ALTER TABLE items DROP COLUMN host; "
          "DROP INDEX items_to_claim; CREATE INDEX items_by_job_state ON items (job_id, state); "
          "DELETE FROM schema_version WHERE version >= 2");
  BOOST_TEST(raw_query_text(path, "SELECT MAX(version) FROM schema_version") == "1");
  {
    Ledger ledger = Ledger::open(path);
    BOOST_TEST(ledger.schema_version() == Ledger::kSchemaVersion);
    BOOST_TEST(ledger.events().size() == 1u);
    BOOST_TEST(ledger.verify_chain().ok);
  }
  for (const char* table : {"users", "password_history", "recovery_codes", "sessions", "user_certificates", "anchors"})
    BOOST_TEST(raw_query_text(path, std::string("SELECT COUNT(*) FROM ") + table) == "0", table);
}

BOOST_AUTO_TEST_CASE(an_anchor_is_stored_with_its_event_in_one_transaction) {
  TempDir dir;
  Ledger ledger = Ledger::open(dir.ledger);
  BOOST_TEST(ledger.chain_head().event_id == 0);
  BOOST_TEST(ledger.chain_head().hash == std::string(kGenesisHash));
  ledger.append(sample_event(1));
  const ChainHead head = ledger.chain_head();
  BOOST_TEST(head.event_id == 1);
  BOOST_TEST(head.hash == ledger.event(1)->hash);
  BOOST_TEST(!ledger.event(2).has_value());
  Anchor a;
  a.event_id = head.event_id;
  a.head_hash = head.hash;
  a.time = "2026-12-05T09:00:00Z";
  a.tsa = "CN=TSA";
  a.tsa_url = "https://tsa.example/";
  a.token = {0x30, 0x00, 0xff, 0x00, 0x01};  // bytes are kept as they are, zeros included
  NewEvent e;
  e.operation = "audit-anchor";
  e.input_sha256 = head.hash;
  e.outcome = "ok";
  const Anchor stored = ledger.add_anchor(a, e);
  BOOST_TEST(stored.id == 1);
  const std::vector<Anchor> all = ledger.anchors();
  BOOST_REQUIRE(all.size() == 1u);
  BOOST_TEST(all[0].event_id == 1);
  BOOST_TEST(all[0].head_hash == head.hash);
  BOOST_TEST(all[0].time == a.time);
  BOOST_TEST(all[0].tsa_url == a.tsa_url);
  BOOST_TEST((all[0].token == a.token));
  BOOST_TEST(ledger.chain_head().event_id == 2);
  BOOST_TEST(ledger.event(2)->operation == "audit-anchor");
  BOOST_TEST(ledger.verify_chain().ok);
}

BOOST_AUTO_TEST_CASE(reopening_migrates_and_keeps_events) {
  TempDir dir;
  // A database made by someone else, without any of our tables, is version 0: open() migrates it.
  const fs::path path = dir.ledger;
  raw_sql(path, "CREATE TABLE unrelated (x INTEGER)");
  {
    Ledger ledger = Ledger::open(path);
    BOOST_TEST(ledger.schema_version() == Ledger::kSchemaVersion);
    ledger.append(sample_event(1));
    ledger.append(sample_event(2));
  }
  {
    Ledger ledger = Ledger::open(path);
    BOOST_TEST(ledger.schema_version() == Ledger::kSchemaVersion);
    BOOST_TEST(ledger.events().size() == 2u);
    BOOST_TEST(ledger.append(sample_event(3)) == 3);
    BOOST_TEST(ledger.verify_chain().ok);
  }
  BOOST_TEST(raw_query_text(path, "SELECT COUNT(*) FROM schema_version") == std::to_string(Ledger::kSchemaVersion));
  BOOST_TEST(raw_query_text(path, "SELECT MAX(version) FROM schema_version") ==
             std::to_string(Ledger::kSchemaVersion));
  if (!on_postgresql()) BOOST_TEST(raw_query_text(path, "PRAGMA foreign_keys") == "0");  // per connection; ours sets it

  // A file from a newer esign is refused, not downgraded.
  raw_sql(path, "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')");
  try {
    Ledger::open(path);
    BOOST_FAIL("a newer schema was accepted");
  } catch (const esign::Error& e) {
    BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(esign::Errc::config));
    BOOST_TEST(std::string(e.what()).find("newer") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_a_config_error) {
  if (on_postgresql()) {
    BOOST_TEST_MESSAGE("about SQLite files only");
    return;
  }
  TempDir dir;
  const fs::path path = dir.ledger;
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not an SQLite database, just some text long enough to have a header\n", f);
    std::fclose(f);
  }
  try {
    Ledger::open(path);
    BOOST_FAIL("a text file was opened as a ledger");
  } catch (const esign::Error& e) {
    BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(esign::Errc::config));
    BOOST_TEST(e.subject() == path.string());
  }
}

BOOST_AUTO_TEST_CASE(a_postgresql_password_is_only_ever_a_reference) {
  if (!on_postgresql()) {
    BOOST_TEST_MESSAGE("needs the PostgreSQL server");
    return;
  }
  const std::string host = postgresql_host();
  const std::string password = [&] {
    std::ifstream in(host + "/pwuser.password");
    std::string line;
    std::getline(in, line);
    return line;
  }();
  const std::string base = "postgresql://pwuser@/pwdb?host=" + host;
  const auto config_error = [](const std::string& uri) {
    try {
      Ledger::open(uri);
      return std::string("opened");
    } catch (const esign::Error& e) {
      BOOST_TEST(static_cast<int>(e.code()) == static_cast<int>(esign::Errc::config));
      return std::string(e.what());
    }
  };
  // Literal passwords are refused before any connection, and never repeated in the message.
  std::string m = config_error("postgresql://pwuser:" + password + "@/pwdb?host=" + host);
  BOOST_TEST(m.find("password=env:") != std::string::npos, m);
  BOOST_TEST(m.find(password) == std::string::npos, m);
  m = config_error(base + "&password=" + password);
  BOOST_TEST(m.find(password) == std::string::npos, m);
  BOOST_TEST(m.find("holds a password") != std::string::npos, m);
  // No password: the server refuses.
  m = config_error(base);
  BOOST_TEST(m.find("cannot connect") != std::string::npos, m);
  // A file reference, and an environment reference, are resolved and work.
  {
    Ledger ledger = Ledger::open(base + "&password=file:" + host + "/pwuser.password");
    BOOST_TEST(ledger.info().backend == "postgresql");
    BOOST_TEST(ledger.schema_version() == Ledger::kSchemaVersion);
  }
  ::setenv("ESIGN_TEST_PG_PASSWORD", password.c_str(), 1);
  {
    Ledger ledger = Ledger::open(base + "&password=env:ESIGN_TEST_PG_PASSWORD");
    ledger.append(sample_event(1));
    BOOST_TEST(ledger.verify_chain().ok);
  }
  ::setenv("ESIGN_TEST_PG_PASSWORD", "wrong", 1);
  m = config_error(base + "&password=env:ESIGN_TEST_PG_PASSWORD");
  BOOST_TEST(m.find("cannot connect") != std::string::npos, m);
  ::unsetenv("ESIGN_TEST_PG_PASSWORD");
}

BOOST_AUTO_TEST_CASE(default_path_follows_the_environment) {
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home != nullptr ? old_home : "";
  const auto set = [](const char* name, const char* value) {
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  };
  set("ESIGN_LEDGER", "/x/l.db");
  BOOST_TEST(esign::default_ledger_path() == fs::path("/x/l.db"));
  set("ESIGN_LEDGER", "");
  set("ESIGN_HOME", "/h");
  BOOST_TEST(esign::default_ledger_path() == fs::path("/h/ledger.db"));
  set("ESIGN_HOME", nullptr);
  set("XDG_DATA_HOME", "/d");
  BOOST_TEST(esign::default_ledger_path() == fs::path("/d/esign/ledger.db"));
  set("XDG_DATA_HOME", nullptr);
  set("HOME", "/home/u");
  BOOST_TEST(esign::default_ledger_path() == fs::path("/home/u/.local/share/esign/ledger.db"));
  set("ESIGN_LEDGER", nullptr);
  set("HOME", old_home != nullptr ? saved_home.c_str() : nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
