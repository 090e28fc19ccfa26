// The folder walk of esign bulk.
#include "bulk/scan.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>

#include "esign/error.h"

namespace esign::bulk {

namespace fs = std::filesystem;

namespace {

bool matches(const std::string& glob, const std::string& rel) {
  const bool whole_path = glob.find('/') != std::string::npos;
  std::string subject = whole_path ? rel : fs::path(rel).filename().string();
  return ::fnmatch(glob.c_str(), subject.c_str(), whole_path ? FNM_PATHNAME : 0) == 0;
}

bool selected(const std::string& rel, const ScanRules& rules) {
  if (!rules.include.empty() &&
      std::none_of(rules.include.begin(), rules.include.end(), [&](const std::string& g) { return matches(g, rel); }))
    return false;
  return std::none_of(rules.exclude.begin(), rules.exclude.end(), [&](const std::string& g) { return matches(g, rel); });
}

}  // namespace

std::vector<ScannedFile> scan_folder(const fs::path& dir, const ScanRules& rules) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(Errc::usage, dir.string(), "not a folder");
  std::vector<ScannedFile> out;
  auto options = fs::directory_options::skip_permission_denied;
  fs::recursive_directory_iterator it(dir, options, ec), end;
  if (ec) throw Error(Errc::input, dir.string(), "cannot read the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(Errc::input, dir.string(), "cannot read the folder: " + ec.message());
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (!rules.recursive || name.front() == '.' || (!rules.skip_dir.empty() && fs::equivalent(p, rules.skip_dir, type_ec)))
        it.disable_recursion_pending();
      continue;
    }
    if (name.front() == '.' || !it->is_regular_file(type_ec)) continue;
    std::string rel = p.lexically_relative(dir).generic_string();
    if (!selected(rel, rules)) continue;
    struct stat st {};
    ScannedFile f;
    f.path = rel;
    if (::stat(p.c_str(), &st) == 0) {
      f.size = st.st_size;
      f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace esign::bulk
