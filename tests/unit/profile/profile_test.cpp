// Profiles: schema errors name file, line and key; paths and secrets resolve as documented.
#define BOOST_TEST_MODULE profile
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "esign/error.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "fixtures.h"

using namespace esign;

namespace {
const char* kMinimal = "key:\n  source: pkcs12\n  path: keys/seal.p12\n  password: env:P12PW\n";

std::string config_error(const std::string& yaml) {
  try {
    parse_profile(yaml, "/etc/esign/p.yaml");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    return e.what();
  }
  BOOST_FAIL("no error");
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(minimal_profile_resolves_paths_against_its_folder) {
  Profile p = parse_profile(kMinimal, "/etc/esign/seal.yaml");
  BOOST_TEST(p.name == "seal");
  const auto& src = std::get<Pkcs12Source>(p.key);
  BOOST_TEST(src.path == "/etc/esign/keys/seal.p12");
  BOOST_TEST(src.password == "env:P12PW");
  BOOST_TEST((p.signature.level == SignatureLevel::b_b));
  BOOST_TEST((p.signature.digest == DigestAlgorithm::sha256));
  BOOST_TEST(!p.appearance.has_value());
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_key) {
  std::string msg = config_error(std::string(kMinimal) + "signature:\n  digset: sha256\n");
  BOOST_TEST(msg.find("/etc/esign/p.yaml:6") != std::string::npos, msg);
  BOOST_TEST(msg.find("signature.digset") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(unknown_top_level_key_is_an_error) {
  std::string msg = config_error(std::string(kMinimal) + "signatur:\n  reason: x\n");
  BOOST_TEST(msg.find(":5") != std::string::npos, msg);
  BOOST_TEST(msg.find("'signatur'") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(wrong_types_are_errors) {
  BOOST_TEST(config_error(std::string(kMinimal) + "appearance:\n  rect: 5\n").find("appearance.rect") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "require_login: maybe\n").find("require_login") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "signature:\n  digest: md5\n").find("digest") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "signature:\n  reason: [a, b]\n").find("signature.reason") != std::string::npos);
  BOOST_TEST(config_error("key: 5\n").find("'key' must be a mapping") != std::string::npos);
}

// Found by fuzz_profile: a key that is itself a list or mapping ("[a]: 1", "? {x: 1}") made
// yaml-cpp throw its own bad-conversion exception past parse_profile.
BOOST_AUTO_TEST_CASE(keys_must_be_plain_names) {
  std::string msg = config_error(std::string(kMinimal) + "[a, b]: 1\n");
  BOOST_TEST(msg.find("/etc/esign/p.yaml:5") != std::string::npos, msg);
  BOOST_TEST(msg.find("plain names") != std::string::npos, msg);
  msg = config_error(std::string(kMinimal) + "signature:\n  ? {x: 1}\n  : sha256\n");
  BOOST_TEST(msg.find("the keys of 'signature'") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(certification_and_field_locks) {
  Profile p = parse_profile(std::string(kMinimal) + "signature:\n  certify: 1\n  lock_fields: [Approval, Parties.Witness]\n",
                            "/etc/esign/p.yaml");
  BOOST_TEST((p.signature.certify == Certification::no_changes));
  BOOST_TEST(p.signature.lock_fields.fields.size() == 2u);
  BOOST_TEST(p.signature.lock_fields.locks("Approval"));
  BOOST_TEST(p.signature.lock_fields.locks("Parties.Witness"));
  BOOST_TEST(!p.signature.lock_fields.locks("Parties"));
  BOOST_TEST(!p.signature.lock_fields.locks("ApprovalX"));
  p = parse_profile(std::string(kMinimal) + "signature:\n  lock_fields: all\n", "/etc/esign/p.yaml");
  BOOST_TEST((p.signature.certify == Certification::none));
  BOOST_TEST(p.signature.lock_fields.all);
  BOOST_TEST(p.signature.lock_fields.locks("anything"));
  // A name covers the fields below it; an Exclude lock (as read from a PDF) locks the rest.
  FieldLock parties = parse_field_lock("Parties", "--lock-fields");
  BOOST_TEST(parties.locks("Parties.Witness"));
  parties.exclude = true;
  BOOST_TEST(!parties.locks("Parties.Witness"));
  BOOST_TEST(parties.locks("Approval"));
  BOOST_TEST(config_error(std::string(kMinimal) + "signature:\n  certify: 4\n").find("certify must be 1") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "signature:\n  lock_fields: []\n").find("lock_fields") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "signature:\n  lock_fields: 'a,,b'\n").find("lock_fields") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_keys_are_errors) {
  BOOST_TEST(config_error("name: x\n").find("missing key 'key'") != std::string::npos);
  BOOST_TEST(config_error("key:\n  source: pkcs12\n  path: a.p12\n").find("key.password") != std::string::npos);
  BOOST_TEST(config_error("key:\n  source: smartcard\n").find("key.source") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(appearance_pages_and_rect_are_validated) {
  Profile p = parse_profile(std::string(kMinimal) + "appearance:\n  page: 2\n  rect: [10, 20, 110, 70]\n", "/p.yaml");
  BOOST_TEST(p.appearance->page == 2);
  BOOST_TEST(p.appearance->rect[2] == 110);
  BOOST_TEST(parse_profile(std::string(kMinimal) + "appearance:\n  page: last\n", "/p.yaml").appearance->page == 0);
  BOOST_TEST(config_error(std::string(kMinimal) + "appearance:\n  rect: [10, 20, 5, 70]\n").find("x2 > x1") != std::string::npos);
  BOOST_TEST(config_error(std::string(kMinimal) + "appearance:\n  page: 0\n").find("appearance.page") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(profiles_are_found_by_name_on_the_search_path) {
  test::TempDir dir;
  test::write_file(dir / "company.yaml", kMinimal);
  ::setenv("ESIGN_PROFILE_PATH", ("/nonexistent:" + dir.path().string()).c_str(), 1);
  Profile p = load_profile("company");
  BOOST_TEST(p.file == dir / "company.yaml");
  BOOST_CHECK_THROW(load_profile("no-such-profile"), Error);
  ::unsetenv("ESIGN_PROFILE_PATH");
}

BOOST_AUTO_TEST_CASE(secrets_come_from_env_and_files_never_from_the_profile) {
  test::TempDir dir;
  test::write_file(dir / "pw.txt", "s3cret\r\nsecond line\n");
  SecretResolver resolver;
  BOOST_TEST(resolver.resolve("file:pw.txt", "password", dir.path(), "p.yaml").reveal() == "s3cret");
  ::setenv("ESIGN_TEST_SECRET", "from-env", 1);
  BOOST_TEST(resolver.resolve("env:ESIGN_TEST_SECRET", "password", dir.path(), "p.yaml").reveal() == "from-env");
  ::unsetenv("ESIGN_TEST_SECRET");
  BOOST_CHECK_THROW(resolver.resolve("env:ESIGN_TEST_SECRET", "password", dir.path(), "p.yaml"), Error);
  try {
    resolver.resolve("hunter2", "password", dir.path(), "p.yaml");
    BOOST_FAIL("a literal secret was accepted");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("hunter2") == std::string::npos);
  }
  BOOST_CHECK_THROW(resolver.resolve("prompt", "password", dir.path(), "p.yaml"), Error);  // no terminal
}
