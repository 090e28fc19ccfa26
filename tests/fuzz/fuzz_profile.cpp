// The profile loader: YAML (yaml-cpp underneath) into a Profile, with every key, value, secret
// reference and placement checked. Any input ends in a Profile or an esign::Error.
#include <cstdint>
#include <string>

#include "esign/error.h"
#include "esign/profile.h"

using namespace esign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  try {
    parse_profile(yaml, "/nonexistent/esign-fuzz/profile.yaml");
  } catch (const Error&) {
  }
  return 0;
}
