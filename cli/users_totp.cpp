// `esign users totp-enroll`: a new TOTP secret shown as an otpauth:// URI and a QR code, ten
// recovery codes shown once, and enrollment completed by a code from the authenticator.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "esign/auth.h"
#include "esign/error.h"
#include "terminal.h"
#include "users.h"

namespace esign::cli {

namespace {

struct TotpArgs {
  std::string name;
  std::string confirm;
};

ExitCode run(const TotpArgs& a, Context& ctx) {
  Accounts accounts = ctx.accounts();
  std::optional<Session> actor = accounts.current_session();
  if (!a.confirm.empty()) {
    accounts.confirm_totp(actor, a.name, a.confirm);
    if (ctx.json) fmt::print("{}\n", nlohmann::ordered_json{{"user", a.name}, {"totp", "enrolled"}}.dump(2));
    else if (!ctx.quiet) fmt::print("2FA enrolled for {}\n", a.name);
    return ExitCode::ok;
  }
  TotpEnrollment t = accounts.start_totp(actor, a.name);
  if (ctx.json) {
    // For scripts: the enrollment stays pending until --confirm CODE.
    fmt::print("{}\n", nlohmann::ordered_json{{"secret", t.secret}, {"uri", t.uri}, {"recovery_codes", t.recovery_codes}}.dump(2));
    return ExitCode::ok;
  }
  fmt::print("Scan this code with an authenticator app, or enter the secret by hand.\n\n{}\n", qr_render(qr_encode(t.uri)));
  fmt::print("URI:    {}\nsecret: {}\n\nRecovery codes (each works once; they are not shown again):\n", t.uri, t.secret);
  for (const std::string& c : t.recovery_codes) fmt::print("  {}\n", c);
  fmt::print("\n");
  std::fflush(stdout);
  PromptFn prompt = terminal_prompt();
  if (!prompt) {
    fmt::print("enrollment pending: confirm with esign users totp-enroll {} --confirm CODE\n", a.name);
    return ExitCode::ok;
  }
  Secret code = prompt("code from the authenticator");
  accounts.confirm_totp(actor, a.name, code.reveal());
  fmt::print("2FA enrolled for {}\n", a.name);
  return ExitCode::ok;
}

}  // namespace

Command add_users_totp_enroll(CLI::App& users_app, Context& ctx) {
  auto args = std::make_shared<TotpArgs>();
  CLI::App* app = users_app.add_subcommand("totp-enroll", "Enroll a TOTP authenticator (yourself, or anyone as an admin)");
  app->add_option("name", args->name, "User name")->required();
  app->add_option("--confirm", args->confirm, "Complete a pending enrollment with a code from the authenticator");
  return {app, [args, &ctx] { return run(*args, ctx); }};
}

}  // namespace esign::cli
