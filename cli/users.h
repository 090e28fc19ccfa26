// The verbs of `esign users` that live in their own files.
#pragma once

#include "context.h"

namespace esign::cli {

// `esign users passwd` (users_passwd.cpp).
Command add_users_passwd(CLI::App& users_app, Context& ctx);
// `esign users totp-enroll` (users_totp.cpp).
Command add_users_totp_enroll(CLI::App& users_app, Context& ctx);

}  // namespace esign::cli
