// Talking to the operator's terminal: secret prompts without echo.
#pragma once

#include "esign/secret.h"

namespace esign::cli {

// A prompt function for SecretResolver when stdin is a terminal; nullptr otherwise (scripts
// must use env: or file: references).
PromptFn terminal_prompt();

// Prints notices for the operator on stderr ("esign: MESSAGE").
NoticeFn stderr_notice();

}  // namespace esign::cli
