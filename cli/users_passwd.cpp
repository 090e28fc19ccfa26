// `esign users passwd`: change your own password (the current one first) or, as an admin,
// another user's.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "esign/auth.h"
#include "terminal.h"
#include "users.h"

namespace esign::cli {

namespace {

struct PasswdArgs {
  std::string name;
  bool password_stdin = false;
};

ExitCode run(const PasswdArgs& a, Context& ctx) {
  Accounts accounts = ctx.accounts();
  Session actor = accounts.require_session();
  const std::string name = a.name.empty() ? actor.user() : a.name;
  std::optional<Secret> current;
  if (name == actor.user()) current = read_password(a.password_stdin, "current password for " + name);
  Secret password = read_password(a.password_stdin, "new password for " + name, true);
  accounts.change_password(actor, name, current ? &*current : nullptr, password);
  if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"user", name}, {"action", "passwd"}}.dump(2));
  else if (!ctx.quiet) fmt::print("changed the password of {}\n", name);
  return ExitCode::ok;
}

}  // namespace

Command add_users_passwd(CLI::App& users_app, Context& ctx) {
  auto args = std::make_shared<PasswdArgs>();
  CLI::App* app = users_app.add_subcommand("passwd", "Change a password: your own (current one first) or, as an admin, another user's");
  app->add_option("name", args->name, "User name (default: the logged-in user)");
  app->add_flag("--password-stdin", args->password_stdin,
                "Read the passwords from stdin, one a line: the current one (for your own), then the new one");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
