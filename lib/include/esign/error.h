// The one exception type of esign: a closed set of kinds, a subject and a reason fit for users.
#pragma once

#include <stdexcept>
#include <string>

namespace esign {

// What went wrong, at the granularity a caller acts on. The CLI maps each kind to an exit code.
enum class Errc {
  usage,     // a bad flag or argument combination                         -> exit 2
  config,    // a bad profile or configuration file                         -> exit 2
  input,     // an input file that cannot be read or is not what it claims  -> exit 2
  key,       // the key cannot be opened or used (wrong password or PIN)    -> exit 2
  remote,    // a remote service failed                                     -> exit 2
  auth,      // an operator is not logged in or not allowed                 -> exit 2
  conflict,  // an output exists, a job is locked by another process        -> exit 2
  internal,  // a bug or an unexpected library failure                      -> exit 3
};

// what() is "<subject>: <reason>" (or just the reason when subject is empty): one line, never a secret.
class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string subject, std::string reason);

  Errc code() const noexcept { return code_; }
  const std::string& subject() const noexcept { return subject_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  Errc code_;
  std::string subject_;
  std::string reason_;
};

// The exit code the CLI uses for an error kind (2 for user-side problems, 3 for internal).
int exit_code_for(Errc code) noexcept;

}  // namespace esign
