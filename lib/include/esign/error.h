// The one exception type of esign: a closed set of kinds, a subject and a reason fit for users.
#pragma once

#include <stdexcept>
#include <string>

namespace esign {

// What went wrong, at the granularity a caller acts on. exit_code_for maps each kind to an exit code.
enum class Errc {
  usage,     // a bad flag or argument combination                         -> ExitCode::error
  config,    // a bad profile or configuration file                         -> ExitCode::error
  input,     // an input file that cannot be read or is not what it claims  -> ExitCode::error
  key,       // the key cannot be opened or used (wrong password or PIN)    -> ExitCode::error
  remote,    // a remote service failed                                     -> ExitCode::error
  auth,      // an operator is not logged in or not allowed                 -> ExitCode::error
  conflict,  // an output exists, a job is locked by another process        -> ExitCode::error
  internal,  // a bug or an unexpected library failure                      -> ExitCode::internal
};

// How a command ended, as its process exit status (DESIGN.md "Exit codes"). The one table of
// exit codes: every command returns one of these and the CLI's main() returns its value.
enum class ExitCode : int {
  ok = 0,             // success; every document valid
  failed = 1,         // at least one document failed (an invalid signature, a file of a batch not signed)
  error = 2,          // usage, configuration, input, key, remote, login or conflict error
  internal = 3,       // a bug or an unexpected library failure
  indeterminate = 4,  // verify: the worst outcome is INDETERMINATE (ETSI EN 319 102-1), none failed
  interrupted = 130,  // a batch stopped by SIGINT (128 + 2, as shells report it)
  terminated = 143,   // a batch stopped by SIGTERM (128 + 15)
};

// What would resolve an error, said in the library's terms so that a front end can word it with
// its own means (the CLI names a flag or a command: cli/hints.cpp). Most errors have none.
enum class Remedy {
  none,
  overwrite,          // the output exists; the caller may allow replacing it (SignOptions::overwrite, ...)
  wait_for_lock,      // another run holds the output folder; the caller may wait (BulkOptions::wait)
  service_login,      // a fresh login to the profile's remote service (login_profile); subject: the profile file
  service_login_otp,  // ... with a one-time password (LoginOptions::otp); subject: the profile file
  one_time_password,  // this login needs a one-time password (LoginOptions::otp)
  detached_content,   // the signed content of a detached signature must be named (VerifyOptions::data)
  check_audit_chain,  // the ledger's audit chain is damaged; checking it shows where (Ledger::verify_chain)
  operator_login,     // an operator session is needed (Accounts::login)
  enroll_2fa,         // the operator must enroll a second factor first (Accounts::start_totp); subject: the user
  second_factor,      // this operator's login needs a one-time code or a recovery code (LoginRequest)
  end_sessions,       // the session limit is reached; the login may end the older sessions (LoginRequest::force)
  allow_hidden_content,  // a PDF hides content; signing it anyway must be asked for (SignOptions::allow_hidden_content)
};

// what() is "<subject>: <reason>" (or just the reason when subject is empty): one line, never a
// secret. The remedy is not part of what(): a front end adds it in its own words.
class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string subject, std::string reason, Remedy remedy = Remedy::none);

  Errc code() const noexcept { return code_; }
  const std::string& subject() const noexcept { return subject_; }
  const std::string& reason() const noexcept { return reason_; }
  Remedy remedy() const noexcept { return remedy_; }

 private:
  Errc code_;
  std::string subject_;
  std::string reason_;
  Remedy remedy_;
};

// The exit code for an error kind: `error` for user-side problems, `internal` for bugs.
ExitCode exit_code_for(Errc code) noexcept;

}  // namespace esign
