// The verbs of `esign certs`, one file per group: each adds its subcommands to `certs` and
// returns them with what to run.
#pragma once

#include <vector>

#include "context.h"

namespace esign::cli {

// certs_inventory.cpp: list, show, expiring.
std::vector<Command> add_certs_inventory(CLI::App& certs, Context& ctx);
// certs_enroll.cpp: generate, csr, install, import.
std::vector<Command> add_certs_enroll(CLI::App& certs, Context& ctx);
// certs_manage.cpp: export, remove.
std::vector<Command> add_certs_manage(CLI::App& certs, Context& ctx);

}  // namespace esign::cli
