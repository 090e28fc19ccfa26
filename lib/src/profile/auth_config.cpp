// The configuration file's `auth:` section: password policy, lockout, sessions, 2FA by role.
// yaml-cpp lives in this module, so the file is read here.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/verify.h"

namespace esign {

namespace {

namespace fs = std::filesystem;

class Reader {
 public:
  explicit Reader(fs::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const {
    std::string where = file_.string();
    if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    throw Error(Errc::config, where, reason);
  }

  void only(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> known) const {
    if (!map.IsMap()) fail(map, "'" + path + "' must be a mapping");
    std::set<std::string> names(known.begin(), known.end());
    for (const auto& kv : map) {
      if (!kv.first.IsScalar())
        fail(kv.first, (path.empty() ? std::string("the configuration's keys") : "the keys of '" + path + "'") +
                           " must be plain names, not lists or mappings");
      std::string key = kv.first.Scalar();
      if (!names.count(key)) fail(kv.first, "unknown key '" + (path.empty() ? key : path + "." + key) + "'");
    }
  }

  // A whole number in [lo, hi].
  template <class T>
  void integer(const YAML::Node& map, const char* key, const std::string& path, long lo, long hi, T& out) const {
    YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) return;
    std::string name = path + "." + key;
    if (!v.IsScalar()) fail(v, "'" + name + "' must be a whole number");
    char* end = nullptr;
    long n = std::strtol(v.Scalar().c_str(), &end, 10);
    if (v.Scalar().empty() || *end != '\0') fail(v, "'" + name + "' must be a whole number");
    if (n < lo || n > hi) fail(v, "'" + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    out = static_cast<T>(n);
  }

  // "90s", "15m", "8h", "2d" (a bare number is seconds), at least 1 s.
  void duration(const YAML::Node& map, const char* key, const std::string& path, std::chrono::seconds& out) const {
    YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) return;
    std::string name = path + "." + key;
    if (!v.IsScalar()) fail(v, "'" + name + "' must be a duration like 30s, 15m, 8h or 2d");
    std::string s = v.Scalar();
    long unit = 1;
    if (!s.empty() && std::string("smhd").find(s.back()) != std::string::npos) {
      unit = s.back() == 's' ? 1 : s.back() == 'm' ? 60 : s.back() == 'h' ? 3600 : 86400;
      s.pop_back();
    }
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > 366L * 86400 / unit)
      fail(v, "'" + name + "' must be a duration like 30s, 15m, 8h or 2d (at most a year)");
    out = std::chrono::seconds(n * unit);
  }

 private:
  fs::path file_;
};

}  // namespace

fs::path default_config_path() {
  auto set = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  if (const char* home = set("ESIGN_HOME")) return fs::path(home) / "config.yaml";
  if (const char* xdg = set("XDG_CONFIG_HOME")) return fs::path(xdg) / "esign" / "config.yaml";
  if (const char* home = set("HOME")) return fs::path(home) / ".config" / "esign" / "config.yaml";
  return {};
}

namespace {

// The configuration file's root mapping (null when the file does not exist or is empty), its
// sections checked against the known ones.
YAML::Node load_config_root(const fs::path& file) {
  std::error_code ec;
  if (file.empty() || !fs::exists(file, ec)) return YAML::Node();
  YAML::Node root;
  try {
    std::ifstream in(file);
    if (!in) throw Error(Errc::config, file.string(), "cannot read the configuration file");
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw Error(Errc::config, file.string() + ":" + std::to_string(e.mark.line + 1), e.msg);
  }
  if (!root.IsNull()) Reader(file).only(root, "", {"auth", "verify", "ledger"});
  return root;
}

}  // namespace

VerifyConfig load_verify_config(const fs::path& file) {
  VerifyConfig c;
  YAML::Node root = load_config_root(file);
  if (!root.IsDefined() || root.IsNull()) return c;
  YAML::Node v = root["verify"];
  if (!v.IsDefined() || v.IsNull()) return c;
  Reader r(file);
  r.only(v, "verify", {"revocation", "max_evidence_age"});
  if (YAML::Node p = v["revocation"]; p.IsDefined() && !p.IsNull()) {
    if (!p.IsScalar()) r.fail(p, "'verify.revocation' must be require, soft-fail or off");
    const std::string where = file.string() + (p.Mark().line >= 0 ? ":" + std::to_string(p.Mark().line + 1) : "");
    c.revocation = parse_revocation_policy(p.Scalar(), where);
  }
  if (YAML::Node a = v["max_evidence_age"]; a.IsDefined() && !a.IsNull()) {
    std::chrono::seconds age{0};
    r.duration(v, "max_evidence_age", "verify", age);
    c.max_evidence_age = age;
  }
  return c;
}

fs::path ledger_location(const std::string& flag, const fs::path& config_file) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ESIGN_LEDGER"); env != nullptr && *env != '\0') return env;
  YAML::Node root = load_config_root(config_file);
  if (root.IsDefined() && !root.IsNull()) {
    if (YAML::Node l = root["ledger"]; l.IsDefined() && !l.IsNull()) {
      if (!l.IsScalar() || l.Scalar().empty())
        Reader(config_file).fail(l, "'ledger' must be a file or a postgresql:// URI");
      const std::string& value = l.Scalar();
      if (value.starts_with("postgresql://") || value.starts_with("postgres://")) return value;
      const fs::path p(value);
      return p.is_absolute() ? p : config_file.parent_path() / p;
    }
  }
  return default_ledger_path();
}

AuthConfig load_auth_config(const fs::path& file) {
  AuthConfig c;
  YAML::Node root = load_config_root(file);
  if (!root.IsDefined() || root.IsNull()) return c;
  c.file = file;
  Reader r(file);
  YAML::Node auth = root["auth"];
  if (!auth.IsDefined() || auth.IsNull()) return c;
  r.only(auth, "auth", {"password", "lockout", "session", "dormant_days", "require_2fa", "totp_key_file"});
  if (YAML::Node k = auth["totp_key_file"]; k.IsDefined() && !k.IsNull()) {
    if (!k.IsScalar() || k.Scalar().empty()) r.fail(k, "'auth.totp_key_file' must be a file name");
    const fs::path p(k.Scalar());
    c.totp_key_file = p.is_absolute() ? p : file.parent_path() / p;
  }
  if (YAML::Node p = auth["password"]; p.IsDefined() && !p.IsNull()) {
    r.only(p, "auth.password", {"min_length", "history", "scrypt_log2_n"});
    r.integer(p, "min_length", "auth.password", 8, 1024, c.password_min_length);
    r.integer(p, "history", "auth.password", 0, 100, c.password_history);
    r.integer(p, "scrypt_log2_n", "auth.password", 10, 22, c.scrypt_log2_n);
  }
  if (YAML::Node l = auth["lockout"]; l.IsDefined() && !l.IsNull()) {
    r.only(l, "auth.lockout", {"attempts", "duration"});
    r.integer(l, "attempts", "auth.lockout", 1, 1000, c.lockout_attempts);
    r.duration(l, "duration", "auth.lockout", c.lockout_duration);
  }
  if (YAML::Node s = auth["session"]; s.IsDefined() && !s.IsNull()) {
    r.only(s, "auth.session", {"expiry", "idle", "limit"});
    r.duration(s, "expiry", "auth.session", c.session_expiry);
    r.duration(s, "idle", "auth.session", c.session_idle);
    r.integer(s, "limit", "auth.session", 1, 100, c.session_limit);
  }
  r.integer(auth, "dormant_days", "auth", 1, 3660, c.dormant_days);
  if (YAML::Node roles = auth["require_2fa"]; roles.IsDefined() && !roles.IsNull()) {
    if (!roles.IsSequence()) r.fail(roles, "'auth.require_2fa' must be a list of roles (admin, signer, auditor)");
    for (const auto& role : roles) {
      if (!role.IsScalar()) r.fail(role, "'auth.require_2fa' must be a list of roles (admin, signer, auditor)");
      const std::string& s = role.Scalar();
      if (s == "admin") c.require_2fa.insert(Role::admin);
      else if (s == "signer") c.require_2fa.insert(Role::signer);
      else if (s == "auditor") c.require_2fa.insert(Role::auditor);
      else r.fail(role, "unknown role '" + s + "' in 'auth.require_2fa' (admin, signer, auditor)");
    }
  }
  return c;
}

}  // namespace esign
