// esign's entry point: the command table, global flags, the one catch that maps errors to exit codes.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "hints.h"
#include "suggest.h"
#include "esign/error.h"

namespace {

// Every error: one line on stderr; with --json also one JSON object on stdout, so a script that
// reads stdout sees why there is no report.
esign::ExitCode report_error(const std::string& message, esign::ExitCode code, bool json) {
  std::fprintf(stderr, "esign: %s\n", message.c_str());
  if (json) {
    nlohmann::json doc = {{"error", {{"message", message}, {"exit_code", static_cast<int>(code)}}}};
    std::printf("%s\n", doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace esign;
  using namespace esign::cli;

  CLI::App root{"esign: sign and verify documents (PAdES, CAdES) from the command line", "esign"};
  root.set_version_flag("--version", "esign 0.1.0");
  root.require_subcommand(1);
  root.fallthrough();
  Context ctx;
  root.add_option("--ledger", ctx.ledger_path, "Ledger: a SQLite file or a postgresql:// URI (default: $ESIGN_LEDGER, $ESIGN_HOME/ledger.db, $XDG_DATA_HOME/esign/ledger.db, or ~/.local/share/esign/ledger.db)");
  root.add_flag("--json", ctx.json, "Print one JSON document on stdout");
  root.add_flag("-q,--quiet", ctx.quiet, "Print only errors");
  root.add_option("--as", ctx.as_user, "Use this operator's session when several are logged in here (default: $ESIGN_USER, else the last to log in)")
      ->type_name("USER");

  std::vector<Command> commands{add_sign(root, ctx),    add_bulk(root, ctx),   add_verify(root, ctx),
                                add_audit(root, ctx),   add_ledger(root, ctx), add_login(root, ctx),
                                add_logout(root, ctx),  add_stamp(root, ctx),  add_encrypt(root, ctx),
                                add_decrypt(root, ctx), add_users(root, ctx), add_certs(root, ctx),
                                add_profile(root, ctx), add_completion(root, ctx)};

  // The exit status is always an ExitCode (esign/error.h): the one table of exit codes.
  auto status = [](ExitCode code) { return static_cast<int>(code); };
  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    bool json = ctx.json;
    for (int i = 1; i < argc; ++i) json = json || std::strcmp(argv[i], "--json") == 0;
    return status(report_error(explain_parse_error(root, e, argc, argv), ExitCode::error, json));
  }

  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return status(c.run());
    return status(ExitCode::error);  // unreachable: require_subcommand(1)
  } catch (const Error& e) {
    return status(report_error(describe(e), exit_code_for(e.code()), ctx.json));
  } catch (const std::exception& e) {
    return status(report_error(std::string("internal error: ") + e.what(), ExitCode::internal, ctx.json));
  }
}
