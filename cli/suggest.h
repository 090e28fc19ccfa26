// "Did you mean": the closest known command or option to what the user typed.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace esign::cli {

// A one-line explanation for a command line CLI11 refused: an unknown command or option, with
// the closest known one when there is a close one ("did you mean 'sign'?"); CLI11's own
// message otherwise. `root` has been parsed (or tried).
std::string explain_parse_error(CLI::App& root, const CLI::ParseError& error, int argc, char** argv);

}  // namespace esign::cli
