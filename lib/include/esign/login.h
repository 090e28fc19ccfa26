// Service logins for remote key sources: `esign login --profile P` gets a token (Azure AD,
// a CSC service's OAuth2 token and signature activation data) and caches it until it expires,
// in $XDG_STATE_HOME/esign/ (files 0600), where later sign and bulk runs find it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {

struct LoginOptions {
  std::optional<std::string> otp;  // --otp: a one-time code for services that ask for one
};

// What is cached for one profile (never the token itself).
struct CachedLogin {
  std::string profile;                          // profile name
  std::string profile_file;                     // absolute path of the profile
  std::string service;                          // "azure-keyvault" or "csc"
  std::chrono::system_clock::time_point expires;
  std::string detail;                           // e.g. "token", "token + SAD for 100 signatures"
};

// Logs in with the profile's key source and caches the result. Throws Error(usage) when the
// source has no service login (files, PKCS#11), Error(remote/auth) when the service refuses.
CachedLogin login_service(const Profile& profile, const SecretResolver& secrets, const LoginOptions& options);

// Every unexpired cached login (expired ones are removed as they are found).
std::vector<CachedLogin> cached_logins();

// Removes the profile's cached login; false when there was none.
bool logout_service(const Profile& profile);

}  // namespace esign
