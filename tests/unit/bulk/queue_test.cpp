// bulk::Queue: bounded (push waits while full), closable (waiters wake), order kept, every item
// delivered once across several producers and consumers.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "bulk/queue.h"

using namespace esign;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(queue)

BOOST_AUTO_TEST_CASE(items_come_out_in_order) {
  bulk::Queue<int> q(10);
  for (int i = 0; i < 5; ++i) BOOST_TEST(q.push(i));
  for (int i = 0; i < 5; ++i) BOOST_TEST(q.pop().value() == i);
}

BOOST_AUTO_TEST_CASE(push_waits_while_the_queue_is_full) {
  bulk::Queue<int> q(2);
  BOOST_TEST(q.push(1));
  BOOST_TEST(q.push(2));
  std::atomic<bool> pushed{false};
  std::jthread producer([&] {
    q.push(3);
    pushed = true;
  });
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(!pushed, "a third item went into a queue of two");
  BOOST_TEST(q.pop().value() == 1);
  producer.join();
  BOOST_TEST(pushed);
  BOOST_TEST(q.pop().value() == 2);
  BOOST_TEST(q.pop().value() == 3);
}

BOOST_AUTO_TEST_CASE(close_lets_poppers_drain_then_ends_them) {
  bulk::Queue<int> q(4);
  q.push(1);
  q.push(2);
  q.close();
  BOOST_TEST(!q.push(3), "no pushes after close");
  BOOST_TEST(!q.closed_and_empty());
  BOOST_TEST(q.pop().value() == 1);
  BOOST_TEST(q.pop().value() == 2);
  BOOST_TEST(!q.pop().has_value());
  BOOST_TEST(q.closed_and_empty());
}

BOOST_AUTO_TEST_CASE(close_wakes_a_waiting_popper_and_a_waiting_pusher) {
  bulk::Queue<int> empty(1);
  auto popped = std::async(std::launch::async, [&] { return empty.pop(); });
  bulk::Queue<int> full(1);
  full.push(0);
  auto pushed = std::async(std::launch::async, [&] { return full.push(1); });
  std::this_thread::sleep_for(50ms);
  empty.close();
  full.close();
  BOOST_REQUIRE((popped.wait_for(5s) == std::future_status::ready));
  BOOST_REQUIRE((pushed.wait_for(5s) == std::future_status::ready));
  BOOST_TEST(!popped.get().has_value());
  BOOST_TEST(!pushed.get());
}

BOOST_AUTO_TEST_CASE(pop_for_gives_up_after_the_timeout) {
  bulk::Queue<int> q(1);
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(!q.pop_for(30ms).has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 30ms));
  BOOST_TEST(!q.closed_and_empty(), "a timeout is not the end");
  q.push(7);
  BOOST_TEST(q.pop_for(30ms).value() == 7);
}

BOOST_AUTO_TEST_CASE(clear_drops_what_is_queued_and_frees_a_waiting_pusher) {
  bulk::Queue<int> q(2);
  q.push(1);
  q.push(2);
  auto pushed = std::async(std::launch::async, [&] { return q.push(3); });
  std::this_thread::sleep_for(50ms);
  const std::size_t dropped = q.clear();
  BOOST_REQUIRE((pushed.wait_for(5s) == std::future_status::ready));
  BOOST_TEST(pushed.get());
  BOOST_TEST(dropped == 2u);
  BOOST_TEST(q.pop().value() == 3);
}

BOOST_AUTO_TEST_CASE(every_item_is_delivered_exactly_once_across_threads) {
  constexpr int kProducers = 4, kPerProducer = 5000, kConsumers = 3;
  bulk::Queue<int> q(8);
  std::mutex m;
  std::multiset<int> seen;
  std::vector<std::jthread> consumers;
  for (int c = 0; c < kConsumers; ++c)
    consumers.emplace_back([&] {
      std::vector<int> mine;
      while (auto v = q.pop()) mine.push_back(*v);
      std::lock_guard lock(m);
      seen.insert(mine.begin(), mine.end());
    });
  {
    std::vector<std::jthread> producers;
    for (int p = 0; p < kProducers; ++p)
      producers.emplace_back([&, p] {
        for (int i = 0; i < kPerProducer; ++i) q.push(p * kPerProducer + i);
      });
  }
  q.close();
  for (auto& c : consumers) c.join();
  BOOST_REQUIRE_EQUAL(seen.size(), static_cast<std::size_t>(kProducers * kPerProducer));
  int expected = 0;
  for (int v : seen) BOOST_REQUIRE_EQUAL(v, expected++);
}

BOOST_AUTO_TEST_CASE(move_only_items_pass_through) {
  bulk::Queue<std::unique_ptr<int>> q(1);
  q.push(std::make_unique<int>(42));
  BOOST_TEST(**q.pop() == 42);
}

BOOST_AUTO_TEST_SUITE_END()
