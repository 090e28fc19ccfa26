// Signing profiles: YAML files that say which key signs, how, and what the signature looks like.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <variant>

#include "esign/certificate.h"
#include "esign/signer.h"

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

// A certification (author) signature's DocMDP permissions, ISO 32000-2 §12.8.2.2: what may change
// in the document after it. Only the first signature of a document may certify it.
enum class Certification {
  none = 0,          // an approval signature
  no_changes = 1,    // P1: validation data and document time-stamps only
  form_filling = 2,  // P2: also filling in form fields and signing
  annotations = 3,   // P3: also adding, changing and deleting annotations
};
// "1"|"2"|"3" (or "none"); throws Error(config, subject) otherwise.
Certification parse_certification(const std::string& text, const std::string& subject);

// The form fields a signature locks (FieldMDP, ISO 32000-2 §12.8.2.4 and the signature field's
// /Lock, §12.7.5.5): none, all of them, the fields named (fully qualified names; a name also
// covers the fields below it), or, with `exclude` (only as read from a PDF), all but those.
struct FieldLock {
  bool all = false;
  std::vector<std::string> fields;
  bool exclude = false;
  bool any() const { return all || exclude || !fields.empty(); }
  bool locks(const std::string& field) const;
};
// "all" or "NAME,NAME,..."; throws Error(config, subject) for an empty list or an empty name.
FieldLock parse_field_lock(const std::string& text, const std::string& subject);

struct SignatureSettings {
  SignatureFormat format = SignatureFormat::auto_detect;
  SignatureLevel level = SignatureLevel::b_b;
  DigestAlgorithm digest = DigestAlgorithm::sha256;
  RsaPadding rsa_padding = RsaPadding::pkcs1;
  std::string reason;
  std::string location;
  std::string contact;
  Certification certify = Certification::none;  // PDF only
  FieldLock lock_fields;                        // PDF only
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
  BatchSettings signing;  // signing: how bulk hands digests to the key (unset: the source's defaults)
  bool revocation_embed = false;
  bool revocation_required = true;
  bool require_login = false;
};

// ---- finding profiles --------------------------------------------------------------------

// One folder of the profile search path.
struct ProfileFolder {
  std::filesystem::path path;
  // What put it there: "ESIGN_PROFILE_PATH", "ESIGN_HOME", "XDG_CONFIG_HOME", "HOME" (the config
  // folder's fallback ~/.config/esign) or "examples" (the examples installed with esign).
  std::string origin;
  bool examples = false;
  bool exists = false;  // it is a folder (when the search path was made)
};

// The folders a profile name is looked up in, in order: each entry of $ESIGN_PROFILE_PATH
// (colon-separated); the config folder's profiles/ ($ESIGN_HOME/profiles, else
// $XDG_CONFIG_HOME/esign/profiles, else ~/.config/esign/profiles; empty variables count as
// unset); then the examples installed with esign, <prefix>/share/esign/profiles, found from the
// running executable (<prefix>/bin/esign), never from the source tree. Folders that do not exist
// are listed too. Never throws.
std::vector<ProfileFolder> profile_search_path();

// Finds a profile by name or by path, then loads it. A path is anything containing '/' or ending
// in .yaml/.yml. A name is looked up folder by folder along profile_search_path(): in each folder
// NAME.yaml, then NAME.yml, then the one file whose `name:` is NAME. Throws Error(config): no such
// profile (the message lists the folders searched), two files of one folder both named NAME (the
// message names both), a file that cannot be read, or the profile's own errors (file, line and key
// for unknown keys, wrong types, missing keys, a secret that is not a reference).
Profile load_profile(const std::string& name_or_path);

// A profile file found on the search path.
struct ProfileListing {
  std::filesystem::path file;
  std::size_t folder = 0;          // index into profile_search_path()
  std::string name;                // its `name:` (the file name without extension by default)
  std::optional<Profile> profile;  // the loaded profile; empty when it does not load
  std::string error;               // why it does not load ("" when it does)
  bool reachable = false;          // load_profile(name) finds this very file (no earlier one shadows it)
};

// Every *.yaml / *.yml file in every folder of the search path, in search-path order, sorted by
// file name within a folder. A file that does not load is listed with its error. Never throws
// for a bad profile; a folder that cannot be read counts as empty.
std::vector<ProfileListing> list_profiles();

// The user's profile files (the installed examples left out): for each name the file
// load_profile(name) would pick, and every file that does not load, sorted by name.
std::vector<std::filesystem::path> profile_files();

// Loads a profile from YAML text (for tests); `file` is used for messages and relative paths.
Profile parse_profile(const std::string& yaml, const std::filesystem::path& file);

// ---- showing profiles ------------------------------------------------------------------

// "pkcs12", "pem", "pkcs11", "azure-keyvault" or "csc".
std::string key_source_name(const KeySource& key);

enum class ProfileFormat { yaml, json };

// The profile as a document of its own: every setting with its default filled in, paths made
// absolute, secrets as their references (env:VAR, file:ABSOLUTE-PATH, prompt), never resolved.
// The YAML form loads again as the same profile and starts with a comment naming its file; the
// JSON form adds "file". Never throws.
std::string render_profile(const Profile& profile, ProfileFormat format);

}  // namespace esign
