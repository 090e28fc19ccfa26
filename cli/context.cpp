// Context: the ledger is opened only by commands that need it.
#include "context.h"

namespace esign::cli {

Ledger& Context::ledger() {
  if (!ledger_) {
    ledger_ = std::make_unique<Ledger>(Ledger::open(ledger_path.empty() ? default_ledger_path() : std::filesystem::path(ledger_path)));
  }
  return *ledger_;
}

}  // namespace esign::cli
