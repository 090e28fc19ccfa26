// Azure AD (Microsoft identity platform) access tokens for Key Vault, and the one way Azure's
// error bodies become esign::Error. Tokens are bearer credentials: never log or print them.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "esign/error.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "http/http.h"

namespace esign::azure {

// The Error for a failed Azure response: Error(auth) for 401/403, Error(remote) otherwise, with
// `subject` (a URL without its query) and the reason "<what>: <CODE>: <message>". Reads both
// Key Vault's {"error":{"code","message"}} and the token endpoint's OAuth2
// {"error","error_description"} (RFC 6749 §5.2); the message is cut to its first line.
Error service_error(const http::Response& response, const std::string& subject, const std::string& what);

// {authority_url}/{tenant_id}/oauth2/v2.0/token. Throws Error(config) for a tenant id that is
// not a GUID or a domain name.
std::string token_url(const AzureKeyVaultSource& src);

struct Token {
  std::string access_token;  // bearer credential
  std::chrono::system_clock::time_point expires;
};

// OAuth2 client credentials grant (RFC 6749 §4.4) for scope https://vault.azure.net/.default.
// Throws service_error() when the service refuses, Error(remote) for an unreadable answer.
Token fetch_token(const AzureKeyVaultSource& src, const Secret& client_secret);

// The token_cache data of an Azure login, and whether cached data belongs to this source (the
// same authority, tenant and client; a profile edited since its login does not reuse the token).
nlohmann::json cache_data(const AzureKeyVaultSource& src, const Token& token);
std::optional<Token> from_cache_data(const AzureKeyVaultSource& src, const nlohmann::json& data,
                                     std::chrono::system_clock::time_point expires);

// The token a signer sends: a login cached by `esign login` while it lasts, else one fetched with
// the client secret, kept in memory and fetched again shortly before it expires.
// Thread-safe: get() and invalidate() may be called from several threads.
class TokenProvider {
 public:
  // `cached`: a token from the login cache; `secret`: the client secret, when it could be
  // resolved (without it an expired token cannot be renewed). At least one must be given.
  // `subject` names the profile in errors.
  TokenProvider(AzureKeyVaultSource src, std::optional<Token> cached, std::optional<Secret> secret,
                std::string subject);

  // A token valid for at least a little while. Throws like fetch_token(), or Error(auth) when the
  // cached login expired and there is no client secret to get another.
  std::string get();
  // Forgets `token` (the vault refused it), so the next get() fetches a new one.
  void invalidate(const std::string& token);

 private:
  AzureKeyVaultSource src_;
  std::mutex mutex_;
  std::optional<Token> token_;
  std::chrono::system_clock::time_point refresh_at_;  // fetch a new token from then on
  std::optional<Secret> secret_;
  std::string subject_;
};

}  // namespace esign::azure
