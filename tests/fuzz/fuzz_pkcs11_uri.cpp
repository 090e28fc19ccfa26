// RFC 7512 pkcs11: URIs as a profile's key.uri gives them (p11-kit parses, esign narrows).
#include <cstdint>
#include <string>

#include "esign/error.h"
#include "keys/pkcs11_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    esign::pkcs11::parse_uri(text, "fuzz.yaml");
    esign::pkcs11::parse_uri("pkcs11:" + text, "fuzz.yaml");
  } catch (const esign::Error&) {
  }
  return 0;
}
