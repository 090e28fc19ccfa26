// Logging in and out, the session file, and the check that a require_login profile is used by
// a logged-in signer.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include "auth/internal.h"
#include "common/time.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/output.h"
#include "esign/profile.h"

namespace esign {

namespace fs = std::filesystem;

namespace auth {
std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }
std::string utc(std::int64_t seconds) { return rfc3339(time_point_from_seconds(seconds)); }
}  // namespace auth

namespace {

using auth::audit;
using auth::now_seconds;
using Clock = std::chrono::system_clock;

using auth::utc;

Clock::time_point at(std::int64_t s) { return time_point_from_seconds(s); }

constexpr const char* kLoginFailed = "login failed: unknown user or wrong password";

fs::path sessions_dir() { return session_state_dir() / "sessions"; }
fs::path current_file() { return session_state_dir() / "current-operator"; }

std::optional<Secret> read_token(const std::string& user) {
  if (user.empty()) return std::nullopt;
  std::ifstream in(sessions_dir() / user);
  if (!in) return std::nullopt;
  Secret t = read_first_line(in);
  if (t.empty()) return std::nullopt;
  return t;
}

// Small files replaced atomically, in a 0700 folder.
void write_private(const fs::path& p, const std::string& text) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  ::chmod(session_state_dir().c_str(), 0700);
  ::chmod(p.parent_path().c_str(), 0700);
  OutputFile out(p, true, 0600);
  out.write(as_bytes(text + "\n"));
  out.commit();
}

std::string read_current() {
  std::ifstream in(current_file());
  std::string name;
  std::getline(in, name);
  return name;
}

void remove_token(const std::string& user) {
  std::error_code ec;
  fs::remove(sessions_dir() / user, ec);
  if (read_current() == user) fs::remove(current_file(), ec);
}

}  // namespace

fs::path session_state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return fs::path(xdg) / "esign";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local" / "state" / "esign";
  throw Error(Errc::config, "session", "neither XDG_STATE_HOME nor HOME is set");
}

std::vector<std::string> Accounts::logged_in_here() const {
  std::vector<std::string> users;
  std::error_code ec;
  for (fs::directory_iterator it(sessions_dir(), ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) users.push_back(it->path().filename().string());
  std::sort(users.begin(), users.end());
  return users;
}

std::string Accounts::selected_user() const {
  if (!as_user_.empty()) {
    auth::check_name(as_user_);
    return as_user_;
  }
  std::vector<std::string> here = logged_in_here();
  const std::string current = read_current();
  if (std::find(here.begin(), here.end(), current) != here.end()) return current;
  return here.size() == 1 ? here.front() : "";
}

std::optional<Session> Accounts::current_session(std::string* why) {
  auto none = [&](const std::string& reason) -> std::optional<Session> {
    if (why) *why = reason;
    return std::nullopt;
  };
  const std::string user = selected_user();
  if (user.empty()) {
    std::vector<std::string> here = logged_in_here();
    if (here.size() > 1) {
      std::string list;
      for (const std::string& u : here) list += (list.empty() ? "" : ", ") + u;
      return none("several operators are logged in here (" + list + ") and none was chosen");
    }
    return none("no operator is logged in");
  }
  std::optional<Secret> token = read_token(user);
  if (!token) return none(as_user_.empty() ? "no operator is logged in" : "operator " + user + " is not logged in here");
  const std::string hash = auth::sha256_hex(token->reveal());
  std::optional<ledger::SessionRow> s = ledger::find_session(ledger_, hash);
  // A session file whose session the ledger does not know was ended (logout elsewhere, --force,
  // an admin) or belongs to another ledger: leave the file, it may be that ledger's.
  if (!s) return none("the operator session has ended or belongs to another ledger");
  // A token filed under another operator's name is not that operator's session.
  if (s->user != user) return none("the session file of " + user + " holds another operator's session");
  const std::int64_t now = now_seconds();
  if (s->expires <= now || s->last_used <= now - config_.session_idle.count()) {
    ledger::delete_session(ledger_, hash);
    remove_token(user);
    audit(ledger_, "logout", s->user, "ok", "session " + std::string(s->expires <= now ? "expired" : "idle too long"));
    return none(s->expires <= now ? "the operator session expired" : "the operator session was idle too long");
  }
  std::optional<ledger::UserRow> row = ledger::find_user(ledger_, s->user);
  UserInfo info;
  if (row) info = auth::user_info(ledger_, config_, *row, now);
  if (!row || info.status == "disabled" || info.status == "dormant") {
    ledger::delete_session(ledger_, hash);
    remove_token(user);
    return none("the account of the operator session is no longer active");
  }
  ledger::touch_session(ledger_, hash, now);
  Session out;
  out.user_ = s->user;
  out.roles_ = info.roles;
  out.restricted_ = s->restricted;
  out.created_ = at(s->created);
  out.last_used_ = at(now);
  out.expires_ = at(s->expires);
  return out;
}

Session Accounts::require_session() {
  std::string why;
  std::optional<Session> s = current_session(&why);
  if (!s) throw Error(Errc::auth, "session", why, Remedy::operator_login);
  return *s;
}

LoginResult Accounts::login(LoginRequest req) {
  const std::int64_t now = now_seconds();
  std::optional<ledger::UserRow> row;
  if (!req.user.empty() && req.user.size() <= 32) row = ledger::find_user(ledger_, req.user);
  if (!row) {
    // The same scrypt work as for a real user, so the time taken does not tell the two apart.
    verify_password(req.password, "$scrypt$ln=" + std::to_string(config_.scrypt_log2_n) + ",r=8,p=1$" +
                                      std::string(32, '0') + "$" + std::string(64, '0'));
    // The name may be a mistyped password: it stays out of the ledger.
    audit(ledger_, "login", "", "failed", "unknown user");
    throw Error(Errc::auth, "", kLoginFailed);
  }
  const std::string& name = row->name;
  const bool password_ok = verify_password(req.password, row->password_hash);
  if (row->locked_until > now) {
    audit(ledger_, "login", name, "failed", "account locked until " + utc(row->locked_until));
    throw Error(Errc::auth, name, "the account is locked until " + utc(row->locked_until) + " (an admin can unlock it)");
  }
  auto failure = [&](const std::string& detail, const std::string& message, Remedy remedy = Remedy::none) {
    std::optional<ledger::UserRow> after =
        ledger::record_failure(ledger_, name, config_.lockout_attempts, config_.lockout_duration.count(), now);
    audit(ledger_, "login", name, "failed", detail);
    if (after && after->locked_until > now)
      audit(ledger_, "lockout", name, "ok",
            std::to_string(config_.lockout_attempts) + " consecutive failures; locked until " + utc(after->locked_until));
    throw Error(Errc::auth, message == kLoginFailed ? "" : name, message, remedy);
  };
  if (!password_ok) failure("wrong password", kLoginFailed);
  UserInfo info = auth::user_info(ledger_, config_, *row, now);
  if (info.status == "disabled") {
    audit(ledger_, "login", name, "failed", "account disabled");
    throw Error(Errc::auth, name, "the account is disabled");
  }
  if (info.status == "dormant") {
    if (row->status != "dormant") ledger::set_status(ledger_, name, "dormant", false, now);
    audit(ledger_, "login", name, "failed", "account dormant");
    throw Error(Errc::auth, name, "the account is dormant (no login for " + std::to_string(config_.dormant_days) +
                                      " days); an admin can enable it again");
  }

  LoginResult result;
  if (!row->totp_secret.empty()) {
    if (req.recovery_code) {
      if (!ledger::use_recovery_code(ledger_, row->id, auth::recovery_code_hash(req.recovery_code->reveal())))
        failure("wrong or used recovery code", "login failed: wrong or already used recovery code");
      std::optional<ledger::UserRow> after = ledger::find_user(ledger_, name);
      result.recovery_codes_left = after ? after->recovery_codes : 0;
    } else {
      std::string code = req.otp.value_or("");
      if (code.empty() && req.ask_code) code = req.ask_code("one-time code for " + name).reveal();
      if (code.empty()) failure("no one-time code", "a one-time code is required", Remedy::second_factor);
      Secret key = auth::unseal_secret(auth::totp_key_file(ledger_, config_), name, row->totp_secret);
      std::optional<std::int64_t> step = auth::check_totp(as_bytes(key.reveal()), code);
      if (!step) failure("wrong one-time code", "login failed: wrong one-time code");
      if (!ledger::use_totp_step(ledger_, row->id, *step))
        failure("one-time code replayed", "login failed: that one-time code was already used; wait for the next one");
    }
  } else {
    // Checked only now, after the password: it tells nothing to someone without it.
    if (req.otp || req.recovery_code)
      throw Error(Errc::usage, name, "has no 2FA enrolled: log in without a one-time code or recovery code");
    for (Role r : info.roles)
      if (config_.require_2fa.count(r)) result.must_enroll_2fa = true;
  }

  ledger::record_success(ledger_, name, now);
  // The user's earlier session from this state folder ends; other operators' sessions stay.
  if (std::optional<Secret> old = read_token(name)) ledger::delete_session(ledger_, auth::sha256_hex(old->reveal()));
  const std::string token = to_hex(auth::random_bytes(32));
  ledger::SessionRow s;
  s.user_id = row->id;
  s.created = now;
  s.last_used = now;
  s.expires = now + config_.session_expiry.count();
  s.restricted = result.must_enroll_2fa;
  std::optional<std::int64_t> ended = ledger::insert_session(ledger_, s, auth::sha256_hex(token), config_.session_limit,
                                                             req.force, now, now - config_.session_idle.count());
  if (!ended) {
    audit(ledger_, "login", name, "failed", "session limit reached");
    throw Error(Errc::conflict, name, "already has " + std::to_string(config_.session_limit) +
                                          " open sessions (the limit)", Remedy::end_sessions);
  }
  write_private(sessions_dir() / name, token);
  write_private(current_file(), name);
  result.ended_sessions = *ended;
  result.session.user_ = name;
  result.session.roles_ = info.roles;
  result.session.restricted_ = s.restricted;
  result.session.created_ = at(now);
  result.session.last_used_ = at(now);
  result.session.expires_ = at(s.expires);
  std::string detail = "session opened until " + utc(s.expires);
  if (req.recovery_code) detail += ", with a recovery code (" + std::to_string(result.recovery_codes_left) + " left)";
  else if (!row->totp_secret.empty()) detail += ", with a one-time code";
  if (*ended) detail += ", ended " + std::to_string(*ended) + " other session(s)";
  if (s.restricted) detail += ", restricted until 2FA is enrolled";
  audit(ledger_, "login", name, "ok", detail);
  return result;
}

bool Accounts::logout() {
  const std::string user = selected_user();
  std::optional<Secret> token = read_token(user);
  if (!token) return false;
  const std::string hash = auth::sha256_hex(token->reveal());
  std::optional<ledger::SessionRow> s = ledger::find_session(ledger_, hash);
  bool ended = s && ledger::delete_session(ledger_, hash);
  remove_token(user);
  if (ended) audit(ledger_, "logout", s->user, "ok", "session ended");
  return ended;
}

std::string Accounts::authorize_profile(const Profile& profile, KeyPurpose purpose) {
  std::string why;
  if (!profile.require_login) {
    // Not required: record who did it when someone is logged in, and never refuse (not even
    // without a HOME to look for a session in).
    try {
      if (as_user_.empty() && logged_in_here().empty()) return "";
    } catch (const Error&) {
      return "";
    }
    std::optional<Session> s = current_session(&why);
    return s && !s->restricted() ? s->user() : "";
  }
  const std::string subject = profile.file.string();
  std::optional<Session> s = current_session(&why);
  if (!s) throw Error(Errc::auth, subject, "the profile requires an operator login (require_login: true), and " + why);
  if (s->restricted())
    throw Error(Errc::auth, subject, s->user() + " must enroll 2FA before using the profile's key");
  // An admin manages the keys and certificates of every profile; using a key takes a signer.
  if (purpose == KeyPurpose::manage && s->has(Role::admin)) return s->user();
  if (!s->has(Role::signer)) throw Error(Errc::auth, subject, "operator " + s->user() + " does not have the signer role");
  std::vector<std::string> linked = ledger::profile_users(ledger_, profile.name);
  if (!linked.empty() && std::find(linked.begin(), linked.end(), s->user()) == linked.end()) {
    std::optional<ledger::UserRow> row = ledger::find_user(ledger_, s->user());
    bool has_any = row && !ledger::user_profiles(ledger_, row->id).empty();
    throw Error(Errc::auth, subject,
                has_any ? "operator " + s->user() + " is not assigned to profile " + profile.name
                        : "operator " + s->user() + " has no signing certificate assigned (an admin assigns profile " +
                              profile.name + " to them)");
  }
  return s->user();
}

}  // namespace esign
