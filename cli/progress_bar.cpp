// The bulk progress bar: done/total, rate, ETA and failures, redrawn at most 10 times a second.
#include "progress_bar.h"

#include <fmt/core.h>
#include <unistd.h>

#include <string>

#include "hints.h"

namespace esign::cli {

ProgressBar::ProgressBar(bool quiet, bool dry_run) : tty_(::isatty(STDERR_FILENO) != 0), quiet_(quiet), dry_run_(dry_run) {}

ProgressBar::~ProgressBar() {
  if (drawn_) {
    draw(true);
    std::fputc('\n', stderr);
  }
}

void ProgressBar::started(std::int64_t job_id, bool resumed, std::size_t total, std::size_t to_do) {
  to_do_ = to_do;
  start_ = std::chrono::steady_clock::now();
  if (!quiet_)
    fmt::print("job {} ({}): {} files, {} to sign\n", job_id, resumed ? "continued" : "new", total, to_do);
  std::fflush(stdout);
}

void ProgressBar::grew(std::size_t to_do) {
  to_do_ += to_do;
  draw(true);
}

void ProgressBar::clear_line() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::finished_item(const BulkItemResult& r) {
  if (dry_run_) {
    if (!quiet_) fmt::print("{} {} -> {}\n", r.status == "planned" ? "would sign" : "up to date", r.input, r.output);
    return;
  }
  ++done_;
  if (r.status == "failed") {
    ++failed_;
    clear_line();
    fmt::print(stderr, "esign: {}\n", with_hint(r.error, r.remedy, ""));
  }
  draw(r.status == "failed");
}

void ProgressBar::draw(bool force) {
  if (!tty_ || quiet_ || dry_run_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::size_t left = to_do_ > done_ ? to_do_ - done_ : 0;
  constexpr int kWidth = 30;
  int filled = to_do_ ? static_cast<int>(kWidth * done_ / to_do_) : kWidth;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::string eta = rate > 0 ? fmt::format("{:.0f}s", static_cast<double>(left) / rate) : "?";
  fmt::print(stderr, "\r\033[K[{}] {}/{} {:.0f}/s ETA {} failed {}", bar, done_, to_do_, rate, eta, failed_);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace esign::cli
