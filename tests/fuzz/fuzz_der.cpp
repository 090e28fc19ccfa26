// DER and CMS: esign's own DER reader walked to the bottom, then a detached CMS signature (.p7s)
// verified against fixed content the way `esign verify X.p7s` does (OpenSSL parses, esign checks
// signed attributes, ESS certificate references, time-stamp tokens and paths).
#include <cstdint>

#include "der/der.h"
#include "esign/error.h"
#include "fuzz_support.h"

using namespace esign;

namespace {

void walk(ByteView in, int depth) {
  if (depth > 32) return;
  der::Element e;
  while (!in.empty() && der::read(in, e)) {
    if (e.tag == der::tag::oid) der::oid_string(e.content);
    if ((e.tag & 0x20) != 0) walk(e.content, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::offline_verifier();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView view(data, size);
  walk(view, 0);
  der::leading_element(view);
  try {
    fuzz::offline_verifier().verify_file(fuzz::scratch_file("input.p7s", data, size), fuzz::keys_dir() / "data.txt");
  } catch (const Error&) {
  }
  return 0;
}
