// Operation: the authorization check before a key is opened, and the audit events of its items.
#include "esign/operation.h"

#include "auth/internal.h"

namespace esign {

namespace fs = std::filesystem;

namespace {

std::string event_path(const fs::path& p) {
  if (p.empty() || p == "-") return p.string();
  return fs::absolute(p).lexically_normal().string();
}

}  // namespace

Operation::Operation(Ledger& ledger, const AuthConfig& config, std::string name, const Profile* profile,
                     KeyPurpose purpose, std::string as_user)
    : ledger_(ledger), name_(std::move(name)), profile_(profile) {
  Accounts accounts(ledger_, config, std::move(as_user));
  if (!profile_) {
    // Nothing to guard; the operator is recorded when one is logged in.
    std::optional<Session> s;
    try {
      if (!accounts.logged_in_here().empty() || !accounts.selected_user().empty()) s = accounts.current_session();
    } catch (const Error&) {
    }
    if (s && !s->restricted()) operator_ = s->user();
    return;
  }
  try {
    operator_ = accounts.authorize_profile(*profile_, purpose);
  } catch (const Error& e) {
    if (e.code() != Errc::auth) throw;
    AuditFields f;
    f.detail = e.reason();
    ledger_.append(event({}, f, "refused"));
    throw;
  }
}

const Profile& Operation::profile() const {
  if (!profile_) throw Error(Errc::internal, name_, "the operation has no profile");
  return *profile_;
}

std::unique_ptr<Signer> Operation::open_signer(const SecretResolver& secrets) {
  try {
    return esign::open_signer(profile(), secrets);
  } catch (const Error& e) {
    record_failure({}, e.what());
    throw;
  }
}

NewEvent Operation::event(const OperationItem& item, const AuditFields& fields, const std::string& outcome) const {
  NewEvent e;
  e.operation = name_;
  if (profile_) e.profile = profile_->name;
  e.user = operator_;
  e.input_path = event_path(item.input);
  e.output_path = event_path(item.output);
  e.input_sha256 = fields.input_sha256;
  e.output_sha256 = fields.output_sha256;
  e.signer_fingerprint = fields.fingerprint;
  e.outcome = outcome;
  e.detail = fields.detail;
  return e;
}

void Operation::record(const OperationItem& item, const AuditFields& fields) { ledger_.append(event(item, fields, "ok")); }

void Operation::record_failure(const OperationItem& item, const std::string& reason) {
  AuditFields f;
  f.detail = reason;
  ledger_.append(event(item, f, "failed"));
}

}  // namespace esign
