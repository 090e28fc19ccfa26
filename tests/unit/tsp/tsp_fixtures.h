// Shared by the tsp unit tests: the fixture PKI and a shell runner for openssl commands.
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "fixtures.h"

namespace tsp_test {

inline const std::filesystem::path& fx() {
  static const std::filesystem::path dir = esign::test::fixtures("tsp");
  return dir;
}
inline std::string pki(const std::string& f) { return (fx() / "pki" / f).string(); }

// Runs `cmd` with its output discarded; throws when it fails.
inline void sh(const std::string& cmd) {
  if (std::system(("{ " + cmd + "; } >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace tsp_test
