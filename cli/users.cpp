// `esign users`: operator accounts (add, list, show, disable, enable, unlock, reset-2fa; passwd
// and totp-enroll are in users_passwd.cpp and users_totp.cpp).
#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "terminal.h"
#include "users.h"

namespace esign::cli {

namespace {

struct UsersArgs {
  std::string name;
  std::vector<std::string> roles;
  bool password_stdin = false;
};

std::string utc(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

std::string roles_text(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : ",") + to_string(r);
  return out;
}

std::string two_factor(const UserInfo& u) {
  if (u.totp_enrolled) return fmt::format("totp ({} recovery codes left){}", u.recovery_codes, u.totp_pending ? ", re-enrollment pending" : "");
  return u.totp_pending ? "pending" : "none";
}

nlohmann::ordered_json user_json(const UserInfo& u) {
  nlohmann::ordered_json roles = nlohmann::ordered_json::array();
  for (Role r : u.roles) roles.push_back(to_string(r));
  return {{"name", u.name},
          {"roles", roles},
          {"status", u.status},
          {"failed_attempts", u.failed_attempts},
          {"locked_until", u.locked_until ? nlohmann::ordered_json(utc(*u.locked_until)) : nullptr},
          {"last_login", u.last_login ? nlohmann::ordered_json(utc(*u.last_login)) : nullptr},
          {"created", u.created},
          {"totp", u.totp_enrolled ? "enrolled" : u.totp_pending ? "pending" : "none"},
          {"recovery_codes", u.recovery_codes},
          {"profiles", u.profiles},
          {"sessions", u.sessions}};
}

void print_user(const UserInfo& u) {
  fmt::print("name:       {}\nroles:      {}\nstatus:     {}{}\n", u.name, roles_text(u.roles), u.status,
             u.locked_until ? " until " + utc(*u.locked_until) : "");
  fmt::print("2fa:        {}\nlast login: {}\ncreated:    {}\nprofiles:   {}\nsessions:   {}\n", two_factor(u),
             u.last_login ? utc(*u.last_login) : "never", u.created, u.profiles.empty() ? "-" : fmt::format("{}", fmt::join(u.profiles, ", ")),
             u.sessions);
}

ExitCode run_add(const UsersArgs& a, Context& ctx) {
  std::vector<Role> roles;
  for (const std::string& r : a.roles) roles.push_back(parse_role(r, "--role"));
  Accounts accounts = ctx.accounts();
  std::optional<Session> actor = accounts.current_session();
  accounts.check_add_user(actor, a.name, roles);
  Secret password = read_password(a.password_stdin, "password for " + a.name, true);
  UserInfo u = accounts.add_user(actor, a.name, roles, password);
  if (ctx.json) fmt::print("{}\n", user_json(u).dump(2));
  else if (!ctx.quiet) fmt::print("added user {} ({})\n", u.name, roles_text(u.roles));
  return ExitCode::ok;
}

ExitCode run_list(Context& ctx) {
  Accounts accounts = ctx.accounts();
  std::vector<UserInfo> users = accounts.list_users(accounts.current_session());
  if (ctx.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const UserInfo& u : users) list.push_back(user_json(u));
    fmt::print("{}\n", nlohmann::ordered_json{{"users", list}}.dump(2));
    return ExitCode::ok;
  }
  for (const UserInfo& u : users)
    fmt::print("{:<20} {:<22} {:<9} 2fa: {}\n", u.name, roles_text(u.roles), u.status, two_factor(u));
  return ExitCode::ok;
}

ExitCode run_show(const UsersArgs& a, Context& ctx) {
  Accounts accounts = ctx.accounts();
  UserInfo u = accounts.show_user(accounts.current_session(), a.name);
  if (ctx.json) fmt::print("{}\n", user_json(u).dump(2));
  else print_user(u);
  return ExitCode::ok;
}

ExitCode run_admin(const std::string& verb, const UsersArgs& a, Context& ctx) {
  Accounts accounts = ctx.accounts();
  std::optional<Session> actor = accounts.current_session();
  std::string done;
  if (verb == "disable") accounts.set_enabled(actor, a.name, false), done = "disabled";
  else if (verb == "enable") accounts.set_enabled(actor, a.name, true), done = "enabled";
  else if (verb == "unlock") accounts.unlock(actor, a.name), done = "unlocked";
  else accounts.reset_2fa(actor, a.name), done = "2FA reset for";
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"user", a.name}, {"action", verb}}.dump(2));
  else if (!ctx.quiet) fmt::print("{} {}\n", done, a.name);
  return ExitCode::ok;
}

}  // namespace

Command add_users(CLI::App& root, Context& ctx) {
  CLI::App* app = root.add_subcommand("users", "Operator accounts: add, list, show, disable, enable, unlock, passwd, totp-enroll, reset-2fa");
  app->require_subcommand(1);
  std::vector<Command> verbs;

  auto add = std::make_shared<UsersArgs>();
  CLI::App* add_app = app->add_subcommand("add", "Add a user (the first user, an admin, needs no session; later ones need an admin)");
  add_app->add_option("name", add->name, "User name")->required();
  add_app->add_option("--role", add->roles, "Role: admin, signer or auditor (repeat for several)")->required()
      ->check(CLI::IsMember({"admin", "signer", "auditor"}));
  add_app->add_flag("--password-stdin", add->password_stdin, "Read the password from the first line of stdin");
  verbs.push_back({add_app, [add, &ctx] { return run_add(*add, ctx); }});

  CLI::App* list_app = app->add_subcommand("list", "List users (admin or auditor)");
  verbs.push_back({list_app, [&ctx] { return run_list(ctx); }});

  auto show = std::make_shared<UsersArgs>();
  CLI::App* show_app = app->add_subcommand("show", "Show a user, with the profiles assigned to them");
  show_app->add_option("name", show->name, "User name")->required();
  verbs.push_back({show_app, [show, &ctx] { return run_show(*show, ctx); }});

  for (const char* verb : {"disable", "enable", "unlock", "reset-2fa"}) {
    auto args = std::make_shared<UsersArgs>();
    const std::string v = verb;
    const char* what = v == "disable"  ? "Disable a user and end their sessions (admin)"
                       : v == "enable" ? "Enable a disabled or dormant user (admin)"
                       : v == "unlock" ? "Unlock a user locked out by failed logins (admin)"
                                       : "Remove a user's TOTP secret and recovery codes (admin)";
    CLI::App* sub = app->add_subcommand(v, what);
    sub->add_option("name", args->name, "User name")->required();
    verbs.push_back({sub, [args, v, &ctx] { return run_admin(v, *args, ctx); }});
  }

  verbs.push_back(add_users_passwd(*app, ctx));
  verbs.push_back(add_users_totp_enroll(*app, ctx));

  return {app, [verbs] {
            for (const Command& c : verbs)
              if (c.app->parsed()) return c.run();
            return ExitCode::error;  // unreachable: require_subcommand(1)
          }};
}

}  // namespace esign::cli
