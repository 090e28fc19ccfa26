// The ledger's side of operator accounts: users, password history, recovery codes, TOTP steps,
// sessions and user-certificate links. Storage only; the rules (hashing, lockout, expiry, who
// may do what) live in src/auth/, which is the only caller. Every function is one transaction
// and throws Error like Ledger's own methods (config, or conflict when the file stays locked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "esign/ledger.h"

namespace esign::ledger {

struct UserRow {
  std::int64_t id = 0;
  std::string name;
  std::string roles;          // comma-separated
  std::string status;         // active | disabled | dormant
  std::string password_hash;  // self-describing hash string
  std::string totp_secret;    // sealed; "" when 2FA is not enrolled
  std::string totp_pending;   // sealed; "" when no enrollment is waiting for confirmation
  std::int64_t totp_last_step = 0;
  std::int64_t failed_attempts = 0;
  std::int64_t locked_until = 0;  // Unix seconds
  std::int64_t last_login = 0;
  std::int64_t last_seen = 0;     // creation, last login or last enable: what dormancy counts from
  std::string created;            // RFC 3339
  std::int64_t recovery_codes = 0;  // unused, confirmed recovery codes
};

std::int64_t count_users(Ledger& ledger);

// Inserts a user with its first password-history entry. With `only_if_none`, inserts only when
// the ledger has no user at all (the first admin), atomically; returns false when it did not.
// Throws Error(conflict) when the name is taken.
bool insert_user(Ledger& ledger, const UserRow& user, bool only_if_none);

std::optional<UserRow> find_user(Ledger& ledger, const std::string& name);
std::vector<UserRow> list_users(Ledger& ledger);

// Sets status; `touch_seen` also sets last_seen to `now` (enabling restarts the dormancy clock).
// Returns false when there is no such user.
bool set_status(Ledger& ledger, const std::string& name, const std::string& status, bool touch_seen, std::int64_t now);

// One more consecutive failure; at `max_attempts` the account is locked until now + lock_seconds
// and the counter starts again. Returns the row after the update.
std::optional<UserRow> record_failure(Ledger& ledger, const std::string& name, std::int64_t max_attempts,
                                      std::int64_t lock_seconds, std::int64_t now);
// A successful login: clears the counter and the lock, sets last_login and last_seen.
void record_success(Ledger& ledger, const std::string& name, std::int64_t now);
// Clears the counter and the lock. Returns false when there is no such user.
bool clear_lock(Ledger& ledger, const std::string& name);

// The newest `count` password hashes of the user, newest first.
std::vector<std::string> password_history(Ledger& ledger, std::int64_t user_id, std::int64_t count);
// Replaces the password hash and appends it to the history, keeping the newest `keep` entries.
void set_password(Ledger& ledger, std::int64_t user_id, const std::string& hash, std::int64_t keep, std::int64_t now);

// Stores a pending enrollment (sealed secret, hashed recovery codes), replacing any earlier one.
void set_totp_pending(Ledger& ledger, std::int64_t user_id, const std::string& sealed_secret,
                      const std::vector<std::string>& code_hashes);
// Makes the pending enrollment the active one (the old secret and codes are dropped) and records
// `step` as used. Returns false when nothing was pending.
bool confirm_totp(Ledger& ledger, std::int64_t user_id, std::int64_t step);
// Drops the secret, any pending enrollment and all recovery codes.
void clear_totp(Ledger& ledger, std::int64_t user_id);
// Records `step` as used if it is later than the last used one (compare-and-set); false for a
// replay.
bool use_totp_step(Ledger& ledger, std::int64_t user_id, std::int64_t step);
// Deletes the confirmed recovery code with this hash; false when there is none (unknown or used).
bool use_recovery_code(Ledger& ledger, std::int64_t user_id, const std::string& code_hash);

struct SessionRow {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string user;
  std::int64_t created = 0, last_used = 0, expires = 0;
  bool restricted = false;
};

// Inserts a session unless the user already has `limit` live ones (sessions with expires <= now
// or last_used <= idle_cutoff are deleted first); with `force`, the user's other sessions are
// ended instead. Returns the number of sessions ended by force, or nullopt when the limit was
// reached without force (nothing inserted).
std::optional<std::int64_t> insert_session(Ledger& ledger, const SessionRow& s, const std::string& token_hash,
                                           std::int64_t limit, bool force, std::int64_t now, std::int64_t idle_cutoff);
std::optional<SessionRow> find_session(Ledger& ledger, const std::string& token_hash);
void touch_session(Ledger& ledger, const std::string& token_hash, std::int64_t now);
void set_session_restricted(Ledger& ledger, std::int64_t user_id, bool restricted);
bool delete_session(Ledger& ledger, const std::string& token_hash);
// Ends all sessions of a user; returns how many.
std::int64_t delete_user_sessions(Ledger& ledger, std::int64_t user_id);
// The user's sessions that are neither expired nor idle.
std::vector<SessionRow> live_sessions(Ledger& ledger, std::int64_t user_id, std::int64_t now, std::int64_t idle_cutoff);

// user_certificates. insert returns false when the link existed already; remove returns false
// when there was none.
bool insert_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile);
bool delete_user_certificate(Ledger& ledger, std::int64_t user_id, const std::string& profile);
std::vector<std::string> user_profiles(Ledger& ledger, std::int64_t user_id);
std::vector<std::string> profile_users(Ledger& ledger, const std::string& profile);

}  // namespace esign::ledger
