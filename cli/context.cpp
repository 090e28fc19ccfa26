// Context: the ledger is opened only by commands that need it.
#include "context.h"

namespace esign::cli {

Ledger& Context::ledger() {
  if (!ledger_) {
    ledger_ = std::make_unique<Ledger>(Ledger::open(ledger_location(ledger_path, default_config_path())));
  }
  return *ledger_;
}

Accounts Context::accounts() { return Accounts(ledger(), load_auth_config(), as_user); }

namespace {

// What the operator can do about a refusal, in this program's commands.
std::string refusal_hint(Accounts& accounts, const Profile& profile) {
  std::optional<Session> s = accounts.current_session();
  if (!s) return accounts.logged_in_here().size() > 1 ? "choose an operator with --as USER or ESIGN_USER"
                                                      : "log in first: esign login --user NAME";
  if (s->restricted()) return "esign users totp-enroll " + s->user();
  if (!s->has(Role::signer)) return "";
  return "an admin can assign it: esign certs assign --user " + s->user() + " --profile " + profile.name;
}

}  // namespace

Operation Context::operation(const std::string& name, const Profile* profile, KeyPurpose purpose) {
  try {
    return Operation(ledger(), load_auth_config(), name, profile, purpose, as_user);
  } catch (const Error& e) {
    if (e.code() != Errc::auth || !profile) throw;
    Accounts a = accounts();
    std::string hint = refusal_hint(a, *profile);
    if (hint.empty()) throw;
    throw Error(e.code(), e.subject(), e.reason() + " (" + hint + ")");
  }
}

}  // namespace esign::cli
