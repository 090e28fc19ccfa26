// esign::Error: its one-line message, its parts, and the exit code of every kind.
#include <boost/test/unit_test.hpp>

#include "esign/error.h"

using namespace esign;

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(what_is_subject_colon_reason) {
  const Error e(Errc::input, "report.pdf", "not a PDF");
  BOOST_TEST(std::string(e.what()) == "report.pdf: not a PDF");
  BOOST_TEST((e.code() == Errc::input));
  BOOST_TEST(e.subject() == "report.pdf");
  BOOST_TEST(e.reason() == "not a PDF");
}

BOOST_AUTO_TEST_CASE(an_empty_subject_leaves_just_the_reason) {
  const Error e(Errc::usage, "", "a subcommand is required");
  BOOST_TEST(std::string(e.what()) == "a subcommand is required");
  BOOST_TEST(e.subject().empty());
}

BOOST_AUTO_TEST_CASE(it_is_caught_as_a_runtime_error) {
  try {
    throw Error(Errc::key, "rsa.p12", "wrong password");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "rsa.p12: wrong password");
    return;
  }
  BOOST_FAIL("not caught as std::runtime_error");
}

BOOST_AUTO_TEST_CASE(user_side_kinds_exit_2_and_internal_exits_3) {
  for (Errc c : {Errc::usage, Errc::config, Errc::input, Errc::key, Errc::remote, Errc::auth, Errc::conflict})
    BOOST_TEST(static_cast<int>(exit_code_for(c)) == 2, "kind " << static_cast<int>(c));
  BOOST_TEST(static_cast<int>(exit_code_for(Errc::internal)) == 3);
  // A value outside the enumeration (a corrupted or future kind) is treated as a bug.
  BOOST_TEST(static_cast<int>(exit_code_for(static_cast<Errc>(99))) == 3);
}

BOOST_AUTO_TEST_SUITE_END()
