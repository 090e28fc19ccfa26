// How failed checks add up to ETSI indications, the exit code of a run, and the configuration
// file's verify section.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "esign/error.h"
#include "verify/outcome.h"

namespace esign::verify {
namespace {

namespace fs = std::filesystem;

const Failure kTryLater{Indication::indeterminate, sub::try_later};
const Failure kHash{Indication::total_failed, sub::hash_failure};

BOOST_AUTO_TEST_SUITE(outcome)

BOOST_AUTO_TEST_CASE(a_signature_is_as_bad_as_its_worst_check) {
  SignatureReport r;
  add_check(r, "chain", true);
  conclude(r);
  BOOST_TEST(r.valid);
  BOOST_TEST((r.indication == Indication::total_passed));
  BOOST_TEST(r.error.empty());

  add_check(r, "revocation", false, "no responder answered", kTryLater);
  conclude(r);
  BOOST_TEST(!r.valid);
  BOOST_TEST((r.indication == Indication::indeterminate));
  BOOST_TEST(r.sub_indication == "TRY_LATER");
  BOOST_TEST(r.error == "revocation: no responder answered");

  // A later, worse failure wins over an earlier INDETERMINATE one...
  add_check(r, "message_digest", false, "changed", kHash);
  // ... and the first of equally bad ones gives the reason.
  add_check(r, "signature_value", false, "does not verify", {Indication::total_failed, sub::sig_crypto_failure});
  r.level = "B-B";
  conclude(r);
  BOOST_TEST((r.indication == Indication::total_failed));
  BOOST_TEST(r.sub_indication == "HASH_FAILURE");
  BOOST_TEST(r.error == "message_digest: changed");
  BOOST_TEST(r.level.empty());  // a signature that did not pass reaches no level
}

BOOST_AUTO_TEST_CASE(nothing_checked_is_not_a_pass) {
  SignatureReport r;
  conclude(r);
  BOOST_TEST(!r.valid);
  BOOST_TEST((r.indication == Indication::total_failed));
}

BOOST_AUTO_TEST_CASE(a_file_is_as_bad_as_its_worst_signature_or_itself) {
  FileReport f;
  f.signatures.resize(2);
  f.signatures[0].field = "Signature1";
  add_check(f.signatures[0], "chain", true);
  conclude(f.signatures[0]);
  f.signatures[1].field = "Signature2";
  add_check(f.signatures[1], "revocation", false, "unknown", kTryLater);
  conclude(f.signatures[1]);
  conclude(f);
  BOOST_TEST((f.indication == Indication::indeterminate));
  BOOST_TEST(f.sub_indication == "TRY_LATER");
  BOOST_TEST(*f.error == "Signature2: revocation: unknown");

  // A failure of the file itself (bytes after the last revision) is worse.
  fail_file(f, "modified after signing");
  conclude(f);
  BOOST_TEST((f.indication == Indication::total_failed));
  BOOST_TEST(f.sub_indication == "FORMAT_FAILURE");
  BOOST_TEST(*f.error == "modified after signing");

  FileReport empty;
  conclude(empty);
  BOOST_TEST(!empty.valid);
  BOOST_TEST((empty.indication == Indication::total_failed));
}

BOOST_AUTO_TEST_CASE(the_exit_code_says_the_worst_outcome) {
  FileReport passed, indeterminate, failed, unreadable;
  passed.indication = Indication::total_passed;
  indeterminate.indication = Indication::indeterminate;
  failed.indication = Indication::total_failed;
  unreadable.unreadable = true;
  auto code = [](const std::vector<FileReport>& reports) { return static_cast<int>(exit_code_for(reports)); };
  // The numbers are the contract (DESIGN.md, esign-verify(1)).
  BOOST_TEST(code({passed, passed}) == 0);
  BOOST_TEST(code({passed, indeterminate}) == 4);
  BOOST_TEST(code({indeterminate, failed, passed}) == 1);
  BOOST_TEST(code({failed, indeterminate}) == 1);
  BOOST_TEST(code({passed, failed, unreadable}) == 2);
  BOOST_TEST((exit_code_for({passed, indeterminate}) == ExitCode::indeterminate));
}

BOOST_AUTO_TEST_CASE(the_configuration_file_sets_the_revocation_policy) {
  const fs::path dir = fs::temp_directory_path() / ("esign-outcome-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path f = dir / "config.yaml";
  BOOST_TEST((load_verify_config(dir / "missing.yaml").revocation == RevocationPolicy::require));
  BOOST_TEST(!load_verify_config(dir / "missing.yaml").max_evidence_age.has_value());

  std::ofstream(f) << "verify:\n  revocation: soft-fail\n  max_evidence_age: 7d\n";
  VerifyConfig c = load_verify_config(f);
  BOOST_TEST((c.revocation == RevocationPolicy::soft_fail));
  BOOST_TEST(c.max_evidence_age->count() == 7 * 86400);

  // The auth section and the verify section live side by side.
  std::ofstream(f) << "auth:\n  dormant_days: 30\nverify:\n  revocation: off\n";
  BOOST_TEST((load_verify_config(f).revocation == RevocationPolicy::off));

  auto error_of = [&](const std::string& text) {
    std::ofstream(f) << text;
    try {
      load_verify_config(f);
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::config));
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(error_of("verify:\n  revocation: maybe\n").find("require, soft-fail or off") != std::string::npos);
  const std::string unknown = error_of("verify:\n  revocation: off\n  colour: blue\n");
  BOOST_TEST(unknown.find("verify.colour") != std::string::npos);
  BOOST_TEST(unknown.find(f.string() + ":3") != std::string::npos);
  BOOST_TEST(error_of("verify:\n  max_evidence_age: soon\n").find("duration") != std::string::npos);
  BOOST_TEST(error_of("verifier:\n  revocation: off\n").find("unknown key 'verifier'") != std::string::npos);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(hostile_text_is_made_printable) {
  // A field name cannot end the line, colour the terminal or break the encoding.
  BOOST_TEST(printable("Sig\nnature\x1b[31m\x7f") == "Sig\xEF\xBF\xBDnature\xEF\xBF\xBD[31m\xEF\xBF\xBD");
  BOOST_TEST(printable("bad\xff.pdf") == "bad\xEF\xBF\xBD.pdf");
  BOOST_TEST(printable("Prüfung") == "Prüfung");
  BOOST_TEST(printable("\xC2\x9B") == "\xEF\xBF\xBD");  // a C1 control (CSI)
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace esign::verify
