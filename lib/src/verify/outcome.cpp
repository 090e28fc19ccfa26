#include "verify/outcome.h"

namespace esign::verify {

bool add_check(SignatureReport& r, std::string name, bool ok, std::string detail, Failure failure) {
  Check c{std::move(name), ok, std::move(detail), Indication::total_passed, ""};
  if (!ok) {
    c.indication = failure.indication;
    c.sub_indication = failure.sub_indication;
  }
  r.checks.push_back(std::move(c));
  return ok;
}

void conclude(SignatureReport& r) {
  const Check* worst = nullptr;
  for (const Check& c : r.checks)
    if (!c.ok && (worst == nullptr || c.indication > worst->indication)) worst = &c;
  if (worst != nullptr) {
    r.indication = worst->indication;
    r.sub_indication = worst->sub_indication;
    r.error = worst->name + ": " + worst->detail;
  } else if (r.checks.empty()) {
    r.indication = Indication::total_failed;
    r.sub_indication = sub::format_failure;
    r.error = "nothing could be checked";
  } else {
    r.indication = Indication::total_passed;
    r.sub_indication.clear();
    r.error.clear();
  }
  r.valid = r.indication == Indication::total_passed;
  if (!r.valid) r.level.clear();
}

void fail_file(FileReport& f, const std::string& why, Failure failure) {
  if (f.error && f.indication >= failure.indication) return;  // an earlier problem at least as bad
  f.indication = failure.indication;
  f.sub_indication = failure.sub_indication;
  f.error = why;
  f.valid = false;
}

void conclude(FileReport& f) {
  Indication worst = f.error ? f.indication : Indication::total_passed;
  std::string sub_indication = f.error ? f.sub_indication : "";
  std::optional<std::string> error = f.error;
  for (const SignatureReport& s : f.signatures) {
    if (s.valid || (error && s.indication <= worst)) continue;
    worst = s.indication;
    sub_indication = s.sub_indication;
    error = (s.field.empty() ? std::string("signature") : s.field) + ": " + s.error;
  }
  if (!error && f.signatures.empty()) {
    worst = Indication::total_failed;
    sub_indication = sub::format_failure;
    error = "no signature";
  }
  f.indication = worst;
  f.sub_indication = sub_indication;
  f.error = error;
  f.valid = worst == Indication::total_passed;
}

}  // namespace esign::verify
