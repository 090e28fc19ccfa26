// What every subcommand shares: global flags, the lazily opened ledger, output streams.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/operation.h"

namespace CLI {
class App;
}

namespace esign::cli {

struct Context {
  std::string ledger_path;  // --ledger; empty: ESIGN_LEDGER / ESIGN_HOME / XDG default
  bool json = false;        // --json: one JSON document on stdout
  bool quiet = false;       // --quiet: no human progress text
  std::string as_user;      // --as: whose operator session to use (empty: ESIGN_USER, else the last login)

  // Opens the ledger on first use (creating it) and keeps it for the process.
  Ledger& ledger();
  // The operator accounts of the ledger, with the configuration's rules and the session chosen by --as.
  Accounts accounts();
  // An operation on files (esign/operation.h): the operator checked for `profile` (may be null).
  Operation operation(const std::string& name, const Profile* profile, KeyPurpose purpose = KeyPurpose::use);

 private:
  std::unique_ptr<Ledger> ledger_;
};

// A subcommand: its CLI11 app and what to run when it was chosen. run() returns how it ended.
struct Command {
  CLI::App* app;
  std::function<ExitCode()> run;
};

}  // namespace esign::cli
