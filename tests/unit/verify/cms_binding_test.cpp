// Tests of what a CMS signature is checked against: a PDF signature's CMS must be detached
// (its message digest covers the /ByteRange, never content it carries); a .p7s beside its data
// is checked against that data, and content it also carries must be the same bytes.
#include <boost/test/unit_test.hpp>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "fixtures.h"
#include "verify/cms_check.h"

namespace esign::verify {
namespace {

const std::filesystem::path& pki() {
  static const std::filesystem::path dir = test::fixtures("verify") / "pki";
  return dir;
}

template <class T, void (*F)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { F(p); })>;
void free_certs(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }

// A CMS SignedData by the fixture's RSA signer over `content`, attached or detached, as DER;
// with `second`, a second SignerInfo by that fixture signer ("ec256") is added.
Bytes sign(const std::string& content, bool attached, const std::string& second = "") {
  const auto read = [](const std::filesystem::path& p) {
    Owned<BIO, BIO_free_all> bio(BIO_new_file(p.c_str(), "r"));
    BOOST_REQUIRE(bio);
    return bio;
  };
  auto cert_bio = read(pki() / "rsa.cert.pem");
  auto key_bio = read(pki() / "rsa.key.pem");
  auto chain_bio = read(pki() / "chain.pem");
  Owned<X509, X509_free> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  Owned<EVP_PKEY, EVP_PKEY_free> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  Owned<STACK_OF(X509), free_certs> chain(sk_X509_new_null());
  while (X509* c = PEM_read_bio_X509(chain_bio.get(), nullptr, nullptr, nullptr)) sk_X509_push(chain.get(), c);
  ERR_clear_error();
  Owned<BIO, BIO_free_all> data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  const unsigned flags = CMS_BINARY | CMS_NOSMIMECAP | (attached ? 0u : static_cast<unsigned>(CMS_DETACHED));
  Owned<CMS_ContentInfo, CMS_ContentInfo_free> cms(
      CMS_sign(cert.get(), key.get(), chain.get(), data.get(), flags | (second.empty() ? 0u : unsigned{CMS_PARTIAL})));
  BOOST_REQUIRE(cms);
  if (!second.empty()) {
    auto cert2_bio = read(pki() / (second + ".cert.pem"));
    auto key2_bio = read(pki() / (second + ".key.pem"));
    Owned<X509, X509_free> cert2(PEM_read_bio_X509(cert2_bio.get(), nullptr, nullptr, nullptr));
    Owned<EVP_PKEY, EVP_PKEY_free> key2(PEM_read_bio_PrivateKey(key2_bio.get(), nullptr, nullptr, nullptr));
    BOOST_REQUIRE(CMS_add1_signer(cms.get(), cert2.get(), key2.get(), EVP_sha256(), CMS_BINARY | CMS_NOSMIMECAP));
    Owned<BIO, BIO_free_all> again(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    BOOST_REQUIRE(CMS_final(cms.get(), again.get(), nullptr, flags) == 1);
  }
  unsigned char* der = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &der);
  BOOST_REQUIRE(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

struct Context {
  Owned<X509_STORE, X509_STORE_free> store{X509_STORE_new()};
  CertificateCache certificates;
  ChainCache chains;
  Context() { BOOST_REQUIRE(X509_STORE_load_file(store.get(), (pki() / "root.pem").c_str()) == 1); }

  // A context whose detached content is `content` (none when nullopt).
  CmsContext with(std::optional<std::string> content, bool pdf) {
    CmsContext ctx;
    ctx.trust = store.get();
    ctx.certificates = &certificates;
    ctx.chains = &chains;
    ctx.revocation.online = false;
    ctx.detached_only = pdf;
    if (content) {
      ctx.content_digests = [content](const std::vector<DigestAlgorithm>& algorithms) {
        std::vector<Digest> out;
        for (DigestAlgorithm a : algorithms) out.push_back(digest_of(a, as_bytes(*content)));
        return out;
      };
    }
    return ctx;
  }
};

// The named check's outcome; fails the test when the report lacks it.
bool check_ok(const SignatureReport& r, const std::string& name) {
  for (const Check& c : r.checks)
    if (c.name == name) return c.ok;
  BOOST_ERROR("no check " << name << " in the report (error: " << r.error << ")");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cms_binding)

BOOST_AUTO_TEST_CASE(a_detached_signature_over_the_byte_range_is_valid) {
  Context c;
  SignatureReport r;
  check_cms(sign("the byte ranges", false), c.with("the byte ranges", true), r);
  BOOST_TEST(r.valid, r.error);
  BOOST_TEST(check_ok(r, "cms_detached"));
}

BOOST_AUTO_TEST_CASE(a_pdf_signature_with_encapsulated_content_is_invalid_even_over_the_same_bytes) {
  Context c;
  for (const std::string attached : {"another document", "the byte ranges"}) {
    SignatureReport r;
    check_cms(sign(attached, true), c.with("the byte ranges", true), r);
    BOOST_TEST(!r.valid);
    BOOST_TEST(!check_ok(r, "cms_detached"));
  }
}

BOOST_AUTO_TEST_CASE(a_p7s_with_attached_content_is_checked_against_the_data_beside_it) {
  Context c;
  const Bytes p7s = sign("a,b\n1,2\n", true);
  {
    SignatureReport r;  // the same data beside it
    check_cms(p7s, c.with("a,b\n1,2\n", false), r);
    BOOST_TEST(r.valid, r.error);
    BOOST_TEST(check_ok(r, "attached_content"));
  }
  {
    SignatureReport r;  // the file beside it was changed: the attached copy does not save it
    check_cms(p7s, c.with("a,b\n1,9\n", false), r);
    BOOST_TEST(!r.valid);
    BOOST_TEST(!check_ok(r, "attached_content"));
    BOOST_TEST(!check_ok(r, "message_digest"));
  }
  {
    SignatureReport r;  // no data beside it: the attached content is what was signed
    check_cms(p7s, c.with(std::nullopt, false), r);
    BOOST_TEST(r.valid, r.error);
  }
}

BOOST_AUTO_TEST_CASE(a_detached_p7s_without_its_data_is_invalid) {
  Context c;
  SignatureReport r;
  check_cms(sign("data", false), c.with(std::nullopt, false), r);
  BOOST_TEST(!r.valid);
  BOOST_TEST(!check_ok(r, "message_digest"));
}

BOOST_AUTO_TEST_CASE(every_signer_info_names_the_one_signer_shown) {
  Context c;
  SignatureReport r;
  check_cms(sign("the byte ranges", false, "ec256"), c.with("the byte ranges", true), r);
  BOOST_TEST(!r.valid);
  BOOST_TEST(r.error.find("signer_certificate#2: a further SignerInfo names another signer") == 0, r.error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::verify
