// Ledger: finding, creating and opening the ledger file, and the public operations on events.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <thread>

#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// Makes each missing folder on the way to `dir` with mode 0700; folders that exist are left alone.
void make_private_dirs(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  make_private_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0) {
    const int err = errno;
    if (err == EEXIST && fs::is_directory(dir, ec)) return;  // another process made it meanwhile
    throw Error(Errc::config, dir.string(), fmt::format("cannot create folder: {}", std::strerror(err)));
  }
  ::chmod(dir.c_str(), 0700);  // the umask may have taken bits away; never adds any here
}

// Creates an empty file with mode 0600 unless it exists. SQLite then gives its -wal and -shm
// files the same mode as the database file.
void create_private_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return;
    throw Error(Errc::config, path.string(), fmt::format("cannot create the ledger: {}", std::strerror(err)));
  }
  // 0600 already, unless a umask of 0 or an ACL default made it otherwise: set it explicitly.
  const int rc = ::fchmod(fd, 0600);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    throw Error(Errc::config, path.string(), fmt::format("cannot set the ledger's mode: {}", std::strerror(err)));
  }
}

std::int64_t as_sql_limit(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
}

}  // namespace

namespace ledger {

Error db_error(const fs::path& path, const DbError& e, const char* doing) {
  if (e.busy()) {
    return Error(Errc::conflict, path.string(),
                 fmt::format("{}: the ledger stayed locked by another process for {} s", doing,
                             kLockTimeoutMs / 1000));
  }
  return Error(Errc::config, path.string(), fmt::format("{}: {}", doing, e.what()));
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

}  // namespace ledger

fs::path default_ledger_path() {
  if (const char* p = env("ESIGN_LEDGER")) return p;
  if (const char* p = env("ESIGN_HOME")) return fs::path(p) / "ledger.db";
  if (const char* p = env("XDG_DATA_HOME")) return fs::path(p) / "esign" / "ledger.db";
  const char* home = env("HOME");
  if (home == nullptr) {
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr && *pw->pw_dir) {
      home = pw->pw_dir;
    }
  }
  if (home == nullptr) {
    throw Error(Errc::config, "ledger", "no home directory is known: set ESIGN_LEDGER or ESIGN_HOME");
  }
  return fs::path(home) / ".local" / "share" / "esign" / "ledger.db";
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::Ledger(Ledger&&) noexcept = default;
Ledger& Ledger::operator=(Ledger&&) noexcept = default;
Ledger::~Ledger() = default;

Ledger Ledger::open(const fs::path& path) {
  if (path.empty()) throw Error(Errc::config, "ledger", "the ledger path is empty");
  if (ledger::is_postgresql_uri(path.string())) {
    try {
      auto impl = std::make_unique<Impl>(path, ledger::open_postgresql(path.string(), SecretResolver()));
      impl->schema_version = ledger::migrate(*impl->db, path);
      return Ledger(std::move(impl));
    } catch (const ledger::DbError& e) {
      throw ledger::db_error(path, e, "cannot open the ledger");
    }
  }
  make_private_dirs(path.parent_path());
  create_private_file(path);
  // Switching a new file to WAL needs an exclusive lock, and when two processes open a new
  // ledger at once SQLite may refuse one of them at once (SQLITE_BUSY without waiting, to avoid
  // a deadlock): such an open is retried until the busy timeout is used up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ledger::kLockTimeoutMs);
  for (int attempt = 1;; ++attempt) {
    try {
      auto impl = std::make_unique<Impl>(path, ledger::open_sqlite(path.string()));
      impl->schema_version = ledger::migrate(*impl->db, path);
      return Ledger(std::move(impl));
    } catch (const ledger::DbError& e) {
      if (!e.busy() || std::chrono::steady_clock::now() >= deadline) throw ledger::db_error(path, e, "cannot open the ledger");
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * std::min(attempt, 20)));
    }
  }
}

const fs::path& Ledger::path() const { return impl_->path; }

int Ledger::schema_version() const { return impl_->schema_version; }

std::int64_t Ledger::append(const NewEvent& e) {
  return ledger::in_transaction(*impl_, Tx::write, "cannot record the event",
                        [&](Db& db) {
                          return ledger::append_event(db, impl_->path, e, ledger::utc_now());
                        });
}

std::vector<std::int64_t> Ledger::append_all(const std::vector<NewEvent>& events) {
  return ledger::in_transaction(*impl_, Tx::write, "cannot record the events",
                        [&](Db& db) {
                          const std::string time = ledger::utc_now();
                          std::vector<const NewEvent*> all;
                          all.reserve(events.size());
                          for (const NewEvent& e : events) all.push_back(&e);
                          return ledger::append_events(db, impl_->path, all, time);
                        });
}

std::vector<AuditEvent> Ledger::events(std::int64_t after_id, std::size_t limit) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read events",
                        [&](Db& db) {
                          Query q = db.prepare(fmt::format("SELECT {} FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                                              ledger::kEventColumns));
                          q.bind(1, after_id);
                          q.bind(2, as_sql_limit(limit));
                          std::vector<AuditEvent> out;
                          while (q.step()) out.push_back(ledger::read_event(q));
                          return out;
                        });
}

std::vector<AuditEvent> Ledger::last_events(std::size_t count) const {
  return ledger::in_transaction(*impl_, Tx::read, "cannot read events",
                        [&](Db& db) {
                          Query q = db.prepare(
                              fmt::format("SELECT * FROM (SELECT {} FROM events ORDER BY id DESC LIMIT ?) AS newest ORDER BY id",
                                              ledger::kEventColumns));
                          q.bind(1, as_sql_limit(count));
                          std::vector<AuditEvent> out;
                          while (q.step()) out.push_back(ledger::read_event(q));
                          return out;
                        });
}

ChainCheck Ledger::verify_chain() const {
  // One deferred transaction: the head and every row come from the same snapshot, so an append
  // by another process while we read cannot look like tampering.
  return ledger::in_transaction(*impl_, Tx::read, "cannot read the audit chain",
                        [](Db& db) { return ledger::check_chain(db); });
}

}  // namespace esign
