// A loaded profile written out again, with defaults filled in and secrets as references: what
// `esign profile show` prints.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <type_traits>

#include "esign/profile.h"

namespace esign {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string absolute_path(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal().string();
}

// References only: a file: reference is made absolute against the profile's folder (as the
// resolver reads it), so the rendered profile names the same file wherever it is saved. The loader
// accepts nothing but references, so no secret value can reach this point.
std::string reference(const std::string& ref, const fs::path& base) {
  if (ref.rfind("file:", 0) != 0) return ref;
  fs::path p = ref.substr(5);
  return "file:" + absolute_path(p.is_relative() ? base / p : p);
}

void put_path(Json& j, const char* key, const std::optional<fs::path>& p) {
  if (p) j[key] = absolute_path(*p);
}
void put_string(Json& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}

Json key_json(const Profile& profile) {
  const fs::path base = profile.file.parent_path();
  Json j{{"source", key_source_name(profile.key)}};
  auto secret = [&](const char* key, const std::optional<std::string>& ref) {
    if (ref) j[key] = reference(*ref, base);
  };
  std::visit(
      [&](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, Pkcs12Source>) {
          j["path"] = absolute_path(s.path);
          secret("password", s.password);
          put_path(j, "chain", s.chain);
        } else if constexpr (std::is_same_v<S, PemSource>) {
          j["key"] = absolute_path(s.key);
          j["cert"] = absolute_path(s.cert);
          put_path(j, "chain", s.chain);
          secret("password", s.password);
        } else if constexpr (std::is_same_v<S, Pkcs11Source>) {
          j["uri"] = s.uri;
          put_path(j, "module", s.module);  // absent: p11-kit's proxy module
          secret("pin", s.pin.value_or("prompt"));
          put_path(j, "cert", s.cert);
          put_path(j, "chain", s.chain);
        } else if constexpr (std::is_same_v<S, AzureKeyVaultSource>) {
          j["vault_url"] = s.vault_url;
          j["key"] = s.key;
          put_string(j, "key_version", s.key_version);  // absent: the key's current version
          j["certificate"] = s.certificate;
          j["tenant_id"] = s.tenant_id;
          j["client_id"] = s.client_id;
          secret("client_secret", s.client_secret);
          j["authority_url"] = s.authority_url;
          j["api_version"] = s.api_version;
          put_path(j, "chain", s.chain);
        } else {
          static_assert(std::is_same_v<S, CscSource>, "a key source render_profile does not know");
          j["base_url"] = s.base_url;
          put_string(j, "credential_id", s.credential_id);  // absent: the only one credentials/list returns
          put_string(j, "client_id", s.client_id);
          secret("client_secret", s.client_secret);
          put_string(j, "username", s.username);
          secret("password", s.password);
          secret("pin", s.pin);
          secret("otp", s.otp);
          put_path(j, "chain", s.chain);
        }
      },
      profile.key);
  return j;
}

Json profile_json(const Profile& p) {
  const char* format = p.signature.format == SignatureFormat::pades   ? "pades"
                       : p.signature.format == SignatureFormat::cades ? "cades"
                                                                      : "auto";
  Json j{{"name", p.name}, {"key", key_json(p)}};
  j["signature"] = Json{{"format", format},
                        {"level", to_string(p.signature.level)},
                        {"digest", to_string(p.signature.digest)},
                        {"padding", p.signature.rsa_padding == RsaPadding::pss ? "pss" : "pkcs1"},
                        {"reason", p.signature.reason},
                        {"location", p.signature.location},
                        {"contact", p.signature.contact}};
  if (p.appearance) {
    const Appearance& a = *p.appearance;
    Json page = a.page == 0 ? Json("last") : Json(a.page);
    Json rect = Json::array();
    for (double v : a.rect) {  // points are usually whole: 36, not 36.0
      if (v == std::floor(v) && std::fabs(v) < 1e15) rect.push_back(static_cast<long long>(v));
      else rect.push_back(v);
    }
    j["appearance"] = Json{{"page", page}, {"rect", rect}, {"text", a.text}};
  }
  if (p.timestamp) {
    const TimestampSettings& t = *p.timestamp;
    Json ts{{"url", t.url}};
    put_string(ts, "username", t.username);
    if (t.password) ts["password"] = reference(*t.password, p.file.parent_path());
    put_string(ts, "policy", t.policy);
    put_path(ts, "trust", t.trust);
    j["timestamp"] = std::move(ts);
  }
  // The key source decides what is not set (esign-profile: "signing"): only what is set is shown.
  Json signing = Json::object();
  if (p.signing.max_batch) signing["max_batch"] = *p.signing.max_batch;
  if (p.signing.max_in_flight) signing["max_in_flight"] = *p.signing.max_in_flight;
  if (p.signing.max_wait) signing["max_wait_ms"] = p.signing.max_wait->count();
  if (!signing.empty()) j["signing"] = std::move(signing);
  j["revocation"] = Json{{"embed", p.revocation_embed}, {"required", p.revocation_required}};
  j["require_login"] = p.require_login;
  return j;
}

void emit(YAML::Emitter& out, const Json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      emit(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const Json& v : j) emit(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    // Quoted unless it is plainly a string in YAML (so that "true", "7", "a: b" or "#x" stay
    // strings for any reader); env:VAR and URLs stay plain.
    bool plain = !s.empty() && std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(s.front()) == std::string_view::npos &&
                 s.back() != ' ' && s.back() != ':' && s.find(": ") == std::string::npos &&
                 s.find(" #") == std::string::npos && s.find_first_of("\n\t\"\\{}[],") == std::string::npos &&
                 s != "true" && s != "false" && s != "null" && s != "yes" && s != "no" && s != "on" && s != "off" &&
                 s.find_first_not_of("0123456789.+-eE") != std::string::npos;
    if (plain) out << s;
    else out << YAML::DoubleQuoted << s;
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else if (j.is_number_integer()) {
    out << j.get<long long>();
  } else if (j.is_number()) {
    out << j.dump();
  } else {
    out << YAML::Null;
  }
}

}  // namespace

std::string key_source_name(const KeySource& key) {
  struct {
    std::string operator()(const Pkcs12Source&) const { return "pkcs12"; }
    std::string operator()(const PemSource&) const { return "pem"; }
    std::string operator()(const Pkcs11Source&) const { return "pkcs11"; }
    std::string operator()(const AzureKeyVaultSource&) const { return "azure-keyvault"; }
    std::string operator()(const CscSource&) const { return "csc"; }
  } v;
  return std::visit(v, key);
}

std::string render_profile(const Profile& profile, ProfileFormat format) {
  Json doc = profile_json(profile);
  std::string file = absolute_path(profile.file);
  if (format == ProfileFormat::json) {
    doc["file"] = file;
    return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, doc);
  return "# profile " + profile.name + " (" + file + ")\n" + out.c_str() + "\n";
}

}  // namespace esign
