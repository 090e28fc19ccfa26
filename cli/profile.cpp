// `esign profile list | show`: where profiles are looked up, which ones exist, and what one says.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "esign/profile.h"

namespace esign::cli {

namespace {

struct ProfileArgs {
  bool list_json = false;
  std::string show_what;
  bool show_json = false;
};

void print_json(const nlohmann::ordered_json& doc) {
  fmt::print("{}\n", doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

ExitCode run_list(const ProfileArgs& args, Context& ctx) {
  std::vector<ProfileFolder> path = profile_search_path();
  std::vector<ProfileListing> profiles = list_profiles();
  if (ctx.json || args.list_json) {
    nlohmann::ordered_json folders = nlohmann::ordered_json::array(), list = nlohmann::ordered_json::array();
    for (const ProfileFolder& f : path)
      folders.push_back({{"path", f.path.string()}, {"origin", f.origin}, {"exists", f.exists}, {"examples", f.examples}});
    for (const ProfileListing& l : profiles) {
      nlohmann::ordered_json j{{"name", l.name}, {"file", l.file.string()}, {"folder", path[l.folder].path.string()}};
      j["source"] = l.profile ? nlohmann::ordered_json(key_source_name(l.profile->key)) : nullptr;
      j["level"] = l.profile ? nlohmann::ordered_json(to_string(l.profile->signature.level)) : nullptr;
      j["reachable"] = l.reachable;
      j["error"] = l.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(l.error);
      list.push_back(std::move(j));
    }
    print_json({{"search_path", std::move(folders)}, {"profiles", std::move(list)}});
    return ExitCode::ok;
  }
  fmt::print("Search path (a profile name is looked up in this order):\n");
  for (const ProfileFolder& f : path) {
    std::string what = f.examples                          ? "examples"
                       : f.origin == "ESIGN_PROFILE_PATH" ? "$ESIGN_PROFILE_PATH"
                       : f.origin == "ESIGN_HOME"         ? "config folder, $ESIGN_HOME"
                                                          : "config folder";
    fmt::print("  {}  [{}{}]\n", f.path.string(), what, f.exists ? "" : ", missing");
  }
  if (profiles.empty()) {
    fmt::print("No profiles found.\n");
    return ExitCode::ok;
  }
  fmt::print("{:<18} {:<15} {:<6} {}\n", "NAME", "SOURCE", "LEVEL", "FILE");
  for (const ProfileListing& l : profiles) {
    std::string note = !l.error.empty() ? "  (does not load: " + l.error + ")" : l.reachable ? "" : "  (shadowed: the name finds another file)";
    fmt::print("{:<18} {:<15} {:<6} {}{}\n", l.name, l.profile ? key_source_name(l.profile->key) : "-",
               l.profile ? to_string(l.profile->signature.level) : "-", l.file.string(), note);
  }
  return ExitCode::ok;
}

ExitCode run_show(const ProfileArgs& args, Context& ctx) {
  Profile profile = load_profile(args.show_what);
  fmt::print("{}", render_profile(profile, ctx.json || args.show_json ? ProfileFormat::json : ProfileFormat::yaml));
  return ExitCode::ok;
}

}  // namespace

Command add_profile(CLI::App& root, Context& ctx) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* app = root.add_subcommand("profile", "List the signing profiles on the search path, show one as esign reads it");
  app->require_subcommand(1);
  CLI::App* list = app->add_subcommand("list", "The profile search path and every profile in it (name, key source, level, file)");
  list->add_flag("--json", args->list_json, "Print JSON");
  CLI::App* show = app->add_subcommand("show", "A profile with its defaults filled in; secrets as their references, never their values");
  show->add_option("profile", args->show_what, "Profile name or file")->required();
  show->add_flag("--json", args->show_json, "Print JSON instead of YAML");
  return {app, [args, list, &ctx] { return list->parsed() ? run_list(*args, ctx) : run_show(*args, ctx); }};
}

}  // namespace esign::cli
