// What the files of src/auth/ share: randomness, hashing, the clock, sealing TOTP secrets, roles
// as stored, audit events, and the admin check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "esign/auth.h"
#include "esign/bytes.h"
#include "esign/secret.h"
#include "ledger/users.h"

namespace esign::auth {

// `n` bytes from OpenSSL's CSPRNG; Error(internal) when it has none.
Bytes random_bytes(std::size_t n);
// SHA-256 of `data`, lower-case hex.
std::string sha256_hex(std::string_view data);
// Unix seconds now.
std::int64_t now_seconds();
// Unix seconds as RFC 3339 UTC.
std::string utc(std::int64_t seconds);

// TOTP secrets are stored sealed with AES-256-GCM under a 256-bit key kept in a file of its own
// (0600, made on first use), bound to the user name as additional data: a copy of the ledger
// alone reveals no seed, and a sealed seed cannot be moved to another user. Throws Error(config)
// when the key file cannot be read or made, Error(auth) when a sealed value does not open (wrong
// key file, tampering).
std::string seal_secret(const std::filesystem::path& key_file, const std::string& user, ByteView secret);
Secret unseal_secret(const std::filesystem::path& key_file, const std::string& user, const std::string& sealed);
// The key file: the configuration's auth.totp_key_file, else `<ledger file>.totp-key` beside a
// SQLite ledger. A PostgreSQL ledger is shared by hosts that must all open the same secrets, so
// it needs auth.totp_key_file (the same key on every host): Error(config) without it.
std::filesystem::path totp_key_file(const Ledger& ledger, const AuthConfig& config);

// Recovery codes: 16 base32 characters (80 bits) in four groups, "abcd-efgh-ijkl-mnop"; stored as
// the SHA-256 of the normalized code (lower case, no dashes or spaces).
std::string new_recovery_code();
std::string recovery_code_hash(std::string_view code);

// The time step whose code `code` is, within one step of now; nullopt for a wrong code.
std::optional<std::int64_t> check_totp(ByteView key, const std::string& code);

// Roles as stored: "admin,signer". Unknown names in the ledger are ignored.
std::vector<Role> parse_roles(const std::string& stored);
std::string join_roles(const std::vector<Role>& roles);

// A stored row as the public UserInfo at time `now` (dormant and locked are computed).
UserInfo user_info(Ledger& ledger, const AuthConfig& config, const ledger::UserRow& row, std::int64_t now);

// Throws Error(usage) unless `name` is a valid user name (which is also safe as a file name).
void check_name(const std::string& name);

// An audit event for an account operation: `actor` did `operation` (outcome ok|failed|pending),
// `detail` names the account and what happened, never a secret.
void audit(Ledger& ledger, const std::string& operation, const std::string& actor, const std::string& outcome,
           const std::string& detail);

// Throws Error(auth) unless `actor` is an unrestricted session with the admin role.
void require_admin(const std::optional<Session>& actor, const std::string& doing);

}  // namespace esign::auth
