// Assertions shared by the pdf unit tests.
#pragma once

#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

#include "esign/error.h"
#include "pdf/object.h"

namespace esign::pdf {

// Lets BOOST_TEST print objects (and their variants) in PDF syntax when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, const Object& o) {
  std::string text;
  serialize(o, text);
  return os << text;
}
inline std::ostream& operator<<(std::ostream& os, const Object::Value& v) { return os << Object(v); }

}  // namespace esign::pdf

namespace esign::pdf::test {

// Runs `f` and checks it throws Error(Errc::input) naming "test.pdf" whose reason contains `fragment`.
template <class F>
void expect_input_error(F&& f, const std::string& fragment) {
  try {
    f();
    BOOST_ERROR("expected an input error containing '" << fragment << "'");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(e.subject() == "test.pdf");
    BOOST_TEST(e.reason().find(fragment) != std::string::npos, "reason '" << e.reason() << "' lacks '" << fragment << "'");
  }
}

}  // namespace esign::pdf::test
