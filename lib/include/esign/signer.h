// A private key somewhere and the certificates that go with it: what every key source provides.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "esign/bytes.h"
#include "esign/certificate.h"

namespace esign {

enum class SignatureScheme { rsa_pkcs1, rsa_pss, ecdsa };

// How bulk signing hands digests to a key (docs/architecture.md "Signing in stages"): at most `max_batch`
// digests per sign_batch() call, at most `max_in_flight` calls at once, and a batch that is not
// full goes after `max_wait`. `local`: the key signs with this process's CPU (a key file), so
// the CPU workers sign themselves instead of handing batches to threads that wait on a device
// or a network.
struct BatchLimits {
  std::size_t max_batch = 1;
  std::size_t max_in_flight = 1;
  std::chrono::milliseconds max_wait{0};
  bool local = false;
};

// A profile's `signing:` section: what it sets overrides the key source's defaults.
struct BatchSettings {
  std::optional<std::size_t> max_batch;
  std::optional<std::size_t> max_in_flight;
  std::optional<std::chrono::milliseconds> max_wait;
};

// One digest's result in a batch: its signature value, or the error that fails only the
// document it belongs to.
struct BatchSignature {
  Bytes value;
  std::exception_ptr error;
};

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
  // True when sign() and sign_batch() may be called from several threads at once; otherwise
  // callers serialize their calls.
  virtual bool concurrent() const { return false; }
  // Several digests at once (remote services carry a batch in one request). Returns one result
  // per digest, in order: a digest the key refused fails alone. Throws Error when the batch
  // failed as a whole (the service is down, the PIN was refused); the caller may retry parts.
  // The default loops over sign().
  virtual std::vector<BatchSignature> sign_batch(std::span<const Digest> digests);
  // The limits bulk signing uses with this key: `wanted` (the profile's `signing:`) where set,
  // this source's defaults otherwise (batch 1, in flight 1, no wait; local keys and remote
  // sources override). Throws Error(config) for a setting the source cannot honour.
  virtual BatchLimits batch_limits(const BatchSettings& wanted) const;
};

struct Profile;
class SecretResolver;

// Opens the key the profile names (loading files, asking for secrets through `secrets`).
// Throws Error(key) for a wrong password, Error(config)/Error(input) for missing or bad files.
std::unique_ptr<Signer> open_signer(const Profile& profile, const SecretResolver& secrets);

}  // namespace esign
