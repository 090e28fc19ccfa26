// Signing profiles: YAML files that say which key signs, how, and what the signature looks like.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "esign/certificate.h"

namespace esign {

// key.source: pkcs12 — one PKCS#12 file holding key, certificate and (optionally) the chain.
struct Pkcs12Source {
  std::filesystem::path path;
  std::string password;  // a secret reference (env:, file:, prompt), never the secret
  std::optional<std::filesystem::path> chain;
};

// key.source: pem — a private key file (PKCS#8 or traditional, optionally encrypted) and its certificate.
struct PemSource {
  std::filesystem::path key;
  std::filesystem::path cert;
  std::optional<std::filesystem::path> chain;
  std::optional<std::string> password;  // secret reference, only when the key is encrypted
};

using KeySource = std::variant<Pkcs12Source, PemSource>;

enum class SignatureFormat { auto_detect, pades, cades };
enum class SignatureLevel { b_b, b_t, b_lt, b_lta };
enum class RsaPadding { pkcs1, pss };

std::string to_string(SignatureLevel level);
// "B-B" etc.; throws Error(code, subject) otherwise.
SignatureLevel parse_signature_level(const std::string& text, const std::string& subject);
SignatureFormat parse_signature_format(const std::string& text, const std::string& subject);

struct SignatureSettings {
  SignatureFormat format = SignatureFormat::auto_detect;
  SignatureLevel level = SignatureLevel::b_b;
  DigestAlgorithm digest = DigestAlgorithm::sha256;
  RsaPadding rsa_padding = RsaPadding::pkcs1;
  std::string reason;
  std::string location;
  std::string contact;
};

// A visible signature box. page: 1-based, or 0 for the last page.
struct Appearance {
  int page = 0;
  std::array<double, 4> rect{36, 36, 256, 96};  // x1 y1 x2 y2 in points, lower-left origin
  std::string text = "Digitally signed by {signer}\n{date}";
};

struct TimestampSettings {
  std::string url;
};

struct Profile {
  std::string name;
  std::filesystem::path file;  // where it was loaded from; relative paths resolve against its folder
  KeySource key;
  SignatureSettings signature;
  std::optional<Appearance> appearance;
  std::optional<TimestampSettings> timestamp;
  bool revocation_embed = false;
  bool revocation_required = true;
  bool require_login = false;
};

// Finds a profile by name ($ESIGN_PROFILE_PATH, $XDG_CONFIG_HOME/esign/profiles, the repository's
// profiles/) or by path (anything containing '/' or ending in .yaml/.yml), then loads it.
// Throws Error(config) naming the file, line and key for unknown keys, wrong types, missing keys.
Profile load_profile(const std::string& name_or_path);
// Loads a profile from YAML text (for tests); `file` is used for messages and relative paths.
Profile parse_profile(const std::string& yaml, const std::filesystem::path& file);

}  // namespace esign
