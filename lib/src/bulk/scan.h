// Finding the files of a bulk job: a folder walk with include/exclude globs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace esign::bulk {

struct ScannedFile {
  std::string path;  // relative to the input folder, '/'-separated
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
};

struct ScanRules {
  bool recursive = false;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::filesystem::path skip_dir;  // never descend here (the output folder, when inside the input)
};

// Regular files under `dir` that the rules select, sorted by path. Hidden files and folders
// (names starting with '.') are skipped: temporary outputs and editors' scratch files live there.
// A glob with a '/' matches the relative path, otherwise the file name (fnmatch rules).
std::vector<ScannedFile> scan_folder(const std::filesystem::path& dir, const ScanRules& rules);

}  // namespace esign::bulk
