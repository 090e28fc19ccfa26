// `esign completion bash|zsh|fish`: a completion script made from the command table itself, so
// it knows every subcommand and option this binary has.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <string>
#include <vector>

#include "commands.h"

namespace esign::cli {

namespace {

struct Node {
  std::string path;  // "users add" ("" for esign itself)
  std::vector<std::string> commands;
  std::vector<std::string> options;  // "--profile", "-p"
  std::string description;
};

void collect(CLI::App* app, const std::string& path, std::vector<Node>& out) {
  Node n{path, {}, {}, app->get_description()};
  for (const CLI::Option* o : app->get_options()) {
    for (const std::string& l : o->get_lnames()) n.options.push_back("--" + l);
    for (const std::string& s : o->get_snames()) n.options.push_back("-" + s);
  }
  std::vector<CLI::App*> subs = app->get_subcommands([](CLI::App*) { return true; });
  for (CLI::App* sub : subs) n.commands.push_back(sub->get_name());
  out.push_back(n);
  for (CLI::App* sub : subs) collect(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Single quotes for a shell word (descriptions hold no single quotes of ours, but be exact).
std::string shell_word(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string bash_script(const std::vector<Node>& nodes) {
  std::string paths, cases;
  for (const Node& n : nodes) {
    if (!n.path.empty()) paths += fmt::format("      \"{}\") path=\"$path $w\" ;;\n", " " + n.path);
    cases += fmt::format("    \"{}\") commands={}; options={} ;;\n", n.path.empty() ? "" : " " + n.path,
                         shell_word(join(n.commands)), shell_word(join(n.options)));
  }
  return fmt::format(R"(# bash completion for esign (esign completion bash); source it, or put it in
# /etc/bash_completion.d/esign or ~/.local/share/bash-completion/completions/esign
_esign() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} path="" w i commands options
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    case "$path $w" in
{}      *) ;;
    esac
  done
  case "$path" in
{}    *) commands=""; options="" ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    [ ${{#COMPREPLY[@]}} -gt 0 ] || mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}}
complete -o filenames -F _esign esign
)",
                     paths, cases);
}

std::string fish_script(const std::vector<Node>& nodes) {
  std::string out = "# fish completion for esign (esign completion fish > ~/.config/fish/completions/esign.fish)\n";
  for (const Node& n : nodes) {
    // The condition: the words of the path seen, and none of this node's own commands yet.
    std::string condition = n.path.empty() ? "__fish_use_subcommand" : "__fish_seen_subcommand_from " + n.path.substr(n.path.rfind(' ') + 1);
    if (!n.commands.empty() && !n.path.empty()) condition += "; and not __fish_seen_subcommand_from " + join(n.commands);
    for (const std::string& c : n.commands)
      out += fmt::format("complete -c esign -f -n {} -a {}\n", shell_word(condition), c);
    for (const std::string& o : n.options) {
      const bool is_long = o.rfind("--", 0) == 0;
      out += fmt::format("complete -c esign -n {} {} {}\n", shell_word(n.path.empty() ? "true" : condition), is_long ? "-l" : "-s",
                         o.substr(is_long ? 2 : 1));
    }
  }
  return out;
}

}  // namespace

Command add_completion(CLI::App& root, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("completion", "Print a shell completion script for every command and option");
  app->add_option("shell", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  return {app, [shell, &root, &ctx] {
            (void)ctx;
            std::vector<Node> nodes;
            collect(&root, "", nodes);
            if (*shell == "fish") fmt::print("{}", fish_script(nodes));
            else if (*shell == "zsh")
              fmt::print("# zsh completion for esign: bash's, through bashcompinit\nautoload -U +X bashcompinit && bashcompinit\n{}",
                         bash_script(nodes));
            else fmt::print("{}", bash_script(nodes));
            return ExitCode::ok;
          }};
}

}  // namespace esign::cli
