// Where profiles are found: the search path, lookup by file name or by `name:`, and the listing.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "esign/error.h"
#include "esign/profile.h"

// The install layout, from CMake: the data folder relative to the folder of the installed binary
// ("../share"), and its absolute form for when the executable's path cannot be read.
#ifndef ESIGN_DATADIR_FROM_BINDIR
#define ESIGN_DATADIR_FROM_BINDIR "../share"
#endif
#ifndef ESIGN_INSTALL_FULL_DATADIR
#define ESIGN_INSTALL_FULL_DATADIR "/usr/local/share"
#endif

namespace esign {

namespace {

namespace fs = std::filesystem;

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// The examples travel with the binary: <prefix>/bin/esign finds <prefix>/share/esign/profiles, so
// an install moved to another prefix (cmake --install --prefix, a package) still finds its own.
fs::path examples_folder() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.is_absolute()) return (exe.parent_path() / ESIGN_DATADIR_FROM_BINDIR / "esign/profiles").lexically_normal();
  return fs::path(ESIGN_INSTALL_FULL_DATADIR) / "esign/profiles";
}

bool looks_like_path(const std::string& s) {
  auto ends = [&](std::string_view suffix) {
    return s.size() >= suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix;
  };
  return s.find('/') != std::string::npos || ends(".yaml") || ends(".yml");
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(Errc::config, file.string(), "cannot read profile");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The profile files of one folder, sorted by file name (so NAME.yaml comes before NAME.yml).
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    const fs::path& p = it->path();
    if ((p.extension() == ".yaml" || p.extension() == ".yml") && it->is_regular_file(type_ec)) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return out;
}

// A file's `name:`, read without validating the rest (a profile with a mistake elsewhere is still
// found by its name, and then its mistake is reported); the file name without extension when it
// has none or cannot be read as YAML.
std::string name_of(const fs::path& file) {
  try {
    YAML::Node root = YAML::Load(read_file(file));
    if (root.IsMap() && root["name"] && root["name"].IsScalar()) return root["name"].Scalar();
  } catch (const std::exception&) {
    // Not YAML (or unreadable): the file is named by its file name, and loading it says why not.
  }
  return file.stem().string();
}

// One folder, its files read lazily: lookups by file name need no parsing.
class Folder {
 public:
  explicit Folder(const fs::path& dir) : files_(files_in(dir)) {}

  const std::vector<fs::path>& files() const { return files_; }

  const std::string& name(std::size_t i) {
    if (names_.empty()) {
      names_.reserve(files_.size());
      for (const fs::path& f : files_) names_.push_back(name_of(f));
    }
    return names_[i];
  }

  // NAME.yaml, else NAME.yml, else the one file whose name: is NAME. Two such files: an error
  // naming both, since either choice would be a guess.
  std::optional<fs::path> find(const std::string& name) {
    for (const char* ext : {".yaml", ".yml"})
      for (const fs::path& f : files_)
        if (f.stem() == name && f.extension() == ext) return f;
    std::optional<fs::path> found;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (this->name(i) != name) continue;
      if (found)
        throw Error(Errc::config, name,
                    "two profiles in one folder are named '" + name + "': " + found->string() + " and " + files_[i].string());
      found = files_[i];
    }
    return found;
  }

 private:
  std::vector<fs::path> files_;
  std::vector<std::string> names_;
};

std::optional<fs::path> find_on(std::vector<Folder>& folders, const std::string& name) {
  for (Folder& f : folders)
    if (std::optional<fs::path> file = f.find(name)) return file;
  return std::nullopt;
}

std::string searched(const std::vector<ProfileFolder>& path) {
  std::string out;
  for (const ProfileFolder& f : path) out += (out.empty() ? "" : ", ") + f.path.string() + (f.exists ? "" : " (missing)");
  return out.empty() ? "no folders" : out;
}

}  // namespace

std::vector<ProfileFolder> profile_search_path() {
  std::vector<ProfileFolder> dirs;
  if (const char* list = env("ESIGN_PROFILE_PATH")) {
    std::stringstream ss(list);
    std::string part;
    while (std::getline(ss, part, ':'))
      if (!part.empty()) dirs.push_back({part, "ESIGN_PROFILE_PATH", false, false});
  }
  // The config folder, as for config.yaml: $ESIGN_HOME, else $XDG_CONFIG_HOME/esign, else ~/.config/esign.
  if (const char* home = env("ESIGN_HOME")) dirs.push_back({fs::path(home) / "profiles", "ESIGN_HOME", false, false});
  else if (const char* xdg = env("XDG_CONFIG_HOME")) dirs.push_back({fs::path(xdg) / "esign/profiles", "XDG_CONFIG_HOME", false, false});
  else if (const char* h = env("HOME")) dirs.push_back({fs::path(h) / ".config/esign/profiles", "HOME", false, false});
  dirs.push_back({examples_folder(), "examples", true, false});
  for (ProfileFolder& d : dirs) {
    std::error_code ec;
    d.exists = fs::is_directory(d.path, ec);
  }
  return dirs;
}

Profile load_profile(const std::string& name_or_path) {
  fs::path file;
  if (looks_like_path(name_or_path)) {
    file = name_or_path;
  } else {
    std::vector<ProfileFolder> path = profile_search_path();
    std::vector<Folder> folders;
    for (const ProfileFolder& f : path) folders.emplace_back(f.path);
    std::optional<fs::path> found = find_on(folders, name_or_path);
    if (!found)
      throw Error(Errc::config, name_or_path,
                  "no such profile (no " + name_or_path + ".yaml, " + name_or_path + ".yml or profile named '" +
                      name_or_path + "' in " + searched(path) + ")");
    file = *found;
  }
  return parse_profile(read_file(file), file);
}

std::vector<ProfileListing> list_profiles() {
  std::vector<ProfileFolder> path = profile_search_path();
  std::vector<Folder> folders;
  for (const ProfileFolder& f : path) folders.emplace_back(f.path);
  std::vector<ProfileListing> out;
  for (std::size_t d = 0; d < folders.size(); ++d) {
    for (std::size_t i = 0; i < folders[d].files().size(); ++i) {
      ProfileListing l;
      l.file = folders[d].files()[i];
      l.folder = d;
      l.name = folders[d].name(i);
      try {
        l.profile = parse_profile(read_file(l.file), l.file);
      } catch (const Error& e) {
        l.error = e.what();
      } catch (const std::exception& e) {  // a listing names every file, whatever is wrong with one
        l.error = l.file.string() + ": cannot load: " + e.what();
      }
      try {
        l.reachable = find_on(folders, l.name) == l.file;
      } catch (const Error&) {
        l.reachable = false;  // its name is ambiguous in its folder
      }
      out.push_back(std::move(l));
    }
  }
  return out;
}

std::vector<fs::path> profile_files() {
  std::vector<ProfileFolder> path = profile_search_path();
  std::vector<ProfileListing> mine;
  for (ProfileListing& l : list_profiles())
    if (!path[l.folder].examples && (l.reachable || !l.profile)) mine.push_back(std::move(l));
  std::stable_sort(mine.begin(), mine.end(), [](const ProfileListing& a, const ProfileListing& b) { return a.name < b.name; });
  std::vector<fs::path> out;
  for (const ProfileListing& l : mine) out.push_back(l.file);
  return out;
}

}  // namespace esign
