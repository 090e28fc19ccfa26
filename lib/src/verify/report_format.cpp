// Verification reports as text, JSON (one document) or JUnit XML (one test case per file).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "esign/error.h"
#include "esign/verify.h"
#include "verify/etsi_report.h"
#include "verify/text.h"

namespace esign {

const char* to_string(Indication indication) {
  switch (indication) {
    case Indication::total_passed: return "TOTAL-PASSED";
    case Indication::indeterminate: return "INDETERMINATE";
    case Indication::total_failed: return "TOTAL-FAILED";
  }
  return "TOTAL-FAILED";
}

RevocationPolicy parse_revocation_policy(const std::string& text, const std::string& where) {
  if (text == "require") return RevocationPolicy::require;
  if (text == "soft-fail") return RevocationPolicy::soft_fail;
  if (text == "off") return RevocationPolicy::off;
  throw Error(Errc::config, where, "revocation policy must be require, soft-fail or off, not '" + text + "'");
}

VisualPolicy parse_visual_policy(const std::string& text, const std::string& where) {
  if (text == "fail") return VisualPolicy::fail;
  if (text == "warn") return VisualPolicy::warn;
  if (text == "off") return VisualPolicy::off;
  throw Error(Errc::usage, where, "must be fail, warn or off, not '" + text + "'");
}

const char* to_string(VisualPolicy policy) {
  switch (policy) {
    case VisualPolicy::fail: return "fail";
    case VisualPolicy::warn: return "warn";
    case VisualPolicy::off: return "off";
  }
  return "fail";
}

const char* to_string(RevocationPolicy policy) {
  switch (policy) {
    case RevocationPolicy::require: return "require";
    case RevocationPolicy::soft_fail: return "soft-fail";
    case RevocationPolicy::off: return "off";
  }
  return "require";
}

namespace {

nlohmann::json optional_text(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

// null (no lock), "all", {"include": [...]} or {"exclude": [...]}.
nlohmann::json visual_changes_json(const std::vector<VisualChange>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const VisualChange& c : changes)
    out.push_back({{"page", c.box.page}, {"box", {c.box.x0, c.box.y0, c.box.x1, c.box.y1}}, {"what", c.what}});
  return out;
}

nlohmann::json locked_fields_json(const FieldLock& lock) {
  if (!lock.any()) return nullptr;
  if (lock.all) return "all";
  return {{lock.exclude ? "exclude" : "include", lock.fields}};
}

std::string locked_fields_text(const FieldLock& lock) {
  if (lock.all) return "all";
  std::string names;
  for (const std::string& f : lock.fields) names += (names.empty() ? "" : ", ") + f;
  return lock.exclude ? "all but " + names : names;
}

const char* certification_text(Certification c) {
  switch (c) {
    case Certification::no_changes: return "validation data and time-stamps only";
    case Certification::form_filling: return "also form filling and signing";
    case Certification::annotations: return "also form filling, signing and annotations";
    case Certification::none: break;
  }
  return "";
}

nlohmann::json to_json(const FileReport& f) {
  nlohmann::json sigs = nlohmann::json::array();
  for (const SignatureReport& s : f.signatures) {
    nlohmann::json checks = nlohmann::json::object();
    for (const Check& c : s.checks) {
      nlohmann::json check = {{"ok", c.ok}, {"detail", c.detail}};
      if (!c.ok) {
        check["indication"] = to_string(c.indication);
        check["sub_indication"] = c.sub_indication;
      }
      checks[c.name] = check;
    }
    nlohmann::json used = nlohmann::json::array();
    for (const ValidationObject& o : s.used) used.push_back({{"type", o.type}, {"sha256", o.sha256}, {"summary", o.summary}});
    sigs.push_back({{"field", s.field},
                    {"subfilter", s.subfilter},
                    {"valid", s.valid},
                    {"indication", to_string(s.indication)},
                    {"sub_indication", optional_text(s.sub_indication)},
                    {"signer", s.signer},
                    {"signer_sha256", s.signer_fingerprint},
                    {"signing_time", optional_text(s.signing_time)},
                    {"validation_time", optional_text(s.validation_time)},
                    {"validation_time_source", optional_text(s.validation_time_source)},
                    {"reason", optional_text(s.reason)},
                    {"covers_whole_file", s.covers_whole_file},
                    {"signed_bytes", s.signed_bytes},
                    {"timestamp_time", optional_text(s.timestamp_time)},
                    {"level", optional_text(s.level)},
                    {"certification", s.certification == Certification::none
                                          ? nlohmann::json()
                                          : nlohmann::json(static_cast<int>(s.certification))},
                    {"locked_fields", locked_fields_json(s.locked_fields)},
                    {"visual_changes", visual_changes_json(s.visual_changes)},
                    {"error", optional_text(s.error)},
                    {"checks", checks},
                    {"used", used}});
  }
  nlohmann::json revisions = nlohmann::json::array();
  for (const RevisionReport& r : f.revisions) {
    nlohmann::json changes = nlohmann::json::array();
    for (const ObjectChange& c : r.changes)
      changes.push_back(
          {{"object", c.object}, {"change", c.change}, {"what", c.what}, {"allowed", c.allowed}, {"level", to_string(c.level)}});
    revisions.push_back({{"end", r.end}, {"allowed", r.allowed}, {"level", to_string(r.level)}, {"changes", changes}});
  }
  nlohmann::json out = {{"path", f.path},
                        {"kind", f.kind},
                        {"sha256", f.sha256},
                        {"valid", f.valid},
                        {"indication", to_string(f.indication)},
                        {"sub_indication", optional_text(f.sub_indication)},
                        {"error", f.error ? nlohmann::json(*f.error) : nlohmann::json()},
                        {"signatures", sigs}};
  if (f.kind == "pdf") out["revisions"] = revisions;
  return out;
}

// "valid", "INVALID (TOTAL-FAILED, HASH_FAILURE): why", "INDETERMINATE (TRY_LATER): why".
std::string outcome(bool valid, Indication indication, const std::string& sub_indication, const std::string& why) {
  if (valid) return "valid";
  std::string out = indication == Indication::indeterminate ? "INDETERMINATE" : "INVALID (TOTAL-FAILED";
  if (indication == Indication::indeterminate) {
    if (!sub_indication.empty()) out += " (" + sub_indication + ")";
  } else {
    out += (sub_indication.empty() ? "" : ", " + sub_indication) + ")";
  }
  if (!why.empty()) out += ": " + why;
  return out;
}


}  // namespace

std::string format_reports(const std::vector<FileReport>& reports, ReportFormat format) {
  if (format == ReportFormat::json) {
    nlohmann::json files = nlohmann::json::array();
    for (const FileReport& f : reports) files.push_back(to_json(f));
    return nlohmann::json{{"files", files}}.dump(2) + "\n";
  }
  if (format == ReportFormat::etsi) return verify::format_etsi_report(reports);
  if (format == ReportFormat::junit) {
    std::size_t failures = 0;
    for (const FileReport& f : reports) failures += f.valid ? 0 : 1;
    std::string out = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"esign verify\" tests=\"{}\" failures=\"{}\">\n",
                                  reports.size(), failures);
    for (const FileReport& f : reports) {
      out += fmt::format("  <testcase classname=\"esign.verify\" name=\"{}\">", verify::xml_escape(f.path));
      if (!f.valid)
        out += fmt::format("<failure type=\"{}\" message=\"{}\"/>", f.unreadable ? "UNREADABLE" : to_string(f.indication),
                           verify::xml_escape(f.error.value_or("invalid")));
      out += "</testcase>\n";
    }
    return out + "</testsuite>\n";
  }
  std::string out;
  for (const FileReport& f : reports) {
    out += fmt::format("{}: {}\n", printable(f.path),
                       printable(outcome(f.valid, f.unreadable ? Indication::total_failed : f.indication, f.sub_indication,
                                         f.error.value_or("invalid"))));
    for (const SignatureReport& s : f.signatures) {
      out += fmt::format("  {} [{}] {}: {}{}\n", printable(s.field), printable(s.subfilter),
                         outcome(s.valid, s.indication, s.sub_indication, ""),
                         s.signer.empty() ? "unknown signer" : printable(s.signer),
                         s.signing_time.empty() ? "" : ", claimed signing time " + s.signing_time);
      if (!s.timestamp_time.empty()) out += fmt::format("    time-stamped: {}\n", s.timestamp_time);
      if (!s.validation_time.empty())
        out += fmt::format("    validation time: {} ({})\n", s.validation_time, s.validation_time_source);
      for (const Check& c : s.checks)
        if (c.ok && (c.name == "revocation" || c.name == "timestamp_revocation") && !c.detail.empty())
          out += fmt::format("    {}: {}\n", c.name == "revocation" ? "revocation" : "time-stamp revocation", printable(c.detail));
      if (!s.level.empty()) out += fmt::format("    level: {}\n", s.level);
      if (s.certification != Certification::none)
        out += fmt::format("    certification: P{} (after it: {})\n", static_cast<int>(s.certification),
                           certification_text(s.certification));
      if (s.locked_fields.any()) out += fmt::format("    locked fields: {}\n", printable(locked_fields_text(s.locked_fields)));
      for (const VisualChange& c : s.visual_changes)
        out += c.box.page == 0 ? fmt::format("    visual change: {}\n", printable(c.what))
                               : fmt::format("    visual change: page {}: {} at [{:.0f} {:.0f} {:.0f} {:.0f}]\n", c.box.page,
                                             printable(c.what), c.box.x0, c.box.y0, c.box.x1, c.box.y1);
      if (f.kind == "pdf") out += fmt::format("    covers whole file: {}\n", s.covers_whole_file ? "yes" : "no");
      if (!s.valid) out += fmt::format("    {}\n", printable(s.error));
    }
  }
  return out;
}

}  // namespace esign
