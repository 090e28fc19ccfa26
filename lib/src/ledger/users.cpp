// SQL for operator accounts, sessions and user-certificate links (see users.h).
#include "ledger/users.h"

#include <fmt/format.h>

#include "ledger/ledger_impl.h"

namespace esign::ledger {

namespace {


constexpr const char* kUserColumns =
    "u.id, u.name, u.roles, u.status, u.password_hash, u.totp_secret, u.totp_pending, u.totp_last_step, "
    "u.failed_attempts, u.locked_until, u.last_login, u.last_seen, u.created, "
    "(SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.pending = 0)";

UserRow read_user(const Query& q) {
  UserRow u;
  u.id = q.i64(0);
  u.name = q.text(1);
  u.roles = q.text(2);
  u.status = q.text(3);
  u.password_hash = q.text(4);
  u.totp_secret = q.text(5);
  u.totp_pending = q.text(6);
  u.totp_last_step = q.i64(7);
  u.failed_attempts = q.i64(8);
  u.locked_until = q.i64(9);
  u.last_login = q.i64(10);
  u.last_seen = q.i64(11);
  u.created = q.text(12);
  u.recovery_codes = q.i64(13);
  return u;
}

template <class F>
auto tx(Ledger& ledger, Tx behavior, const char* doing, F&& f) {
  return in_transaction(LedgerAccess::impl(ledger), behavior, doing, std::forward<F>(f));
}

std::optional<UserRow> select_user(Db& db, const std::string& name) {
  Query q = db.prepare(fmt::format("SELECT {} FROM users u WHERE u.name = ?", kUserColumns));
  q.bind(1, name);
  std::optional<UserRow> out;
  if (q.step()) out = read_user(q);
  return out;
}

void add_history(Db& db, std::int64_t user_id, const std::string& hash, std::int64_t keep, std::int64_t now) {
  Query ins = db.prepare("INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)");
  ins.bind(1, user_id);
  ins.bind(2, hash);
  ins.bind(3, now);
  ins.exec();
  Query prune = db.prepare("DELETE FROM password_history WHERE user_id = ?1 AND id NOT IN "
                          "(SELECT id FROM password_history WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2)");
  prune.bind(1, user_id);
  prune.bind(2, keep < 1 ? std::int64_t{1} : keep);
  prune.exec();
}

std::int64_t exec_int(Db& db, const char* sql, std::int64_t a) {
  Query q = db.prepare(sql);
  q.bind(1, a);
  return q.exec();
}

}  // namespace

std::int64_t count_users(Ledger& ledger) {
  return tx(ledger, Tx::read, "cannot read users",
            [](Db& db) { return db.query_i64("SELECT COUNT(*) FROM users"); });
}

bool insert_user(Ledger& ledger, const UserRow& u, bool only_if_none) {
  return tx(ledger, Tx::write, "cannot add the user", [&](Db& db) {
    if (only_if_none && db.query_i64("SELECT COUNT(*) FROM users") > 0) return false;
    if (select_user(db, u.name)) throw Error(Errc::conflict, u.name, "a user of that name exists");
    Query q = db.prepare("INSERT INTO users (name, roles, status, password_hash, last_seen, created) "
                        "VALUES (?, ?, 'active', ?, ?, ?) RETURNING id");
    q.bind(1, u.name);
    q.bind(2, u.roles);
    q.bind(3, u.password_hash);
    q.bind(4, u.last_seen);
    q.bind(5, u.created);
    q.step();
    add_history(db, q.i64(0), u.password_hash, 1, u.last_seen);
    return true;
  });
}

std::optional<UserRow> find_user(Ledger& ledger, const std::string& name) {
  return tx(ledger, Tx::read, "cannot read users", [&](Db& db) { return select_user(db, name); });
}

std::vector<UserRow> list_users(Ledger& ledger) {
  return tx(ledger, Tx::read, "cannot read users", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM users u ORDER BY u.name", kUserColumns));
    std::vector<UserRow> out;
    while (q.step()) out.push_back(read_user(q));
    return out;
  });
}

bool set_status(Ledger& ledger, const std::string& name, const std::string& status, bool touch_seen, std::int64_t now) {
  return tx(ledger, Tx::write, "cannot update the user", [&](Db& db) {
    Query q = db.prepare(touch_seen ? "UPDATE users SET status = ?1, last_seen = ?3 WHERE name = ?2"
                                       : "UPDATE users SET status = ?1 WHERE name = ?2");
    q.bind(1, status);
    q.bind(2, name);
    if (touch_seen) q.bind(3, now);
    return q.exec() == 1;
  });
}

std::optional<UserRow> record_failure(Ledger& ledger, const std::string& name, std::int64_t max_attempts,
                                      std::int64_t lock_seconds, std::int64_t now) {
  return tx(ledger, Tx::write, "cannot update the user", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET "
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
  tx(ledger, Tx::write, "cannot update the user", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = 0, last_login = ?1, last_seen = ?1 "
                        "WHERE name = ?2");
    q.bind(1, now);
    q.bind(2, name);
    return q.exec();
  });
}

bool clear_lock(Ledger& ledger, const std::string& name) {
  return tx(ledger, Tx::write, "cannot update the user", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE name = ?");
    q.bind(1, name);
    return q.exec() == 1;
  });
}

std::vector<std::string> password_history(Ledger& ledger, std::int64_t user_id, std::int64_t count) {
  return tx(ledger, Tx::read, "cannot read users", [&](Db& db) {
    Query q = db.prepare("SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?");
    q.bind(1, user_id);
    q.bind(2, count);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
  });
}

void set_password(Ledger& ledger, std::int64_t user_id, const std::string& hash, std::int64_t keep, std::int64_t now) {
  tx(ledger, Tx::write, "cannot change the password", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET password_hash = ? WHERE id = ?");
    q.bind(1, hash);
    q.bind(2, user_id);
    q.exec();
    add_history(db, user_id, hash, keep, now);
    return 0;
  });
}

void set_totp_pending(Ledger& ledger, std::int64_t user_id, const std::string& sealed_secret,
                      const std::vector<std::string>& code_hashes) {
  tx(ledger, Tx::write, "cannot store the 2FA enrollment", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET totp_pending = ? WHERE id = ?");
    q.bind(1, sealed_secret);
    q.bind(2, user_id);
    q.exec();
    exec_int(db, "DELETE FROM recovery_codes WHERE user_id = ? AND pending = 1", user_id);
    Query ins = db.prepare("INSERT INTO recovery_codes (user_id, code_hash, pending) VALUES (?, ?, 1) ON CONFLICT DO NOTHING");
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
  return tx(ledger, Tx::write, "cannot confirm the 2FA enrollment", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? "
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
  tx(ledger, Tx::write, "cannot reset 2FA", [&](Db& db) {
    exec_int(db, "UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?", user_id);
    exec_int(db, "DELETE FROM recovery_codes WHERE user_id = ?", user_id);
    return 0;
  });
}

bool use_totp_step(Ledger& ledger, std::int64_t user_id, std::int64_t step) {
  return tx(ledger, Tx::write, "cannot record the one-time code", [&](Db& db) {
    Query q = db.prepare("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?");
    q.bind(1, step);
    q.bind(2, user_id);
    q.bind(3, step);
    return q.exec() == 1;
  });
}

bool use_recovery_code(Ledger& ledger, std::int64_t user_id, const std::string& code_hash) {
  return tx(ledger, Tx::write, "cannot record the recovery code", [&](Db& db) {
    Query q = db.prepare("DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND pending = 0");
    q.bind(1, user_id);
    q.bind(2, code_hash);
    return q.exec() == 1;
  });
}

namespace {

constexpr const char* kSessionColumns =
    "s.id, s.user_id, u.name, s.created, s.last_used, s.expires, s.restricted";

SessionRow read_session(const Query& q) {
  SessionRow s;
  s.id = q.i64(0);
  s.user_id = q.i64(1);
  s.user = q.text(2);
  s.created = q.i64(3);
  s.last_used = q.i64(4);
  s.expires = q.i64(5);
  s.restricted = q.i64(6) != 0;
  return s;
}

void drop_dead_sessions(Db& db, std::int64_t now, std::int64_t idle_cutoff) {
  Query q = db.prepare("DELETE FROM sessions WHERE expires <= ? OR last_used <= ?");
  q.bind(1, now);
  q.bind(2, idle_cutoff);
  q.exec();
}

}  // namespace

std::optional<std::int64_t> insert_session(Ledger& ledger, const SessionRow& s, const std::string& token_hash,
                                           std::int64_t limit, bool force, std::int64_t now, std::int64_t idle_cutoff) {
  return tx(ledger, Tx::write, "cannot open the session", [&](Db& db) -> std::optional<std::int64_t> {
    drop_dead_sessions(db, now, idle_cutoff);
    Query count = db.prepare("SELECT COUNT(*) FROM sessions WHERE user_id = ?");
    count.bind(1, s.user_id);
    count.step();
    std::int64_t live = count.i64(0);
    std::int64_t ended = 0;
    if (live >= limit) {
      if (!force) return std::nullopt;
      ended = exec_int(db, "DELETE FROM sessions WHERE user_id = ?", s.user_id);
    }
    Query q = db.prepare("INSERT INTO sessions (user_id, token_hash, created, last_used, expires, restricted) "
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
  return tx(ledger, Tx::read, "cannot read sessions", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                                        kSessionColumns));
    q.bind(1, token_hash);
    std::optional<SessionRow> out;
    if (q.step()) out = read_session(q);
    return out;
  });
}

void touch_session(Ledger& ledger, const std::string& token_hash, std::int64_t now) {
  tx(ledger, Tx::write, "cannot update the session", [&](Db& db) {
    Query q = db.prepare("UPDATE sessions SET last_used = ? WHERE token_hash = ?");
    q.bind(1, now);
    q.bind(2, token_hash);
    return q.exec();
  });
}

void set_session_restricted(Ledger& ledger, std::int64_t user_id, bool restricted) {
  tx(ledger, Tx::write, "cannot update the session", [&](Db& db) {
    Query q = db.prepare("UPDATE sessions SET restricted = ? WHERE user_id = ?");
    q.bind(1, restricted ? 1 : 0);
    q.bind(2, user_id);
    return q.exec();
  });
}

bool delete_session(Ledger& ledger, const std::string& token_hash) {
  return tx(ledger, Tx::write, "cannot end the session", [&](Db& db) {
    Query q = db.prepare("DELETE FROM sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    return q.exec() == 1;
  });
}

std::int64_t delete_user_sessions(Ledger& ledger, std::int64_t user_id) {
  return tx(ledger, Tx::write, "cannot end the sessions", [&](Db& db) {
    return static_cast<std::int64_t>(exec_int(db, "DELETE FROM sessions WHERE user_id = ?", user_id));
  });
}

std::vector<SessionRow> live_sessions(Ledger& ledger, std::int64_t user_id, std::int64_t now, std::int64_t idle_cutoff) {
  return tx(ledger, Tx::read, "cannot read sessions", [&](Db& db) {
    Query q = db.prepare(fmt::format("SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id "
                                        "WHERE s.user_id = ? AND s.expires > ? AND s.last_used > ? ORDER BY s.id",
                                        kSessionColumns));
    q.bind(1, user_id);
    q.bind(2, now);
    q.bind(3, idle_cutoff);
    std::vector<SessionRow> out;
    while (q.step()) out.push_back(read_session(q));
    return out;
  });
}

bool insert_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile) {
  return tx(ledger, Tx::write, "cannot assign the certificate", [&](Db& db) {
    Query q = db.prepare("INSERT INTO user_certificates (user_id, profile, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    q.bind(1, user_id);
    q.bind(2, profile);
    q.bind(3, utc_now());
    return q.exec() == 1;
  });
}

bool delete_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile) {
  return tx(ledger, Tx::write, "cannot remove the assignment", [&](Db& db) {
    Query q = db.prepare("DELETE FROM user_certificates WHERE user_id = ? AND profile = ?");
    q.bind(1, user_id);
    q.bind(2, profile);
    return q.exec() == 1;
  });
}

std::vector<std::string> user_profiles(Ledger& ledger, std::int64_t user_id) {
  return tx(ledger, Tx::read, "cannot read assignments", [&](Db& db) {
    Query q = db.prepare("SELECT profile FROM user_certificates WHERE user_id = ? ORDER BY profile");
    q.bind(1, user_id);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
  });
}

std::vector<std::string> profile_users(Ledger& ledger, const std::string& profile) {
  return tx(ledger, Tx::read, "cannot read assignments", [&](Db& db) {
    Query q = db.prepare("SELECT u.name FROM user_certificates c JOIN users u ON u.id = c.user_id "
                        "WHERE c.profile = ? ORDER BY u.name");
    q.bind(1, profile);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
  });
}

}  // namespace esign::ledger
