// Secret prompts on the terminal (stdin) with echo turned off.
#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
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
