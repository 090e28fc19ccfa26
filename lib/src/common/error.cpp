// The Error type and its mapping to exit codes.
#include "esign/error.h"

namespace esign {

namespace {
std::string compose(const std::string& subject, const std::string& reason) {
  return subject.empty() ? reason : subject + ": " + reason;
}
}  // namespace

Error::Error(Errc code, std::string subject, std::string reason, Remedy remedy)
    : std::runtime_error(compose(subject, reason)),
      code_(code),
      subject_(std::move(subject)),
      reason_(std::move(reason)),
      remedy_(remedy) {}

ExitCode exit_code_for(Errc code) noexcept {
  switch (code) {
    case Errc::usage:
    case Errc::config:
    case Errc::input:
    case Errc::key:
    case Errc::remote:
    case Errc::auth:
    case Errc::conflict:
      return ExitCode::error;
    case Errc::internal:
      return ExitCode::internal;
  }
  return ExitCode::internal;
}

}  // namespace esign
