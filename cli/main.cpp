// esign's entry point: the command table, global flags, the one catch that maps errors to exit codes.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <vector>

#include "commands.h"
#include "esign/error.h"

int main(int argc, char** argv) {
  using namespace esign;
  using namespace esign::cli;

  CLI::App root{"esign: sign and verify documents (PAdES, CAdES) from the command line", "esign"};
  root.set_version_flag("--version", "esign 0.1.0");
  root.require_subcommand(1);
  root.fallthrough();
  Context ctx;
  root.add_option("--ledger", ctx.ledger_path, "Ledger database (default: $ESIGN_LEDGER, $ESIGN_HOME/ledger.db, $XDG_DATA_HOME/esign/ledger.db, or ~/.local/share/esign/ledger.db)");
  root.add_flag("--json", ctx.json, "Print one JSON document on stdout");
  root.add_flag("-q,--quiet", ctx.quiet, "Print only errors");

  std::vector<Command> commands{add_sign(root, ctx), add_bulk(root, ctx), add_verify(root, ctx), add_audit(root, ctx),
                                add_login(root, ctx), add_logout(root, ctx), add_stamp(root, ctx), add_encrypt(root, ctx),
                                add_decrypt(root, ctx), add_certs(root, ctx)};

  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "esign: %s\n", e.what());
    return 2;
  }

  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "esign: %s\n", e.what());
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "esign: internal error: %s\n", e.what());
    return 3;
  }
}
