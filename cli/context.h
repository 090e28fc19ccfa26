// What every subcommand shares: global flags, the lazily opened ledger, output streams.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "esign/error.h"
#include "esign/ledger.h"

namespace CLI {
class App;
}

namespace esign::cli {

struct Context {
  std::string ledger_path;  // --ledger; empty: ESIGN_LEDGER / ESIGN_HOME / XDG default
  bool json = false;        // --json: one JSON document on stdout
  bool quiet = false;       // --quiet: no human progress text

  // Opens the ledger on first use (creating it) and keeps it for the process.
  Ledger& ledger();

 private:
  std::unique_ptr<Ledger> ledger_;
};

// A subcommand: its CLI11 app and what to run when it was chosen. run() returns how it ended.
struct Command {
  CLI::App* app;
  std::function<ExitCode()> run;
};

}  // namespace esign::cli
