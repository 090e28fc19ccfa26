// What every Signer has unless its source knows better: sign_batch() as a loop over sign(), and
// the batch limits of a key that signs one digest at a time.
#include <fmt/format.h>

#include "esign/error.h"
#include "keys/openers.h"

namespace esign {

std::vector<BatchSignature> Signer::sign_batch(std::span<const Digest> digests) {
  std::vector<BatchSignature> out(digests.size());
  for (std::size_t i = 0; i < digests.size(); ++i) {
    try {
      out[i].value = sign(digests[i]);
    } catch (const Error& e) {
      // A refused PIN or a removed token refuses every digest: the batch failed as a whole.
      if (e.code() == Errc::key || digests.size() == 1) throw;
      out[i].error = std::current_exception();
    }
  }
  return out;
}

BatchLimits Signer::batch_limits(const BatchSettings& wanted) const {
  return settle_batch_limits(BatchLimits{}, wanted, concurrent() ? 256 : 1, "this key signs one digest at a time");
}

BatchLimits settle_batch_limits(BatchLimits defaults, const BatchSettings& wanted, std::size_t max_in_flight,
                                const std::string& why) {
  BatchLimits l = defaults;
  if (wanted.max_batch) l.max_batch = *wanted.max_batch;
  if (wanted.max_in_flight) l.max_in_flight = *wanted.max_in_flight;
  if (wanted.max_wait) l.max_wait = *wanted.max_wait;
  if (l.max_in_flight > max_in_flight)
    throw Error(Errc::config, "signing.max_in_flight",
                fmt::format("{} is more than this key source takes ({}: {})", l.max_in_flight, max_in_flight, why));
  return l;
}

}  // namespace esign
