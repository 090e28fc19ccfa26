// azure::Vault: the checks, tokens and requests every Key Vault operation shares.
#include "keys/azure_vault.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "esign/error.h"
#include "keys/token_cache.h"

namespace esign::azure {

namespace {

constexpr int kAttempts = 5;  // per request, on 429 and 5xx (Retry-After honoured)

// Key Vault object names are 1-127 of [0-9a-zA-Z-]; versions are alphanumeric. Checking them
// keeps a profile from steering a request to another path.
void check_name(const std::string& value, bool optional, const std::string& field, const Profile& profile) {
  bool ok = (optional && value.empty()) ||
            (!value.empty() && value.size() <= 127 && std::all_of(value.begin(), value.end(), [&](unsigned char c) {
               return std::isalnum(c) || (c == '-' && field != "key.key_version");
             }));
  if (!ok) throw Error(Errc::config, profile.file.string(), field + " '" + value + "' is not a Key Vault name");
}

// Refused here, before any request, so no secret is ever offered to a plain-http host.
std::string service_url(std::string url, const std::string& field, const Profile& profile) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  bool https = url.rfind("https://", 0) == 0, http = url.rfind("http://", 0) == 0;
  if (!https && !(http && http::is_loopback(url)))
    throw Error(Errc::config, profile.file.string(),
                field + " must be an https:// URL (plain http:// only to loopback test servers): " + url);
  if (url.find_first_of("?#") != std::string::npos)
    throw Error(Errc::config, profile.file.string(), field + " must not have a query or fragment: " + url);
  return url;
}

// The token provider: a login cached by `esign login` if there is one for this source, and the
// client secret when it can be had (always when there is no cached login).
std::unique_ptr<TokenProvider> token_provider(const AzureKeyVaultSource& src, const Profile& profile,
                                              const SecretResolver& secrets) {
  std::optional<Token> cached;
  try {
    if (auto entry = token_cache::load(profile); entry && entry->service == "azure-keyvault")
      cached = from_cache_data(src, entry->data, entry->expires);
  } catch (const Error&) {
    // No usable state folder (no HOME, say): there is no cached login, and the secret will do.
  }
  std::optional<Secret> secret;
  const std::string what = "client secret for " + profile.name;
  if (!cached) {
    secret = secrets.resolve(src.client_secret, what, profile.file.parent_path(), profile.file.string());
  } else if (src.client_secret != "prompt") {
    // Logged in: the secret is only for renewing the token, so a reference that cannot be read now
    // (an unset variable) is no reason to fail while the cached token lasts.
    try {
      secret = secrets.resolve(src.client_secret, what, profile.file.parent_path(), profile.file.string());
    } catch (const Error&) {
    }
  }
  return std::make_unique<TokenProvider>(src, std::move(cached), std::move(secret), profile.file.string());
}

}  // namespace

bool decode_base64(std::string_view text, Bytes& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+' || ch == '-') v = 62;
    else if (ch == '/' || ch == '_') v = 63;
    else if (ch == '=') break;
    else return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  return true;
}

Vault::Vault(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets) : src_(src) {
  url_ = service_url(src.vault_url, "key.vault_url", profile);
  service_url(src.authority_url, "key.authority_url", profile);
  check_name(src.key, false, "key.key", profile);
  check_name(src.key_version, true, "key.key_version", profile);
  check_name(src.certificate, false, "key.certificate", profile);
  token_url(src);  // checks the tenant id before anything is sent
  query_ = "?api-version=" + http::form_encode(src.api_version);
  tokens_ = token_provider(src, profile, secrets);
}

http::Response Vault::request(const std::string& method, const std::string& path, const std::string& body) {
  for (int attempt = 0;; ++attempt) {
    std::string token = tokens_->get();
    http::Request request;
    request.method = method;
    request.url = url_ + path + query_;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    http::Response r = http::send_with_retry(request, kAttempts);
    if (r.status == 401 && attempt == 0) {
      tokens_->invalidate(token);
      continue;
    }
    return r;
  }
}

Vault::CertificateInfo Vault::certificate() {
  // GET {vault}/certificates/{name}: the current version; `cer` is the DER certificate (base64)
  // and `kid` the key that backs it.
  const std::string path = "/certificates/" + src_.certificate;
  http::Response r = request("GET", path, "");
  if (r.status != 200) throw service_error(r, url_ + path, "cannot get the certificate");
  CertificateInfo info;
  std::string kid;
  try {
    nlohmann::json j = nlohmann::json::parse(r.body);
    if (!decode_base64(j.at("cer").get<std::string>(), info.der)) info.der.clear();
    kid = j.value("kid", "");
  } catch (const nlohmann::json::exception&) {
    info.der.clear();
  }
  if (info.der.empty()) throw Error(Errc::remote, url_ + path, "Key Vault's answer has no base64 certificate (cer)");
  const std::string prefix = "/keys/" + src_.key + "/";
  if (auto at = kid.find(prefix); at != std::string::npos) {
    std::string v = kid.substr(at + prefix.size());
    if (!v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isalnum(c); })) info.key_version = v;
  }
  return info;
}

std::string Vault::key_path(const std::string& backing_version) const {
  // Without key_version, the key version that backs the certificate (so a renewed certificate
  // and its new key stay together); a separately named key uses its current version.
  const std::string& version = src_.key_version.empty() ? backing_version : src_.key_version;
  return "/keys/" + src_.key + (version.empty() ? "" : "/" + version);
}

}  // namespace esign::azure
