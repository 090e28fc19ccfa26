// Talking to the operator's terminal: secret prompts without echo.
#pragma once

#include <string>

#include "esign/secret.h"

namespace esign::cli {

// A prompt function for SecretResolver when stdin is a terminal; nullptr otherwise (scripts
// must use env: or file: references).
PromptFn terminal_prompt();

// A password for `esign login` or `esign users`: the next line of stdin with --password-stdin
// (`from_stdin`), else asked on the terminal without echo (twice, when `confirm`, and the two must
// match). Throws Error(usage) when stdin is not a terminal and --password-stdin was not given.
Secret read_password(bool from_stdin, const std::string& what, bool confirm = false);

// Asks a yes/no question on the terminal; true only for "y" or "yes". Throws Error(usage) when
// stdin is not a terminal (scripts say --yes).
bool terminal_confirm(const std::string& question);

// Prints notices for the operator on stderr ("esign: MESSAGE").
NoticeFn stderr_notice();

}  // namespace esign::cli
