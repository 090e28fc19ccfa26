// Secrets (passwords, PINs) as a type: move-only, wiped on destruction, never printable.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace esign {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { wipe(); }

  // The secret's bytes, for handing to the library that consumes it. Never log or print this.
  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }

 private:
  void wipe() noexcept;
  std::string value_;
};

// Asks the operator for a secret without echo; `what` says what is asked ("password for x.p12").
// The CLI provides one; without it, `prompt` references are a usage error.
using PromptFn = std::function<Secret(const std::string& what)>;
// Tells the operator something they must know before a secret is used (a PIN's last try).
using NoticeFn = std::function<void(const std::string& message)>;

// Turns a secret reference into a Secret: `env:VAR`, `file:PATH` (first line, without its line
// ending; relative paths against `base_dir`), or `prompt`. Anything else is Error(config).
class SecretResolver {
 public:
  explicit SecretResolver(PromptFn prompt = nullptr, NoticeFn notice = nullptr)
      : prompt_(std::move(prompt)), notice_(std::move(notice)) {}
  // `what` names the secret in messages and prompts; `subject` is the file that held the reference.
  Secret resolve(const std::string& reference, const std::string& what, const std::filesystem::path& base_dir,
                 const std::string& subject) const;
  // Passes a message to the operator (stderr in the CLI); nothing when there is no channel.
  void notice(const std::string& message) const {
    if (notice_) notice_(message);
  }

 private:
  PromptFn prompt_;
  NoticeFn notice_;
};

// Reads the first line of a stream (for --password-stdin and password files), without its line ending.
Secret read_first_line(std::istream& in);

}  // namespace esign
