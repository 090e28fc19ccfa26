// install_certificate, import_pkcs12, export_certificates, remove_certificate: certificates
// stored beside (and taken away from) the key they belong to.
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "certs/pem_text.h"
#include "crypto/openssl.h"
#include "esign/certs.h"
#include "esign/error.h"
#include "esign/output.h"
#include "esign/signer.h"
#include "keys/azure_certs.h"
#include "keys/openers.h"
#include "keys/pkcs11_token.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

[[noreturn]] void cannot(const Profile& profile, const std::string& source, const std::string& what) {
  throw Error(Errc::config, profile.file.string(), "a " + source + " key source cannot " + what);
}

void write_pem(const fs::path& file, const std::vector<Certificate>& certs) {
  std::string text = certs::to_pem(certs);
  OutputFile out(file, true, 0644);
  out.write(as_bytes(text));
  out.commit();
}

// True when `key` (a private key, possibly on a token) is the certificate's key.
bool belongs(const Certificate& cert, EVP_PKEY* key) {
  bool ok = X509_check_private_key(cert.native(), key) == 1 || EVP_PKEY_eq(X509_get0_pubkey(cert.native()), key) == 1;
  ossl::clear_errors();
  return ok;
}

[[noreturn]] void mismatch(const fs::path& cert, const std::string& key) {
  throw Error(Errc::key, cert.string(), "this certificate is not the certificate of the key " + key);
}

// The certificate file's certificates, then the chain file's (leaf first).
std::vector<Certificate> read_install(const fs::path& cert, const std::optional<fs::path>& chain) {
  std::vector<Certificate> certs = Certificate::load_pem_file(cert);
  if (chain)
    for (Certificate& c : Certificate::load_pem_file(*chain)) certs.push_back(std::move(c));
  return certs;
}

// key.cert (and key.chain when the profile names one) written atomically.
InstallOutcome install_files(const fs::path& cert_file, const std::optional<fs::path>& chain_file,
                             std::vector<Certificate> certs) {
  if (chain_file && certs.size() > 1) {
    write_pem(*chain_file, std::vector<Certificate>(certs.begin() + 1, certs.end()));
    certs.resize(1);
  }
  write_pem(cert_file, certs);
  return {certs.front(), cert_file.string()};
}

InstallOutcome install_on_token(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets,
                                std::vector<Certificate> certs, const fs::path& cert_file) {
  pkcs11::Token token(src, profile, secrets, true);
  PKCS11_key_st* key = token.find_key();
  if (key == nullptr) throw Error(Errc::key, profile.file.string(), token.name() + ": no private key matches " + src.uri);
  {
    ossl::PKey pkey = token.private_key(key);
    if (!belongs(certs.front(), pkey.get())) mismatch(cert_file, token.name() + " (" + src.uri + ")");
  }
  if (certs.size() > 1 && !src.chain)
    throw Error(Errc::config, profile.file.string(),
                "the signer reads a token key's chain from key.chain: set it in the profile to install a chain");
  const Bytes id = pkcs11::key_id(key);
  const std::string label = pkcs11::key_label(key);
  // A renewal replaces the key's older certificate object.
  token.remove_certificates(id, label);
  token.store_certificate(certs.front().native(), label, id);
  if (certs.size() > 1) write_pem(*src.chain, std::vector<Certificate>(certs.begin() + 1, certs.end()));
  return {certs.front(), token.name()};
}

// Key Vault merges the certificate into its pending operation; the request's key is checked
// against the certificate first, so a wrong certificate is refused here with esign's message.
InstallOutcome install_in_vault(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets,
                                std::vector<Certificate> certs, const fs::path& cert_file) {
  azure::Vault vault(src, profile, secrets);
  const std::string where = vault.url() + "/certificates/" + src.certificate;
  Bytes der = azure::pending_request(vault);
  const unsigned char* p = der.data();
  std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ_free>> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  ossl::PKey key(req ? X509_REQ_get_pubkey(req.get()) : nullptr);
  if (!key) ossl::fail(Errc::remote, where, "Key Vault's pending request is not PKCS#10");
  if (EVP_PKEY_eq(X509_get0_pubkey(certs.front().native()), key.get()) != 1) {
    ossl::clear_errors();
    mismatch(cert_file, where + " (pending)");
  }
  azure::merge_certificate(vault, certs);
  return {certs.front(), where};
}

}  // namespace

namespace certs {

std::string to_pem(const std::vector<Certificate>& certs) {
  ossl::Bio mem(BIO_new(BIO_s_mem()));
  for (const Certificate& c : certs)
    if (!mem || PEM_write_bio_X509(mem.get(), c.native()) != 1) ossl::fail(Errc::internal, "PEM", "cannot write a certificate");
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace certs

InstallOutcome install_certificate(const Profile& profile, const SecretResolver& secrets, const fs::path& cert,
                                   const std::optional<fs::path>& chain) {
  std::vector<Certificate> certs = read_install(cert, chain);
  return std::visit(
      Overloaded{
          [&](const PemSource& s) {
            if (!fs::exists(s.key)) throw Error(Errc::key, s.key.string(), "there is no key yet (generate one first)");
            ossl::PKey key = load_pem_key(s, profile, secrets);
            if (!belongs(certs.front(), key.get())) mismatch(cert, s.key.string());
            return install_files(s.cert, s.chain, std::move(certs));
          },
          [&](const Pkcs11Source& s) {
            if (s.cert) {
              // The profile reads this key's certificate from a file: the file is where it goes.
              pkcs11::Token token(s, profile, secrets);
              PKCS11_key_st* key = token.find_key();
              if (key == nullptr) throw Error(Errc::key, profile.file.string(), token.name() + ": no private key matches " + s.uri);
              ossl::PKey pkey = token.private_key(key);
              if (!belongs(certs.front(), pkey.get())) mismatch(cert, token.name() + " (" + s.uri + ")");
              return install_files(*s.cert, s.chain, std::move(certs));
            }
            return install_on_token(s, profile, secrets, std::move(certs), cert);
          },
          [&](const Pkcs12Source&) -> InstallOutcome { cannot(profile, "pkcs12", "take a certificate (the file holds it)"); },
          [&](const AzureKeyVaultSource& s) { return install_in_vault(s, profile, secrets, std::move(certs), cert); },
          [&](const CscSource&) -> InstallOutcome { cannot(profile, "csc", "install certificates (the service does)"); },
      },
      profile.key);
}

Profile token_profile(const std::string& uri, const std::optional<fs::path>& module, const std::string& pin) {
  Profile p;
  p.name = uri;
  p.file = uri;  // messages name the URI: there is no profile file
  Pkcs11Source src;
  src.uri = uri;
  src.module = module;
  // A relative file: reference means the working folder, not a folder derived from the URI.
  src.pin = pin.rfind("file:", 0) == 0 && fs::path(pin.substr(5)).is_relative()
                ? "file:" + (fs::current_path() / pin.substr(5)).string()
                : pin;
  p.key = src;
  return p;
}

InstallOutcome import_pkcs12(const fs::path& p12_file, const Secret& password, const Profile& target,
                             const SecretResolver& secrets) {
  const auto* src = std::get_if<Pkcs11Source>(&target.key);
  const auto* vault_src = std::get_if<AzureKeyVaultSource>(&target.key);
  if (src == nullptr && vault_src == nullptr)
    throw Error(Errc::config, target.file.string(), "certs import puts keys on tokens or in Key Vault: give a pkcs11 or azure-keyvault profile");
  const std::string subject = p12_file.string();
  ossl::Bio bio(BIO_new_file(p12_file.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, subject, "cannot open PKCS#12 file");
  std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) ossl::fail(Errc::input, subject, "not a PKCS#12 file");
  if (PKCS12_verify_mac(p12.get(), password.reveal().c_str(), static_cast<int>(password.reveal().size())) != 1) {
    ossl::clear_errors();
    throw Error(Errc::key, subject, "wrong PKCS#12 password (or the file is damaged)");
  }
  EVP_PKEY* pkey = nullptr;
  X509* x509 = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), password.reveal().c_str(), &pkey, &x509, &ca) != 1)
    ossl::fail(Errc::key, subject, "cannot read the PKCS#12 contents");
  ossl::PKey key(pkey);
  ossl::X509Ptr cert(x509);
  ossl::X509Stack extra(ca);
  if (!key || !cert) throw Error(Errc::input, subject, "the PKCS#12 file has no private key with a certificate");
  if (vault_src) {
    // Checked here first (password, contents), so Key Vault gets only a file that opens.
    std::ifstream in(p12_file, std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    azure::Vault vault(*vault_src, target, secrets);
    azure::import_certificate(vault, bytes, password);
    return {Certificate::from_x509(cert.get()), vault.url() + "/certificates/" + vault_src->certificate};
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    throw Error(Errc::config, subject, "only RSA keys can be imported onto a token (libp11 0.4.12 stores no EC keys)");

  pkcs11::Token token(*src, target, secrets, true);
  std::string label = token.uri().object;
  Bytes id = token.uri().id;
  if (id.empty()) {
    // The usual CKA_ID: the SHA-1 of the public key (as in the subject key identifier, RFC 5280 §4.2.1.2).
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_pubkey_digest(cert.get(), EVP_sha1(), md, &len) != 1) ossl::fail(Errc::internal, subject, "cannot hash the key");
    id.assign(md, md + len);
  }
  Certificate leaf = Certificate::from_x509(cert.get());
  if (label.empty()) label = leaf.common_name();
  if (token.find_key(id, "") != nullptr || token.find_key(Bytes{}, label) != nullptr)
    throw Error(Errc::conflict, target.file.string(), token.name() + ": a key with label '" + label + "' or that id exists already");
  token.store_key(key.get(), label, id);
  token.store_certificate(cert.get(), label, id);
  return {leaf, token.name()};
}

ExportOutcome export_certificates(const Profile& profile, const SecretResolver& secrets) {
  std::unique_ptr<Signer> signer = open_signer(profile, secrets);
  return {certs::to_pem(signer->chain()), signer->chain().front().sha256_fingerprint(), signer->chain().size()};
}

RemoveOutcome remove_certificate(const Profile& profile, const SecretResolver& secrets, bool with_key) {
  RemoveOutcome out;
  auto remove_file = [&](const fs::path& f, const std::string& what) {
    std::error_code ec;
    if (fs::remove(f, ec)) out.removed.push_back(what + " " + f.string());
    else if (ec) throw Error(Errc::input, f.string(), "cannot remove: " + ec.message());
  };
  std::visit(Overloaded{
                 [&](const PemSource& s) {
                   remove_file(s.cert, "certificate file");
                   if (with_key) remove_file(s.key, "key file");
                 },
                 [&](const Pkcs11Source& s) {
                   pkcs11::Token token(s, profile, secrets, true);
                   PKCS11_key_st* key = token.find_key();
                   Bytes id = key ? pkcs11::key_id(key) : token.uri().id;
                   std::string label = key ? pkcs11::key_label(key) : token.uri().object;
                   if (s.cert) remove_file(*s.cert, "certificate file");
                   else if (int n = token.remove_certificates(id, label); n > 0)
                     out.removed.push_back(token.name() + ": " + std::to_string(n) + " certificate object(s)");
                   if (with_key)
                     if (int n = token.remove_keys(id, label); n > 0)
                       out.removed.push_back(token.name() + ": " + std::to_string(n) + " key object(s)");
                 },
                 [&](const Pkcs12Source&) { cannot(profile, "pkcs12", "remove a certificate (delete the file)"); },
                 [&](const AzureKeyVaultSource&) { cannot(profile, "azure-keyvault", "remove certificates"); },
                 [&](const CscSource&) { cannot(profile, "csc", "remove certificates"); },
             },
             profile.key);
  if (out.removed.empty()) throw Error(Errc::key, profile.file.string(), "there is no certificate to remove");
  return out;
}

}  // namespace esign
