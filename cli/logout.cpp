// `esign logout`: end the operator session, or (--profile) forget a profile's cached service login.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/login.h"
#include "esign/profile.h"

namespace esign::cli {

namespace {

struct LogoutArgs {
  std::string profile;
};

// Logging out of a profile without a cached login succeeds too: afterwards nothing is cached
// either way, which is what a script calling logout wants.
ExitCode run_profile(const LogoutArgs& args, Context& ctx) {
  Profile profile = load_profile(args.profile);
  bool removed = logout_service(profile);
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"profile", profile.name}, {"logged_out", removed}}.dump(2));
  else if (!ctx.quiet && removed) fmt::print("logged out of {}\n", profile.name);
  else if (!ctx.quiet) fmt::print("no cached login for {}\n", profile.name);
  return ExitCode::ok;
}

// Without a session there is nothing to end: that is an error, so that a script learns it was not
// logged in where it thought (another ledger or XDG_STATE_HOME).
ExitCode run(const LogoutArgs& args, Context& ctx) {
  if (!args.profile.empty()) return run_profile(args, ctx);
  Accounts accounts = ctx.accounts();
  std::optional<Session> s = accounts.current_session();
  if (!s || !accounts.logout())
    throw Error(Errc::auth, "logout", "no operator is logged in (for a service login use --profile)");
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"user", s->user()}, {"logged_out", true}}.dump(2));
  else if (!ctx.quiet) fmt::print("logged out {}\n", s->user());
  return ExitCode::ok;
}

}  // namespace

Command add_logout(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LogoutArgs>();
  CLI::App* app = root.add_subcommand("logout", "End the operator session, or forget a profile's cached service login (--profile)");
  app->add_option("-p,--profile", args->profile, "Profile whose cached service login to remove (the operator session stays)");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
