// A bounded, closable queue between the bulk feeder, its workers and the ledger writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace esign::bulk {

template <class T>
class Queue {
 public:
  explicit Queue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while full; returns false when the queue was closed.
  bool push(T value) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(value));
    // A popper waiting for a group is woken when the group is complete, not for every item.
    if (items_.size() >= wanted_) not_empty_.notify_one();
    return true;
  }

  // Blocks until an item arrives or the queue is closed and empty (then nullopt).
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  // Like pop(), but gives up after `timeout` (nullopt; check closed_and_empty()).
  std::optional<T> pop_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  // Blocks until `n` items wait, the queue is closed, or `timeout` passed; takes up to `n`
  // (none after a timeout with nothing queued; check closed_and_empty()).
  std::vector<T> pop_up_to(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    wanted_ = n;
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || items_.size() >= n; });
    wanted_ = 1;
    std::vector<T> out;
    while (!items_.empty() && out.size() < n) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    if (!out.empty()) not_full_.notify_all();
    return out;
  }

  // No more pushes; poppers drain what is left.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // Drops what is queued (a stop was requested) and returns how many were dropped.
  std::size_t clear() {
    std::lock_guard lock(mutex_);
    std::size_t n = items_.size();
    items_.clear();
    not_full_.notify_all();
    return n;
  }

  bool closed_and_empty() {
    std::lock_guard lock(mutex_);
    return closed_ && items_.empty();
  }

 private:
  std::optional<T> take(std::unique_lock<std::mutex>&) {
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return value;
  }

  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  std::size_t wanted_ = 1;  // how many items the waiting popper waits for
  bool closed_ = false;
};

}  // namespace esign::bulk
