// One table from Remedy to the flag or command that applies it.
#include "hints.h"

namespace esign::cli {

std::string hint_for(Remedy remedy, const std::string& subject) {
  const std::string profile = subject.empty() ? "PROFILE" : subject;
  switch (remedy) {
    case Remedy::none: return "";
    case Remedy::overwrite: return "use --force to overwrite";
    case Remedy::wait_for_lock: return "use --wait to wait for it";
    case Remedy::service_login: return "run esign login --profile " + profile + " again";
    case Remedy::service_login_otp: return "run esign login --profile " + profile + " --otp CODE";
    case Remedy::one_time_password: return "give --otp CODE";
    case Remedy::detached_content: return "name it with --data FILE, or --data-dir DIR for a folder of signatures";
    case Remedy::check_audit_chain: return "esign audit verify shows where the chain breaks";
    case Remedy::operator_login: return "log in first: esign login --user NAME";
    case Remedy::enroll_2fa: return "esign users totp-enroll " + (subject.empty() ? std::string("NAME") : subject);
    case Remedy::second_factor: return "give --otp CODE or --recovery-code CODE";
    case Remedy::end_sessions: return "log in with --force to end them";
    case Remedy::allow_hidden_content: return "--allow-hidden-content signs it anyway, if you trust where it came from";
  }
  return "";
}

std::string with_hint(const std::string& message, Remedy remedy, const std::string& subject) {
  const std::string hint = hint_for(remedy, subject);
  return hint.empty() ? message : message + " (" + hint + ")";
}

std::string describe(const Error& e) { return with_hint(e.what(), e.remedy(), e.subject()); }

}  // namespace esign::cli
