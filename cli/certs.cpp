// `esign certs`: certificates and the keys they belong to; the verbs live in certs_*.cpp.
#include <CLI/CLI.hpp>

#include "certs_assign.h"
#include "certs_verbs.h"
#include "commands.h"

namespace esign::cli {

Command add_certs(CLI::App& root, Context& ctx) {
  CLI::App* app = root.add_subcommand("certs", "Make keys and requests, install, import, list, assign and remove certificates");
  app->require_subcommand(1);
  std::vector<Command> verbs;
  for (auto add : {add_certs_inventory, add_certs_enroll, add_certs_manage})
    for (Command& c : add(*app, ctx)) verbs.push_back(std::move(c));
  verbs.push_back(add_certs_assign(*app, ctx));
  return {app, [verbs] {
            for (const Command& c : verbs)
              if (c.app->parsed()) return c.run();
            return ExitCode::error;  // unreachable: require_subcommand(1)
          }};
}

}  // namespace esign::cli
