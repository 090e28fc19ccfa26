// One guarded path for everything esign does to files with a profile's key, and one place where
// its audit events are written.
//
// Every command that uses or manages a profile's key — sign, bulk, stamp with a profile, decrypt,
// certs generate/csr/install/import/export/remove — runs as an Operation. Constructing one
// settles who may use the profile before any key or secret is touched: require_login, the
// operator's role and the profile's assignments are checked by Accounts against the session in
// effect, which the library itself looks up and validates in the ledger (a name alone is never
// trusted). A refusal is an audit event too. Each item then goes through run() (or, for bulk,
// event()), so its audit event — operation, profile, operator, input, output, hashes, outcome —
// is written whatever happens. Operations without a profile (encrypt, stamp with a TSA URL) go
// the same way: nothing is refused, and the operator is recorded when one is logged in.
#pragma once

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/signer.h"

namespace esign {

// The files one item read and wrote (either may be empty; "-" is stdin or stdout).
struct OperationItem {
  std::filesystem::path input;
  std::filesystem::path output;
};

class Operation {
 public:
  // `name` is the audit log's operation ("sign", "decrypt", "certs-export", ...). `profile` (may
  // be null; when not, it must outlive the Operation) is checked with `purpose` through
  // Accounts(ledger, config, as_user).authorize_profile. Throws Error(auth) after recording the
  // refusal (outcome "refused"), and what the session lookup throws.
  Operation(Ledger& ledger, const AuthConfig& config, std::string name, const Profile* profile, KeyPurpose purpose,
            std::string as_user = "");

  const std::string& name() const { return name_; }
  // The operator the library found and checked ("" when nobody is logged in and the profile does
  // not require it).
  const std::string& operator_name() const { return operator_; }
  // The profile; Error(internal) for an operation without one.
  const Profile& profile() const;
  Ledger& ledger() { return ledger_; }

  // Opens the profile's key. A failure is recorded as the operation's failed event and rethrown.
  std::unique_ptr<Signer> open_signer(const SecretResolver& secrets);

  // The audit event of one item, with the operation, profile and operator filled in; bulk records
  // these together with its job items.
  NewEvent event(const OperationItem& item, const AuditFields& fields, const std::string& outcome) const;
  void record(const OperationItem& item, const AuditFields& fields);
  void record_failure(const OperationItem& item, const std::string& reason);

  // Runs `work` for one item and records what happened: `describe(result)` when it returned, the
  // reason when it threw (the exception goes on to the caller).
  template <class Work, class Describe>
  auto run(const OperationItem& item, Work&& work, Describe&& describe) {
    std::optional<decltype(work())> result;
    try {
      result.emplace(work());
    } catch (const Error& e) {
      record_failure(item, e.what());
      throw;
    } catch (const std::exception&) {
      record_failure(item, "internal error");
      throw;
    }
    record(item, describe(*result));
    return std::move(*result);
  }
  // The same with the audit_fields() overload of the result's type.
  template <class Work>
  auto run(const OperationItem& item, Work&& work) {
    return run(item, std::forward<Work>(work), [](const auto& r) { return audit_fields(r); });
  }

 private:
  Ledger& ledger_;
  std::string name_;
  const Profile* profile_;
  std::string operator_;
};

}  // namespace esign
