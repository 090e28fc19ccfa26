// CMS encryption through the library: round trips with file keys, and every failure (tampered,
// truncated, wrong key, not CMS) is an Error that leaves no output and no temporary file.
#define BOOST_TEST_MODULE envelope
#include <boost/test/unit_test.hpp>

#include "esign/envelope.h"
#include "esign/error.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const fs::path& fx() {
  static const fs::path dir = test::fixtures("envelope");
  return dir;
}
fs::path pki(const std::string& f) { return fx() / "pki" / f; }

// The keyEncipherment-only RSA signer of the test PKI: the one fit for key transport.
const char* kRecipient = "nokeyusage";

std::string payload() {
  std::string s;
  for (int i = 0; i < 100000; ++i) s.push_back(static_cast<char>((i * 7919) % 251));
  return s;
}

bool no_temp_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (is_temporary_output(e.path())) return false;
  return true;
}

fs::path encrypt(const test::TempDir& dir, bool compat, const std::string& recipient = kRecipient) {
  test::write_file(dir / "data.bin", payload());
  EncryptOptions o;
  o.recipients = {pki(recipient + std::string(".cert.pem"))};
  o.compat = compat;
  fs::path out = dir / (compat ? "data.cbc.p7m" : "data.gcm.p7m");
  EnvelopeOutcome r = encrypt_file(dir / "data.bin", out, o);
  BOOST_TEST(r.content_cipher == (compat ? "aes-256-cbc" : "aes-256-gcm"));
  BOOST_TEST(r.recipient_fingerprints.size() == 1u);
  return out;
}

Profile recipient_profile() { return load_profile(pki(std::string(kRecipient) + ".yaml").string()); }

// Flips one byte `back` bytes before the end of `file`.
void flip(const fs::path& file, std::size_t back) {
  std::string s = test::read_file(file);
  s[s.size() - back] = static_cast<char>(s[s.size() - back] ^ 0x5a);
  test::write_file(file, s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(gcm_and_cbc_round_trips_give_back_the_same_bytes) {
  test::TempDir dir;
  for (bool compat : {false, true}) {
    fs::path p7m = encrypt(dir, compat);
    fs::path out = dir / (compat ? "cbc.out" : "gcm.out");
    EnvelopeOutcome r = decrypt_file(recipient_profile(), SecretResolver(), p7m, out, false);
    BOOST_TEST(test::read_file(out) == payload());
    BOOST_TEST(r.content_cipher == (compat ? "aes-256-cbc" : "aes-256-gcm"));
    BOOST_TEST(r.recipient_fingerprints.size() == 1u);
  }
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(tampered_gcm_ciphertext_is_an_input_error_and_leaves_no_output) {
  test::TempDir dir;
  fs::path p7m = encrypt(dir, false);
  flip(p7m, 60);
  fs::path out = dir / "tampered.out";
  try {
    decrypt_file(recipient_profile(), SecretResolver(), p7m, out, false);
    BOOST_FAIL("a tampered file decrypted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(e.subject() == p7m.string());
  }
  BOOST_TEST(!fs::exists(out));
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(truncated_file_is_an_input_error_that_says_truncated) {
  test::TempDir dir;
  fs::path p7m = encrypt(dir, false);
  std::string s = test::read_file(p7m);
  test::write_file(dir / "cut.p7m", s.substr(0, s.size() - 100));
  fs::path out = dir / "cut.out";
  try {
    decrypt_file(recipient_profile(), SecretResolver(), dir / "cut.p7m", out, false);
    BOOST_FAIL("a truncated file decrypted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(std::string(e.what()).find("truncated") != std::string::npos);
  }
  BOOST_TEST(!fs::exists(out));
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(a_key_that_is_not_a_recipient_is_a_key_error_before_any_output) {
  test::TempDir dir;
  fs::path p7m = encrypt(dir, true);
  fs::path out = dir / "wrong.out";
  try {
    decrypt_file(load_profile(pki("rsa.yaml").string()), SecretResolver(), p7m, out, false);
    BOOST_FAIL("another key decrypted the file");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::key));
    BOOST_TEST(std::string(e.what()).find("not encrypted to this profile's key") != std::string::npos);
  }
  BOOST_TEST(!fs::exists(out));
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_cms_is_an_input_error) {
  test::TempDir dir;
  test::write_file(dir / "plain.p7m", "this is not DER at all\n");
  BOOST_CHECK_THROW(decrypt_file(recipient_profile(), SecretResolver(), dir / "plain.p7m", dir / "plain.out", false),
                    Error);
  BOOST_TEST(!fs::exists(dir / "plain.out"));
}

BOOST_AUTO_TEST_CASE(an_existing_output_is_a_conflict_unless_overwrite) {
  test::TempDir dir;
  fs::path p7m = encrypt(dir, false);
  test::write_file(dir / "out.bin", "keep me");
  try {
    decrypt_file(recipient_profile(), SecretResolver(), p7m, dir / "out.bin", false);
    BOOST_FAIL("an existing output was overwritten");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::conflict));
  }
  BOOST_TEST(test::read_file(dir / "out.bin") == "keep me");
  decrypt_file(recipient_profile(), SecretResolver(), p7m, dir / "out.bin", true);
  BOOST_TEST(test::read_file(dir / "out.bin") == payload());
}

BOOST_AUTO_TEST_CASE(a_csc_profile_cannot_decrypt_and_says_why) {
  test::TempDir dir;
  fs::path p7m = encrypt(dir, false);
  test::write_file(dir / "csc.yaml",
                   "name: csc\nkey:\n  source: csc\n  base_url: http://127.0.0.1:9/csc/v2\n  client_id: app\n"
                   "  client_secret: env:NOPE\n");
  try {
    decrypt_file(load_profile((dir / "csc.yaml").string()), SecretResolver(), p7m, dir / "csc.out", false);
    BOOST_FAIL("a csc profile decrypted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    BOOST_TEST(std::string(e.what()).find("cannot decrypt") != std::string::npos);
  }
  BOOST_TEST(!fs::exists(dir / "csc.out"));
}
