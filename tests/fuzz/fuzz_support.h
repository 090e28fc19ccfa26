// Shared by the libFuzzer targets: a scratch file for entry points that read paths, and the
// folder of keys scripts/fuzz makes (ESIGN_FUZZ_KEYS) for targets that need a key.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "esign/verify.h"

namespace esign::fuzz {

// A per-process scratch folder (in /dev/shm when there is one), removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string pattern = (base / "esign-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    static std::filesystem::path made = pattern;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(made, ec);
    });
    return made;
  }();
  return dir;
}

// Writes `data` to scratch()/name (replacing it) and returns the path.
inline std::filesystem::path scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  std::filesystem::path file = scratch() / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) std::abort();
  return file;
}

// The folder scripts/fuzz prepared (key.pem, cert.pem, ca.pem, data.txt); aborts with a message
// when ESIGN_FUZZ_KEYS is not set, since the target cannot run without it.
inline std::filesystem::path keys_dir() {
  const char* dir = std::getenv("ESIGN_FUZZ_KEYS");
  if (dir == nullptr || *dir == '\0') {
    std::fprintf(stderr, "set ESIGN_FUZZ_KEYS to the folder scripts/fuzz prepares (key.pem, cert.pem, ca.pem)\n");
    std::abort();
  }
  return dir;
}

// A Verifier as `esign verify --offline --revocation off --visual off --trust ca.pem` makes it:
// trusting the keys folder's CA and asking no network. Nothing is rendered: the renderer is
// poppler's, isolated in a child process per file, and forking for every input would fuzz
// poppler slowly rather than esign.
inline const Verifier& offline_verifier() {
  static const Verifier v = [] {
    VerifyOptions options;
    options.trust = {keys_dir() / "ca.pem"};
    options.offline = true;
    options.revocation = RevocationPolicy::off;
    options.visual = VisualPolicy::off;
    return Verifier(options);
  }();
  return v;
}

}  // namespace esign::fuzz
