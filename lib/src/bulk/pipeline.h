// The stages of bulk signing (docs/architecture.md "Signing in stages"; esign/signer.h BatchLimits):
//
//   feeder --tasks--> CPU workers: prepare --to_sign--> the key, in batches --signed--> CPU
//   workers: finish --> the ledger writer
//
// CPU workers (--jobs) prepare documents (read, hash, build the update and the signed
// attributes) and finish them (embed the value, time-stamp, write). Prepared digests wait in
// `to_sign` until a batch is full (max_batch), the oldest has waited max_wait, or nothing more
// can come soon (no task left and no worker preparing, or the window of prepared documents is
// full); then one batch goes to the key, with at most max_in_flight batches out at once. A local
// key's batches are signed and then finished by the CPU workers themselves (the worker that
// prepared the last digest of a batch takes it at once: no hand-over between threads); a remote
// key's by max_in_flight signing threads that only wait on the network. Workers finish before
// they sign and sign before they prepare, so documents leave the pipeline in about the order they
// entered, and at most `window` documents are between prepare and finish: memory stays flat in
// the number of files.
//
// Item is the engine's document in flight: it has `digest()` and a BatchSignature `signature`.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "esign/error.h"
#include "esign/signer.h"

namespace esign::bulk {

template <class Task, class Item>
class Pipeline {
 public:
  using Clock = std::chrono::steady_clock;
  using Batch = std::vector<std::unique_ptr<Item>>;

  // What a CPU worker is to do next: exactly one member is set.
  struct Work {
    std::optional<Task> prepare;
    Batch sign;                       // a local key's batch
    std::unique_ptr<Item> finish;
  };

  Pipeline(BatchLimits limits, std::size_t workers, std::size_t task_capacity = 256)
      : limits_(limits), task_capacity_(task_capacity) {
    const std::size_t batches = std::min<std::size_t>(limits_.max_in_flight, 64) + 1;
    window_ = std::min<std::size_t>(limits_.max_batch * batches + workers, 4096);
  }

  const BatchLimits& limits() const { return limits_; }

  // Feeder: blocks while `task_capacity` tasks wait; false once the pipeline was shut.
  bool push(Task task) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return shut_ || tasks_.size() < task_capacity_; });
    if (shut_) return false;
    tasks_.push_back(std::move(task));
    work_.notify_all();
    return true;
  }

  // No more tasks will come; the stages drain what they hold.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    work_.notify_all();
  }

  // No more tasks are taken (a stop, a failed ledger): returns how many waiting tasks were
  // dropped. What is prepared or out for signing still finishes.
  std::size_t shut() {
    std::lock_guard lock(mutex_);
    shut_ = closed_ = true;
    const std::size_t dropped = tasks_.size();
    tasks_.clear();
    room_.notify_all();
    work_.notify_all();
    return dropped;
  }

  // CPU worker: the next work, or nullopt when everything is done.
  std::optional<Work> next_work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      Work w;
      if (!signed_.empty()) {
        w.finish = std::move(signed_.front());
        signed_.pop_front();
        return w;
      }
      if (limits_.local && batch_ready()) {
        w.sign = take_batch();
        return w;
      }
      if (!tasks_.empty() && in_window_ < window_) {
        w.prepare = std::move(tasks_.front());
        tasks_.pop_front();
        ++preparing_;
        // The feeder is woken once half the room is free, not for every task taken.
        if (tasks_.size() == task_capacity_ / 2) room_.notify_one();
        return w;
      }
      if (drained()) return std::nullopt;
      wait(lock, limits_.local);
    }
  }

  // Signing thread (remote keys): the next batch, or nullopt when everything is done.
  std::optional<Batch> next_batch() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (batch_ready()) return take_batch();
      if (drained()) return std::nullopt;
      wait(lock, true);
    }
  }

  // A prepare ended: with the item to sign, or without (it failed, or needs no signature).
  // With a local key, a batch that is ready now is returned for this worker to sign at once
  // (and then finish_here()); otherwise the result is empty.
  [[nodiscard]] Batch prepared(std::unique_ptr<Item> item) {
    std::lock_guard lock(mutex_);
    --preparing_;
    if (item) {
      if (to_sign_.empty()) oldest_ = Clock::now();
      to_sign_.push_back(std::move(item));
      ++in_window_;
    }
    Batch batch;
    if (limits_.local && batch_ready()) batch = take_batch();
    work_.notify_all();
    return batch;
  }

  // A local key's batch was signed by a worker, which finishes its items itself: one step for
  // the whole batch instead of signed_batch() and finished() for each item.
  void finished_here(std::size_t items) {
    std::lock_guard lock(mutex_);
    --in_flight_;
    in_window_ -= items;
    work_.notify_all();
  }

  // A batch came back from the key (each item's `signature` set): its items go to be finished.
  void signed_batch(Batch batch) {
    std::lock_guard lock(mutex_);
    --in_flight_;
    for (auto& item : batch) signed_.push_back(std::move(item));
    work_.notify_all();
  }

  // An item was finished.
  void finished() {
    std::lock_guard lock(mutex_);
    --in_window_;
    work_.notify_all();
  }

 private:
  // REQUIRES: the lock.
  bool batch_ready() const {
    if (to_sign_.empty() || in_flight_ >= limits_.max_in_flight) return false;
    const bool nothing_coming = (tasks_.empty() && preparing_ == 0) || in_window_ >= window_;
    return to_sign_.size() >= limits_.max_batch || nothing_coming || Clock::now() - oldest_ >= limits_.max_wait;
  }

  Batch take_batch() {
    Batch batch;
    const std::size_t n = std::min(limits_.max_batch, to_sign_.size());
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(to_sign_.front()));
      to_sign_.pop_front();
    }
    oldest_ = Clock::now();  // the rest has waited since it arrived, at most; a new wait starts
    ++in_flight_;
    return batch;
  }

  bool drained() const {
    return closed_ && tasks_.empty() && preparing_ == 0 && to_sign_.empty() && in_flight_ == 0 && signed_.empty();
  }

  // Until something changes; a thread that may take batches also wakes when the oldest digest
  // has waited long enough.
  void wait(std::unique_lock<std::mutex>& lock, bool takes_batches) {
    if (takes_batches && !to_sign_.empty() && in_flight_ < limits_.max_in_flight)
      work_.wait_until(lock, oldest_ + limits_.max_wait);
    else
      work_.wait(lock);
  }

  const BatchLimits limits_;
  const std::size_t task_capacity_;
  std::size_t window_ = 0;  // documents between prepare and finish, at most

  std::mutex mutex_;
  std::condition_variable work_, room_;
  std::deque<Task> tasks_;
  std::deque<std::unique_ptr<Item>> to_sign_, signed_;
  Clock::time_point oldest_;  // when the oldest of to_sign_ arrived (or the last batch left)
  std::size_t preparing_ = 0, in_flight_ = 0, in_window_ = 0;
  bool closed_ = false, shut_ = false;
};

// Has the key sign one batch, each item's `signature` set. A batch that fails as a whole (not
// for a refused PIN or a removed token: Errc::key) is tried once more as two halves before its
// documents fail; a digest the key refused fails only its document.
template <class Item>
void sign_items(Signer& signer, std::vector<std::unique_ptr<Item>>& batch) {
  auto attempt = [&](std::size_t from, std::size_t to) {
    std::vector<Digest> digests;
    digests.reserve(to - from);
    for (std::size_t i = from; i < to; ++i) digests.push_back(batch[i]->digest());
    std::vector<BatchSignature> values = signer.sign_batch(digests);
    if (values.size() != digests.size())
      throw Error(Errc::internal, "signing", "the key returned a different number of signatures than digests");
    for (std::size_t i = from; i < to; ++i) batch[i]->signature = std::move(values[i - from]);
  };
  auto fail = [&](std::size_t from, std::size_t to, std::exception_ptr error) {
    for (std::size_t i = from; i < to; ++i) batch[i]->signature.error = error;
  };
  auto guarded = [&](std::size_t from, std::size_t to, bool may_split) {
    try {
      attempt(from, to);
      return std::exception_ptr{};
    } catch (const Error& e) {
      if (!may_split || e.code() == Errc::key || to - from < 2) fail(from, to, std::current_exception());
      else return std::current_exception();
    } catch (const std::exception& e) {
      fail(from, to, std::make_exception_ptr(Error(Errc::internal, "signing", e.what())));
    }
    return std::exception_ptr{};
  };
  if (batch.empty()) return;
  if (!guarded(0, batch.size(), true)) return;
  const std::size_t half = batch.size() / 2;
  guarded(0, half, false);
  guarded(half, batch.size(), false);
}

}  // namespace esign::bulk
