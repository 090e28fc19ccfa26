// The table of subcommands: one add_<command> per cli/<command>.cpp.
#pragma once

#include "context.h"

namespace esign::cli {

Command add_sign(CLI::App& root, Context& ctx);
Command add_verify(CLI::App& root, Context& ctx);
Command add_bulk(CLI::App& root, Context& ctx);
Command add_audit(CLI::App& root, Context& ctx);
Command add_ledger(CLI::App& root, Context& ctx);
Command add_login(CLI::App& root, Context& ctx);
Command add_logout(CLI::App& root, Context& ctx);
Command add_stamp(CLI::App& root, Context& ctx);
Command add_encrypt(CLI::App& root, Context& ctx);
Command add_decrypt(CLI::App& root, Context& ctx);
Command add_users(CLI::App& root, Context& ctx);
Command add_certs(CLI::App& root, Context& ctx);
Command add_profile(CLI::App& root, Context& ctx);
Command add_completion(CLI::App& root, Context& ctx);

}  // namespace esign::cli
