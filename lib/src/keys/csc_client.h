// The Cloud Signature Consortium API v2 over HTTP: one method per endpoint esign uses, JSON in
// and out, the service's error bodies turned into esign::Error. No signing policy lives here.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/error.h"
#include "esign/secret.h"

namespace esign::csc {

using Clock = std::chrono::system_clock;

// The service refused a credentials/authorize or signatures/signHash request as such (HTTP 400
// invalid_request: too many hashes, a hash it will not sign): a smaller request may pass.
class RequestRefused : public Error {
 public:
  using Error::Error;
};

// The service refused the access token (HTTP 401, "invalid_token"): the caller may log in again.
class TokenRejected : public Error {
 public:
  using Error::Error;
};

// signatures/signHash refused the SAD (expired, used up, unknown): the caller may authorize again.
class SadRejected : public Error {
 public:
  using Error::Error;
};

struct Token {
  Secret access_token;
  Clock::time_point expires;
};

// What credentials/authorize asks for (CSC v2 §11.6 "auth" object, or the v1 PIN/OTP fields).
struct AuthNeeds {
  std::string mode = "explicit";  // implicit | explicit | oauth2code
  bool pin = false;
  bool otp = false;
};

// credentials/info, reduced to what a signer needs.
struct CredentialInfo {
  std::string id;
  std::vector<Certificate> chain;      // cert/certificates: the signer's certificate first
  std::vector<std::string> key_algos;  // key/algo: signature algorithm OIDs the key supports
  std::string key_status;              // "enabled" | "disabled" ("" when not reported)
  int scal = 1;                        // 2: the hashes must be sent with credentials/authorize
  int multisign = 1;                   // the most signatures one authorization may cover
  bool multisign_reported = false;     // credentials/info said so (1 is assumed otherwise)
  AuthNeeds auth;
};

// Signature activation data from credentials/authorize.
struct Sad {
  Secret value;
  Clock::time_point expires;
};

// One service at `base_url` (https://, or http:// to a loopback host). Requests time out and
// 429/5xx answers are retried with backoff (http::send_with_retry). Every method throws
// Error(remote) when the service fails or answers something unreadable, Error(key) when it
// refuses a PIN, OTP, client secret or password, TokenRejected for a refused token, and
// Error(config) for a base URL that is neither https:// nor loopback http://. Messages name the
// endpoint and the service's `error` and `error_description`, never a secret.
// Not thread-safe: one caller at a time.
class Client {
 public:
  explicit Client(std::string base_url);

  const std::string& base_url() const noexcept { return base_url_; }
  // The bearer token sent with every call after the login calls.
  void set_token(Secret token) { token_ = std::move(token); }
  bool has_token() const noexcept { return !token_.empty(); }
  const Secret& token() const noexcept { return token_; }

  // info (§11.1): the service's authType, methods and oauth2 base URI. Throws Error(config)
  // when the service does not offer `auth_type` ("oauth2client" or "basic") or signHash.
  // Returns the base URI to use for oauth2/token.
  std::string check_info(const std::string& auth_type);
  // oauth2/token (§8.3.3) with grant_type client_credentials (RFC 6749 §4.4, client_secret_post).
  Token token_client_credentials(const std::string& oauth2_base, const std::string& client_id, const Secret& secret);
  // auth/login (§11.2) with HTTP Basic authentication.
  Token login_basic(const std::string& username, const Secret& password);

  // credentials/list (§11.4).
  std::vector<std::string> list_credentials();
  // credentials/info (§11.5) with the whole chain, certInfo and authInfo.
  CredentialInfo credential_info(const std::string& credential_id);
  // credentials/authorize (§11.6): a SAD for `num_signatures`; SCAL 2 passes the hashes.
  Sad authorize(const std::string& credential_id, int num_signatures, std::span<const Digest> hashes,
                const Secret* pin, const Secret* otp);
  // signatures/signHash (§11.9): one signature value per hash, in order, as the service
  // returns them. `sign_algo_params` is DER ("" bytes when the algorithm has none).
  std::vector<Bytes> sign_hash(const std::string& credential_id, const Secret& sad, std::span<const Digest> hashes,
                               const std::string& sign_algo, ByteView sign_algo_params);

 private:
  struct Answer;
  std::string url(const std::string& endpoint) const;

  std::string base_url_;
  Secret token_;
};

// Decodes standard base64 (whitespace ignored). Throws Error(remote, subject) when malformed.
Bytes base64_decode(const std::string& text, const std::string& subject);

}  // namespace esign::csc
