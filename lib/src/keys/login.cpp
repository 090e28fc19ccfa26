// login_service and friends: dispatch to the key source's own login, over the token cache.
#include "esign/login.h"

#include "esign/error.h"
#include "keys/openers.h"
#include "keys/token_cache.h"

namespace esign {

namespace {
CachedLogin to_cached(const token_cache::Entry& e, std::string detail) {
  return {e.profile, e.profile_file, e.service, e.expires, std::move(detail)};
}
}  // namespace

CachedLogin login_service(const Profile& profile, const SecretResolver& secrets, const LoginOptions& options) {
  if (const auto* az = std::get_if<AzureKeyVaultSource>(&profile.key)) return azure_login(*az, profile, secrets);
  if (const auto* csc = std::get_if<CscSource>(&profile.key)) return csc_login(*csc, profile, secrets, options);
  throw Error(Errc::usage, profile.file.string(),
              "this profile's key source has no service login (only azure-keyvault and csc have one)");
}

std::vector<CachedLogin> cached_logins() {
  std::vector<CachedLogin> out;
  for (const token_cache::Entry& e : token_cache::list()) out.push_back(to_cached(e, e.data.value("detail", "")));
  return out;
}

bool logout_service(const Profile& profile) { return token_cache::remove(profile); }

}  // namespace esign
