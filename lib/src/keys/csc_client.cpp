// CSC API v2 requests and answers: JSON bodies (form-encoded for oauth2/token, as RFC 6749
// wants), bearer tokens, and the service's {"error", "error_description"} bodies as Errors.
#include "keys/csc_client.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "der/oid.h"
#include "http/http.h"

namespace esign::csc {

using nlohmann::json;

namespace {

// What a failed call means depends on the endpoint: a 401 from a login endpoint is a wrong
// secret, from any other a refused token.
enum class Call { login, authorize, sign, other };

// Request bodies may hold a secret (PIN, client secret): wiped once sent.
struct WipedString {
  std::string text;
  ~WipedString() { OPENSSL_cleanse(text.data(), text.size()); }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Integers that services send as numbers or as strings ("multisign": "5", "SCAL": "2").
std::optional<long long> integer_of(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Clock::time_point expiry(const json& j, const char* key, long long fallback_seconds) {
  long long s = integer_of(j, key).value_or(fallback_seconds);
  return Clock::now() + std::chrono::seconds(std::max(0LL, s));
}

[[noreturn]] void refused(Call call, const std::string& url, long status, const json& body) {
  const std::string error = text_of(body, "error");
  const std::string description = text_of(body, "error_description");
  std::string said = error.empty() ? "HTTP " + std::to_string(status) : error;
  if (!description.empty()) said += " (" + description + ")";
  const std::string reason = "the service refused the request: " + said;
  const std::string e = lower(error);
  if (e == "invalid_pin") throw Error(Errc::key, url, "wrong PIN: " + said);
  if (e == "invalid_otp") throw Error(Errc::key, url, "wrong one-time password: " + said);
  if (call == Call::login && (status == 400 || status == 401 || e == "invalid_client" || e == "access_denied"))
    throw Error(Errc::key, url, "the service refused the client credentials or password: " + said);
  if (status == 401 || e == "invalid_token") throw TokenRejected(Errc::remote, url, reason);
  if (call == Call::sign && lower(description).find("sad") != std::string::npos)
    throw SadRejected(Errc::remote, url, reason);
  if ((call == Call::sign || call == Call::authorize) && status == 400) throw RequestRefused(Errc::remote, url, reason);
  throw Error(Errc::remote, url, reason);
}

json exchange(Call call, const std::string& url, const std::string& content_type, const WipedString& body,
              const Secret* bearer, const Secret* basic) {
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.headers.emplace_back("Content-Type", content_type);
  request.headers.emplace_back("Accept", "application/json");
  WipedString authorization;
  if (bearer) authorization.text = "Bearer " + bearer->reveal();
  if (basic) authorization.text = "Basic " + base64_encode(as_bytes(basic->reveal()));
  if (!authorization.text.empty()) request.headers.emplace_back("Authorization", authorization.text);
  request.body = body.text;
  http::Response response;
  try {
    response = http::send_with_retry(request, 3);
  } catch (...) {
    OPENSSL_cleanse(request.body.data(), request.body.size());
    for (auto& [name, value] : request.headers) OPENSSL_cleanse(value.data(), value.size());
    throw;
  }
  OPENSSL_cleanse(request.body.data(), request.body.size());
  for (auto& [name, value] : request.headers) OPENSSL_cleanse(value.data(), value.size());
  json answer = json::parse(response.body, nullptr, false);
  if (response.status < 200 || response.status > 299) refused(call, url, response.status, answer.is_discarded() ? json() : answer);
  if (answer.is_discarded() || !answer.is_object())
    throw Error(Errc::remote, url, "the service's answer is not a JSON object (HTTP " + std::to_string(response.status) + ")");
  return answer;
}

std::vector<std::string> base64_hashes(std::span<const Digest> hashes) {
  std::vector<std::string> out;
  out.reserve(hashes.size());
  for (const Digest& d : hashes) out.push_back(base64_encode(d.value));
  return out;
}

// "true"/true/"required" as services write presence flags.
bool present(const json& j) {
  if (!j.is_object()) return false;
  auto it = j.find("presence");
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && (lower(it->get<std::string>()) == "true" || lower(it->get<std::string>()) == "required");
}

AuthNeeds auth_needs(const json& info) {
  AuthNeeds needs;
  if (auto it = info.find("auth"); it != info.end() && it->is_object()) {
    // CSC v2: auth { mode, expression, objects [{ type, id, ... }] }.
    if (std::string m = text_of(*it, "mode"); !m.empty()) needs.mode = lower(m);
    if (auto o = it->find("objects"); o != it->end() && o->is_array()) {
      for (const json& obj : *o) {
        const std::string id = lower(text_of(obj, "id")), type = lower(text_of(obj, "type"));
        if (id == "pin" || type == "pin") needs.pin = true;
        if (id == "otp" || type == "otp") needs.otp = true;
      }
    }
    return needs;
  }
  // CSC v1: authMode, PIN { presence }, OTP { presence }.
  if (std::string m = text_of(info, "authMode"); !m.empty()) needs.mode = lower(m);
  if (auto p = info.find("PIN"); p != info.end()) needs.pin = present(*p);
  if (auto p = info.find("OTP"); p != info.end()) needs.otp = present(*p);
  return needs;
}

}  // namespace

Bytes base64_decode(const std::string& text, const std::string& subject) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  if (clean.size() % 4 != 0) throw Error(Errc::remote, subject, "the service sent malformed base64");
  Bytes out(clean.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) throw Error(Errc::remote, subject, "the service sent malformed base64");
  std::size_t pad = 0;
  for (auto it = clean.rbegin(); it != clean.rend() && *it == '=' && pad < 2; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

Client::Client(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::string Client::url(const std::string& endpoint) const { return base_url_ + "/" + endpoint; }

std::string Client::check_info(const std::string& auth_type) {
  const std::string u = url("info");
  json info = exchange(Call::other, u, "application/json", WipedString{"{}"}, nullptr, nullptr);
  if (auto it = info.find("authType"); it != info.end() && it->is_array()) {
    bool offered = std::any_of(it->begin(), it->end(), [&](const json& t) { return t.is_string() && t.get<std::string>() == auth_type; });
    if (!offered)
      throw Error(Errc::config, u, "the service does not offer authType " + auth_type + " (it offers " + it->dump() + ")");
  }
  if (auto it = info.find("methods"); it != info.end() && it->is_array()) {
    bool signs = std::any_of(it->begin(), it->end(), [](const json& m) { return m.is_string() && m.get<std::string>() == "signatures/signHash"; });
    if (!signs) throw Error(Errc::config, u, "the service does not offer signatures/signHash");
  }
  std::string oauth2 = text_of(info, "oauth2");
  while (!oauth2.empty() && oauth2.back() == '/') oauth2.pop_back();
  return oauth2.empty() ? base_url_ : oauth2;
}

Token Client::token_client_credentials(const std::string& oauth2_base, const std::string& client_id, const Secret& secret) {
  WipedString body{"grant_type=client_credentials&client_id=" + http::form_encode(client_id) +
                   "&client_secret=" + http::form_encode(secret.reveal())};
  const std::string u = oauth2_base + "/oauth2/token";
  json answer = exchange(Call::login, u, "application/x-www-form-urlencoded", body, nullptr, nullptr);
  std::string token = text_of(answer, "access_token");
  if (token.empty()) throw Error(Errc::remote, u, "the service's answer has no access_token");
  Token t{Secret(std::move(token)), expiry(answer, "expires_in", 3600)};
  answer.clear();
  return t;
}

Token Client::login_basic(const std::string& username, const Secret& password) {
  const std::string u = url("auth/login");
  Secret user_pass(username + ":" + password.reveal());
  json answer = exchange(Call::login, u, "application/json", WipedString{R"({"rememberMe":false})"}, nullptr, &user_pass);
  std::string token = text_of(answer, "access_token");
  if (token.empty()) throw Error(Errc::remote, u, "the service's answer has no access_token");
  return Token{Secret(std::move(token)), expiry(answer, "expires_in", 3600)};
}

std::vector<std::string> Client::list_credentials() {
  const std::string u = url("credentials/list");
  json answer = exchange(Call::other, u, "application/json", WipedString{R"({"credentialInfo":false})"}, &token_, nullptr);
  std::vector<std::string> ids;
  if (auto it = answer.find("credentialIDs"); it != answer.end() && it->is_array())
    for (const json& id : *it)
      if (id.is_string()) ids.push_back(id.get<std::string>());
  return ids;
}

CredentialInfo Client::credential_info(const std::string& credential_id) {
  const std::string u = url("credentials/info");
  json request{{"credentialID", credential_id}, {"certificates", "chain"}, {"certInfo", true}, {"authInfo", true}};
  json answer = exchange(Call::other, u, "application/json", WipedString{request.dump()}, &token_, nullptr);
  CredentialInfo info;
  info.id = credential_id;
  const json key = answer.value("key", json::object());
  if (auto it = key.find("algo"); it != key.end() && it->is_array())
    for (const json& a : *it)
      if (a.is_string()) info.key_algos.push_back(a.get<std::string>());
  info.key_status = text_of(key, "status");
  const json cert = answer.value("cert", json::object());
  if (auto it = cert.find("certificates"); it != cert.end() && it->is_array())
    for (const json& c : *it)
      if (c.is_string()) info.chain.push_back(Certificate::from_der(base64_decode(c.get<std::string>(), u), u));
  info.scal = static_cast<int>(integer_of(answer, "SCAL").value_or(1));
  const std::optional<long long> multisign = integer_of(answer, "multisign");
  info.multisign = static_cast<int>(std::clamp(multisign.value_or(1), 1LL, 100000LL));
  info.multisign_reported = multisign.has_value();
  info.auth = auth_needs(answer);
  return info;
}

Sad Client::authorize(const std::string& credential_id, int num_signatures, std::span<const Digest> hashes,
                      const Secret* pin, const Secret* otp) {
  const std::string u = url("credentials/authorize");
  json request{{"credentialID", credential_id}, {"numSignatures", num_signatures}};
  if (!hashes.empty()) {
    request["hashes"] = base64_hashes(hashes);
    request["hashAlgorithmOID"] = oid::digest(hashes.front().algorithm);
  }
  // CSC v2 §11.6 authData (ids from credentials/info auth.objects), and the v1 PIN/OTP fields
  // that v2 services still accept.
  json auth_data = json::array();
  if (pin) {
    request["PIN"] = pin->reveal();
    auth_data.push_back({{"id", "PIN"}, {"value", pin->reveal()}});
  }
  if (otp) {
    request["OTP"] = otp->reveal();
    auth_data.push_back({{"id", "OTP"}, {"value", otp->reveal()}});
  }
  if (!auth_data.empty()) request["authData"] = std::move(auth_data);
  WipedString body{request.dump()};
  request.clear();
  json answer = exchange(Call::authorize, u, "application/json", body, &token_, nullptr);
  std::string sad = text_of(answer, "SAD");
  if (sad.empty()) throw Error(Errc::remote, u, "the service's answer has no SAD");
  return Sad{Secret(std::move(sad)), expiry(answer, "expiresIn", 3600)};
}

std::vector<Bytes> Client::sign_hash(const std::string& credential_id, const Secret& sad, std::span<const Digest> hashes,
                                     const std::string& sign_algo, ByteView sign_algo_params) {
  const std::string u = url("signatures/signHash");
  json request{{"credentialID", credential_id},
               {"SAD", sad.reveal()},
               {"hashes", base64_hashes(hashes)},
               {"hashAlgorithmOID", oid::digest(hashes.front().algorithm)},
               {"signAlgo", sign_algo},
               {"operationMode", "S"}};
  if (!sign_algo_params.empty()) request["signAlgoParams"] = base64_encode(sign_algo_params);
  WipedString body{request.dump()};
  request.clear();
  json answer = exchange(Call::sign, u, "application/json", body, &token_, nullptr);
  std::vector<Bytes> out;
  if (auto it = answer.find("signatures"); it != answer.end() && it->is_array())
    for (const json& s : *it)
      if (s.is_string()) out.push_back(base64_decode(s.get<std::string>(), u));
  if (out.size() != hashes.size())
    throw Error(Errc::remote, u,
                "the service returned " + std::to_string(out.size()) + " signatures for " + std::to_string(hashes.size()) + " hashes");
  return out;
}

}  // namespace esign::csc
