// Login cache files: <state>/logins/<sha256 of the profile path>.json.
#include "keys/token_cache.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "esign/certificate.h"
#include "esign/error.h"
#include "esign/output.h"

namespace esign::token_cache {

namespace fs = std::filesystem;

namespace {

fs::path logins_dir() {
  fs::path dir = state_dir() / "logins";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(Errc::config, dir.string(), "cannot create the login cache folder: " + ec.message());
  ::chmod(state_dir().c_str(), 0700);
  ::chmod(dir.c_str(), 0700);
  return dir;
}

std::string key_of(const Profile& profile) { return fs::absolute(profile.file).lexically_normal().string(); }

fs::path file_for(const std::string& key) {
  return logins_dir() / (to_hex(digest_of(DigestAlgorithm::sha256, as_bytes(key)).value).substr(0, 32) + ".json");
}

std::optional<Entry> read_entry(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    Entry e;
    e.profile = j.at("profile").get<std::string>();
    e.profile_file = j.at("profile_file").get<std::string>();
    e.service = j.at("service").get<std::string>();
    e.expires = std::chrono::system_clock::time_point(std::chrono::seconds(j.at("expires").get<std::int64_t>()));
    e.data = j.at("data");
    if (e.expires <= std::chrono::system_clock::now()) {
      std::error_code ec;
      fs::remove(file, ec);
      return std::nullopt;
    }
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged cache file is as good as none
  }
}

}  // namespace

fs::path state_dir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return fs::path(xdg) / "esign";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local/state/esign";
  throw Error(Errc::config, "login cache", "neither XDG_STATE_HOME nor HOME is set");
}

std::optional<Entry> load(const Profile& profile) { return read_entry(file_for(key_of(profile))); }

void store(const Profile& profile, const std::string& service, std::chrono::system_clock::time_point expires,
           nlohmann::json data) {
  nlohmann::json j{{"profile", profile.name},
                   {"profile_file", key_of(profile)},
                   {"service", service},
                   {"expires", std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count()},
                   {"data", std::move(data)}};
  fs::path file = file_for(key_of(profile));
  OutputFile out(file, true, 0600);
  std::string text = j.dump();
  out.write(as_bytes(text));
  out.commit();
}

bool remove(const Profile& profile) {
  std::error_code ec;
  return fs::remove(file_for(key_of(profile)), ec);
}

std::vector<Entry> list() {
  std::vector<Entry> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(logins_dir(), ec))
    if (f.path().extension() == ".json")
      if (auto e = read_entry(f.path())) out.push_back(std::move(*e));
  return out;
}

}  // namespace esign::token_cache
