// `esign certs` holding only `assign`, until this branch meets the one with the full `esign certs`
// (generate, csr, install, ...), whose command table then registers add_certs_assign instead.
#include <CLI/CLI.hpp>

#include "certs_assign.h"
#include "commands.h"

namespace esign::cli {

Command add_certs(CLI::App& root, Context& ctx) {
  CLI::App* app = root.add_subcommand("certs", "Signing certificates: assign (link a profile to an operator)");
  app->require_subcommand(1);
  Command assign = add_certs_assign(*app, ctx);
  return {app, [assign] { return assign.run(); }};
}

}  // namespace esign::cli
