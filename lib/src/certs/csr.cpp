// generate_key and make_csr: a key pair where the profile's key lives (an encrypted PKCS#8 file
// or the token) and a PKCS#10 request signed by that key.
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <filesystem>

#include "certs/dn.h"
#include "crypto/openssl.h"
#include "esign/certs.h"
#include "esign/error.h"
#include "esign/output.h"
#include "keys/azure_certs.h"
#include "keys/openers.h"
#include "keys/pkcs11_token.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

using Req = std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ_free>>;
struct ExtStackDeleter {
  void operator()(STACK_OF(X509_EXTENSION) * s) const noexcept { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};
using ExtStack = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtStackDeleter>;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

unsigned rsa_bits(KeyType t) { return t == KeyType::rsa2048 ? 2048 : 3072; }
bool is_rsa(KeyType t) { return t == KeyType::rsa2048 || t == KeyType::rsa3072; }

ossl::PKey software_key(KeyType type, const std::string& subject) {
  EVP_PKEY* key = is_rsa(type) ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits(type)))
                               : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", type == KeyType::p256 ? "P-256" : "P-384");
  if (key == nullptr) ossl::fail(Errc::internal, subject, "cannot generate a " + to_string(type) + " key");
  return ossl::PKey(key);
}

// "email:a@b" -> "email:a@b" in OpenSSL's subjectAltName syntax (RFC 5280 §4.2.1.6 GeneralName).
std::string san_list(const std::vector<std::string>& sans) {
  std::string out;
  for (const std::string& s : sans) {
    auto colon = s.find(':');
    std::string kind = colon == std::string::npos ? "" : s.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : s.substr(colon + 1);
    for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char* tag = kind == "email" ? "email" : kind == "dns" ? "DNS" : kind == "uri" ? "URI" : kind == "ip" ? "IP" : nullptr;
    if (tag == nullptr || value.empty())
      throw Error(Errc::usage, s, "a SAN is email:ADDRESS, dns:NAME, uri:URI or ip:ADDRESS");
    if (value.find_first_of(",\n") != std::string::npos) throw Error(Errc::usage, s, "a SAN value cannot hold a comma");
    out += (out.empty() ? "" : ",") + std::string(tag) + ":" + value;
  }
  return out;
}

// The PKCS#10 request (RFC 2986) for `key`, signed with it and checked against its own public key.
std::string build_csr(EVP_PKEY* key, const CsrRequest& request, const std::string& subject) {
  certs::Name name = certs::to_x509_name(parse_dn(request.subject), request.subject);
  Req req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1)
    ossl::fail(Errc::internal, subject, "cannot make the certificate request");
  if (!request.sans.empty()) {
    std::string list = san_list(request.sans);
    ExtStack exts(sk_X509_EXTENSION_new_null());
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, list.c_str());
    if (san == nullptr) ossl::fail(Errc::usage, list, "not a valid subjectAltName");
    sk_X509_EXTENSION_push(exts.get(), san);
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) ossl::fail(Errc::internal, subject, "cannot add the SANs");
  }
  const bool p384 = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) >= 384;
  if (X509_REQ_sign(req.get(), key, p384 ? EVP_sha384() : EVP_sha256()) <= 0)
    ossl::fail(Errc::key, subject, "the key did not sign the certificate request");
  ossl::PKey pub(X509_REQ_get_pubkey(req.get()));
  if (!pub || X509_REQ_verify(req.get(), pub.get()) != 1)
    ossl::fail(Errc::key, subject, "the certificate request's signature does not verify");
  ossl::Bio mem(BIO_new(BIO_s_mem()));
  if (!mem || PEM_write_bio_X509_REQ(mem.get(), req.get()) != 1) ossl::fail(Errc::internal, subject, "cannot write PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string rfc2253(const std::string& dn) {
  certs::Name name = certs::to_x509_name(parse_dn(dn), dn);
  ossl::Bio mem(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(mem.get(), name.get(), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

[[noreturn]] void cannot(const Profile& profile, const std::string& source, const std::string& what) {
  throw Error(Errc::config, profile.file.string(), "a " + source + " key source cannot " + what);
}

// The label and id a token key gets from the profile's URI: object= and id= (a random id when
// there is none, so the certificate can be tied to the key).
std::pair<std::string, Bytes> token_names(const pkcs11::Token& token, const Profile& profile) {
  std::string label = token.uri().object;
  Bytes id = token.uri().id;
  if (label.empty() && id.empty())
    throw Error(Errc::config, profile.file.string(), "key.uri must name the key with object= and/or id=");
  if (id.empty()) {
    id.resize(8);
    if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1) ossl::fail(Errc::internal, profile.file.string(), "no random id");
  }
  return {label, id};
}

CsrOutcome pem_generate(const PemSource& src, const Profile& profile, const SecretResolver& secrets,
                        const CsrRequest& request) {
  const std::string subject = src.key.string();
  if (fs::exists(src.key)) throw Error(Errc::conflict, subject, "a key file exists already; it is never overwritten");
  if (!src.password)
    throw Error(Errc::config, profile.file.string(),
                "set key.password: a new key is written encrypted (PKCS#8, AES-256) with that secret");
  Secret password = secrets.resolve(*src.password, "password for " + src.key.filename().string(), profile.file.parent_path(),
                                    profile.file.string());
  if (password.empty()) throw Error(Errc::config, profile.file.string(), "key.password resolves to an empty password");
  ossl::PKey key = software_key(request.key_type, subject);
  CsrOutcome out{build_csr(key.get(), request, subject), subject, rfc2253(request.subject)};
  ossl::Bio mem(BIO_new(BIO_s_mem()));
  // PKCS#8 EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018).
  if (!mem || PEM_write_bio_PKCS8PrivateKey(mem.get(), key.get(), EVP_aes_256_cbc(), password.reveal().data(),
                                            static_cast<int>(password.reveal().size()), nullptr, nullptr) != 1)
    ossl::fail(Errc::internal, subject, "cannot encrypt the new key");
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  OutputFile file(src.key, false, 0600);
  file.write(ByteView(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(len)));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  file.commit();
  return out;
}

CsrOutcome token_generate(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets,
                          const CsrRequest& request) {
  if (!is_rsa(request.key_type))
    throw Error(Errc::config, profile.file.string(),
                "keys on PKCS#11 tokens are generated as RSA only (libp11 0.4.12 has no EC key generation); use key type rsa2048 or rsa3072");
  pkcs11::Token token(src, profile, secrets, true);
  auto [label, id] = token_names(token, profile);
  if (token.find_key() != nullptr || token.find_key(id, label) != nullptr)
    throw Error(Errc::conflict, profile.file.string(), token.name() + ": a key named by " + src.uri + " exists already");
  token.generate_rsa(rsa_bits(request.key_type), label, id);
  std::string where = token.name() + " (" + src.uri + ")";
  try {
    PKCS11_key_st* key = token.find_key(id, label);
    if (key == nullptr) throw Error(Errc::key, profile.file.string(), token.name() + ": the new key is not on the token");
    ossl::PKey pkey = token.private_key(key);
    return {build_csr(pkey.get(), request, where), where, rfc2253(request.subject)};
  } catch (const Error&) {
    // A key pair without its request is of no use and would block the next attempt.
    try {
      token.remove_keys(id, label);
    } catch (const Error&) {
    }
    throw;
  }
}

// Key Vault makes the key and the request itself (create with issuer "Unknown"); the request
// comes back as DER and is checked here like one esign signed.
CsrOutcome vault_generate(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets,
                          const CsrRequest& request) {
  std::vector<std::string> emails, dns;
  for (const std::string& san : request.sans) {
    std::string kind = san.substr(0, san.find(':'));
    for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (kind == "email") emails.push_back(san.substr(san.find(':') + 1));
    else if (kind == "dns") dns.push_back(san.substr(san.find(':') + 1));
    else throw Error(Errc::usage, san, "Key Vault takes email: and dns: SANs only");
  }
  azure::KeyPolicy key;
  if (is_rsa(request.key_type)) key = {"RSA", static_cast<int>(rsa_bits(request.key_type)), ""};
  else key = {"EC", 0, request.key_type == KeyType::p256 ? "P-256" : "P-384"};
  azure::Vault vault(src, profile, secrets);
  const std::string where = vault.url() + "/certificates/" + src.certificate;
  const std::string subject = rfc2253(request.subject);
  Bytes der = azure::create_certificate(vault, subject, emails, dns, key);
  const unsigned char* p = der.data();
  Req req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) ossl::fail(Errc::remote, where, "Key Vault's request is not PKCS#10");
  ossl::PKey pub(X509_REQ_get_pubkey(req.get()));
  if (!pub || X509_REQ_verify(req.get(), pub.get()) != 1)
    ossl::fail(Errc::remote, where, "Key Vault's request does not verify");
  ossl::Bio mem(BIO_new(BIO_s_mem()));
  if (!mem || PEM_write_bio_X509_REQ(mem.get(), req.get()) != 1) ossl::fail(Errc::internal, where, "cannot write PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  return {std::string(data, static_cast<std::size_t>(len)), where, subject};
}

}  // namespace

KeyType parse_key_type(const std::string& name) {
  if (name == "rsa2048") return KeyType::rsa2048;
  if (name == "rsa3072") return KeyType::rsa3072;
  if (name == "p256") return KeyType::p256;
  if (name == "p384") return KeyType::p384;
  throw Error(Errc::usage, name, "unknown key type (rsa2048, rsa3072, p256 or p384)");
}

std::string to_string(KeyType type) {
  switch (type) {
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::rsa3072: return "rsa3072";
    case KeyType::p256: return "p256";
    case KeyType::p384: return "p384";
  }
  return "";
}

CsrOutcome generate_key(const Profile& profile, const SecretResolver& secrets, const CsrRequest& request) {
  parse_dn(request.subject);  // a bad subject fails before a key is made
  san_list(request.sans);
  return std::visit(Overloaded{
                        [&](const PemSource& s) { return pem_generate(s, profile, secrets, request); },
                        [&](const Pkcs11Source& s) { return token_generate(s, profile, secrets, request); },
                        [&](const Pkcs12Source&) -> CsrOutcome { cannot(profile, "pkcs12", "generate keys (use a pem profile)"); },
                        [&](const AzureKeyVaultSource& s) { return vault_generate(s, profile, secrets, request); },
                        [&](const CscSource&) -> CsrOutcome { cannot(profile, "csc", "generate keys (the service does)"); },
                    },
                    profile.key);
}

CsrOutcome make_csr(const Profile& profile, const SecretResolver& secrets, const CsrRequest& request) {
  parse_dn(request.subject);
  san_list(request.sans);
  return std::visit(
      Overloaded{
          [&](const PemSource& s) {
            ossl::PKey key = load_pem_key(s, profile, secrets);
            return CsrOutcome{build_csr(key.get(), request, s.key.string()), s.key.string(), rfc2253(request.subject)};
          },
          [&](const Pkcs11Source& s) {
            pkcs11::Token token(s, profile, secrets);
            PKCS11_key_st* key = token.find_key();
            if (key == nullptr) throw Error(Errc::key, profile.file.string(), token.name() + ": no private key matches " + s.uri);
            ossl::PKey pkey = token.private_key(key);
            std::string where = token.name() + " (" + s.uri + ")";
            return CsrOutcome{build_csr(pkey.get(), request, where), where, rfc2253(request.subject)};
          },
          [&](const Pkcs12Source&) -> CsrOutcome { cannot(profile, "pkcs12", "make requests (use a pem profile)"); },
          [&](const AzureKeyVaultSource&) -> CsrOutcome {
            cannot(profile, "azure-keyvault", "make a request for an existing key (Key Vault makes one with a new key: certs generate)");
          },
          [&](const CscSource&) -> CsrOutcome { cannot(profile, "csc", "make requests"); },
      },
      profile.key);
}

}  // namespace esign
