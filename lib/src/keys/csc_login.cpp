// `esign login --profile P` for a CSC service: a fresh token, and for a SCAL 1 credential that
// asks for a one-time password, an authorization for as many signatures as the service allows
// (multisign), cached so that later sign and bulk runs need no OTP until it expires.
#include "esign/error.h"
#include "keys/csc_session.h"
#include "keys/openers.h"
#include "keys/token_cache.h"

namespace esign {

CachedLogin csc_login(const CscSource& src, const Profile& profile, const SecretResolver& secrets,
                      const LoginOptions& options) {
  csc::Session session(src, profile, secrets);
  session.connect(false);
  csc::CredentialInfo credential = csc::fetch_credential(session);
  const std::string subject = profile.file.string();

  std::string detail;
  if (!credential.auth.otp) {
    if (options.otp) throw Error(Errc::usage, subject, "credential " + credential.id + " does not ask for one-time passwords");
    detail = session.store(credential.id, nullptr);
  } else if (credential.scal >= 2) {
    // CSC v2 §11.6: a SCAL 2 authorization names the hashes it covers, so it cannot be made ahead.
    if (options.otp)
      throw Error(Errc::usage, subject,
                  "credential " + credential.id +
                      " is SCAL 2: each signing is authorized with its own one-time password (set key.otp to prompt)");
    detail = session.store(credential.id, nullptr, "SCAL 2: each signing asks for a one-time password");
  } else {
    Secret otp;
    if (options.otp) otp = Secret(*options.otp);
    else if (src.otp) otp = session.resolve(*src.otp, "one-time password for credential " + credential.id);
    else throw Error(Errc::usage, subject, "credential " + credential.id + " needs a one-time password", Remedy::one_time_password);
    std::optional<Secret> pin;
    if (credential.auth.pin) {
      if (!src.pin) throw Error(Errc::config, subject, "credential " + credential.id + " needs a PIN: set key.pin (env:, file: or prompt)");
      pin = session.resolve(*src.pin, "PIN of credential " + credential.id);
    }
    csc::Sad sad = session.client().authorize(credential.id, credential.multisign, {}, pin ? &*pin : nullptr, &otp);
    csc::ReusableSad reusable{std::move(sad.value), sad.expires, credential.multisign, true};
    detail = session.store(credential.id, &reusable);
  }

  std::optional<token_cache::Entry> e = token_cache::load(profile);
  if (!e) throw Error(Errc::remote, subject, "the service's login expires at once; nothing was cached");
  return {e->profile, e->profile_file, e->service, e->expires, detail};
}

}  // namespace esign
