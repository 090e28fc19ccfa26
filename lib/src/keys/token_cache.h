// The cache of service logins: one JSON file per profile in $XDG_STATE_HOME/esign/logins/,
// mode 0600 in a 0700 folder, written atomically. It holds bearer tokens: never log its contents.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esign/profile.h"

namespace esign::token_cache {

// $XDG_STATE_HOME/esign (default ~/.local/state/esign).
std::filesystem::path state_dir();

struct Entry {
  std::string profile;       // name
  std::string profile_file;  // absolute path: the cache key
  std::string service;       // "azure-keyvault" | "csc"
  std::chrono::system_clock::time_point expires;
  nlohmann::json data;       // service-specific: access_token, sad, credential, ...
};

// The unexpired entry for this profile, if any (an expired one is deleted).
std::optional<Entry> load(const Profile& profile);
// Writes (replaces) the profile's entry.
void store(const Profile& profile, const std::string& service, std::chrono::system_clock::time_point expires,
           nlohmann::json data);
bool remove(const Profile& profile);
std::vector<Entry> list();

}  // namespace esign::token_cache
