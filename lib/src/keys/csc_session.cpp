// CSC logins over the login cache: a cached token is used only for the same service, identity
// and (for its SAD) credential, so editing a profile never sends one service's token to another.
#include "keys/csc_session.h"

#include <nlohmann/json.hpp>

#include "http/http.h"
#include "keys/token_cache.h"

namespace esign::csc {

namespace {

std::int64_t epoch_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
Clock::time_point from_epoch(std::int64_t s) { return Clock::time_point(std::chrono::seconds(s)); }

// A SAD that lapses within this margin is not worth a signHash call.
constexpr std::chrono::seconds kExpiryMargin{10};

}  // namespace

std::string login_detail(int sad_remaining, const std::string& note) {
  std::string d = sad_remaining > 0 ? "token + SAD for " + std::to_string(sad_remaining) + " signature" +
                                          (sad_remaining == 1 ? "" : "s")
                                    : "token";
  if (!note.empty()) d += " (" + note + ")";
  return d;
}

Session::Session(const CscSource& src, const Profile& profile, SecretResolver secrets)
    : src_(src), profile_(profile), secrets_(std::move(secrets)), client_(src.base_url) {
  const std::string& u = src_.base_url;
  bool https = u.rfind("https://", 0) == 0;
  bool loopback_http = u.rfind("http://", 0) == 0 && http::is_loopback(u);
  if (!https && !loopback_http)
    throw Error(Errc::config, profile_.file.string(),
                "key.base_url must be https:// (plain http:// only to a loopback test server): " + u.substr(0, u.find('?')));
}

Secret Session::resolve(const std::string& reference, const std::string& what) const {
  return secrets_.resolve(reference, what, profile_.file.parent_path(), profile_.file.string());
}

std::string Session::identity() const {
  return src_.client_id.empty() ? "user:" + src_.username : "client:" + src_.client_id;
}

void Session::connect(bool use_cache) {
  token_from_cache_ = false;
  cached_sad_.reset();
  if (use_cache) {
    if (auto e = token_cache::load(profile_); e && e->service == "csc") {
      const nlohmann::json& d = e->data;
      if (d.value("base_url", "") == client_.base_url() && d.value("identity", "") == identity() &&
          d.contains("access_token") && d["access_token"].is_string()) {
        client_.set_token(Secret(d["access_token"].get<std::string>()));
        token_expires_ = from_epoch(d.value("token_expires", std::int64_t{0}));
        token_from_cache_ = true;
        if (d.contains("sad") && d["sad"].is_string() && d.value("sad_remaining", 0) > 0 &&
            from_epoch(d.value("sad_expires", std::int64_t{0})) > Clock::now() + kExpiryMargin) {
          cached_sad_ = ReusableSad{Secret(d["sad"].get<std::string>()), from_epoch(d.value("sad_expires", std::int64_t{0})),
                                    d.value("sad_remaining", 0), true};
          cached_sad_credential_ = d.value("credential_id", "");
        }
        if (token_expires_ > Clock::now() + kExpiryMargin) return;
        token_from_cache_ = false;
        cached_sad_.reset();
      }
    }
  }
  const std::string subject = profile_.file.string();
  if (!src_.client_id.empty()) {
    if (!src_.client_secret)
      throw Error(Errc::config, subject, "key.client_secret is needed with key.client_id (env:, file: or prompt)");
    std::string oauth2 = client_.check_info("oauth2client");
    Secret secret = resolve(*src_.client_secret, "client secret for " + src_.client_id);
    Token t = client_.token_client_credentials(oauth2, src_.client_id, secret);
    token_expires_ = t.expires;
    client_.set_token(std::move(t.access_token));
  } else {
    if (!src_.password)
      throw Error(Errc::config, subject, "key.password is needed with key.username (env:, file: or prompt)");
    client_.check_info("basic");
    Secret password = resolve(*src_.password, "password of " + src_.username + " at the signing service");
    Token t = client_.login_basic(src_.username, password);
    token_expires_ = t.expires;
    client_.set_token(std::move(t.access_token));
  }
}

void Session::relogin() {
  if (token_from_cache_) token_cache::remove(profile_);
  connect(false);
}

std::string Session::credential_id() {
  if (!src_.credential_id.empty()) return src_.credential_id;
  std::vector<std::string> ids = client_.list_credentials();
  if (ids.size() == 1) return ids.front();
  if (ids.empty()) throw Error(Errc::config, profile_.file.string(), "the signing service lists no credential for this account");
  std::string all;
  for (const std::string& id : ids) all += (all.empty() ? "" : ", ") + id;
  throw Error(Errc::config, profile_.file.string(), "the signing service lists several credentials; set key.credential_id to one of: " + all);
}

CredentialInfo fetch_credential(Session& session) {
  auto fetch = [&] { return session.client().credential_info(session.credential_id()); };
  CredentialInfo info;
  try {
    info = fetch();
  } catch (const TokenRejected&) {
    if (!session.token_from_cache()) throw;
    session.relogin();
    info = fetch();
  }
  const std::string subject = session.profile().file.string();
  if (info.chain.empty())
    throw Error(Errc::remote, session.client().base_url() + "/credentials/info",
                "credential " + info.id + " comes with no certificate");
  if (info.key_status == "disabled") throw Error(Errc::key, subject, "credential " + info.id + ": the service reports its key disabled");
  if (info.auth.mode == "oauth2code")
    throw Error(Errc::config, subject,
                "credential " + info.id + " is authorized through an OAuth2 authorization code (a browser), which esign does not support");
  return info;
}

std::optional<ReusableSad> Session::take_cached_sad(const std::string& credential) {
  if (!cached_sad_ || cached_sad_credential_ != credential) return std::nullopt;
  std::optional<ReusableSad> out = std::move(cached_sad_);
  cached_sad_.reset();
  return out;
}

std::string Session::store(const std::string& credential, const ReusableSad* sad, const std::string& note) {
  nlohmann::json d{{"base_url", client_.base_url()},
                   {"identity", identity()},
                   {"credential_id", credential},
                   {"access_token", client_.token().reveal()},
                   {"token_expires", epoch_seconds(token_expires_)},
                   {"note", note}};
  Clock::time_point until = token_expires_;
  if (sad) {
    d["sad"] = sad->value.reveal();
    d["sad_expires"] = epoch_seconds(sad->expires);
    d["sad_remaining"] = sad->remaining;
    // The login exists for its SAD: once that lapses, signing needs a new OTP anyway.
    until = std::min(until, sad->expires);
  }
  std::string detail = login_detail(sad ? sad->remaining : 0, note);
  d["detail"] = detail;
  token_cache::store(profile_, "csc", until, std::move(d));
  return detail;
}

void Session::update_cached_sad(int remaining) {
  auto e = token_cache::load(profile_);
  if (!e || e->service != "csc") return;
  nlohmann::json d = std::move(e->data);
  if (remaining > 0) {
    d["sad_remaining"] = remaining;
  } else {
    d.erase("sad");
    d.erase("sad_remaining");
    d.erase("sad_expires");
  }
  std::string note = d.value("note", "");
  if (remaining <= 0) note = "its SAD is used up: log in again for more signatures";
  d["detail"] = login_detail(remaining, note);
  token_cache::store(profile_, "csc", e->expires, std::move(d));
}

}  // namespace esign::csc
