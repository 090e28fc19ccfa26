// esign certs: key pairs and certificate requests made where a profile's key lives, certificates
// installed beside their keys, PKCS#12 imports onto tokens, and the inventory of every
// certificate esign knows (for `certs list`, `certs expiring` and operators' cron jobs).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "esign/certificate.h"
#include "esign/ledger.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {


// ---- distinguished names -----------------------------------------------------------------

// One attribute of a distinguished name: a short name (CN, O, OU, C, L, ST, emailAddress, ...)
// or a dotted OID, and its value (UTF-8, escapes removed).
struct DnAttribute {
  std::string type;
  std::string value;
};

// Parses a subject in the OpenSSL form "/C=IN/O=Acme/CN=Asha" (most significant first) or in
// RFC 4514 form "CN=Asha,O=Acme,C=IN" (least significant first; escapes \, \+ \" \\ \< \> \;
// \= \# and \XX hex pairs). Returns the attributes most significant first, the order of the DER.
// Multi-valued RDNs (+) are refused. Throws Error(usage, text, reason): empty, a type OpenSSL
// does not know, a missing '=', a dangling escape, an empty value.
std::vector<DnAttribute> parse_dn(const std::string& text);

// ---- key generation and certificate requests ---------------------------------------------

enum class KeyType { rsa2048, rsa3072, p256, p384 };
// "rsa2048", "rsa3072", "p256", "p384". Throws Error(usage) for anything else.
KeyType parse_key_type(const std::string& name);
std::string to_string(KeyType type);

struct CsrRequest {
  std::string subject;             // either DN form (parse_dn)
  std::vector<std::string> sans;   // "email:a@b.example", "dns:host.example", "uri:https://..."
  KeyType key_type = KeyType::rsa3072;
};

struct CsrOutcome {
  std::string pem;           // the PKCS#10 request, PEM, signed by the key
  std::string key_location;  // where the key lives: the key file, "token LABEL (pkcs11:...)"
  std::string subject;       // the request's subject, RFC 2253
};

// Makes a new key pair where the profile's key lives and a request signed by it:
//   pem     an encrypted PKCS#8 file at key.key (PBES2: PBKDF2 and AES-256-CBC, with key.password),
//           mode 0600, written atomically;
//   pkcs11  C_GenerateKeyPair on the token, labelled and identified by the URI's object= and id=
//           (a random 8-byte id when the URI has none); RSA only (libp11 0.4.12 generates no EC keys);
//   azure-keyvault  POST /certificates/{certificate}/create with issuer "Unknown": the vault makes
//           a non-exportable key (a new version when the name exists) and the request, which is
//           checked here; SANs email: and dns: only.
// Throws Error: conflict (a key file or a token key of that label/id exists: never overwritten),
// config (a source that cannot generate: pkcs12, csc; a pem profile without key.password),
// usage (bad subject or SAN), key (token refused, login failed), remote/auth (Key Vault).
CsrOutcome generate_key(const Profile& profile, const SecretResolver& secrets, const CsrRequest& request);

// A new request for the profile's existing key (request.key_type is ignored). Throws like
// generate_key, with Error(key) when there is no key yet.
CsrOutcome make_csr(const Profile& profile, const SecretResolver& secrets, const CsrRequest& request);

// ---- installing, importing, exporting, removing ------------------------------------------

struct InstallOutcome {
  Certificate certificate;
  std::string location;  // the certificate file, or "token LABEL"
};

// Stores `cert` (a PEM file; its first certificate is the key's) beside the profile's key after
// checking it is that key's certificate: pem writes key.cert (and key.chain when `chain` is given
// and the profile names one; otherwise the chain follows the certificate in key.cert), atomically;
// pkcs11 stores a certificate object with the key's id and label (replacing an older one), or
// writes key.cert when the profile has one; azure-keyvault checks the certificate against the
// pending request's key and merges it (POST .../pending/merge, with the chain).
// Throws Error: key (the certificate is not the key's, or there is no key), input (unreadable
// PEM), config (pkcs12, csc profiles; --chain for a token profile without key.chain),
// remote/auth (Key Vault, e.g. no pending request).
InstallOutcome install_certificate(const Profile& profile, const SecretResolver& secrets,
                                   const std::filesystem::path& cert, const std::optional<std::filesystem::path>& chain);

// Puts the private key and certificate of a PKCS#12 file on the token of `target` (a pkcs11
// profile, or one made by token_profile()), with the URI's object= label and id= (the SHA-1 of
// the public key when absent), or into Key Vault (an azure-keyvault profile: POST
// /certificates/{certificate}/import, the key made non-exportable). RSA keys only (libp11 0.4.12 stores no EC keys). Throws Error:
// key (wrong PKCS#12 password, login failed), conflict (a key with that label or id exists on
// the token), config (neither a pkcs11 nor an azure-keyvault profile; an EC key for a token).
InstallOutcome import_pkcs12(const std::filesystem::path& p12, const Secret& password, const Profile& target,
                             const SecretResolver& secrets);

// A profile for a bare PKCS#11 URI (`certs import --to pkcs11:...`): `module` (or the URI's
// module-path, or p11-kit's proxy) and `pin` a secret reference ("prompt" by default; a relative
// file: path is taken from the working folder). Its `file` and `name` are the URI, for messages.
Profile token_profile(const std::string& uri, const std::optional<std::filesystem::path>& module,
                      const std::string& pin);

// The profile's certificate and chain as PEM (signer first), from wherever it lives.
// Throws what open_signer throws.
struct ExportOutcome {
  std::string pem;
  std::string fingerprint;     // SHA-256 of the profile's certificate
  std::size_t certificates = 0;  // in the chain, the profile's first
};
ExportOutcome export_certificates(const Profile& profile, const SecretResolver& secrets);

struct RemoveOutcome {
  std::vector<std::string> removed;  // what went: "certificate file X", "token LABEL: certificate id 01", ...
};
// Removes the profile's certificate (the key.cert file, or the token's certificate object) and,
// with `with_key`, its private key (and public key object) too. Throws Error: key (nothing to
// remove), config (pkcs12, csc, azure-keyvault profiles).
RemoveOutcome remove_certificate(const Profile& profile, const SecretResolver& secrets, bool with_key);

// ---- the inventory -----------------------------------------------------------------------

struct CertificateEntry {
  std::string profile;                       // profile name; "" for a token certificate no profile uses
  std::filesystem::path profile_file;
  std::string source;                        // pem, pkcs12, pkcs11, azure-keyvault, csc
  std::string location;                      // key file, token label, vault URL
  std::optional<Certificate> certificate;    // absent when it could not be read (see `error`)
  std::string error;                         // why it could not be read
  // The operators linked to this profile by `esign certs assign` (filled by the caller from the
  // accounts module; list_certificates leaves it empty).
  std::vector<std::string> linked_users;
};

// Every profile on the profile search path (load_profile's order; the first file of each name)
// and its certificate, plus every other certificate on the tokens those profiles point at. A
// profile or token that cannot be read becomes an entry with `error`, never an exception.
// Secrets (PINs, PKCS#12 passwords, client secrets) are resolved with `secrets`.
std::vector<CertificateEntry> list_certificates(const SecretResolver& secrets);

// The certificate of a profile (by name or path) or of a certificate file (PEM or DER): the
// same entry list_certificates() makes for it. Throws Error(config) for an unknown profile,
// Error(input) for an unreadable file, and what opening the key source throws.
CertificateEntry find_certificate(const std::string& profile_or_file, const SecretResolver& secrets);

// "RSA 3072", "EC P-256", ...: the certificate's public key.
std::string key_description(const Certificate& cert);

// A certificate date as printed: RFC 3339 in UTC (2026-12-01T08:10:03Z).
std::string format_date(std::chrono::system_clock::time_point t);

// Whole days from `now` until the certificate expires (negative once expired).
long days_left(const Certificate& cert, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The audit events of certs operations: where the key is and the request's subject; the
// installed certificate's fingerprint and where it went; what was removed.
AuditFields audit_fields(const CsrOutcome& outcome);
AuditFields audit_fields(const InstallOutcome& outcome);
AuditFields audit_fields(const RemoveOutcome& outcome);
AuditFields audit_fields(const ExportOutcome& outcome);

}  // namespace esign
