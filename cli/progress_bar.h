// Progress of esign bulk: a bar on stderr when it is a terminal, one line per failure otherwise.
#pragma once

#include <chrono>
#include <cstdio>

#include "esign/bulk.h"

namespace esign::cli {

class ProgressBar final : public BulkProgress {
 public:
  // `quiet`: no job line; `dry_run`: list planned files instead of drawing a bar.
  ProgressBar(bool quiet, bool dry_run);
  ~ProgressBar() override;

  void started(std::int64_t job_id, bool resumed, std::size_t total, std::size_t to_do) override;
  void grew(std::size_t to_do) override;
  void finished_item(const BulkItemResult& result) override;

 private:
  void draw(bool force);
  void clear_line();

  bool tty_;
  bool quiet_;
  bool dry_run_;
  std::size_t to_do_ = 0;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace esign::cli
