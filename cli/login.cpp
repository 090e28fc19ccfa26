// `esign login`: open an operator session (--user), log in to a profile's remote signing service
// and cache the login (--profile), or show both (--status).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <fmt/chrono.h>
#include <fmt/core.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/login.h"
#include "esign/profile.h"
#include "terminal.h"

namespace esign::cli {

namespace {

struct LoginArgs {
  std::string user;
  std::string profile;
  std::string otp;
  std::string recovery_code;
  bool password_stdin = false;
  bool force = false;
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

nlohmann::ordered_json session_json(const Session& s) {
  nlohmann::ordered_json roles = nlohmann::ordered_json::array();
  for (Role r : s.roles()) roles.push_back(to_string(r));
  return {{"user", s.user()}, {"roles", roles}, {"expires", utc(s.expires())}, {"restricted", s.restricted()}};
}

ExitCode run_status(Context& ctx) {
  Accounts accounts = ctx.accounts();
  std::string why;
  std::optional<Session> session = accounts.current_session(&why);
  std::vector<std::string> here = accounts.logged_in_here();
  std::vector<CachedLogin> logins = cached_logins();
  if (ctx.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const CachedLogin& l : logins) list.push_back(login_json(l));
    fmt::print("{}\n", nlohmann::ordered_json{{"operator", session ? session_json(*session) : nullptr},
                                             {"operators_here", here},
                                             {"logins", list}}
                           .dump(2));
    return ExitCode::ok;
  }
  if (session)
    fmt::print("operator {} logged in until {}{}\n", session->user(), utc(session->expires()),
               session->restricted() ? " (restricted until 2FA is enrolled)" : "");
  else
    fmt::print("operator: {}\n", why);
  if (here.size() > 1) {
    std::string list;
    for (const std::string& u : here) list += (list.empty() ? "" : ", ") + u;
    fmt::print("sessions here: {} (choose one with --as USER or ESIGN_USER)\n", list);
  }
  if (logins.empty()) {
    fmt::print("no cached logins\n");
    return ExitCode::ok;
  }
  // Columns as wide as their longest entry, so that the lines read as a table.
  std::size_t profile_w = 7, service_w = 7, until_w = 5, detail_w = 6;
  for (const CachedLogin& l : logins) {
    profile_w = std::max(profile_w, l.profile.size());
    service_w = std::max(service_w, l.service.size());
    until_w = std::max(until_w, utc(l.expires).size());
    detail_w = std::max(detail_w, l.detail.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", "PROFILE", profile_w, "SERVICE", service_w, "UNTIL", until_w, "DETAIL",
             detail_w, "FILE");
  for (const CachedLogin& l : logins)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", l.profile, profile_w, l.service, service_w, utc(l.expires), until_w,
               l.detail, detail_w, l.profile_file);
  return ExitCode::ok;
}

ExitCode run_operator(const LoginArgs& args, Context& ctx) {
  Accounts accounts = ctx.accounts();
  LoginRequest req;
  req.user = args.user;
  req.password = read_password(args.password_stdin, "password for " + args.user);
  if (!args.otp.empty()) req.otp = args.otp;
  if (!args.recovery_code.empty()) req.recovery_code = Secret(args.recovery_code);
  req.force = args.force;
  req.ask_code = terminal_prompt();
  LoginResult r = accounts.login(std::move(req));
  if (ctx.json) {
    nlohmann::ordered_json j = session_json(r.session);
    j["ended_sessions"] = r.ended_sessions;
    if (r.recovery_codes_left >= 0) j["recovery_codes_left"] = r.recovery_codes_left;
    fmt::print("{}\n", j.dump(2));
  } else if (!ctx.quiet) {
    fmt::print("logged in as {} until {}\n", r.session.user(), utc(r.session.expires()));
    if (r.ended_sessions) fmt::print("ended {} other session(s)\n", r.ended_sessions);
    if (r.recovery_codes_left >= 0) fmt::print("used a recovery code: {} left\n", r.recovery_codes_left);
  }
  if (r.must_enroll_2fa)
    std::fprintf(stderr, "esign: %s must enroll 2FA before anything else: esign users totp-enroll %s\n",
                 r.session.user().c_str(), r.session.user().c_str());
  return ExitCode::ok;
}

ExitCode run(const LoginArgs& args, Context& ctx) {
  if (args.status) return run_status(ctx);
  if (!args.user.empty()) return run_operator(args, ctx);
  if (args.profile.empty())
    throw Error(Errc::usage, "login", "log in as an operator with --user, to a service with --profile, or use --status");
  Profile profile = load_profile(args.profile);
  LoginOptions options;
  if (!args.otp.empty()) options.otp = args.otp;
  CachedLogin l = login_service(profile, SecretResolver(terminal_prompt()), options);
  if (ctx.json) fmt::print("{}\n", login_json(l).dump(2));
  else if (!ctx.quiet) fmt::print("logged in to {} for {} until {} ({})\n", l.service, l.profile, utc(l.expires), l.detail);
  return ExitCode::ok;
}

}  // namespace

Command add_login(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<LoginArgs>();
  CLI::App* app = root.add_subcommand("login", "Open an operator session (--user), log in to a profile's remote signing service (--profile), or show both (--status)");
  CLI::Option* user = app->add_option("-u,--user", args->user, "Operator to log in as: opens a session in the ledger");
  CLI::Option* profile = app->add_option("-p,--profile", args->profile, "Profile whose service to log in to (csc, azure-keyvault)")->excludes(user);
  app->add_flag("--password-stdin", args->password_stdin, "Read the operator's password from the first line of stdin")->needs(user);
  CLI::Option* otp = app->add_option("--otp", args->otp, "One-time code: the operator's TOTP code, or a service's OTP");
  app->add_option("--recovery-code", args->recovery_code, "A one-time recovery code instead of a TOTP code")->needs(user)->excludes(otp);
  app->add_flag("--force", args->force, "At the session limit, end the operator's other sessions")->needs(user);
  app->add_flag("--status", args->status, "Show the operator session and the cached service logins")->excludes(profile)->excludes(user);
  otp->excludes("--status");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
