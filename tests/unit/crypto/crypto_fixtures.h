// Helpers of the crypto tests: the shared test PKI, openssl(1) runs, and certificates made for one test.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

#include "esign/certificate.h"
#include "fixtures.h"

namespace esign::test {

inline const std::filesystem::path& pki() {
  static const std::filesystem::path dir = fixtures("crypto") / "pki";
  return dir;
}

// Runs a shell command and returns its standard output; throws when it fails.
inline std::string run(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (::pclose(p) != 0) throw std::runtime_error("failed: " + command);
  return out;
}

// A self-signed certificate made by `openssl req -x509` in `dir`: `key` is an -newkey argument,
// `subject` an -subj argument, `extensions` extra -addext options. Returns the PEM file.
inline std::filesystem::path make_certificate(const TempDir& dir, const std::string& name, const std::string& key,
                                              const std::string& subject, const std::string& extensions = "") {
  const std::filesystem::path cnf = dir / "req.cnf";
  if (!std::filesystem::exists(cnf)) write_file(cnf, "[req]\ndistinguished_name = dn\n[dn]\n");
  const std::filesystem::path cert = dir / (name + ".pem");
  run("openssl req -x509 -utf8 -config '" + cnf.string() + "' -newkey " + key + " -nodes -keyout '" +
      (dir / (name + ".key")).string() + "' -subj '" + subject + "' -days 30 " + extensions + " -out '" + cert.string() +
      "' 2>/dev/null");
  return cert;
}

inline Certificate load_one(const std::filesystem::path& pem) { return Certificate::load_pem_file(pem).at(0); }

}  // namespace esign::test
