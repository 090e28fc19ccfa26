// Test fixtures for unit tests: a temporary folder and the shell-made test PKI and PDFs.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace esign::test {

// A fresh folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "esign-unit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// The PKI and PDFs of tests/support/make_pki.sh and make_pdfs.sh, made once per test binary
// under `name` in the build tree (the scripts skip work that is already done).
inline std::filesystem::path fixtures(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(ESIGN_BINARY_DIR) / "unit-fixtures" / name;
  std::string cmd = "bash '" ESIGN_SOURCE_DIR "/tests/support/make_pki.sh' '" + (dir / "pki").string() +
                    "' >/dev/null 2>&1 && bash '" ESIGN_SOURCE_DIR "/tests/support/make_pdfs.sh' '" +
                    (dir / "pdf").string() + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot make test fixtures in " + dir.string());
  return dir;
}

}  // namespace esign::test
