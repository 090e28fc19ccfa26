// The --report file of esign bulk: CSV or JSON, one row per file, written atomically.
#pragma once

#include <filesystem>
#include <memory>

#include "esign/bulk.h"
#include "esign/output.h"

namespace esign::bulk {

class ReportWriter {
 public:
  // The format follows the extension: .json, otherwise CSV (RFC 4180). Throws like OutputFile
  // (Error(input) when the folder cannot take the file).
  explicit ReportWriter(const std::filesystem::path& file);
  void add(const BulkItemResult& row);
  // Completes the file and moves it into place.
  void commit();

 private:
  OutputFile out_;
  bool json_;
  bool first_ = true;
};

}  // namespace esign::bulk
