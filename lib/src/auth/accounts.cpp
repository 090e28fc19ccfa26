// Operator accounts: who may create, change and inspect them, the password policy, TOTP
// enrollment, and user-certificate links.
#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "auth/internal.h"
#include "common/time.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "ledger/users.h"

namespace esign {

std::string to_string(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::signer: return "signer";
    case Role::auditor: return "auditor";
  }
  return "";
}

Role parse_role(const std::string& text, const std::string& subject) {
  if (text == "admin") return Role::admin;
  if (text == "signer") return Role::signer;
  if (text == "auditor") return Role::auditor;
  throw Error(Errc::usage, subject, "unknown role '" + text + "' (admin, signer, auditor)");
}

bool Session::has(Role r) const { return std::find(roles_.begin(), roles_.end(), r) != roles_.end(); }

namespace auth {

std::vector<Role> parse_roles(const std::string& stored) {
  std::vector<Role> out;
  std::size_t start = 0;
  while (start <= stored.size()) {
    std::size_t comma = stored.find(',', start);
    std::string name = stored.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name == "admin") out.push_back(Role::admin);
    else if (name == "signer") out.push_back(Role::signer);
    else if (name == "auditor") out.push_back(Role::auditor);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string join_roles(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : ",") + to_string(r);
  return out;
}

void check_name(const std::string& name) {
  static const std::regex kName("[a-z][a-z0-9._-]{0,31}");
  if (!std::regex_match(name, kName))
    throw Error(Errc::usage, name.empty() ? "user" : name,
                "a user name is 1-32 characters: a lower-case letter, then letters, digits, '.', '_' or '-'");
}

void audit(Ledger& ledger, const std::string& operation, const std::string& actor, const std::string& outcome,
           const std::string& detail) {
  NewEvent e;
  e.operation = operation;
  e.user = actor;
  e.outcome = outcome;
  e.detail = detail;
  ledger.append(e);
}

void require_admin(const std::optional<Session>& actor, const std::string& doing) {
  if (!actor) throw Error(Errc::auth, doing, "needs an admin session", Remedy::operator_login);
  if (actor->restricted())
    throw Error(Errc::auth, actor->user(), "the session is restricted until 2FA is enrolled (needed for " + doing + ")",
                Remedy::enroll_2fa);
  if (!actor->has(Role::admin)) throw Error(Errc::auth, doing, "needs the admin role, which " + actor->user() + " does not have");
}

}  // namespace auth

namespace {

using auth::audit;
using auth::require_admin;

using auth::check_name;

// Self, or an admin. A restricted session may act on itself only when `restricted_ok`.
void require_self_or_admin(const std::optional<Session>& actor, const std::string& name, const std::string& doing,
                           bool restricted_ok = false) {
  if (actor && actor->user() == name && (restricted_ok || !actor->restricted())) return;
  require_admin(actor, doing);
}

std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

ledger::UserRow must_find(Ledger& ledger, const std::string& name) {
  std::optional<ledger::UserRow> row = ledger::find_user(ledger, name);
  if (!row) throw Error(Errc::input, name, "no such user");
  return *row;
}

std::optional<std::int64_t> matching_step(ByteView key, const std::string& code) {
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const std::int64_t now = totp_step(std::chrono::system_clock::now());
  std::optional<std::int64_t> found;
  // RFC 6238 §5.2: one step of clock drift either way. All three are computed and compared in
  // constant time, so the time taken does not say which one matched.
  for (std::int64_t d = -1; d <= 1; ++d) {
    std::string want = hotp(key, static_cast<std::uint64_t>(now + d));
    if (CRYPTO_memcmp(want.data(), code.data(), 6) == 0) found = now + d;
  }
  return found;
}

}  // namespace

Accounts::Accounts(Ledger& ledger, AuthConfig config, std::string as_user)
    : ledger_(ledger), config_(std::move(config)), as_user_(std::move(as_user)) {
  if (as_user_.empty())
    if (const char* env = std::getenv("ESIGN_USER")) as_user_ = env;
}

namespace auth {
UserInfo user_info(Ledger& ledger, const AuthConfig& config, const ledger::UserRow& row, std::int64_t now) {
  UserInfo u;
  u.name = row.name;
  u.roles = parse_roles(row.roles);
  u.status = row.status;
  if (u.status == "active" && now - row.last_seen > std::int64_t{config.dormant_days} * 86400) u.status = "dormant";
  if (u.status == "active" && row.locked_until > now) u.status = "locked";
  u.failed_attempts = row.failed_attempts;
  if (row.locked_until > now) u.locked_until = time_point_from_seconds(row.locked_until);
  if (row.last_login > 0) u.last_login = time_point_from_seconds(row.last_login);
  u.created = row.created;
  u.totp_enrolled = !row.totp_secret.empty();
  u.totp_pending = !row.totp_pending.empty();
  u.recovery_codes = row.recovery_codes;
  u.profiles = ledger::user_profiles(ledger, row.id);
  u.sessions = static_cast<std::int64_t>(
      ledger::live_sessions(ledger, row.id, now, now - config.session_idle.count()).size());
  return u;
}

std::optional<std::int64_t> check_totp(ByteView key, const std::string& code) { return matching_step(key, code); }
}  // namespace auth

void Accounts::check_add_user(const std::optional<Session>& actor, const std::string& name, const std::vector<Role>& roles) {
  check_name(name);
  if (roles.empty()) throw Error(Errc::usage, name, "a user needs at least one role (admin, signer, auditor)");
  if (ledger::count_users(ledger_) == 0) {
    if (!std::count(roles.begin(), roles.end(), Role::admin))
      throw Error(Errc::usage, name, "the first user must have the admin role");
  } else {
    require_admin(actor, "users add");
  }
}

UserInfo Accounts::add_user(const std::optional<Session>& actor, const std::string& name, const std::vector<Role>& roles,
                            const Secret& password) {
  check_add_user(actor, name, roles);
  std::vector<Role> sorted = roles;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const bool first = ledger::count_users(ledger_) == 0;
  if (utf8_length(password.reveal()) < config_.password_min_length)
    throw Error(Errc::usage, name, "the password must be at least " + std::to_string(config_.password_min_length) + " characters");
  ledger::UserRow row;
  row.name = name;
  row.roles = auth::join_roles(sorted);
  row.password_hash = hash_password(password, config_.scrypt_log2_n);
  row.last_seen = auth::now_seconds();
  row.created = auth::utc(row.last_seen);
  if (!ledger::insert_user(ledger_, row, first)) {
    // Someone made the first admin between our check and our insert.
    require_admin(actor, "users add");
    ledger::insert_user(ledger_, row, false);
  }
  audit(ledger_, "user-add", actor ? actor->user() : "", "ok",
        "user " + name + " (" + row.roles + ")" + (first ? ", the first admin" : ""));
  return auth::user_info(ledger_, config_, must_find(ledger_, name), auth::now_seconds());
}

std::vector<UserInfo> Accounts::list_users(const std::optional<Session>& actor) {
  if (!(actor && !actor->restricted() && actor->has(Role::auditor))) require_admin(actor, "users list");
  std::vector<UserInfo> out;
  const std::int64_t now = auth::now_seconds();
  for (const ledger::UserRow& row : ledger::list_users(ledger_)) out.push_back(auth::user_info(ledger_, config_, row, now));
  return out;
}

UserInfo Accounts::show_user(const std::optional<Session>& actor, const std::string& name) {
  if (!(actor && !actor->restricted() && actor->has(Role::auditor))) require_self_or_admin(actor, name, "users show", true);
  return auth::user_info(ledger_, config_, must_find(ledger_, name), auth::now_seconds());
}

void Accounts::set_enabled(const std::optional<Session>& actor, const std::string& name, bool enabled) {
  require_admin(actor, enabled ? "users enable" : "users disable");
  if (!enabled && actor->user() == name) throw Error(Errc::usage, name, "you cannot disable your own account");
  ledger::UserRow row = must_find(ledger_, name);
  ledger::set_status(ledger_, name, enabled ? "active" : "disabled", enabled, auth::now_seconds());
  std::int64_t ended = enabled ? 0 : ledger::delete_user_sessions(ledger_, row.id);
  audit(ledger_, enabled ? "user-enable" : "user-disable", actor->user(), "ok",
        "user " + name + (ended ? ", ended " + std::to_string(ended) + " session(s)" : ""));
}

void Accounts::unlock(const std::optional<Session>& actor, const std::string& name) {
  require_admin(actor, "users unlock");
  must_find(ledger_, name);
  ledger::clear_lock(ledger_, name);
  audit(ledger_, "unlock", actor->user(), "ok", "user " + name);
}

void Accounts::change_password(const std::optional<Session>& actor, const std::string& name, const Secret* current,
                               const Secret& password) {
  require_self_or_admin(actor, name, "users passwd");
  ledger::UserRow row = must_find(ledger_, name);
  const bool self = actor->user() == name;
  if (self) {
    if (!current || !verify_password(*current, row.password_hash)) {
      audit(ledger_, "passwd", actor->user(), "failed", "user " + name + ": wrong current password");
      throw Error(Errc::auth, name, "the current password is wrong");
    }
  }
  if (utf8_length(password.reveal()) < config_.password_min_length) {
    audit(ledger_, "passwd", actor->user(), "failed", "user " + name + ": too short");
    throw Error(Errc::usage, name, "the password must be at least " + std::to_string(config_.password_min_length) + " characters");
  }
  const auto history = ledger::password_history(ledger_, row.id, static_cast<std::int64_t>(config_.password_history));
  for (const std::string& old : history) {
    if (verify_password(password, old)) {
      audit(ledger_, "passwd", actor->user(), "failed", "user " + name + ": reused an earlier password");
      throw Error(Errc::usage, name, "the password must differ from the last " + std::to_string(config_.password_history) + " passwords");
    }
  }
  const std::int64_t now = auth::now_seconds();
  ledger::set_password(ledger_, row.id, hash_password(password, config_.scrypt_log2_n),
                       std::max<std::int64_t>(1, static_cast<std::int64_t>(config_.password_history)), now);
  // A password set by an admin ends the user's sessions: whoever held the old one is out.
  std::int64_t ended = self ? 0 : ledger::delete_user_sessions(ledger_, row.id);
  audit(ledger_, "passwd", actor->user(), "ok",
        "user " + name + (ended ? ", ended " + std::to_string(ended) + " session(s)" : ""));
}

TotpEnrollment Accounts::start_totp(const std::optional<Session>& actor, const std::string& name) {
  require_self_or_admin(actor, name, "users totp-enroll", true);
  ledger::UserRow row = must_find(ledger_, name);
  TotpEnrollment t;
  t.user = name;
  Bytes key = auth::random_bytes(20);  // RFC 4226 §4: 160 bits
  t.secret = base32_encode(key);
  t.uri = otpauth_uri(name, t.secret);
  std::vector<std::string> hashes;
  for (int i = 0; i < 10; ++i) {
    t.recovery_codes.push_back(auth::new_recovery_code());
    hashes.push_back(auth::recovery_code_hash(t.recovery_codes.back()));
  }
  ledger::set_totp_pending(ledger_, row.id, auth::seal_secret(auth::totp_key_file(ledger_, config_), name, key), hashes);
  OPENSSL_cleanse(key.data(), key.size());
  audit(ledger_, "2fa-enroll", actor->user(), "pending", "user " + name + ": new TOTP secret and 10 recovery codes, awaiting a code");
  return t;
}

void Accounts::confirm_totp(const std::optional<Session>& actor, const std::string& name, const std::string& code) {
  require_self_or_admin(actor, name, "users totp-enroll", true);
  ledger::UserRow row = must_find(ledger_, name);
  if (row.totp_pending.empty()) throw Error(Errc::usage, name, "no 2FA enrollment is pending", Remedy::enroll_2fa);
  Secret key = auth::unseal_secret(auth::totp_key_file(ledger_, config_), name, row.totp_pending);
  std::optional<std::int64_t> step = matching_step(as_bytes(key.reveal()), code);
  if (!step) {
    audit(ledger_, "2fa-enroll", actor->user(), "failed", "user " + name + ": wrong code, enrollment still pending");
    throw Error(Errc::auth, name, "wrong one-time code; the enrollment is still pending");
  }
  if (!ledger::confirm_totp(ledger_, row.id, *step)) throw Error(Errc::conflict, name, "the enrollment changed meanwhile; start again");
  ledger::set_session_restricted(ledger_, row.id, false);
  audit(ledger_, "2fa-enroll", actor->user(), "ok", "user " + name + ": TOTP enrolled");
}

void Accounts::reset_2fa(const std::optional<Session>& actor, const std::string& name) {
  require_admin(actor, "users reset-2fa");
  ledger::UserRow row = must_find(ledger_, name);
  ledger::clear_totp(ledger_, row.id);
  audit(ledger_, "2fa-reset", actor->user(), "ok", "user " + name + ": TOTP secret and recovery codes removed");
}

namespace {

// The audit event of a certificate assignment change made by admin `actor`.
void record_assignment(Ledger& ledger, const char* operation, const std::string& actor, const std::string& profile,
                       std::string detail) {
  NewEvent e;
  e.operation = operation;
  e.user = actor;
  e.profile = profile;
  e.outcome = "ok";
  e.detail = std::move(detail);
  ledger.append(e);
}

}  // namespace

bool Accounts::assign_certificate(const std::optional<Session>& actor, const std::string& user, const std::string& profile) {
  require_admin(actor, "certs assign");
  ledger::UserRow row = must_find(ledger_, user);
  bool added = ledger::insert_user_certificate(ledger_, row.id, profile);
  record_assignment(ledger_, "certs-assign", actor->user(), profile,
                    "user " + user + (added ? " may sign with profile " : " was already assigned to profile ") + profile);
  return added;
}

bool Accounts::unassign_certificate(const std::optional<Session>& actor, const std::string& user, const std::string& profile) {
  require_admin(actor, "certs unassign");
  ledger::UserRow row = must_find(ledger_, user);
  bool removed = ledger::delete_user_certificate(ledger_, row.id, profile);
  record_assignment(ledger_, "certs-unassign", actor->user(), profile,
                    "user " + user + (removed ? " no longer assigned to profile " : " was not assigned to profile ") + profile);
  return removed;
}

std::vector<std::string> Accounts::linked_users(const std::string& profile) { return ledger::profile_users(ledger_, profile); }

}  // namespace esign
