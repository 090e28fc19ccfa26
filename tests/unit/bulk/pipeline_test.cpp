// bulk::Pipeline and bulk::sign_items: batches as large as max_batch whatever the number of
// workers, at most max_in_flight out at once, every item finished once; a batch that fails as a
// whole tried again as two halves; a refused key never retried; one refused digest failing alone.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "bulk/pipeline.h"

using namespace esign;
using namespace std::chrono_literals;

namespace {

struct Item {
  int id = 0;
  Digest d;
  BatchSignature signature;
  const Digest& digest() const { return d; }
};

Digest digest_for(int id) {
  Digest d;
  d.algorithm = DigestAlgorithm::sha256;
  d.value.assign(32, static_cast<std::uint8_t>(id));
  return d;
}

// A key that "signs" by copying the digest, records batch sizes and the calls in flight, and
// fails as told.
class FakeKey : public Signer {
 public:
  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return SignatureScheme::ecdsa; }
  std::size_t max_signature_size() const override { return 32; }
  bool concurrent() const override { return true; }
  Bytes sign(const Digest& d) override { return d.value; }
  std::vector<BatchSignature> sign_batch(std::span<const Digest> digests) override {
    const int now = ++in_flight;
    {
      std::lock_guard lock(m);
      sizes.push_back(digests.size());
      most_in_flight = std::max(most_in_flight, now);
    }
    std::this_thread::sleep_for(delay);
    --in_flight;
    if (refuse_key) throw Error(Errc::key, "key", "wrong PIN");
    if (digests.size() > largest_taken) throw Error(Errc::remote, "service", "too many hashes");
    std::vector<BatchSignature> out;
    for (const Digest& d : digests) {
      BatchSignature s;
      if (d.value[0] == refused_digest) s.error = std::make_exception_ptr(Error(Errc::remote, "service", "invalid hash"));
      else s.value = d.value;
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<Certificate> chain_;
  std::mutex m;
  std::vector<std::size_t> sizes;
  std::atomic<int> in_flight{0};
  int most_in_flight = 0;
  std::chrono::milliseconds delay{0};
  std::size_t largest_taken = 1000;
  int refused_digest = -1;
  bool refuse_key = false;
};

std::vector<std::unique_ptr<Item>> items(int n) {
  std::vector<std::unique_ptr<Item>> out;
  for (int i = 0; i < n; ++i) {
    auto item = std::make_unique<Item>();
    item->id = i;
    item->d = digest_for(i);
    out.push_back(std::move(item));
  }
  return out;
}

// Runs `n` tasks through a pipeline with `workers` CPU workers; returns the finished ids.
std::vector<int> run(FakeKey& key, BatchLimits limits, unsigned workers, int n) {
  bulk::Pipeline<int, Item> pipeline(limits, workers, 8);
  std::mutex m;
  std::vector<int> finished;
  std::vector<std::jthread> threads;
  auto finish = [&](Item& item) {
    BOOST_TEST(!item.signature.error);
    BOOST_TEST((item.signature.value == item.d.value));
    std::lock_guard lock(m);
    finished.push_back(item.id);
  };
  // A local key's batch: signed and finished by the worker holding it, as bulk does.
  auto sign_here = [&](bulk::Pipeline<int, Item>::Batch& batch) {
    BOOST_TEST(limits.local);
    bulk::sign_items(key, batch);
    for (auto& item : batch) finish(*item);
    pipeline.finished_here(batch.size());
  };
  for (unsigned w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      while (auto work = pipeline.next_work()) {
        if (work->finish) {
          finish(*work->finish);
          pipeline.finished();
        } else if (!work->sign.empty()) {
          sign_here(work->sign);
        } else {
          auto item = std::make_unique<Item>();
          item->id = *work->prepare;
          item->d = digest_for(item->id % 200);
          if (auto batch = pipeline.prepared(std::move(item)); !batch.empty()) sign_here(batch);
        }
      }
    });
  if (!limits.local)
    for (std::size_t i = 0; i < limits.max_in_flight; ++i)
      threads.emplace_back([&] {
        while (auto batch = pipeline.next_batch()) {
          bulk::sign_items(key, *batch);
          pipeline.signed_batch(std::move(*batch));
        }
      });
  for (int i = 0; i < n; ++i) BOOST_TEST(pipeline.push(i));
  pipeline.close();
  threads.clear();  // joins
  std::sort(finished.begin(), finished.end());
  return finished;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(batches_grow_to_max_batch_whatever_the_number_of_workers) {
  FakeKey key;
  key.delay = 20ms;
  const std::vector<int> done = run(key, BatchLimits{25, 1, 50ms, false}, 2, 200);
  BOOST_TEST(done.size() == 200u);
  for (int i = 0; i < 200; ++i) BOOST_TEST(done[static_cast<std::size_t>(i)] == i);
  BOOST_TEST(key.sizes.size() <= 12u);  // 200 / 25 = 8 full batches, a few partial ones at most
  BOOST_TEST(*std::max_element(key.sizes.begin(), key.sizes.end()) == 25u);
  BOOST_TEST(key.most_in_flight == 1);
}

BOOST_AUTO_TEST_CASE(several_requests_in_flight_up_to_the_limit) {
  FakeKey key;
  key.delay = 30ms;
  const std::vector<int> done = run(key, BatchLimits{1, 8, 0ms, false}, 2, 120);
  BOOST_TEST(done.size() == 120u);
  BOOST_TEST(key.most_in_flight <= 8);
  BOOST_TEST(key.most_in_flight >= 4);  // 2 workers, yet many requests wait on the "network"
}

BOOST_AUTO_TEST_CASE(local_keys_are_signed_by_the_workers) {
  FakeKey key;
  const std::vector<int> done = run(key, BatchLimits{1, 256, 0ms, true}, 3, 300);
  BOOST_TEST(done.size() == 300u);
  BOOST_TEST(key.sizes.size() == 300u);
  BOOST_TEST(key.most_in_flight <= 3);
}

BOOST_AUTO_TEST_CASE(a_batch_failing_as_a_whole_is_tried_again_as_two_halves) {
  FakeKey key;
  key.largest_taken = 5;
  auto batch = items(10);
  bulk::sign_items(key, batch);
  BOOST_TEST((key.sizes == std::vector<std::size_t>{10, 5, 5}));
  for (const auto& item : batch) BOOST_TEST(!item->signature.error);

  FakeKey strict;
  strict.largest_taken = 2;
  auto again = items(10);
  bulk::sign_items(strict, again);
  BOOST_TEST((strict.sizes == std::vector<std::size_t>{10, 5, 5}));  // once, then the documents fail
  for (const auto& item : again) BOOST_TEST(static_cast<bool>(item->signature.error));
}

BOOST_AUTO_TEST_CASE(a_refused_key_is_not_tried_again) {
  FakeKey key;
  key.refuse_key = true;
  auto batch = items(10);
  bulk::sign_items(key, batch);
  BOOST_TEST(key.sizes.size() == 1u);
  for (const auto& item : batch) BOOST_TEST(static_cast<bool>(item->signature.error));
}

BOOST_AUTO_TEST_CASE(a_refused_digest_fails_alone) {
  FakeKey key;
  key.refused_digest = 3;
  auto batch = items(10);
  bulk::sign_items(key, batch);
  BOOST_TEST(key.sizes.size() == 1u);
  for (const auto& item : batch) BOOST_TEST(static_cast<bool>(item->signature.error) == (item->id == 3));
}

BOOST_AUTO_TEST_SUITE_END()
