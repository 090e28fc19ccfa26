// Certificates and digests over OpenSSL.
#include "esign/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <string_view>

#include "crypto/openssl.h"

namespace esign {

std::string to_string(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return "sha256";
    case DigestAlgorithm::sha384: return "sha384";
    case DigestAlgorithm::sha512: return "sha512";
  }
  return "sha256";
}

DigestAlgorithm parse_digest_algorithm(const std::string& name, const std::string& subject) {
  if (name == "sha256") return DigestAlgorithm::sha256;
  if (name == "sha384") return DigestAlgorithm::sha384;
  if (name == "sha512") return DigestAlgorithm::sha512;
  throw Error(Errc::config, subject, "digest must be sha256, sha384 or sha512, not '" + name + "'");
}

std::size_t digest_size(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return 32;
    case DigestAlgorithm::sha384: return 48;
    case DigestAlgorithm::sha512: return 64;
  }
  return 32;
}

namespace {
}  // namespace

struct Hasher::Impl {
  ossl::MdCtx ctx{EVP_MD_CTX_new()};
};

Hasher::Hasher(DigestAlgorithm a) : impl_(std::make_unique<Impl>()), algorithm_(a) {
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), ossl::md_for(a), nullptr) != 1)
    ossl::fail(Errc::internal, "digest", "cannot start " + to_string(a));
}
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;
Hasher::~Hasher() = default;

void Hasher::update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1)
    ossl::fail(Errc::internal, "digest", "update failed");
}

Digest Hasher::finish() {
  Digest d{algorithm_, Bytes(EVP_MAX_MD_SIZE)};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), d.value.data(), &len) != 1) ossl::fail(Errc::internal, "digest", "final failed");
  d.value.resize(len);
  return d;
}

Digest digest_of(DigestAlgorithm a, ByteView data) {
  Hasher h(a);
  h.update(data);
  return h.finish();
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(Errc::input, file.string(), "cannot open for reading");
  Hasher h(DigestAlgorithm::sha256);
  std::vector<std::uint8_t> buf(1 << 16);
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    h.update(ByteView(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw Error(Errc::input, file.string(), "read error");
  return to_hex(h.finish().value);
}

Certificate Certificate::from_der(ByteView der, const std::string& subject) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) ossl::fail(Errc::input, subject, "not a DER certificate");
  Certificate c;
  c.x509_.reset(x, X509_free);
  // One certificate: bytes after it would otherwise be dropped without a word.
  if (p != der.data() + der.size()) throw Error(Errc::input, subject, "bytes follow the DER certificate");
  c.der_.assign(der.begin(), der.end());
  return c;
}

Certificate Certificate::from_x509(x509_st* x509) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(x509, &buf);  // the cached encoding of a parsed certificate: no re-parse
  if (len <= 0) ossl::fail(Errc::input, "certificate", "cannot encode certificate");
  Certificate c;
  c.der_.assign(buf, buf + len);
  OPENSSL_free(buf);
  X509_up_ref(x509);
  c.x509_.reset(x509, X509_free);
  return c;
}

std::vector<Certificate> Certificate::load_pem_file(const std::filesystem::path& file) {
  ossl::Bio bio(BIO_new_file(file.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, file.string(), "cannot open certificate file");
  std::vector<Certificate> out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    ossl::X509Ptr holder(x);
    unsigned char* buf = nullptr;
    int len = i2d_X509(x, &buf);
    if (len <= 0) ossl::fail(Errc::input, file.string(), "cannot encode certificate");
    Bytes der(buf, buf + len);
    OPENSSL_free(buf);
    out.push_back(from_der(der, file.string()));
  }
  // The loop ends on "no start line" at the end of the file; anything else is a damaged
  // certificate, which must not shorten a chain silently.
  const unsigned long end = ERR_peek_last_error();
  if (end != 0 && (ERR_GET_LIB(end) != ERR_LIB_PEM || ERR_GET_REASON(end) != PEM_R_NO_START_LINE))
    ossl::fail(Errc::input, file.string(), "damaged PEM certificate (certificate " + std::to_string(out.size() + 1) + ")");
  ossl::clear_errors();
  if (out.empty()) throw Error(Errc::input, file.string(), "no PEM certificate found");
  return out;
}

namespace {
std::string name_string(const X509_NAME* name) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}
}  // namespace

std::string Certificate::subject() const { return name_string(X509_get_subject_name(x509_.get())); }
std::string Certificate::issuer() const { return name_string(X509_get_issuer_name(x509_.get())); }

std::string Certificate::common_name() const {
  const X509_NAME* name = X509_get_subject_name(x509_.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return subject();
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return subject();
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string Certificate::serial_hex() const {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x509_.get());
  return to_hex(ByteView(serial->data, static_cast<std::size_t>(serial->length)));
}

std::string Certificate::sha256_fingerprint() const { return to_hex(digest_of(DigestAlgorithm::sha256, der_).value); }

bool Certificate::key_usage_allows_signing() const {
  std::uint32_t ku = X509_get_key_usage(x509_.get());
  return ku == UINT32_MAX || (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

bool Certificate::extended_key_usage_allows_document_signing() const {
  using Usages = std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE_free>>;
  int critical = 0;
  Usages usages(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x509_.get(), NID_ext_key_usage, &critical, nullptr)));
  if (!usages) {
    ossl::clear_errors();
    return critical == -1;  // -1: absent; -2 (repeated) or a malformed extension: not allowed
  }
  static constexpr const char* kDocumentSigning[] = {
      "2.5.29.37.0",              // anyExtendedKeyUsage
      "1.3.6.1.5.5.7.3.36",       // id-kp-documentSigning (RFC 9336)
      "1.3.6.1.5.5.7.3.4",        // id-kp-emailProtection
      "1.2.840.113583.1.1.5",     // Adobe authentic documents trust
      "1.3.6.1.4.1.311.10.3.12",  // Microsoft document signing
  };
  for (int i = 0; i < sk_ASN1_OBJECT_num(usages.get()); ++i) {
    char oid[80];
    if (OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(usages.get(), i), 1) <= 0) continue;
    for (const char* allowed : kDocumentSigning)
      if (std::string_view(oid) == allowed) return true;
  }
  return false;
}

std::string Certificate::key_weakness(const KeyPolicy& policy) const { return ossl::key_weakness(x509_.get(), policy); }

std::string ossl::key_weakness(X509* cert, const KeyPolicy& policy) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    ossl::clear_errors();
    return "a public key that cannot be read";
  }
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      if (bits < static_cast<int>(policy.min_rsa_bits))
        return "an RSA key of " + std::to_string(bits) + " bits (at least " + std::to_string(policy.min_rsa_bits) + " required)";
      return "";
    case EVP_PKEY_EC:
      if (bits < static_cast<int>(policy.min_ec_bits))
        return "an elliptic-curve key of " + std::to_string(bits) + " bits (at least " + std::to_string(policy.min_ec_bits) +
               " required)";
      return "";
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
      return "";
    default:
      return "a key type that is not accepted (RSA, elliptic-curve and EdDSA keys are)";
  }
}

std::chrono::system_clock::time_point Certificate::not_before() const {
  return ossl::to_time_point(X509_get0_notBefore(x509_.get()));
}
std::chrono::system_clock::time_point Certificate::not_after() const {
  return ossl::to_time_point(X509_get0_notAfter(x509_.get()));
}

namespace ossl {

Store trust_store(const std::vector<std::filesystem::path>& files, bool system_when_empty) {
  Store store(X509_STORE_new());
  if (!store) fail(Errc::internal, "trust store", "cannot create the trust store");
  if (files.empty() && system_when_empty) {
    X509_STORE_set_default_paths(store.get());
    clear_errors();
  }
  for (const std::filesystem::path& file : files)
    for (const Certificate& c : Certificate::load_pem_file(file))
      if (X509_STORE_add_cert(store.get(), c.native()) != 1) clear_errors();  // duplicates are fine
  return store;
}

}  // namespace ossl

}  // namespace esign
