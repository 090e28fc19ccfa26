// A private key somewhere and the certificates that go with it: what every key source provides.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "esign/bytes.h"
#include "esign/certificate.h"

namespace esign {

enum class SignatureScheme { rsa_pkcs1, rsa_pss, ecdsa };

class Signer {
 public:
  virtual ~Signer() = default;
  // The signer's certificate first, then intermediates (never empty).
  virtual const std::vector<Certificate>& chain() const = 0;
  virtual SignatureScheme scheme() const = 0;
  // An upper bound of sign()'s output length in bytes (sizes the PDF /Contents placeholder).
  virtual std::size_t max_signature_size() const = 0;
  // Signs a digest computed by the caller; returns the signature value as CMS carries it
  // (RSA: the raw block; ECDSA: DER Ecdsa-Sig-Value; RSASSA-PSS: salt length = digest length).
  // Throws Error(key) when the key refuses. Thread-safety: implementations say.
  virtual Bytes sign(const Digest& digest) = 0;
  // True when sign() may be called from several threads at once (bulk workers); otherwise
  // callers serialize their calls.
  virtual bool concurrent() const { return false; }
  // Several digests at once (remote services batch); the default loops over sign().
  virtual std::vector<Bytes> sign_batch(std::span<const Digest> digests);
};

struct Profile;
class SecretResolver;

// Opens the key the profile names (loading files, asking for secrets through `secrets`).
// Throws Error(key) for a wrong password, Error(config)/Error(input) for missing or bad files.
std::unique_ptr<Signer> open_signer(const Profile& profile, const SecretResolver& secrets);

}  // namespace esign
