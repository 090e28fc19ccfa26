// The CSC signer: a credential of a remote signing service, signing digests through
// signatures/signHash, many hashes per request.
//
// Batches. sign_batch() sends its digests in requests of at most batch_limit() hashes (the
// credential's multisign, what is left of a reused SAD, what the service was seen to take) and
// of one digest algorithm. Bulk signing hands it batches of signing.max_batch digests
// (default: multisign, or 100 when the service does not say). Requests go one at a time (a
// mutex): a SAD and the OTPs that authorize it are used in order, so max_in_flight is 1.
// A request the service refuses as such (HTTP 400: too many hashes, a hash it will not sign)
// is sent again as two halves, down to single hashes: a hash the service refuses fails only
// its own document, and when both halves of a refused request pass, later requests keep to
// that size.
//
// Authorizations. SCAL 2: one credentials/authorize per request, carrying exactly its hashes
// (numSignatures = their count). SCAL 1: a SAD is reused while it has signatures left and
// has not expired: the SAD a `esign login --otp` cached (its remaining count is written back to
// the login cache), or one the signer obtained itself; a new authorization asks for the request's
// size, or for `multisign` signatures when the credential needs a one-time password (so one
// OTP covers as much as the service allows). A refused token leads to one fresh login and a
// retry; a refused reused SAD (expired early, forgotten) to one fresh authorization. A refused
// PIN or OTP is never retried: every later call fails with the same error without calling the
// service, so a batch cannot lock the credential.
//
// Every returned signature value is checked against the certificate's public key before it
// is handed out (a value that fails fails its document), and an ECDSA value is accepted as DER
// Ecdsa-Sig-Value or as raw r||s.
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "der/oid.h"
#include "crypto/openssl.h"
#include "keys/csc_session.h"
#include "keys/openers.h"

namespace esign {

namespace {

using namespace std::chrono_literals;
using csc::Clock;

constexpr std::size_t kDefaultBatch = 100;  // hashes per request when multisign is not reported
constexpr auto kBulkWait = 100ms;           // bulk: how long a batch may wait to fill
constexpr auto kSadMargin = 10s;            // a SAD this close to its expiry is not used

using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

Bytes encode(const ECDSA_SIG* sig) {
  unsigned char* buf = nullptr;
  int len = i2d_ECDSA_SIG(sig, &buf);
  if (len <= 0) ossl::fail(Errc::internal, "ECDSA", "cannot encode a signature value");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// CMS wants DER Ecdsa-Sig-Value (RFC 5753 §2.1.1). What signHash returns for ecdsa-with-SHA*
// is DER in most services, raw r||s (as in JWS) in some.
std::optional<Bytes> ecdsa_der(const Bytes& value, std::size_t order_bytes) {
  const unsigned char* p = value.data();
  EcdsaSig parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(value.size())));
  if (parsed && p == value.data() + value.size() && encode(parsed.get()) == value) return value;
  ossl::clear_errors();
  if (value.size() != 2 * order_bytes) return std::nullopt;
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(value.data(), static_cast<int>(order_bytes), nullptr);
  BIGNUM* s = BN_bin2bn(value.data() + order_bytes, static_cast<int>(order_bytes), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ossl::fail(Errc::internal, "ECDSA", "cannot build a signature value");
  }
  return encode(sig.get());
}

class CscSigner final : public Signer {
 public:
  CscSigner(std::unique_ptr<csc::Session> session, csc::CredentialInfo credential, std::vector<Certificate> chain,
            SignatureScheme scheme, std::optional<csc::ReusableSad> sad)
      : session_(std::move(session)),
        credential_(std::move(credential)),
        chain_(std::move(chain)),
        scheme_(scheme),
        public_key_(X509_get0_pubkey(chain_.front().native())),
        sad_(std::move(sad)) {
    if (!public_key_) ossl::fail(Errc::input, subject(), "cannot read the certificate's public key");
    order_bytes_ = static_cast<std::size_t>((EVP_PKEY_get_bits(public_key_) + 7) / 8);
  }

  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return scheme_; }
  std::size_t max_signature_size() const override { return static_cast<std::size_t>(EVP_PKEY_get_size(public_key_)); }
  // Calls from several threads are taken one at a time (see above).
  bool concurrent() const override { return true; }

  Bytes sign(const Digest& digest) override {
    BatchSignature r = std::move(sign_batch(std::span<const Digest>(&digest, 1)).front());
    if (r.error) std::rethrow_exception(r.error);
    return std::move(r.value);
  }

  std::vector<BatchSignature> sign_batch(std::span<const Digest> digests) override {
    std::lock_guard lock(mutex_);
    std::vector<BatchSignature> out(digests.size());
    std::exception_ptr whole;  // a request that failed for another reason than its hashes
    bool any_signed = false;
    for (std::size_t i = 0; i < digests.size();) {
      std::size_t n = 1;
      const std::size_t limit = batch_limit();
      while (n < limit && i + n < digests.size() && digests[i + n].algorithm == digests[i].algorithm) ++n;
      try {
        send(digests.subspan(i, n), out.data() + i);
        any_signed = true;
      } catch (const Error& e) {
        if (e.code() == Errc::key) throw;  // a refused PIN or OTP: nothing more is tried
        whole = std::current_exception();
        for (std::size_t k = i; k < i + n; ++k) out[k].error = whole;
      }
      i += n;
    }
    // Nothing signed and one cause: the batch failed as a whole (the caller may retry it).
    if (!any_signed && whole) std::rethrow_exception(whole);
    return out;
  }

  // Bulk signing: batches as large as the credential allows, one request at a time.
  BatchLimits batch_limits(const BatchSettings& wanted) const override {
    const std::size_t allowed = credential_.multisign_reported ? static_cast<std::size_t>(credential_.multisign) : kDefaultBatch;
    BatchLimits l = settle_batch_limits(BatchLimits{std::min<std::size_t>(allowed, 1000), 1, kBulkWait, false}, wanted, 1,
                                        "a credential's authorizations are used in order");
    if (credential_.multisign_reported && l.max_batch > allowed)
      throw Error(Errc::config, "signing.max_batch",
                  "credential " + credential_.id + " allows " + std::to_string(allowed) +
                      " signatures per authorization (multisign), fewer than " + std::to_string(l.max_batch));
    return l;
  }

  // Asks for the PIN and the first OTP now, before any document is touched (rather than from a
  // bulk worker later), when the first batch will need an authorization.
  void ask_secrets_now() {
    const bool authorizes_soon = !sad_ || credential_.scal >= 2;
    if (!authorizes_soon) return;
    if (credential_.auth.pin) pin_ = session_->resolve(*session_->source().pin, "PIN of credential " + credential_.id);
    if (credential_.auth.otp) first_otp_ = session_->resolve(*session_->source().otp, "one-time password for credential " + credential_.id);
  }

 private:
  std::string subject() const { return session_->profile().file.string(); }

  std::size_t batch_limit() const {
    std::size_t limit = std::min(learned_limit_, credential_.multisign_reported ? static_cast<std::size_t>(credential_.multisign)
                                                                                : kDefaultBatch);
    if (credential_.scal < 2 && sad_ && sad_->remaining > 0 && sad_->expires > Clock::now() + kSadMargin)
      limit = std::min(limit, static_cast<std::size_t>(sad_->remaining));
    return std::max<std::size_t>(limit, 1);
  }

  // send() for each half of `part`; whether every hash was signed.
  bool send_halves(std::span<const Digest> part, BatchSignature* out) {
    const std::size_t half = part.size() / 2;
    const bool first = send(part.first(half), out);
    const bool second = send(part.subspan(half), out + half);
    return first && second;
  }

  // One request for `part` (one digest algorithm), its values or errors into out[0..]. Returns
  // whether every hash was signed. A request refused as such is sent again as two halves; one
  // hash refused is that hash's error. Throws Error when the request failed for another reason.
  bool send(std::span<const Digest> part, BatchSignature* out) {
    if (part.size() > 1 && part.size() > learned_limit_) return send_halves(part, out);  // known to be refused
    std::vector<Bytes> raw;
    try {
      raw = run(part);
    } catch (const csc::RequestRefused&) {
      if (part.size() == 1) {
        out[0].error = std::current_exception();
        return false;
      }
      if (!send_halves(part, out)) return false;
      learned_limit_ = std::min(learned_limit_, part.size() - part.size() / 2);  // the size was refused
      return true;
    }
    bool all = true;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      try {
        out[i].value = checked(raw[i], part[i]);
      } catch (const Error&) {
        out[i].error = std::current_exception();
        all = false;
      }
    }
    return all;
  }

  std::vector<Bytes> run(std::span<const Digest> digests) {
    if (refused_) std::rethrow_exception(refused_);
    try {
      return attempt(digests);
    } catch (const Error& e) {
      // A wrong PIN or OTP, a refused secret: trying again could lock the credential.
      if (e.code() == Errc::key) refused_ = std::current_exception();
      throw;
    }
  }

  std::vector<Bytes> attempt(std::span<const Digest> digests) {
    const int n = static_cast<int>(digests.size());
    for (int tries = 0;; ++tries) {
      bool reused = false;
      try {
        std::vector<Bytes> raw;
        if (credential_.scal >= 2) {
          // SCAL 2 (CSC v2 §11.6): the authorization is bound to exactly these hashes.
          csc::Sad sad = authorize(n, digests);
          raw = sign_hash(sad.value, digests);
        } else {
          if (sad_ && (sad_->remaining < n || sad_->expires <= Clock::now() + kSadMargin)) drop_sad();
          if (sad_) {
            reused = true;
          } else {
            int count = credential_.auth.otp ? std::max(n, credential_.multisign) : n;
            csc::Sad sad = authorize(count, {});
            sad_ = csc::ReusableSad{std::move(sad.value), sad.expires, count, false};
          }
          raw = sign_hash(sad_->value, digests);
          sad_->remaining -= n;
          if (sad_->from_cache) session_->update_cached_sad(sad_->remaining);
          if (sad_->remaining <= 0) sad_.reset();
        }
        std::vector<Bytes> out;
        out.reserve(raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i) out.push_back(checked(raw[i], digests[i]));
        return out;
      } catch (const csc::TokenRejected&) {
        if (tries > 0) throw;
        if (sad_ && sad_->from_cache) sad_.reset();  // relogin drops the cached login with it
        session_->relogin();
      } catch (const csc::SadRejected&) {
        if (tries > 0 || !reused) throw;
        drop_sad();
      }
    }
  }

  void drop_sad() {
    if (sad_ && sad_->from_cache) session_->update_cached_sad(0);
    sad_.reset();
  }

  csc::Sad authorize(int count, std::span<const Digest> hashes) {
    const Secret* pin = nullptr;
    if (credential_.auth.pin) {
      if (!pin_) pin_ = session_->resolve(*session_->source().pin, "PIN of credential " + credential_.id);
      pin = &*pin_;
    }
    std::optional<Secret> otp;
    if (credential_.auth.otp) otp = next_otp();
    return session_->client().authorize(credential_.id, count, hashes, pin, otp ? &*otp : nullptr);
  }

  Secret next_otp() {
    if (first_otp_) {
      Secret otp = std::move(*first_otp_);
      first_otp_.reset();
      return otp;
    }
    if (!session_->source().otp)
      throw Error(Errc::key, subject(),
                  "credential " + credential_.id +
                      " needs a new one-time password: the login's authorization is used up or expired (or set key.otp "
                      "to prompt)",
                  Remedy::service_login_otp);
    return session_->resolve(*session_->source().otp, "one-time password for credential " + credential_.id);
  }

  std::vector<Bytes> sign_hash(const Secret& sad, std::span<const Digest> digests) {
    const DigestAlgorithm a = digests.front().algorithm;
    switch (scheme_) {
      case SignatureScheme::rsa_pkcs1: return session_->client().sign_hash(credential_.id, sad, digests, oid::rsa_encryption, {});
      case SignatureScheme::rsa_pss: {
        Bytes params = der::rsassa_pss_params(a);
        return session_->client().sign_hash(credential_.id, sad, digests, oid::rsassa_pss, params);
      }
      case SignatureScheme::ecdsa: return session_->client().sign_hash(credential_.id, sad, digests, oid::ecdsa_with(a), {});
    }
    return {};
  }

  // The value as CMS carries it, checked against the certificate's key: a service that signs
  // with another key or other parameters must not produce documents that fail verification.
  Bytes checked(const Bytes& raw, const Digest& digest) const {
    const std::string where = session_->client().base_url() + "/signatures/signHash";
    Bytes value = raw;
    if (scheme_ == SignatureScheme::ecdsa) {
      std::optional<Bytes> der_value = ecdsa_der(raw, order_bytes_);
      if (!der_value) throw Error(Errc::remote, where, "the service returned an ECDSA signature value that is neither DER nor r||s");
      value = std::move(*der_value);
    }
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new(public_key_, nullptr));
    bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx.get(), ossl::md_for(digest.algorithm)) == 1;
    if (ok && scheme_ == SignatureScheme::rsa_pss)
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), ossl::md_for(digest.algorithm)) == 1;
    else if (ok && scheme_ == SignatureScheme::rsa_pkcs1)
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
    if (!ok) ossl::fail(Errc::internal, where, "cannot check a signature value");
    int verified = EVP_PKEY_verify(ctx.get(), value.data(), value.size(), digest.value.data(), digest.value.size());
    ossl::clear_errors();
    if (verified != 1)
      throw Error(Errc::remote, where,
                  "the service returned a signature value that does not verify with credential " + credential_.id +
                      "'s certificate");
    return value;
  }

  std::unique_ptr<csc::Session> session_;
  csc::CredentialInfo credential_;
  std::vector<Certificate> chain_;
  SignatureScheme scheme_;
  EVP_PKEY* public_key_;  // owned by chain_.front()
  std::size_t order_bytes_ = 0;

  std::mutex mutex_;  // one request at a time; guards what follows
  std::size_t learned_limit_ = SIZE_MAX;  // the largest request size the service took after refusing a larger one
  std::optional<csc::ReusableSad> sad_;
  std::optional<Secret> pin_;
  std::optional<Secret> first_otp_;
  std::exception_ptr refused_;
};

SignatureScheme scheme_for(const csc::CredentialInfo& credential, const Certificate& leaf, const Profile& profile) {
  const std::string subject = profile.file.string();
  const EVP_PKEY* key = X509_get0_pubkey(leaf.native());
  int id = key ? EVP_PKEY_get_base_id(key) : 0;
  auto offers = [&](std::initializer_list<const char*> oids) {
    if (credential.key_algos.empty()) return true;  // not reported: let signHash decide
    return std::any_of(oids.begin(), oids.end(), [&](const char* o) {
      return std::find(credential.key_algos.begin(), credential.key_algos.end(), o) != credential.key_algos.end();
    });
  };
  if (id == EVP_PKEY_RSA) {
    if (profile.signature.rsa_padding == RsaPadding::pss) {
      if (!offers({oid::rsassa_pss}))
        throw Error(Errc::config, subject, "credential " + credential.id + " does not offer RSASSA-PSS (signature.padding: pss)");
      return SignatureScheme::rsa_pss;
    }
    return SignatureScheme::rsa_pkcs1;
  }
  if (id == EVP_PKEY_EC) {
    if (profile.signature.rsa_padding == RsaPadding::pss)
      throw Error(Errc::config, subject, "signature.padding pss applies only to RSA keys");
    return SignatureScheme::ecdsa;
  }
  throw Error(Errc::key, subject, "credential " + credential.id + " has an unsupported key type (RSA and EC keys are supported)");
}

}  // namespace

std::unique_ptr<Signer> open_csc(const CscSource& src, const Profile& profile, const SecretResolver& secrets) {
  auto session = std::make_unique<csc::Session>(src, profile, secrets);
  session->connect(true);
  csc::CredentialInfo credential = csc::fetch_credential(*session);
  std::vector<Certificate> chain = credential.chain;
  append_chain(chain, src.chain);
  SignatureScheme scheme = scheme_for(credential, chain.front(), profile);

  const std::string subject = profile.file.string();
  if (credential.auth.pin && !src.pin)
    throw Error(Errc::config, subject, "credential " + credential.id + " needs a PIN: set key.pin (env:, file: or prompt)");
  std::optional<csc::ReusableSad> sad;
  if (credential.scal < 2) sad = session->take_cached_sad(credential.id);
  if (credential.auth.otp && !sad && !src.otp)
    throw Error(Errc::config, subject,
                "credential " + credential.id + " needs a one-time password: " +
                    (credential.scal < 2 ? "log in with one first, or set key.otp"
                                         : "set key.otp (SCAL 2: to prompt; each signing is authorized on its own)"),
                credential.scal < 2 ? Remedy::service_login_otp : Remedy::none);

  auto signer = std::make_unique<CscSigner>(std::move(session), std::move(credential), std::move(chain), scheme, std::move(sad));
  signer->ask_secrets_now();
  return signer;
}

}  // namespace esign
