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

std::optional<Secret> read_token() {
  std::ifstream in(session_file_path());
  if (!in) return std::nullopt;
  Secret t = read_first_line(in);
  if (t.empty()) return std::nullopt;
  return t;
}

void write_token(const std::string& token) {
  fs::path p = session_file_path();
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  ::chmod(p.parent_path().c_str(), 0700);
  OutputFile out(p, true, 0600);
  out.write(as_bytes(token + "\n"));
  out.commit();
}

void remove_token() {
  std::error_code ec;
  fs::remove(session_file_path(), ec);
}

}  // namespace

fs::path session_file_path() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return fs::path(xdg) / "esign" / "session";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local" / "state" / "esign" / "session";
  throw Error(Errc::config, "session", "neither XDG_STATE_HOME nor HOME is set");
}

std::optional<Session> Accounts::current_session(std::string* why) {
  auto none = [&](const std::string& reason) -> std::optional<Session> {
    if (why) *why = reason;
    return std::nullopt;
  };
  std::optional<Secret> token = read_token();
  if (!token) return none("no operator is logged in");
  const std::string hash = auth::sha256_hex(token->reveal());
  std::optional<ledger::SessionRow> s = ledger::find_session(ledger_, hash);
  // A session file whose session the ledger does not know was ended (logout elsewhere, --force,
  // an admin) or belongs to another ledger: leave the file, it may be that ledger's.
  if (!s) return none("the operator session has ended or belongs to another ledger");
  const std::int64_t now = now_seconds();
  if (s->expires <= now || s->last_used <= now - config_.session_idle.count()) {
    ledger::delete_session(ledger_, hash);
    remove_token();
    audit(ledger_, "logout", s->user, "ok", "session " + std::string(s->expires <= now ? "expired" : "idle too long"));
    return none(s->expires <= now ? "the operator session expired" : "the operator session was idle too long");
  }
  std::optional<ledger::UserRow> row = ledger::find_user(ledger_, s->user);
  UserInfo info;
  if (row) info = auth::user_info(ledger_, config_, *row, now);
  if (!row || info.status == "disabled" || info.status == "dormant") {
    ledger::delete_session(ledger_, hash);
    remove_token();
    return none("the account of the operator session is no longer active");
  }
  ledger::touch_session(ledger_, hash, now);
  Session out;
  out.user = s->user;
  out.roles = info.roles;
  out.restricted = s->restricted;
  out.created = at(s->created);
  out.last_used = at(now);
  out.expires = at(s->expires);
  return out;
}

Session Accounts::require_session() {
  std::string why;
  std::optional<Session> s = current_session(&why);
  if (!s) throw Error(Errc::auth, "session", why + " (esign login --user NAME)");
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
  auto failure = [&](const std::string& detail, const std::string& message) {
    std::optional<ledger::UserRow> after =
        ledger::record_failure(ledger_, name, config_.lockout_attempts, config_.lockout_duration.count(), now);
    audit(ledger_, "login", name, "failed", detail);
    if (after && after->locked_until > now)
      audit(ledger_, "lockout", name, "ok",
            std::to_string(config_.lockout_attempts) + " consecutive failures; locked until " + utc(after->locked_until));
    throw Error(Errc::auth, message == kLoginFailed ? "" : name, message);
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
      if (code.empty()) failure("no one-time code", "a one-time code is required (--otp CODE or --recovery-code CODE)");
      Secret key = auth::unseal_secret(ledger_.path(), name, row->totp_secret);
      std::optional<std::int64_t> step = auth::check_totp(as_bytes(key.reveal()), code);
      if (!step) failure("wrong one-time code", "login failed: wrong one-time code");
      if (!ledger::use_totp_step(ledger_, row->id, *step))
        failure("one-time code replayed", "login failed: that one-time code was already used; wait for the next one");
    }
  } else {
    // Checked only now, after the password: it tells nothing to someone without it.
    if (req.otp || req.recovery_code)
      throw Error(Errc::usage, name, "has no 2FA enrolled: log in without --otp or --recovery-code");
    for (Role r : info.roles)
      if (config_.require_2fa.count(r)) result.must_enroll_2fa = true;
  }

  ledger::record_success(ledger_, name, now);
  // The session this shell had (of whichever user) ends: one session file, one session.
  if (std::optional<Secret> old = read_token()) ledger::delete_session(ledger_, auth::sha256_hex(old->reveal()));
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
                                          " open sessions (the limit); log in with --force to end them");
  }
  write_token(token);
  result.ended_sessions = *ended;
  result.session.user = name;
  result.session.roles = info.roles;
  result.session.restricted = s.restricted;
  result.session.created = at(now);
  result.session.last_used = at(now);
  result.session.expires = at(s.expires);
  std::string detail = "session opened until " + utc(s.expires);
  if (req.recovery_code) detail += ", with a recovery code (" + std::to_string(result.recovery_codes_left) + " left)";
  else if (!row->totp_secret.empty()) detail += ", with a one-time code";
  if (*ended) detail += ", ended " + std::to_string(*ended) + " other session(s)";
  if (s.restricted) detail += ", restricted until 2FA is enrolled";
  audit(ledger_, "login", name, "ok", detail);
  return result;
}

bool Accounts::logout() {
  std::optional<Secret> token = read_token();
  if (!token) return false;
  const std::string hash = auth::sha256_hex(token->reveal());
  std::optional<ledger::SessionRow> s = ledger::find_session(ledger_, hash);
  bool ended = s && ledger::delete_session(ledger_, hash);
  remove_token();
  if (ended) audit(ledger_, "logout", s->user, "ok", "session ended");
  return ended;
}

std::string Accounts::authorize_profile(const Profile& profile) {
  std::string why;
  if (!profile.require_login) {
    // Not required: record who signed when someone is logged in, and never refuse (not even
    // without a HOME to look for a session in).
    try {
      if (!fs::exists(session_file_path())) return "";
    } catch (const Error&) {
      return "";
    }
    std::optional<Session> s = current_session(&why);
    return s && !s->restricted ? s->user : "";
  }
  const std::string subject = profile.file.string();
  std::optional<Session> s = current_session(&why);
  if (!s)
    throw Error(Errc::auth, subject,
                "the profile requires an operator login (require_login: true), and " + why + " (esign login --user NAME)");
  if (s->restricted)
    throw Error(Errc::auth, subject, s->user + " must enroll 2FA before signing (esign users totp-enroll " + s->user + ")");
  if (!s->has(Role::signer)) throw Error(Errc::auth, subject, "operator " + s->user + " does not have the signer role");
  std::vector<std::string> linked = ledger::profile_users(ledger_, profile.name);
  if (!linked.empty() && std::find(linked.begin(), linked.end(), s->user) == linked.end()) {
    std::optional<ledger::UserRow> row = ledger::find_user(ledger_, s->user);
    bool has_any = row && !ledger::user_profiles(ledger_, row->id).empty();
    throw Error(Errc::auth, subject,
                has_any ? "operator " + s->user + " is not assigned to profile " + profile.name
                        : "operator " + s->user + " has no signing certificate assigned; enroll one (esign certs assign --user " +
                              s->user + " --profile " + profile.name + ")");
  }
  return s->user;
}

}  // namespace esign
