// decrypt_file over a hostile file: the envelope reader (EnvelopedData and AuthEnvelopedData,
// DER or BER with indefinite lengths), recipient matching, algorithm checks, the streamed
// decryption and the GCM tag, with a key that the seed envelopes are encrypted to.
#include <cstdint>

#include "esign/envelope.h"
#include "esign/error.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "fuzz_support.h"

using namespace esign;

namespace {

const Profile& profile() {
  static const Profile p = [] {
    std::filesystem::path keys = fuzz::keys_dir();
    return parse_profile("name: fuzz\nkey:\n  source: pem\n  key: " + (keys / "key.pem").string() +
                             "\n  cert: " + (keys / "cert.pem").string() + "\n",
                         keys / "fuzz.yaml");
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  profile();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::filesystem::path input = fuzz::scratch_file("input.p7m", data, size);
  try {
    decrypt_file(profile(), SecretResolver(), input, fuzz::scratch() / "output", true);
  } catch (const Error&) {
  }
  return 0;
}
