// Operator accounts: users with roles, passwords (scrypt), TOTP second factor with recovery
// codes, lockout, sessions, and the check that a require_login profile is used by a logged-in
// signer. Accounts live in the ledger; the session token lives in $XDG_STATE_HOME/esign/session.
//
// Secrets (passwords, TOTP seeds, recovery codes, session tokens) never reach the ledger in the
// clear, never appear in messages or audit events. Every login attempt, lockout, unlock, password
// change and 2FA change is an audit event. The library never reads the terminal: callers pass
// passwords as Secret and questions as callbacks.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "esign/bytes.h"
#include "esign/secret.h"

namespace esign {

class Ledger;
struct Profile;

enum class Role { admin, signer, auditor };
// What an operation does with a profile's key: use it (sign, stamp, decrypt) or manage it and its
// certificate (generate, request, install, import, export, remove).
enum class KeyPurpose { use, manage };
std::string to_string(Role role);
// "admin" | "signer" | "auditor"; throws Error(usage, subject) otherwise.
Role parse_role(const std::string& text, const std::string& subject);

// The account rules, from the configuration file (see load_auth_config); defaults as shown.
struct AuthConfig {
  std::size_t password_min_length = 12;
  std::size_t password_history = 5;       // a new password may not be one of the last N
  int scrypt_log2_n = 17;                 // scrypt N = 2^17, r = 8, p = 1 (OWASP); 128 MiB per hash
  int lockout_attempts = 5;               // consecutive failures that lock the account
  std::chrono::seconds lockout_duration{15 * 60};
  std::chrono::seconds session_expiry{8 * 3600};
  std::chrono::seconds session_idle{30 * 60};
  int session_limit = 3;                  // concurrent sessions per user
  int dormant_days = 90;                  // no login for this long: the account is dormant
  std::set<Role> require_2fa;             // roles whose users must enroll TOTP
  std::filesystem::path totp_key_file;    // the key that seals TOTP secrets; "" = <ledger file>.totp-key
  std::filesystem::path file;             // the file it came from; empty for the defaults
};

// $ESIGN_HOME/config.yaml when ESIGN_HOME is set, else $XDG_CONFIG_HOME/esign/config.yaml, else
// ~/.config/esign/config.yaml; empty when none of these variables is set.
std::filesystem::path default_config_path();
// Reads the `auth:` section of the configuration file (the defaults when `file` is empty or does
// not exist).
// Throws Error(config, "FILE:LINE") for unknown keys, wrong types and out-of-range values.
AuthConfig load_auth_config(const std::filesystem::path& file);
inline AuthConfig load_auth_config() { return load_auth_config(default_config_path()); }

// The ledger esign uses: `flag` (--ledger) when given, else $ESIGN_LEDGER, else the configuration
// file's `ledger:` (a file or a postgresql:// URI; a relative file against the configuration's
// folder), else default_ledger_path(). Throws Error(Errc::config) for a `ledger:` that is not a
// string.
std::filesystem::path ledger_location(const std::string& flag, const std::filesystem::path& config_file);

// --- Building blocks (pure, thread-safe) ---

// "$scrypt$ln=17,r=8,p=1$SALT$HASH" (lower-case hex), 16-byte random salt, 32-byte hash.
// Throws Error(internal) when OpenSSL fails (e.g. cannot allocate scrypt's memory).
std::string hash_password(const Secret& password, int scrypt_log2_n);
// Recomputes with the parameters stored in `encoded` and compares in constant time. False for a
// malformed hash string.
bool verify_password(const Secret& password, const std::string& encoded);

// RFC 4648 base32 (A-Z2-7), no padding on output; decoding ignores case, spaces and '=' and throws
// Error(input) for other characters.
std::string base32_encode(ByteView data);
Bytes base32_decode(std::string_view text);

// RFC 4226 HOTP / RFC 6238 TOTP with HMAC-SHA-1: the `digits`-digit code for counter `step`.
std::string hotp(ByteView key, std::uint64_t counter, int digits = 6);
// The 30-second time step of `t` (T0 = 0).
std::int64_t totp_step(std::chrono::system_clock::time_point t);
// otpauth://totp/esign:USER?secret=BASE32&issuer=esign
std::string otpauth_uri(const std::string& user, const std::string& base32_secret);

// A QR code (ISO/IEC 18004, made by libqrencode) in byte mode, error correction level M, the
// smallest version 1-10 that holds `data`, with the mask chosen by the standard's penalty rules.
// Throws Error(input) when `data` is empty or too long for version 10 (213 bytes at level M).
struct QrCode {
  int version = 0;
  int size = 0;                // 17 + 4 * version modules a side
  int mask = 0;
  std::vector<bool> modules;   // row-major, true = dark
  bool dark(int x, int y) const { return modules[static_cast<std::size_t>(y * size + x)]; }
};
QrCode qr_encode(std::string_view data);
// Draws the code with Unicode half blocks, two module rows per text line, with the 4-module quiet
// zone; dark modules as the terminal's foreground on its background inverted (light quiet zone).
std::string qr_render(const QrCode& code);

// --- Accounts and sessions ---

// An operator session in effect: made only by Accounts, after it found the session's token in the
// ledger (not expired, not idle, of an active account). Holding one is the proof that the library
// checked who is at the keyboard; nothing outside the library can make one from a name.
class Session {
 public:
  Session() = default;  // nobody: no user, no roles
  const std::string& user() const { return user_; }
  const std::vector<Role>& roles() const { return roles_; }
  bool restricted() const { return restricted_; }  // the user must enroll 2FA before anything else
  std::chrono::system_clock::time_point created() const { return created_; }
  std::chrono::system_clock::time_point last_used() const { return last_used_; }
  std::chrono::system_clock::time_point expires() const { return expires_; }
  bool has(Role r) const;

 private:
  friend class Accounts;
  std::string user_;
  std::vector<Role> roles_;
  bool restricted_ = false;
  std::chrono::system_clock::time_point created_, last_used_, expires_;
};

struct UserInfo {
  std::string name;
  std::vector<Role> roles;
  std::string status;  // active | disabled | dormant | locked
  std::int64_t failed_attempts = 0;
  std::optional<std::chrono::system_clock::time_point> locked_until;
  std::optional<std::chrono::system_clock::time_point> last_login;
  std::string created;  // RFC 3339
  bool totp_enrolled = false;
  bool totp_pending = false;
  std::int64_t recovery_codes = 0;  // unused recovery codes
  std::vector<std::string> profiles;  // linked profiles (esign certs assign)
  std::int64_t sessions = 0;          // live sessions
};

struct LoginRequest {
  std::string user;
  Secret password;
  std::optional<std::string> otp;            // a TOTP code
  std::optional<Secret> recovery_code;
  bool force = false;                        // past the session limit: end the user's other sessions
  // Asked for a TOTP code when the user has 2FA and neither otp nor recovery_code was given;
  // nullptr (no terminal) makes that a refusal.
  PromptFn ask_code;
};

struct LoginResult {
  Session session;
  std::int64_t ended_sessions = 0;   // by force
  bool must_enroll_2fa = false;      // the session is restricted until `users totp-enroll`
  std::int64_t recovery_codes_left = -1;  // after a recovery code was used; -1 otherwise
};

struct TotpEnrollment {
  std::string user;
  std::string secret;   // base32; shown once
  std::string uri;      // otpauth://
  std::vector<std::string> recovery_codes;  // shown once
};

// Everything about operator accounts, on one ledger with one set of rules. Authorization is part
// of every call: `actor` is the session in effect (nullopt when nobody is logged in); calls that
// need an admin throw Error(auth) otherwise. Not thread-safe (one Ledger).
//
// Sessions are per operator: several operators may be logged in from one state folder (one OS
// account) at once, each with their own session file. The session in effect is the one of
// `as_user` (--as; ESIGN_USER when empty), else the operator who logged in here last, else the
// only one there is.
class Accounts {
 public:
  Accounts(Ledger& ledger, AuthConfig config, std::string as_user = "");

  // The session in effect, if it is valid: not expired, not idle past the limit, of an active
  // user. Refreshes its last use. nullopt (and its session file removed when the ledger has ended
  // that session) otherwise; `why` then says why there is none.
  std::optional<Session> current_session(std::string* why = nullptr);
  // current_session(), or Error(auth) naming why there is none.
  Session require_session();

  // Creates a user. With no users in the ledger, anyone may create the first one, which must have
  // the admin role; afterwards only an admin. Throws Error(usage) for a bad name, Error(config)
  // for a password the policy refuses, Error(conflict) when the name is taken.
  UserInfo add_user(const std::optional<Session>& actor, const std::string& name, const std::vector<Role>& roles,
                    const Secret& password);
  // The checks of add_user that need no password (name, roles, who may add), so that a caller can
  // refuse before asking for one. Throws like add_user.
  void check_add_user(const std::optional<Session>& actor, const std::string& name, const std::vector<Role>& roles);
  std::vector<UserInfo> list_users(const std::optional<Session>& actor);
  // An admin, or the user themselves.
  UserInfo show_user(const std::optional<Session>& actor, const std::string& name);
  // Admin only. Disabling ends the user's sessions; enabling also revives a dormant account.
  void set_enabled(const std::optional<Session>& actor, const std::string& name, bool enabled);
  void unlock(const std::optional<Session>& actor, const std::string& name);
  // The user themselves (who must give the current password) or an admin (who need not).
  void change_password(const std::optional<Session>& actor, const std::string& name, const Secret* current,
                       const Secret& password);
  // The user themselves or an admin: a new pending enrollment (the previous one, if any, stays
  // active until this one is confirmed).
  TotpEnrollment start_totp(const std::optional<Session>& actor, const std::string& name);
  // Completes the pending enrollment with a code from the authenticator. Throws Error(auth) for a
  // wrong code, Error(usage) when nothing is pending.
  void confirm_totp(const std::optional<Session>& actor, const std::string& name, const std::string& code);
  // Admin only: drops the user's TOTP secret and recovery codes.
  void reset_2fa(const std::optional<Session>& actor, const std::string& name);

  // Checks the password (and second factor), applies lockout, opens a session and writes the
  // user's session file (ending only that user's earlier session from this state folder); the
  // user becomes the one in effect here. Throws Error(auth) with one message for an unknown user and a wrong password,
  // after the same work; Error(auth) for locked, disabled, dormant accounts and a wrong code;
  // Error(conflict) at the session limit without force.
  LoginResult login(LoginRequest request);
  // Ends the session in effect; false when there was none.
  bool logout();
  // The operators with a session file in this state folder, sorted, and which one is in effect
  // ("" when none is).
  std::vector<std::string> logged_in_here() const;
  std::string selected_user() const;

  // Who may use `profile`'s key (Operation, esign/operation.h, calls this before it opens one):
  // the operator to record in the audit event ("" when nobody is logged in and the profile does
  // not require it). For a require_login profile, throws Error(auth) unless the session in effect
  // is unrestricted and, to use the key, its user has the signer role and (when users are linked
  // to the profile) is one of them; to manage the key or certificate, an admin may too.
  std::string authorize_profile(const Profile& profile, KeyPurpose purpose);

  // user_certificates: admin only. `profile` is the profile's name. assign returns false when the
  // link existed already, unassign when there was none.
  bool assign_certificate(const std::optional<Session>& actor, const std::string& user, const std::string& profile);
  bool unassign_certificate(const std::optional<Session>& actor, const std::string& user, const std::string& profile);
  std::vector<std::string> linked_users(const std::string& profile);

  const AuthConfig& config() const { return config_; }

 private:
  Ledger& ledger_;
  AuthConfig config_;
  std::string as_user_;
};

// $XDG_STATE_HOME/esign (default ~/.local/state/esign): sessions/USER holds each operator's
// session token (0600, in a 0700 folder), current-operator the last one to log in.
std::filesystem::path session_state_dir();

}  // namespace esign
