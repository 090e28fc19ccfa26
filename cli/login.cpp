// `esign login`: log in to a profile's remote signing service and cache the login, or list
// what is cached (--status).
#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/core.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "esign/error.h"
#include "esign/login.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct LoginArgs {
  std::string profile;
  std::string otp;
  bool status = false;
};

std::string utc(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(s));
}

nlohmann::ordered_json login_json(const CachedLogin& l) {
  return {{"profile", l.profile}, {"profile_file", l.profile_file}, {"service", l.service},
          {"expires", utc(l.expires)}, {"detail", l.detail}};
}

int run_status(Context& ctx) {
  std::vector<CachedLogin> logins = cached_logins();
  if (ctx.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const CachedLogin& l : logins) list.push_back(login_json(l));
    fmt::print("{}\n", nlohmann::ordered_json{{"logins", list}}.dump(2));
  } else if (logins.empty()) {
    fmt::print("no cached logins\n");
  } else {
    for (const CachedLogin& l : logins)
      fmt::print("{}  {}  until {}  {}  ({})\n", l.profile, l.service, utc(l.expires), l.detail, l.profile_file);
  }
  return 0;
}

int run(const LoginArgs& args, Context& ctx) {
  if (args.status) {
    if (!args.profile.empty() || !args.otp.empty()) throw Error(Errc::usage, "--status", "takes no other option");
    return run_status(ctx);
  }
  if (args.profile.empty()) throw Error(Errc::usage, "login", "name the profile to log in with --profile, or use --status");
  Profile profile = load_profile(args.profile);
  LoginOptions options;
  if (!args.otp.empty()) options.otp = args.otp;
  CachedLogin l = login_service(profile, SecretResolver(terminal_prompt()), options);
  if (ctx.json) fmt::print("{}\n", login_json(l).dump(2));
  else if (!ctx.quiet) fmt::print("logged in to {} for {} until {} ({})\n", l.service, l.profile, utc(l.expires), l.detail);
  return 0;
}

}  // namespace

Command add_login(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LoginArgs>();
  CLI::App* app = root.add_subcommand("login", "Log in to a profile's remote signing service, or show the cached logins");
  CLI::Option* profile = app->add_option("-p,--profile", args->profile, "Profile whose service to log in to (csc, azure-keyvault)");
  app->add_option("--otp", args->otp, "One-time password, for a service that asks for one")->needs(profile);
  app->add_flag("--status", args->status, "List the cached logins and until when they last")->excludes(profile);
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
