// SQL for operator accounts, sessions and user-certificate links (see users.h).
#include "ledger/users.h"

#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign::ledger {

namespace {

using TB = SQLite::TransactionBehavior;

constexpr const char* kUserColumns =
    "u.id, u.name, u.roles, u.status, u.password_hash, u.totp_secret, u.totp_pending, u.totp_last_step, "
    "u.failed_attempts, u.locked_until, u.last_login, u.last_seen, u.created, "
    "(SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.pending = 0)";

UserRow read_user(const SQLite::Statement& q) {
  UserRow u;
  u.id = q.getColumn(0).getInt64();
  u.name = q.getColumn(1).getString();
  u.roles = q.getColumn(2).getString();
  u.status = q.getColumn(3).getString();
  u.password_hash = q.getColumn(4).getString();
  u.totp_secret = q.getColumn(5).getString();
  u.totp_pending = q.getColumn(6).getString();
  u.totp_last_step = q.getColumn(7).getInt64();
  u.failed_attempts = q.getColumn(8).getInt64();
  u.locked_until = q.getColumn(9).getInt64();
  u.last_login = q.getColumn(10).getInt64();
  u.last_seen = q.getColumn(11).getInt64();
  u.created = q.getColumn(12).getString();
  u.recovery_codes = q.getColumn(13).getInt64();
  return u;
}

template <class F>
auto tx(Ledger& ledger, TB behavior, const char* doing, F&& f) {
  return in_transaction(LedgerAccess::impl(ledger), behavior, doing, std::forward<F>(f));
}

std::optional<UserRow> select_user(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, fmt::format("SELECT {} FROM users u WHERE u.name = ?", kUserColumns));
  q.bind(1, name);
  std::optional<UserRow> out;
  if (q.executeStep()) out = read_user(q);
  return out;
}

void add_history(SQLite::Database& db, std::int64_t user_id, const std::string& hash, std::int64_t keep, std::int64_t now) {
  SQLite::Statement ins(db, "INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)");
  ins.bind(1, user_id);
  ins.bind(2, hash);
  ins.bind(3, now);
  ins.exec();
  SQLite::Statement prune(db,
                          "DELETE FROM password_history WHERE user_id = ?1 AND id NOT IN "
                          "(SELECT id FROM password_history WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2)");
  prune.bind(1, user_id);
  prune.bind(2, keep < 1 ? std::int64_t{1} : keep);
  prune.exec();
}

int exec_int(SQLite::Database& db, const char* sql, std::int64_t a) {
  SQLite::Statement q(db, sql);
  q.bind(1, a);
  return q.exec();
}

}  // namespace

std::int64_t count_users(Ledger& ledger) {
  return tx(ledger, TB::DEFERRED, "cannot read users",
            [](SQLite::Database& db) { return db.execAndGet("SELECT COUNT(*) FROM users").getInt64(); });
}

bool insert_user(Ledger& ledger, const UserRow& u, bool only_if_none) {
  return tx(ledger, TB::IMMEDIATE, "cannot add the user", [&](SQLite::Database& db) {
    if (only_if_none && db.execAndGet("SELECT COUNT(*) FROM users").getInt64() > 0) return false;
    if (select_user(db, u.name)) throw Error(Errc::conflict, u.name, "a user of that name exists");
    SQLite::Statement q(db,
                        "INSERT INTO users (name, roles, status, password_hash, last_seen, created) "
                        "VALUES (?, ?, 'active', ?, ?, ?)");
    q.bind(1, u.name);
    q.bind(2, u.roles);
    q.bind(3, u.password_hash);
    q.bind(4, u.last_seen);
    q.bind(5, u.created);
    q.exec();
    add_history(db, db.getLastInsertRowid(), u.password_hash, 1, u.last_seen);
    return true;
  });
}

std::optional<UserRow> find_user(Ledger& ledger, const std::string& name) {
  return tx(ledger, TB::DEFERRED, "cannot read users", [&](SQLite::Database& db) { return select_user(db, name); });
}

std::vector<UserRow> list_users(Ledger& ledger) {
  return tx(ledger, TB::DEFERRED, "cannot read users", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM users u ORDER BY u.name", kUserColumns));
    std::vector<UserRow> out;
    while (q.executeStep()) out.push_back(read_user(q));
    return out;
  });
}

bool set_status(Ledger& ledger, const std::string& name, const std::string& status, bool touch_seen, std::int64_t now) {
  return tx(ledger, TB::IMMEDIATE, "cannot update the user", [&](SQLite::Database& db) {
    SQLite::Statement q(db, touch_seen ? "UPDATE users SET status = ?1, last_seen = ?3 WHERE name = ?2"
                                       : "UPDATE users SET status = ?1 WHERE name = ?2");
    q.bind(1, status);
    q.bind(2, name);
    if (touch_seen) q.bind(3, now);
    return q.exec() == 1;
  });
}

std::optional<UserRow> record_failure(Ledger& ledger, const std::string& name, std::int64_t max_attempts,
                                      std::int64_t lock_seconds, std::int64_t now) {
  return tx(ledger, TB::IMMEDIATE, "cannot update the user", [&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE users SET "
                        "  locked_until = CASE WHEN failed_attempts + 1 >= ?1 THEN ?2 ELSE locked_until END, "
                        "  failed_attempts = CASE WHEN failed_attempts + 1 >= ?1 THEN 0 ELSE failed_attempts + 1 END "
                        "WHERE name = ?3");
    q.bind(1, max_attempts);
    q.bind(2, now + lock_seconds);
    q.bind(3, name);
    q.exec();
    return select_user(db, name);
  });
}

void record_success(Ledger& ledger, const std::string& name, std::int64_t now) {
  tx(ledger, TB::IMMEDIATE, "cannot update the user", [&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE users SET failed_attempts = 0, locked_until = 0, last_login = ?1, last_seen = ?1 "
                        "WHERE name = ?2");
    q.bind(1, now);
    q.bind(2, name);
    return q.exec();
  });
}

bool clear_lock(Ledger& ledger, const std::string& name) {
  return tx(ledger, TB::IMMEDIATE, "cannot update the user", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE name = ?");
    q.bind(1, name);
    return q.exec() == 1;
  });
}

std::vector<std::string> password_history(Ledger& ledger, std::int64_t user_id, std::int64_t count) {
  return tx(ledger, TB::DEFERRED, "cannot read users", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?");
    q.bind(1, user_id);
    q.bind(2, count);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

void set_password(Ledger& ledger, std::int64_t user_id, const std::string& hash, std::int64_t keep, std::int64_t now) {
  tx(ledger, TB::IMMEDIATE, "cannot change the password", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE users SET password_hash = ? WHERE id = ?");
    q.bind(1, hash);
    q.bind(2, user_id);
    q.exec();
    add_history(db, user_id, hash, keep, now);
    return 0;
  });
}

void set_totp_pending(Ledger& ledger, std::int64_t user_id, const std::string& sealed_secret,
                      const std::vector<std::string>& code_hashes) {
  tx(ledger, TB::IMMEDIATE, "cannot store the 2FA enrollment", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE users SET totp_pending = ? WHERE id = ?");
    q.bind(1, sealed_secret);
    q.bind(2, user_id);
    q.exec();
    exec_int(db, "DELETE FROM recovery_codes WHERE user_id = ? AND pending = 1", user_id);
    SQLite::Statement ins(db, "INSERT OR IGNORE INTO recovery_codes (user_id, code_hash, pending) VALUES (?, ?, 1)");
    for (const std::string& h : code_hashes) {
      ins.bind(1, user_id);
      ins.bind(2, h);
      ins.exec();
      ins.reset();
    }
    return 0;
  });
}

bool confirm_totp(Ledger& ledger, std::int64_t user_id, std::int64_t step) {
  return tx(ledger, TB::IMMEDIATE, "cannot confirm the 2FA enrollment", [&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? "
                        "WHERE id = ? AND totp_pending <> ''");
    q.bind(1, step);
    q.bind(2, user_id);
    if (q.exec() != 1) return false;
    exec_int(db, "DELETE FROM recovery_codes WHERE user_id = ? AND pending = 0", user_id);
    exec_int(db, "UPDATE recovery_codes SET pending = 0 WHERE user_id = ?", user_id);
    return true;
  });
}

void clear_totp(Ledger& ledger, std::int64_t user_id) {
  tx(ledger, TB::IMMEDIATE, "cannot reset 2FA", [&](SQLite::Database& db) {
    exec_int(db, "UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?", user_id);
    exec_int(db, "DELETE FROM recovery_codes WHERE user_id = ?", user_id);
    return 0;
  });
}

bool use_totp_step(Ledger& ledger, std::int64_t user_id, std::int64_t step) {
  return tx(ledger, TB::IMMEDIATE, "cannot record the one-time code", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?");
    q.bind(1, step);
    q.bind(2, user_id);
    q.bind(3, step);
    return q.exec() == 1;
  });
}

bool use_recovery_code(Ledger& ledger, std::int64_t user_id, const std::string& code_hash) {
  return tx(ledger, TB::IMMEDIATE, "cannot record the recovery code", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND pending = 0");
    q.bind(1, user_id);
    q.bind(2, code_hash);
    return q.exec() == 1;
  });
}

namespace {

constexpr const char* kSessionColumns =
    "s.id, s.user_id, u.name, s.created, s.last_used, s.expires, s.restricted";

SessionRow read_session(const SQLite::Statement& q) {
  SessionRow s;
  s.id = q.getColumn(0).getInt64();
  s.user_id = q.getColumn(1).getInt64();
  s.user = q.getColumn(2).getString();
  s.created = q.getColumn(3).getInt64();
  s.last_used = q.getColumn(4).getInt64();
  s.expires = q.getColumn(5).getInt64();
  s.restricted = q.getColumn(6).getInt() != 0;
  return s;
}

void drop_dead_sessions(SQLite::Database& db, std::int64_t now, std::int64_t idle_cutoff) {
  SQLite::Statement q(db, "DELETE FROM sessions WHERE expires <= ? OR last_used <= ?");
  q.bind(1, now);
  q.bind(2, idle_cutoff);
  q.exec();
}

}  // namespace

std::optional<std::int64_t> insert_session(Ledger& ledger, const SessionRow& s, const std::string& token_hash,
                                           std::int64_t limit, bool force, std::int64_t now, std::int64_t idle_cutoff) {
  return tx(ledger, TB::IMMEDIATE, "cannot open the session", [&](SQLite::Database& db) -> std::optional<std::int64_t> {
    drop_dead_sessions(db, now, idle_cutoff);
    SQLite::Statement count(db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?");
    count.bind(1, s.user_id);
    count.executeStep();
    std::int64_t live = count.getColumn(0).getInt64();
    std::int64_t ended = 0;
    if (live >= limit) {
      if (!force) return std::nullopt;
      ended = exec_int(db, "DELETE FROM sessions WHERE user_id = ?", s.user_id);
    }
    SQLite::Statement q(db,
                        "INSERT INTO sessions (user_id, token_hash, created, last_used, expires, restricted) "
                        "VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, s.user_id);
    q.bind(2, token_hash);
    q.bind(3, s.created);
    q.bind(4, s.last_used);
    q.bind(5, s.expires);
    q.bind(6, s.restricted ? 1 : 0);
    q.exec();
    return ended;
  });
}

std::optional<SessionRow> find_session(Ledger& ledger, const std::string& token_hash) {
  return tx(ledger, TB::DEFERRED, "cannot read sessions", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                                        kSessionColumns));
    q.bind(1, token_hash);
    std::optional<SessionRow> out;
    if (q.executeStep()) out = read_session(q);
    return out;
  });
}

void touch_session(Ledger& ledger, const std::string& token_hash, std::int64_t now) {
  tx(ledger, TB::IMMEDIATE, "cannot update the session", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE sessions SET last_used = ? WHERE token_hash = ?");
    q.bind(1, now);
    q.bind(2, token_hash);
    return q.exec();
  });
}

void set_session_restricted(Ledger& ledger, std::int64_t user_id, bool restricted) {
  tx(ledger, TB::IMMEDIATE, "cannot update the session", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE sessions SET restricted = ? WHERE user_id = ?");
    q.bind(1, restricted ? 1 : 0);
    q.bind(2, user_id);
    return q.exec();
  });
}

bool delete_session(Ledger& ledger, const std::string& token_hash) {
  return tx(ledger, TB::IMMEDIATE, "cannot end the session", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    return q.exec() == 1;
  });
}

std::int64_t delete_user_sessions(Ledger& ledger, std::int64_t user_id) {
  return tx(ledger, TB::IMMEDIATE, "cannot end the sessions", [&](SQLite::Database& db) {
    return static_cast<std::int64_t>(exec_int(db, "DELETE FROM sessions WHERE user_id = ?", user_id));
  });
}

std::vector<SessionRow> live_sessions(Ledger& ledger, std::int64_t user_id, std::int64_t now, std::int64_t idle_cutoff) {
  return tx(ledger, TB::DEFERRED, "cannot read sessions", [&](SQLite::Database& db) {
    SQLite::Statement q(db, fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id "
                                        "WHERE s.user_id = ? AND s.expires > ? AND s.last_used > ? ORDER BY s.id",
                                        kSessionColumns));
    q.bind(1, user_id);
    q.bind(2, now);
    q.bind(3, idle_cutoff);
    std::vector<SessionRow> out;
    while (q.executeStep()) out.push_back(read_session(q));
    return out;
  });
}

bool insert_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile) {
  return tx(ledger, TB::IMMEDIATE, "cannot assign the certificate", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT OR IGNORE INTO user_certificates (user_id, profile, created) VALUES (?, ?, ?)");
    q.bind(1, user_id);
    q.bind(2, profile);
    q.bind(3, utc_now());
    return q.exec() == 1;
  });
}

bool delete_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile) {
  return tx(ledger, TB::IMMEDIATE, "cannot remove the assignment", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM user_certificates WHERE user_id = ? AND profile = ?");
    q.bind(1, user_id);
    q.bind(2, profile);
    return q.exec() == 1;
  });
}

std::vector<std::string> user_profiles(Ledger& ledger, std::int64_t user_id) {
  return tx(ledger, TB::DEFERRED, "cannot read assignments", [&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT profile FROM user_certificates WHERE user_id = ? ORDER BY profile");
    q.bind(1, user_id);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

std::vector<std::string> profile_users(Ledger& ledger, const std::string& profile) {
  return tx(ledger, TB::DEFERRED, "cannot read assignments", [&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT u.name FROM user_certificates c JOIN users u ON u.id = c.user_id "
                        "WHERE c.profile = ? ORDER BY u.name");
    q.bind(1, profile);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

}  // namespace esign::ledger
