// `esign logout`: forget a profile's cached service login.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
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
int run(const LogoutArgs& args, Context& ctx) {
  if (args.profile.empty()) throw Error(Errc::usage, "logout", "name the profile to log out of with --profile");
  Profile profile = load_profile(args.profile);
  bool removed = logout_service(profile);
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"profile", profile.name}, {"logged_out", removed}}.dump(2));
  else if (!ctx.quiet && removed) fmt::print("logged out of {}\n", profile.name);
  else if (!ctx.quiet) fmt::print("no cached login for {}\n", profile.name);
  return 0;
}

}  // namespace

Command add_logout(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LogoutArgs>();
  CLI::App* app = root.add_subcommand("logout", "Forget a profile's cached service login");
  app->add_option("-p,--profile", args->profile, "Profile whose cached login to remove");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
