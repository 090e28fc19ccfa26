// The CLI's words for what would resolve an error (esign::Remedy): the flag or command that does
// it. The library says what went wrong in its own terms; only the CLI knows its flags.
#pragma once

#include <string>

#include "esign/error.h"

namespace esign::cli {

// "use --force to overwrite" and the like; "" for Remedy::none. `subject` is the error's subject
// (the profile file, for the remedies that log in to a profile's service; "" when unknown).
std::string hint_for(Remedy remedy, const std::string& subject);

// `message` followed by the hint in parentheses when there is one.
std::string with_hint(const std::string& message, Remedy remedy, const std::string& subject);

// e.what() with the hint: the one line the CLI prints for an error.
std::string describe(const Error& e);

}  // namespace esign::cli
