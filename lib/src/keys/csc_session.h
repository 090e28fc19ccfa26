// A logged-in connection to a CSC service for one profile: the access token (from the login
// cache of `esign login`, or a fresh login with the profile's client secret or password), the
// chosen credential, and the cached signature activation data (SAD) an OTP login left.
#pragma once

#include <optional>
#include <string>

#include "esign/profile.h"
#include "esign/secret.h"
#include "keys/csc_client.h"

namespace esign::csc {

// A SAD for a SCAL 1 credential that later calls may use until it expires or is used up.
struct ReusableSad {
  Secret value;
  Clock::time_point expires;
  int remaining = 0;
  bool from_cache = false;  // came from `esign login`: its count is kept in the cache file
};

// Not thread-safe: one caller at a time (the signer's batch leader).
class Session {
 public:
  // Throws Error(config) for a base URL that is neither https:// nor loopback http://, before
  // any secret is asked for or sent.
  Session(const CscSource& src, const Profile& profile, SecretResolver secrets);

  // Logs in: with the cached login of this profile when `use_cache` and one exists for the
  // same service, identity and credential; otherwise with the profile's client secret (OAuth2
  // client credentials) or password (auth/login). Throws Error(key) when the service refuses
  // them, Error(config) when the profile lacks them.
  void connect(bool use_cache);
  // After a refused token: drops the cached login and logs in with the profile's secrets.
  void relogin();
  bool token_from_cache() const noexcept { return token_from_cache_; }
  Clock::time_point token_expires() const noexcept { return token_expires_; }

  // The profile's credential_id, or the only one credentials/list returns. Throws Error(config)
  // when there is none, or several and the profile names none (the message lists them).
  std::string credential_id();
  // The SAD the cached login holds for `credential`, if any is left (taken once).
  std::optional<ReusableSad> take_cached_sad(const std::string& credential);

  // Writes the login cache: the token, and `sad` when given (until the earlier of the two
  // expiries). Returns the detail shown by `esign login --status`.
  std::string store(const std::string& credential, const ReusableSad* sad, const std::string& note = "");
  // Records how many signatures the cached SAD has left (0: the SAD is dropped, the token kept).
  void update_cached_sad(int remaining);

  Client& client() noexcept { return client_; }
  const CscSource& source() const noexcept { return src_; }
  const Profile& profile() const noexcept { return profile_; }
  const SecretResolver& secrets() const noexcept { return secrets_; }
  // Resolves one of the source's secret references (`what` names it in prompts and messages).
  Secret resolve(const std::string& reference, const std::string& what) const;

 private:
  std::string identity() const;

  CscSource src_;
  Profile profile_;
  SecretResolver secrets_;
  Client client_;
  bool token_from_cache_ = false;
  Clock::time_point token_expires_{};
  std::optional<ReusableSad> cached_sad_;
  std::string cached_sad_credential_;
};

// The chosen credential's credentials/info (logging in again once when a cached token is
// refused). Throws Error(config) for a credential esign cannot use: no certificate, a key the
// service reports disabled, or authorization through an OAuth2 code flow (needs a browser).
CredentialInfo fetch_credential(Session& session);

// The detail text of a cached login.
std::string login_detail(int sad_remaining, const std::string& note);

}  // namespace esign::csc
