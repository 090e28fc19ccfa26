#include "suggest.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace esign::cli {

namespace {

// Edit distance with adjacent transpositions (optimal string alignment): "sing" is one edit
// from "sign".
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate closest to `word`, when at most two edits (and at most half its letters) away.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const std::string& c : candidates) {
    const std::size_t d = distance(word, c);
    if (d < best_distance && d * 2 <= word.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

// The innermost command that was parsed ("esign users add" -> the `add` app), or `root`.
CLI::App* innermost(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App* a) { return a->parsed(); }))
    if (sub != nullptr) return innermost(sub);
  return app;
}

std::vector<std::string> subcommand_names(CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) out.push_back(sub->get_name());
  return out;
}

std::vector<std::string> long_options(CLI::App* app) {
  std::vector<std::string> out;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options())
      for (const std::string& name : o->get_lnames()) out.push_back("--" + name);
  return out;
}

std::string command_path(CLI::App* app) {
  std::string out;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) out = a->get_name() + (out.empty() ? "" : " " + out);
  return out;
}

}  // namespace

std::string explain_parse_error(CLI::App& root, const CLI::ParseError& error, int argc, char** argv) {
  CLI::App* at = innermost(&root);
  const std::vector<std::string> commands = subcommand_names(at);
  // The first word after the parsed commands that is neither an option nor a known command.
  std::vector<std::string> words(argv + 1, argv + argc);
  const std::vector<std::string> options = long_options(at);
  // The names of the parsed commands, outermost first: each is skipped once, in order.
  std::vector<std::string> path;
  for (CLI::App* a = at; a != &root && a != nullptr; a = a->get_parent()) path.insert(path.begin(), a->get_name());
  std::size_t next_in_path = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (next_in_path < path.size() && w == path[next_in_path]) {
      ++next_in_path;
      continue;
    }
    if (w.rfind("--", 0) == 0) {
      const std::string name = w.substr(0, w.find('='));
      if (std::find(options.begin(), options.end(), name) != options.end()) continue;
      std::string message = "unknown option " + name + " for '" + command_path(at) + "'";
      if (auto near = closest(name, options)) message += "; did you mean " + *near + "?";
      return message + " (" + command_path(at) + " --help lists them)";
    }
    if (w.empty() || w[0] == '-' || commands.empty()) continue;
    if (i > 0 && words[i - 1] == "--ledger") continue;  // a global option's value
    if (std::find(commands.begin(), commands.end(), w) != commands.end()) continue;
    std::string message = "unknown command '" + w + "' for '" + command_path(at) + "'";
    if (auto near = closest(w, commands)) message += "; did you mean '" + *near + "'?";
    return message + " (" + command_path(at) + " --help lists them)";
  }
  return error.what();
}

}  // namespace esign::cli
