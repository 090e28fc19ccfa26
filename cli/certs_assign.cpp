// `esign certs assign`: link an operator to a signing profile (admin); a require_login profile
// with links is usable only by its linked operators.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "certs_assign.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/profile.h"

namespace esign::cli {

namespace {

struct AssignArgs {
  std::string user;
  std::string profile;
  bool remove = false;
};

ExitCode run(const AssignArgs& a, Context& ctx) {
  Profile profile = load_profile(a.profile);
  Accounts accounts = ctx.accounts();
  std::optional<Session> actor = accounts.current_session();
  bool changed = a.remove ? accounts.unassign_certificate(actor, a.user, profile.name)
                          : accounts.assign_certificate(actor, a.user, profile.name);
  if (ctx.json) {
    fmt::print("{}\n", nlohmann::ordered_json{{"user", a.user}, {"profile", profile.name}, {"assigned", !a.remove},
                                              {"changed", changed}, {"linked_users", accounts.linked_users(profile.name)}}
                           .dump(2));
  } else if (!ctx.quiet) {
    if (a.remove) fmt::print(fmt::runtime(changed ? "{} no longer signs with {}\n" : "{} was not assigned to {}\n"), a.user, profile.name);
    else fmt::print(fmt::runtime(changed ? "{} may sign with {}\n" : "{} was already assigned to {}\n"), a.user, profile.name);
  }
  return ExitCode::ok;
}

}  // namespace

Command add_certs_assign(CLI::App& certs_app, Context& ctx) {
  auto args = std::make_shared<AssignArgs>();
  CLI::App* app = certs_app.add_subcommand("assign", "Assign a signing profile's certificate to an operator (admin)");
  app->add_option("--user", args->user, "Operator (user name)")->required();
  app->add_option("-p,--profile", args->profile, "Signing profile: a name or a path to a YAML file")->required();
  app->add_flag("--remove", args->remove, "Remove the assignment instead");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
