// Opening keys through open_signer, the one opener every command uses: file keys that work (and
// sign with the certificate's key), and each way opening fails, with its error kind and subject.
#define BOOST_TEST_MODULE keys
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "esign/error.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/signer.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const fs::path& pki() {
  static const fs::path dir = test::fixtures("keys") / "pki";
  return dir;
}
const std::string kPassword = "esign-test-password";

std::string p(const fs::path& file) { return file.string(); }

// A profile in `dir` (or the PKI folder) whose key section is `key_yaml`.
Profile profile(const std::string& key_yaml, const fs::path& dir = pki(), const std::string& signature_yaml = "") {
  return parse_profile("name: t\nkey:\n" + key_yaml + signature_yaml, dir / "t.yaml");
}

std::string pkcs12(const fs::path& file, const std::string& password_ref = "file:" + p(pki() / "p12-password.txt")) {
  return "  source: pkcs12\n  path: " + p(file) + "\n  password: " + password_ref + "\n";
}

std::string pem(const fs::path& key, const fs::path& cert, const std::string& password_ref = "") {
  std::string y = "  source: pem\n  key: " + p(key) + "\n  cert: " + p(cert) + "\n";
  if (!password_ref.empty()) y += "  password: " + password_ref + "\n";
  return y;
}

// The error opening the profile's key, which must not quote the password.
Error open_error(const Profile& prof, const SecretResolver& secrets = SecretResolver()) {
  try {
    open_signer(prof, secrets);
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find(kPassword) == std::string::npos, "a secret in the message");
    return e;
  }
  throw std::logic_error("the key opened");
}

void sh(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// The signature value checks out with the certificate's public key.
bool verifies(const Signer& signer, const Digest& d, const Bytes& sig) {
  EVP_PKEY* pub = X509_get0_pubkey(signer.chain().front().native());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pub, nullptr), EVP_PKEY_CTX_free);
  if (EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  const EVP_MD* md = d.algorithm == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_sha512();
  EVP_PKEY_CTX_set_signature_md(ctx.get(), md);
  if (signer.scheme() == SignatureScheme::rsa_pss) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST);
  } else if (signer.scheme() == SignatureScheme::rsa_pkcs1) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING);
  }
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), d.value.data(), d.value.size()) == 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(opening_keys)

BOOST_AUTO_TEST_CASE(a_pkcs12_opens_with_its_chain_and_signs_with_the_certificates_key) {
  auto signer = open_signer(profile(pkcs12(pki() / "rsa.p12")), SecretResolver());
  BOOST_REQUIRE_EQUAL(signer->chain().size(), 3u);
  BOOST_TEST(signer->chain()[0].common_name() == "Test Signer RSA");
  BOOST_TEST(signer->chain()[1].common_name() == "Test Intermediate CA");
  BOOST_TEST((signer->scheme() == SignatureScheme::rsa_pkcs1));
  BOOST_TEST(signer->max_signature_size() == 256u);
  const Digest d = digest_of(DigestAlgorithm::sha256, as_bytes("document"));
  const Bytes sig = signer->sign(d);
  BOOST_TEST(sig.size() == 256u);
  BOOST_TEST(verifies(*signer, d, sig));
  Digest other = digest_of(DigestAlgorithm::sha256, as_bytes("another document"));
  BOOST_TEST(!verifies(*signer, other, sig));
}

BOOST_AUTO_TEST_CASE(pem_keys_open_rsa_pss_and_ecdsa) {
  auto rsa = open_signer(profile(pem(pki() / "rsa.enc.key.pem", pki() / "rsa.cert.pem", "env:ESIGN_UNIT_KEY_PASSWORD"),
                                 pki(), "signature:\n  padding: pss\n"),
                         SecretResolver());
  BOOST_TEST((rsa->scheme() == SignatureScheme::rsa_pss));
  const Digest d = digest_of(DigestAlgorithm::sha512, as_bytes("document"));
  BOOST_TEST(verifies(*rsa, d, rsa->sign(d)));

  auto ec = open_signer(profile(pem(pki() / "ec256.key.pem", pki() / "ec256.cert.pem")), SecretResolver());
  BOOST_TEST((ec->scheme() == SignatureScheme::ecdsa));
  BOOST_TEST(ec->concurrent());
  const Bytes sig = ec->sign(d);
  BOOST_TEST(sig.size() <= ec->max_signature_size());
  BOOST_TEST(verifies(*ec, d, sig));
}

BOOST_AUTO_TEST_CASE(a_missing_pkcs12_is_an_input_error_naming_the_file) {
  test::TempDir dir;
  const Error e = open_error(profile(pkcs12(dir / "missing.p12")));
  BOOST_TEST((e.code() == Errc::input));
  BOOST_TEST(e.subject() == p(dir / "missing.p12"));
}

BOOST_AUTO_TEST_CASE(a_corrupt_pkcs12_is_an_input_error) {
  test::TempDir dir;
  const std::string good = test::read_file(pki() / "rsa.p12");
  test::write_file(dir / "garbage.p12", "this is not DER at all");
  test::write_file(dir / "empty.p12", "");
  test::write_file(dir / "truncated.p12", good.substr(0, good.size() / 2));
  test::write_file(dir / "pem.p12", test::read_file(pki() / "rsa.cert.pem"));
  for (const char* name : {"garbage.p12", "empty.p12", "truncated.p12", "pem.p12"}) {
    const Error e = open_error(profile(pkcs12(dir / name)));
    BOOST_TEST((e.code() == Errc::input), name << ": " << e.what());
    BOOST_TEST(e.subject() == p(dir / name));
  }
}

// A damaged MAC cannot be told from a wrong password; either way the key is not used.
BOOST_AUTO_TEST_CASE(a_wrong_pkcs12_password_is_a_key_error) {
  test::TempDir dir;
  test::write_file(dir / "wrong.txt", "not-the-password\n");
  const Error e = open_error(profile(pkcs12(pki() / "rsa.p12", "file:" + p(dir / "wrong.txt"))));
  BOOST_TEST((e.code() == Errc::key));
  BOOST_TEST(e.subject() == p(pki() / "rsa.p12"));
  BOOST_TEST(e.reason().find("wrong PKCS#12 password") == 0u);
  // An empty password is a wrong one too, not "no password".
  test::write_file(dir / "empty.txt", "\n");
  BOOST_TEST((open_error(profile(pkcs12(pki() / "rsa.p12", "file:" + p(dir / "empty.txt")))).code() == Errc::key));
}

BOOST_AUTO_TEST_CASE(a_password_that_cannot_be_resolved_is_not_a_key_error) {
  ::unsetenv("ESIGN_UNIT_NO_SUCH_VARIABLE");
  BOOST_TEST((open_error(profile(pkcs12(pki() / "rsa.p12", "env:ESIGN_UNIT_NO_SUCH_VARIABLE"))).code() == Errc::config));
  BOOST_TEST((open_error(profile(pkcs12(pki() / "rsa.p12", "file:/nonexistent/password"))).code() == Errc::config));
  // A literal password in the profile is refused rather than used (already when the profile loads).
  try {
    open_signer(profile(pkcs12(pki() / "rsa.p12", kPassword)), SecretResolver(nullptr));
    BOOST_FAIL("a literal password was accepted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    BOOST_TEST(std::string(e.what()).find(kPassword) == std::string::npos);
  }
  // `prompt` without a terminal to ask on.
  BOOST_TEST((open_error(profile(pkcs12(pki() / "rsa.p12", "prompt"))).code() == Errc::usage));
  // With one, the prompt's answer is used.
  std::string asked;
  auto signer = open_signer(profile(pkcs12(pki() / "rsa.p12", "prompt")), SecretResolver([&](const std::string& what) {
                              asked = what;
                              return Secret(kPassword);
                            }));
  BOOST_TEST(asked == "password for rsa.p12");
  BOOST_TEST(signer->chain().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_pkcs12_without_a_private_key_is_an_input_error) {
  test::TempDir dir;
  sh("openssl pkcs12 -export -nokeys -in '" + p(pki() / "rsa.cert.pem") + "' -passout pass:" + kPassword + " -out '" +
     p(dir / "certs-only.p12") + "' 2>/dev/null");
  const Error e = open_error(profile(pkcs12(dir / "certs-only.p12")));
  BOOST_TEST((e.code() == Errc::input), e.what());
}

BOOST_AUTO_TEST_CASE(a_pem_key_that_does_not_match_its_certificate_is_a_key_error) {
  const Error e = open_error(profile(pem(pki() / "ec256.key.pem", pki() / "rsa.cert.pem")));
  BOOST_TEST((e.code() == Errc::key));
  BOOST_TEST(e.reason().find("does not match the certificate") != std::string::npos, e.reason());
  // Same algorithm, different key.
  BOOST_TEST((open_error(profile(pem(pki() / "revoked.key.pem", pki() / "rsa.cert.pem"))).code() == Errc::key));
}

BOOST_AUTO_TEST_CASE(an_encrypted_pem_key_needs_the_right_password) {
  const fs::path key = pki() / "rsa.enc.key.pem", cert = pki() / "rsa.cert.pem";
  const Error none = open_error(profile(pem(key, cert)));
  BOOST_TEST((none.code() == Errc::config), "encrypted, but no password configured");
  BOOST_TEST(none.subject() == p(key));
  test::TempDir dir;
  test::write_file(dir / "wrong.txt", "wrong\n");
  const Error wrong = open_error(profile(pem(key, cert, "file:" + p(dir / "wrong.txt"))));
  BOOST_TEST((wrong.code() == Errc::key));
  BOOST_TEST(wrong.reason() == "wrong password for the private key");
  BOOST_CHECK_NO_THROW(open_signer(profile(pem(key, cert, "file:p12-password.txt")), SecretResolver()));
}

BOOST_AUTO_TEST_CASE(pem_files_that_are_not_what_they_claim_are_input_errors) {
  test::TempDir dir;
  const fs::path key = pki() / "rsa.key.pem", cert = pki() / "rsa.cert.pem";
  struct Case {
    fs::path key, cert, subject;
  } cases[] = {
      {dir / "missing.key.pem", cert, dir / "missing.key.pem"},
      {cert, cert, cert},                  // a certificate where the key belongs
      {pki() / "rsa.p12", cert, pki() / "rsa.p12"},  // DER, not PEM
      {key, dir / "missing.cert.pem", dir / "missing.cert.pem"},
      {key, key, key},                     // a key where the certificate belongs
      {dir.path(), cert, dir.path()},      // a folder
  };
  for (const Case& c : cases) {
    const Error e = open_error(profile(pem(c.key, c.cert)));
    BOOST_TEST((e.code() == Errc::input), c.key << " / " << c.cert << ": " << e.what());
    BOOST_TEST(e.subject() == p(c.subject));
  }
}

// As root every file is readable, so this case only says something when run as a user.
BOOST_AUTO_TEST_CASE(an_unreadable_key_file_is_an_input_error) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("running as root: file permissions do not apply, case skipped");
    return;
  }
  test::TempDir dir;
  fs::copy_file(pki() / "rsa.p12", dir / "locked.p12");
  ::chmod((dir / "locked.p12").c_str(), 0);
  BOOST_TEST((open_error(profile(pkcs12(dir / "locked.p12"))).code() == Errc::input));
}

BOOST_AUTO_TEST_CASE(a_missing_chain_file_is_an_input_error) {
  const Error e = open_error(profile(pkcs12(pki() / "rsa.p12") + "  chain: /nonexistent/chain.pem\n"));
  BOOST_TEST((e.code() == Errc::input));
  BOOST_TEST(e.subject() == "/nonexistent/chain.pem");
}

BOOST_AUTO_TEST_CASE(keys_other_than_rsa_and_ec_are_refused) {
  test::TempDir dir;
  sh("openssl req -x509 -newkey ed25519 -nodes -keyout '" + p(dir / "ed.key") + "' -subj /CN=ed -days 1 -out '" +
     p(dir / "ed.pem") + "' 2>/dev/null");
  const Error e = open_error(profile(pem(dir / "ed.key", dir / "ed.pem"), dir.path()));
  BOOST_TEST((e.code() == Errc::key));
  BOOST_TEST(e.reason().find("unsupported key type") == 0u, e.reason());
}

BOOST_AUTO_TEST_CASE(pss_padding_with_an_ec_key_is_a_config_error) {
  const Error e =
      open_error(profile(pem(pki() / "ec256.key.pem", pki() / "ec256.cert.pem"), pki(), "signature:\n  padding: pss\n"));
  BOOST_TEST((e.code() == Errc::config));
}

// KeySource is a closed variant: an unknown key source stops at the profile loader, before any
// opener, naming the file and the sources there are.
BOOST_AUTO_TEST_CASE(an_unknown_key_source_is_a_config_error) {
  try {
    profile("  source: yubikey\n  path: x\n");
    BOOST_FAIL("accepted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    BOOST_TEST(std::string(e.what()).find("pkcs12, pem, pkcs11, azure-keyvault or csc") != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find("yubikey") != std::string::npos);
  }
  BOOST_CHECK_THROW(profile("  path: x.p12\n"), Error);  // no source at all
}

BOOST_AUTO_TEST_SUITE_END()

// The environment variable used by a profile above, set before any test runs.
struct KeyPasswordEnv {
  KeyPasswordEnv() { ::setenv("ESIGN_UNIT_KEY_PASSWORD", kPassword.c_str(), 1); }
};
BOOST_TEST_GLOBAL_FIXTURE(KeyPasswordEnv);
