// Azure AD client-credentials tokens for Key Vault: fetching, caching for `esign login`, renewal.
#include "keys/azure_auth.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <filesystem>

#include "esign/error.h"
#include "keys/openers.h"
#include "keys/token_cache.h"

namespace esign::azure {

namespace {

constexpr const char* kScope = "https://vault.azure.net/.default";
// A token is renewed this long before it expires, so no request is sent with a dying token.
constexpr std::chrono::seconds kRenewMargin{120};

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The first line of a service message, bounded, so an Error stays one line.
std::string one_line(std::string text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  return text;
}

std::chrono::seconds expires_in_of(const nlohmann::json& j) {
  // The v2.0 endpoint sends a number; older endpoints and some proxies send a string.
  const nlohmann::json& v = j.at("expires_in");
  if (v.is_number_integer()) return std::chrono::seconds(v.get<std::int64_t>());
  if (v.is_string()) return std::chrono::seconds(std::stoll(v.get<std::string>()));
  throw std::invalid_argument("expires_in");
}

}  // namespace

Error service_error(const http::Response& response, const std::string& subject, const std::string& what) {
  std::string code, message;
  try {
    nlohmann::json j = nlohmann::json::parse(response.body);
    const nlohmann::json& e = j.at("error");
    if (e.is_object()) {  // Key Vault: {"error":{"code":"...","message":"...","innererror":{...}}}
      code = e.value("code", "");
      message = e.value("message", "");
      if (auto inner = e.find("innererror"); inner != e.end() && inner->is_object() && inner->contains("code"))
        code += " (" + inner->value("code", "") + ")";
    } else if (e.is_string()) {  // OAuth2 token endpoint: {"error":"...","error_description":"..."}
      code = e.get<std::string>();
      message = j.value("error_description", "");
    }
  } catch (const nlohmann::json::exception&) {
    // Not Azure's JSON (a proxy's HTML page, an empty body): the status is all there is.
  }
  std::string reason = what + ": " + (code.empty() ? "HTTP " + std::to_string(response.status) : one_line(code));
  if (!message.empty()) reason += ": " + one_line(message);
  Errc kind = response.status == 401 || response.status == 403 ? Errc::auth : Errc::remote;
  return Error(kind, subject, reason);
}

std::string token_url(const AzureKeyVaultSource& src) {
  bool ok = !src.tenant_id.empty() && std::all_of(src.tenant_id.begin(), src.tenant_id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
  if (!ok) throw Error(Errc::config, src.tenant_id, "key.tenant_id must be a tenant GUID or domain name");
  return without_trailing_slash(src.authority_url) + "/" + src.tenant_id + "/oauth2/v2.0/token";
}

Token fetch_token(const AzureKeyVaultSource& src, const Secret& client_secret) {
  http::Request request;
  request.method = "POST";
  request.url = token_url(src);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  // RFC 6749 §4.4.2 with client_secret_post (§2.3.1): the secret travels in the body, never the URL.
  request.body = "grant_type=client_credentials&client_id=" + http::form_encode(src.client_id) +
                 "&client_secret=" + http::form_encode(client_secret.reveal()) +
                 "&scope=" + http::form_encode(kScope);
  auto wipe = [&request] { OPENSSL_cleanse(request.body.data(), request.body.size()); };
  http::Response r;
  try {
    r = http::send_with_retry(request);
  } catch (...) {
    wipe();
    throw;
  }
  wipe();
  auto now = std::chrono::system_clock::now();
  if (r.status != 200) {
    Error e = service_error(r, request.url, "the token service refused the client credentials");
    // Defence in depth: a service that echoes the secret must not get it printed.
    std::string reason = e.reason();
    if (!client_secret.empty())
      for (auto at = reason.find(client_secret.reveal()); at != std::string::npos; at = reason.find(client_secret.reveal()))
        reason.replace(at, client_secret.reveal().size(), "***");
    throw Error(e.code(), e.subject(), reason);
  }
  try {
    nlohmann::json j = nlohmann::json::parse(r.body);
    Token t{j.at("access_token").get<std::string>(), now + expires_in_of(j)};
    if (t.access_token.empty()) throw std::invalid_argument("access_token");
    return t;
  } catch (const std::exception&) {
    throw Error(Errc::remote, request.url, "the token service's answer has no access_token and expires_in");
  }
}

nlohmann::json cache_data(const AzureKeyVaultSource& src, const Token& token) {
  return {{"access_token", token.access_token},
          {"authority_url", without_trailing_slash(src.authority_url)},
          {"tenant_id", src.tenant_id},
          {"client_id", src.client_id},
          {"detail", "access token"}};
}

std::optional<Token> from_cache_data(const AzureKeyVaultSource& src, const nlohmann::json& data,
                                     std::chrono::system_clock::time_point expires) {
  if (!data.is_object() || data.value("authority_url", "") != without_trailing_slash(src.authority_url) ||
      data.value("tenant_id", "") != src.tenant_id || data.value("client_id", "") != src.client_id)
    return std::nullopt;
  std::string token = data.value("access_token", "");
  if (token.empty()) return std::nullopt;
  return Token{std::move(token), expires};
}

TokenProvider::TokenProvider(AzureKeyVaultSource src, std::optional<Token> cached, std::optional<Secret> secret,
                             std::string subject)
    : src_(std::move(src)), token_(std::move(cached)), secret_(std::move(secret)), subject_(std::move(subject)) {
  if (token_) refresh_at_ = token_->expires - kRenewMargin;
}

std::string TokenProvider::get() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::system_clock::now();
  if (token_ && now < refresh_at_) return token_->access_token;
  if (secret_) {
    Token t = fetch_token(src_, *secret_);
    auto lifetime = t.expires - now;
    refresh_at_ = lifetime > 2 * kRenewMargin ? t.expires - kRenewMargin : now + lifetime / 2;
    token_ = std::move(t);
    return token_->access_token;
  }
  if (token_ && now < token_->expires) return token_->access_token;  // cannot renew: use it to the end
  throw Error(Errc::auth, subject_,
              "the cached login expired or was refused, and the client secret is not available to get a new "
              "token",
              Remedy::service_login);
}

void TokenProvider::invalidate(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (token_ && token_->access_token == token) token_.reset();
}

}  // namespace esign::azure

namespace esign {

CachedLogin azure_login(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets) {
  Secret secret = secrets.resolve(src.client_secret, "client secret for " + profile.name, profile.file.parent_path(),
                                  profile.file.string());
  azure::Token token = azure::fetch_token(src, secret);
  token_cache::store(profile, "azure-keyvault", token.expires, azure::cache_data(src, token));
  return {profile.name, std::filesystem::absolute(profile.file).lexically_normal().string(), "azure-keyvault",
          token.expires, "access token"};
}

}  // namespace esign
