// CSV (RFC 4180 quoting) and JSON report rows, streamed into an atomic output.
#include "bulk/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "esign/error.h"

namespace esign::bulk {

namespace {
std::string csv(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}
}  // namespace

ReportWriter::ReportWriter(const std::filesystem::path& file)
    : out_(file, true), json_(file.extension() == ".json") {
  if (json_) out_.write(as_bytes("{\"files\": [\n"));
  else out_.write(as_bytes("input,output,input_sha256,output_sha256,status,error,ms\n"));
}

void ReportWriter::add(const BulkItemResult& r) {
  std::string line;
  if (json_) {
    nlohmann::json row{{"input", r.input},   {"output", r.output}, {"input_sha256", r.input_sha256},
                       {"output_sha256", r.output_sha256}, {"status", r.status},
                       {"error", r.error.empty() ? nlohmann::json() : nlohmann::json(r.error)}, {"ms", r.ms}};
    line = (first_ ? "  " : ",\n  ") + row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = fmt::format("{},{},{},{},{},{},{}\n", csv(r.input), csv(r.output), r.input_sha256, r.output_sha256, r.status,
                       csv(r.error), r.ms);
  }
  first_ = false;
  out_.write(as_bytes(line));
}

void ReportWriter::commit() {
  if (json_) out_.write(as_bytes("\n]}\n"));
  out_.commit();
}

}  // namespace esign::bulk
