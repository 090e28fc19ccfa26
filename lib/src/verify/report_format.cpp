// Verification reports as text, JSON (one document) or JUnit XML (one test case per file).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "esign/verify.h"

namespace esign {

namespace {

nlohmann::json to_json(const FileReport& f) {
  nlohmann::json sigs = nlohmann::json::array();
  for (const SignatureReport& s : f.signatures) {
    nlohmann::json checks = nlohmann::json::object();
    for (const Check& c : s.checks) checks[c.name] = {{"ok", c.ok}, {"detail", c.detail}};
    sigs.push_back({{"field", s.field},
                    {"subfilter", s.subfilter},
                    {"valid", s.valid},
                    {"signer", s.signer},
                    {"signer_sha256", s.signer_fingerprint},
                    {"signing_time", s.signing_time.empty() ? nlohmann::json() : nlohmann::json(s.signing_time)},
                    {"covers_whole_file", s.covers_whole_file},
                    {"signed_bytes", s.signed_bytes},
                    {"timestamp_time", s.timestamp_time.empty() ? nlohmann::json() : nlohmann::json(s.timestamp_time)},
                    {"level", s.level.empty() ? nlohmann::json() : nlohmann::json(s.level)},
                    {"error", s.error.empty() ? nlohmann::json() : nlohmann::json(s.error)},
                    {"checks", checks}});
  }
  nlohmann::json revisions = nlohmann::json::array();
  for (const RevisionReport& r : f.revisions) {
    nlohmann::json changes = nlohmann::json::array();
    for (const ObjectChange& c : r.changes)
      changes.push_back({{"object", c.object}, {"change", c.change}, {"what", c.what}, {"allowed", c.allowed}});
    revisions.push_back({{"end", r.end}, {"allowed", r.allowed}, {"changes", changes}});
  }
  nlohmann::json out = {{"path", f.path},
                        {"kind", f.kind},
                        {"sha256", f.sha256},
                        {"valid", f.valid},
                        {"error", f.error ? nlohmann::json(*f.error) : nlohmann::json()},
                        {"signatures", sigs}};
  if (f.kind == "pdf") out["revisions"] = revisions;
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string format_reports(const std::vector<FileReport>& reports, ReportFormat format) {
  if (format == ReportFormat::json) {
    nlohmann::json files = nlohmann::json::array();
    for (const FileReport& f : reports) files.push_back(to_json(f));
    return nlohmann::json{{"files", files}}.dump(2) + "\n";
  }
  if (format == ReportFormat::junit) {
    std::size_t failures = 0;
    for (const FileReport& f : reports) failures += f.valid ? 0 : 1;
    std::string out = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"esign verify\" tests=\"{}\" failures=\"{}\">\n",
                                  reports.size(), failures);
    for (const FileReport& f : reports) {
      out += fmt::format("  <testcase classname=\"esign.verify\" name=\"{}\">", xml_escape(f.path));
      if (!f.valid) out += fmt::format("<failure message=\"{}\"/>", xml_escape(f.error.value_or("invalid")));
      out += "</testcase>\n";
    }
    return out + "</testsuite>\n";
  }
  std::string out;
  for (const FileReport& f : reports) {
    out += fmt::format("{}: {}\n", f.path, f.valid ? "valid" : "INVALID: " + f.error.value_or("invalid"));
    for (const SignatureReport& s : f.signatures) {
      out += fmt::format("  {} [{}] {}: {}{}\n", s.field, s.subfilter, s.valid ? "valid" : "INVALID",
                         s.signer.empty() ? "unknown signer" : s.signer,
                         s.signing_time.empty() ? "" : ", signed " + s.signing_time);
      if (!s.timestamp_time.empty()) out += fmt::format("    time-stamped: {}\n", s.timestamp_time);
      if (!s.level.empty()) out += fmt::format("    level: {}\n", s.level);
      if (f.kind == "pdf") out += fmt::format("    covers whole file: {}\n", s.covers_whole_file ? "yes" : "no");
      if (!s.valid) out += fmt::format("    {}\n", s.error);
    }
  }
  return out;
}

}  // namespace esign
