// list_certificates and find_certificate: every certificate esign knows, from the profiles on the
// search path and the tokens they point at; record_certs for the audit log.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "common/time.h"
#include "crypto/openssl.h"
#include "esign/certs.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/signer.h"
#include "keys/pkcs11_token.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

std::string location_of(const KeySource& key) {
  struct {
    std::string operator()(const Pkcs12Source& s) const { return s.path.string(); }
    std::string operator()(const PemSource& s) const { return s.key.string(); }
    std::string operator()(const Pkcs11Source& s) const { return s.uri; }
    std::string operator()(const AzureKeyVaultSource& s) const { return s.vault_url + "/keys/" + s.key; }
    std::string operator()(const CscSource& s) const { return s.base_url; }
  } v;
  return std::visit(v, key);
}

// The entry of one profile; a token profile also adds the token's other certificates to `extra`.
CertificateEntry entry_for(const Profile& profile, const SecretResolver& secrets, std::vector<CertificateEntry>* extra) {
  CertificateEntry e;
  e.profile = profile.name;
  e.profile_file = profile.file;
  e.source = key_source_name(profile.key);
  e.location = location_of(profile.key);
  try {
    if (const auto* pem = std::get_if<PemSource>(&profile.key)) {
      // The file alone: listing needs no key password.
      e.certificate = Certificate::load_pem_file(pem->cert).front();
    } else if (const auto* p11 = std::get_if<Pkcs11Source>(&profile.key)) {
      pkcs11::Token token(*p11, profile, secrets);
      e.location = token.name() + " (" + p11->uri + ")";
      PKCS11_key_st* key = token.find_key();
      Bytes id = key ? pkcs11::key_id(key) : Bytes{};
      std::string label = key ? pkcs11::key_label(key) : "";
      if (p11->cert) e.certificate = Certificate::load_pem_file(*p11->cert).front();
      for (pkcs11::Token::CertificateObject& c : token.certificates()) {
        bool mine = key && !p11->cert && (id.empty() ? c.label == label : c.id == id);
        if (mine && !e.certificate) {
          e.certificate = c.certificate;
        } else if (extra) {
          CertificateEntry other;
          other.source = "pkcs11";
          other.location = token.name() + " (object " + (c.label.empty() ? to_hex(c.id) : c.label) + ")";
          other.certificate = std::move(c.certificate);
          extra->push_back(std::move(other));
        }
      }
      if (!e.certificate) e.error = key ? "no certificate for the key on the token" : "no key matches " + p11->uri;
    } else {
      e.certificate = open_signer(profile, secrets)->chain().front();
    }
  } catch (const Error& err) {
    e.certificate.reset();
    e.error = err.reason();
  }
  return e;
}

}  // namespace

std::vector<CertificateEntry> list_certificates(const SecretResolver& secrets) {
  std::vector<CertificateEntry> out, extra;
  for (const fs::path& file : profile_files()) {
    try {
      Profile profile = load_profile(file.string());
      out.push_back(entry_for(profile, secrets, &extra));
    } catch (const Error& err) {
      CertificateEntry e;
      e.profile = file.stem().string();
      e.profile_file = file;
      e.error = err.reason();
      out.push_back(std::move(e));
    }
  }
  // A token certificate no profile uses is listed once, however many profiles use that token.
  std::set<std::string> seen;
  for (const CertificateEntry& e : out)
    if (e.certificate) seen.insert(e.certificate->sha256_fingerprint());
  for (CertificateEntry& e : extra)
    if (seen.insert(e.certificate->sha256_fingerprint()).second) out.push_back(std::move(e));
  return out;
}

CertificateEntry find_certificate(const std::string& profile_or_file, const SecretResolver& secrets) {
  fs::path path(profile_or_file);
  bool yaml = path.extension() == ".yaml" || path.extension() == ".yml";
  if (!yaml && fs::is_regular_file(path)) {
    CertificateEntry e;
    e.source = "file";
    e.location = path.string();
    std::vector<Certificate> pem;
    try {
      pem = Certificate::load_pem_file(path);
    } catch (const Error&) {
      std::ifstream in(path, std::ios::binary);
      std::string der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      pem.push_back(Certificate::from_der(as_bytes(der), path.string()));
    }
    e.certificate = pem.front();
    return e;
  }
  Profile profile = load_profile(profile_or_file);
  CertificateEntry e = entry_for(profile, secrets, nullptr);
  if (!e.certificate) throw Error(Errc::key, profile.file.string(), e.error);
  return e;
}

std::string key_description(const Certificate& cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert.native());
  if (key == nullptr) return "unknown";
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
  if (id == EVP_PKEY_EC) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) == 1) {
      int nid = OBJ_sn2nid(group.data());
      const char* nist = EC_curve_nid2nist(nid);
      return std::string("EC ") + (nist ? nist : group.data());
    }
    return "EC";
  }
  const char* name = OBJ_nid2sn(id);
  return name ? name : "unknown";
}

std::string format_date(std::chrono::system_clock::time_point t) { return rfc3339(t); }

long days_left(const Certificate& cert, std::chrono::system_clock::time_point now) {
  auto left = std::chrono::duration_cast<std::chrono::seconds>(cert.not_after() - now).count();
  // Whole days, rounded toward the past: a certificate expiring in 10 hours has 0 days left.
  return static_cast<long>(left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
}

AuditFields audit_fields(const CsrOutcome& outcome) {
  AuditFields f;
  f.detail = outcome.key_location + " " + outcome.subject;
  return f;
}

AuditFields audit_fields(const InstallOutcome& outcome) {
  AuditFields f;
  f.fingerprint = outcome.certificate.sha256_fingerprint();
  f.detail = outcome.location;
  return f;
}

AuditFields audit_fields(const ExportOutcome& outcome) {
  AuditFields f;
  f.fingerprint = outcome.fingerprint;
  f.detail = std::to_string(outcome.certificates) + " certificate(s) exported";
  return f;
}

AuditFields audit_fields(const RemoveOutcome& outcome) {
  AuditFields f;
  for (const std::string& s : outcome.removed) f.detail += (f.detail.empty() ? "" : "; ") + s;
  return f;
}

}  // namespace esign
