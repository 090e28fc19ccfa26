// Secret prompts on the terminal (stdin) with echo turned off.
#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "esign/error.h"

namespace esign::cli {

PromptFn terminal_prompt() {
  if (!::isatty(STDIN_FILENO)) return nullptr;
  return [](const std::string& what) {
    std::fprintf(stderr, "%s: ", what.c_str());
    std::fflush(stderr);
    termios old{};
    bool restore = ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
      termios quiet = old;
      quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
    if (restore) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fputc('\n', stderr);
    return Secret(std::move(line));
  };
}

Secret read_password(bool from_stdin, const std::string& what, bool confirm) {
  if (from_stdin) {
    if (!std::cin) throw Error(Errc::usage, "--password-stdin", "stdin ended before the " + what);
    Secret s = read_first_line(std::cin);
    if (s.empty()) throw Error(Errc::usage, "--password-stdin", "the " + what + " on stdin is empty");
    return s;
  }
  PromptFn prompt = terminal_prompt();
  if (!prompt) throw Error(Errc::usage, what, "stdin is not a terminal: pass the password with --password-stdin");
  Secret s = prompt(what);
  if (confirm) {
    Secret again = prompt(what + " (again)");
    if (again.reveal() != s.reveal()) throw Error(Errc::usage, what, "the two entries differ");
  }
  return s;
}

bool terminal_confirm(const std::string& question) {
  if (!::isatty(STDIN_FILENO)) throw Error(Errc::usage, "confirmation", "stdin is not a terminal: add --yes to go ahead");
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  std::string line;
  for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
  return line == "y" || line == "Y" || line == "yes" || line == "YES";
}

NoticeFn stderr_notice() {
  return [](const std::string& message) { std::fprintf(stderr, "esign: %s\n", message.c_str()); };
}

}  // namespace esign::cli
