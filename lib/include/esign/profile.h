// Signing profiles: YAML files that say which key signs, how, and what the signature looks like.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
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

// key.source: pkcs11 — a key on a PKCS#11 token or HSM (libp11), named by an RFC 7512 URI.
struct Pkcs11Source {
  std::string uri;                                    // pkcs11:token=...;object=...;id=...
  std::optional<std::filesystem::path> module;        // p11-kit's proxy module otherwise
  std::optional<std::string> pin;                     // secret reference
  std::optional<std::filesystem::path> cert;          // the certificate, when not on the token
  std::optional<std::filesystem::path> chain;
};

// key.source: azure-keyvault — a key in Azure Key Vault, used through its REST API.
struct AzureKeyVaultSource {
  std::string vault_url;                              // https://NAME.vault.azure.net
  std::string key;                                    // key name
  std::string key_version;                            // "" for the current version
  std::string certificate;                            // certificate name ("" = the key's name)
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;                          // secret reference
  std::string authority_url = "https://login.microsoftonline.com";
  std::string api_version = "7.4";
  std::optional<std::filesystem::path> chain;
};

// key.source: csc — a remote signing service implementing the Cloud Signature Consortium API v2.
struct CscSource {
  std::string base_url;                               // https://host/csc/v2
  std::string credential_id;                          // "" = the only one credentials/list returns
  std::string client_id;                              // OAuth2 client credentials ...
  std::optional<std::string> client_secret;           // secret reference
  std::string username;                               // ... or basic auth through auth/login
  std::optional<std::string> password;                // secret reference
  std::optional<std::string> pin;                     // secret reference, for credentials/authorize
  std::optional<std::string> otp;                     // secret reference (usually prompt)
  std::optional<std::filesystem::path> chain;
};

using KeySource = std::variant<Pkcs12Source, PemSource, Pkcs11Source, AzureKeyVaultSource, CscSource>;

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

// timestamp: an RFC 3161 time-stamping authority.
struct TimestampSettings {
  std::string url;
  std::string username;                   // HTTP basic auth, optional
  std::optional<std::string> password;    // secret reference
  std::string policy;                     // requested TSA policy OID, optional
  std::optional<std::filesystem::path> trust;  // PEM: the TSA's chain, to check responses (optional)
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
// The profile files on the search path, one per name (the file load_profile(name) would pick),
// sorted by name. Folders that do not exist are skipped.
std::vector<std::filesystem::path> profile_files();
// Loads a profile from YAML text (for tests); `file` is used for messages and relative paths.
Profile parse_profile(const std::string& yaml, const std::filesystem::path& file);

}  // namespace esign
