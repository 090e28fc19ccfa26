// Loading and validating YAML signing profiles (yaml-cpp lives only here).
#include "esign/profile.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "esign/error.h"

namespace esign {

std::string to_string(SignatureLevel level) {
  switch (level) {
    case SignatureLevel::b_b: return "B-B";
    case SignatureLevel::b_t: return "B-T";
    case SignatureLevel::b_lt: return "B-LT";
    case SignatureLevel::b_lta: return "B-LTA";
  }
  return "B-B";
}

SignatureLevel parse_signature_level(const std::string& text, const std::string& subject) {
  if (text == "B-B") return SignatureLevel::b_b;
  if (text == "B-T") return SignatureLevel::b_t;
  if (text == "B-LT") return SignatureLevel::b_lt;
  if (text == "B-LTA") return SignatureLevel::b_lta;
  throw Error(Errc::config, subject, "level must be B-B, B-T, B-LT or B-LTA, not '" + text + "'");
}

SignatureFormat parse_signature_format(const std::string& text, const std::string& subject) {
  if (text == "auto") return SignatureFormat::auto_detect;
  if (text == "pades") return SignatureFormat::pades;
  if (text == "cades") return SignatureFormat::cades;
  throw Error(Errc::config, subject, "format must be auto, pades or cades, not '" + text + "'");
}

Certification parse_certification(const std::string& text, const std::string& subject) {
  if (text == "none") return Certification::none;
  if (text == "1") return Certification::no_changes;
  if (text == "2") return Certification::form_filling;
  if (text == "3") return Certification::annotations;
  throw Error(Errc::config, subject,
              "certify must be 1 (no changes), 2 (form filling and signing) or 3 (also annotations), not '" + text + "'");
}

bool FieldLock::locks(const std::string& field) const {
  if (all) return true;
  const bool listed = std::any_of(fields.begin(), fields.end(), [&](const std::string& f) {
    return field == f || (field.size() > f.size() && field.compare(0, f.size(), f) == 0 && field[f.size()] == '.');
  });
  return exclude ? !listed : listed;
}

FieldLock parse_field_lock(const std::string& text, const std::string& subject) {
  FieldLock lock;
  if (text == "all") {
    lock.all = true;
    return lock;
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) throw Error(Errc::config, subject, "lock_fields must be 'all' or field names separated by commas");
    lock.fields.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return lock;
}

namespace {

namespace fs = std::filesystem;

// Walks one YAML mapping, checking that every key is known and every value has the right type.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const fs::path& file) : node_(node), path_(std::move(path)), file_(file) {
    if (!node_.IsMap()) fail(node_, path_.empty() ? "the profile must be a mapping" : "'" + path_ + "' must be a mapping");
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const {
    std::string where = file_.string();
    if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    throw Error(Errc::config, where, reason);
  }

  // Rejects keys not in `known`.
  void only(std::initializer_list<const char*> known) const {
    std::set<std::string> names(known.begin(), known.end());
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) fail(kv.first, where_keys() + " must be plain names, not lists or mappings");
      std::string key = kv.first.Scalar();
      if (!names.count(key)) fail(kv.first, "unknown key '" + qualified(key) + "'");
    }
  }

  std::string where_keys() const { return path_.empty() ? "the profile's keys" : "the keys of '" + path_ + "'"; }

  bool has(const char* key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }

  std::string string(const char* key) const {
    YAML::Node v = node_[key];
    if (!v.IsDefined() || v.IsNull()) fail(node_, "missing key '" + qualified(key) + "'");
    if (!v.IsScalar()) fail(v, "'" + qualified(key) + "' must be a string");
    return v.Scalar();
  }
  std::optional<std::string> optional_string(const char* key) const {
    if (!has(key)) return std::nullopt;
    return string(key);
  }
  // A secret reference (env:VAR, file:PATH or prompt). A secret written into the profile is an
  // error, and the message never repeats it.
  std::string secret(const char* key) const {
    std::string v = string(key);
    bool reference = (v.rfind("env:", 0) == 0 && v.size() > 4) || (v.rfind("file:", 0) == 0 && v.size() > 5) ||
                     v == "prompt";
    if (!reference)
      fail(node_[key], "'" + qualified(key) + "' must be a secret reference: env:VAR, file:PATH or prompt " +
                           "(secrets are never written in profiles)");
    return v;
  }
  std::optional<std::string> optional_secret(const char* key) const {
    if (!has(key)) return std::nullopt;
    return secret(key);
  }
  fs::path path(const char* key) const { return resolve(string(key)); }
  std::optional<fs::path> optional_path(const char* key) const {
    if (!has(key)) return std::nullopt;
    return path(key);
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    YAML::Node v = node_[key];
    if (v.IsScalar()) {
      const std::string& s = v.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    fail(v, "'" + qualified(key) + "' must be true or false");
  }
  double number(const YAML::Node& v, const std::string& what) const {
    if (!v.IsScalar()) fail(v, "'" + what + "' must be a number");
    try {
      std::size_t used = 0;
      double d = std::stod(v.Scalar(), &used);
      if (used != v.Scalar().size()) throw std::invalid_argument("trailing");
      return d;
    } catch (const std::exception&) {
      fail(v, "'" + what + "' must be a number");
    }
  }
  Section child(const char* key) const { return Section(node_[key], qualified(key), file_); }
  const YAML::Node& node() const { return node_; }
  YAML::Node at(const char* key) const { return node_[key]; }
  std::string qualified(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  std::string where(const char* key) const {
    YAML::Node v = node_[key];
    return file_.string() + (v.IsDefined() ? ":" + std::to_string(v.Mark().line + 1) : "");
  }

 private:
  fs::path resolve(const std::string& p) const {
    fs::path path(p);
    return path.is_relative() ? file_.parent_path() / path : path;
  }
  YAML::Node node_;
  std::string path_;
  const fs::path& file_;
};

KeySource parse_key(const Section& key) {
  std::string source = key.string("source");
  if (source == "pkcs12") {
    key.only({"source", "path", "password", "chain"});
    return Pkcs12Source{key.path("path"), key.secret("password"), key.optional_path("chain")};
  }
  if (source == "pem") {
    key.only({"source", "key", "cert", "chain", "password"});
    return PemSource{key.path("key"), key.path("cert"), key.optional_path("chain"), key.optional_secret("password")};
  }
  if (source == "pkcs11") {
    key.only({"source", "uri", "module", "pin", "cert", "chain"});
    Pkcs11Source s{key.string("uri"), key.optional_path("module"), key.optional_secret("pin"), key.optional_path("cert"),
                   key.optional_path("chain")};
    if (s.uri.rfind("pkcs11:", 0) != 0) key.fail(key.at("uri"), "key.uri must be an RFC 7512 pkcs11: URI");
    return s;
  }
  if (source == "azure-keyvault") {
    key.only({"source", "vault_url", "key", "key_version", "certificate", "tenant_id", "client_id", "client_secret",
              "authority_url", "api_version", "chain"});
    AzureKeyVaultSource s;
    s.vault_url = key.string("vault_url");
    s.key = key.string("key");
    s.key_version = key.optional_string("key_version").value_or("");
    s.certificate = key.optional_string("certificate").value_or(s.key);
    s.tenant_id = key.string("tenant_id");
    s.client_id = key.string("client_id");
    s.client_secret = key.secret("client_secret");
    if (auto v = key.optional_string("authority_url")) s.authority_url = *v;
    if (auto v = key.optional_string("api_version")) s.api_version = *v;
    s.chain = key.optional_path("chain");
    return s;
  }
  if (source == "csc") {
    key.only({"source", "base_url", "credential_id", "client_id", "client_secret", "username", "password", "pin", "otp",
              "chain"});
    CscSource s;
    s.base_url = key.string("base_url");
    s.credential_id = key.optional_string("credential_id").value_or("");
    s.client_id = key.optional_string("client_id").value_or("");
    s.client_secret = key.optional_secret("client_secret");
    s.username = key.optional_string("username").value_or("");
    s.password = key.optional_secret("password");
    s.pin = key.optional_secret("pin");
    s.otp = key.optional_secret("otp");
    s.chain = key.optional_path("chain");
    if (s.client_id.empty() == s.username.empty())
      key.fail(key.node(), "key: a csc source needs either client_id (with client_secret) or username (with password)");
    return s;
  }
  key.fail(key.at("source"), "key.source must be pkcs12, pem, pkcs11, azure-keyvault or csc, not '" + source + "'");
}

SignatureSettings parse_signature(const Section& s) {
  s.only({"format", "level", "digest", "padding", "reason", "location", "contact", "certify", "lock_fields"});
  SignatureSettings out;
  if (auto v = s.optional_string("format")) out.format = parse_signature_format(*v, s.where("format"));
  if (auto v = s.optional_string("level")) out.level = parse_signature_level(*v, s.where("level"));
  if (auto v = s.optional_string("digest")) out.digest = parse_digest_algorithm(*v, s.where("digest"));
  if (auto v = s.optional_string("padding")) {
    if (*v == "pkcs1") out.rsa_padding = RsaPadding::pkcs1;
    else if (*v == "pss") out.rsa_padding = RsaPadding::pss;
    else s.fail(s.at("padding"), "signature.padding must be pkcs1 or pss");
  }
  out.reason = s.optional_string("reason").value_or("");
  out.location = s.optional_string("location").value_or("");
  out.contact = s.optional_string("contact").value_or("");
  if (auto v = s.optional_string("certify")) out.certify = parse_certification(*v, s.where("certify"));
  if (s.has("lock_fields")) {
    YAML::Node v = s.at("lock_fields");
    if (v.IsSequence()) {
      for (const YAML::Node& name : v) {
        if (!name.IsScalar() || name.Scalar().empty()) s.fail(name, "signature.lock_fields lists field names");
        out.lock_fields.fields.push_back(name.Scalar());
      }
      if (out.lock_fields.fields.empty()) s.fail(v, "signature.lock_fields must be 'all' or a list of field names");
    } else {
      out.lock_fields = parse_field_lock(s.string("lock_fields"), s.where("lock_fields"));
    }
  }
  return out;
}

Appearance parse_appearance(const Section& s) {
  s.only({"page", "rect", "text"});
  Appearance a;
  if (auto page = s.optional_string("page")) {
    if (*page == "last") a.page = 0;
    else if (*page == "first") a.page = 1;
    else {
      double n = s.number(s.at("page"), "appearance.page");
      if (n < 1 || n != static_cast<int>(n)) s.fail(s.at("page"), "appearance.page must be first, last or a page number from 1");
      a.page = static_cast<int>(n);
    }
  }
  if (s.has("rect")) {
    YAML::Node r = s.at("rect");
    if (!r.IsSequence() || r.size() != 4) s.fail(r, "appearance.rect must be a list of 4 numbers [x1, y1, x2, y2]");
    for (std::size_t i = 0; i < 4; ++i) a.rect[i] = s.number(r[i], "appearance.rect");
    if (a.rect[2] <= a.rect[0] || a.rect[3] <= a.rect[1]) s.fail(r, "appearance.rect must have x2 > x1 and y2 > y1");
  }
  if (auto t = s.optional_string("text")) a.text = *t;
  return a;
}

// A whole number in [low, high].
std::size_t bounded(const Section& s, const char* key, double low, double high) {
  double n = s.number(s.at(key), std::string("signing.") + key);
  if (n != static_cast<double>(static_cast<long long>(n)) || n < low || n > high)
    s.fail(s.at(key), fmt::format("signing.{} must be a whole number from {} to {}", key, low, high));
  return static_cast<std::size_t>(n);
}

BatchSettings parse_signing(const Section& s) {
  s.only({"max_batch", "max_in_flight", "max_wait_ms"});
  BatchSettings b;
  if (s.has("max_batch")) b.max_batch = bounded(s, "max_batch", 1, 1000);
  if (s.has("max_in_flight")) b.max_in_flight = bounded(s, "max_in_flight", 1, 256);
  if (s.has("max_wait_ms")) b.max_wait = std::chrono::milliseconds(bounded(s, "max_wait_ms", 0, 10000));
  return b;
}

}  // namespace

Profile parse_profile(const std::string& yaml, const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw Error(Errc::config, file.string() + ":" + std::to_string(e.mark.line + 1), "not valid YAML: " + e.msg);
  }
  Section top(root, "", file);
  top.only({"name", "key", "signature", "appearance", "timestamp", "signing", "revocation", "require_login"});
  Profile p;
  p.file = file;
  p.name = top.optional_string("name").value_or(file.stem().string());
  if (!top.has("key")) top.fail(root, "missing key 'key'");
  p.key = parse_key(top.child("key"));
  if (top.has("signature")) p.signature = parse_signature(top.child("signature"));
  if (top.has("appearance")) p.appearance = parse_appearance(top.child("appearance"));
  if (top.has("timestamp")) {
    Section ts = top.child("timestamp");
    ts.only({"url", "username", "password", "policy", "trust"});
    TimestampSettings t;
    t.url = ts.string("url");
    t.username = ts.optional_string("username").value_or("");
    t.password = ts.optional_secret("password");
    t.policy = ts.optional_string("policy").value_or("");
    t.trust = ts.optional_path("trust");
    p.timestamp = std::move(t);
  }
  if (top.has("signing")) p.signing = parse_signing(top.child("signing"));
  if (top.has("revocation")) {
    Section rev = top.child("revocation");
    rev.only({"embed", "required"});
    p.revocation_embed = rev.boolean("embed", false);
    p.revocation_required = rev.boolean("required", true);
  }
  p.require_login = top.boolean("require_login", false);
  return p;
}

}  // namespace esign
