// Secret storage and the env:/file:/prompt resolver.
#include "esign/secret.h"

#include <openssl/crypto.h>

#include <cstdlib>
#include <fstream>
#include <istream>

#include "esign/error.h"

namespace esign {

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

void Secret::wipe() noexcept {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

Secret read_first_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  Secret s(std::move(line));
  return s;
}

Secret SecretResolver::resolve(const std::string& reference, const std::string& what,
                               const std::filesystem::path& base_dir, const std::string& subject) const {
  if (reference.rfind("env:", 0) == 0) {
    std::string var = reference.substr(4);
    const char* value = var.empty() ? nullptr : std::getenv(var.c_str());
    if (value == nullptr) throw Error(Errc::config, subject, "environment variable " + var + " for " + what + " is not set");
    return Secret(value);
  }
  if (reference.rfind("file:", 0) == 0) {
    std::filesystem::path p = reference.substr(5);
    if (p.is_relative()) p = base_dir / p;
    std::ifstream in(p, std::ios::binary);
    if (!in) throw Error(Errc::config, subject, "cannot read " + what + " from " + p.string());
    return read_first_line(in);
  }
  if (reference == "prompt") {
    if (!prompt_) throw Error(Errc::usage, subject, what + " is set to prompt but there is no terminal to ask on");
    return prompt_(what);
  }
  throw Error(Errc::config, subject, what + " must be env:VAR, file:PATH or prompt (secrets are never written in profiles)");
}

}  // namespace esign
