// Seconds since the epoch as system_clock time points, clamped to what the clock can represent.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace esign {

// system_clock counts nanoseconds in 64 bits (about 1678..2262): dates read from certificates,
// tokens and PDFs (year 9999 is common in certificates, anything in hostile ones) are clamped
// to that range instead of overflowing.
inline std::chrono::system_clock::time_point time_point_from_seconds(std::int64_t since_epoch) {
  using namespace std::chrono;
  constexpr std::int64_t kLimit = duration_cast<seconds>(system_clock::duration::max()).count() - 1;
  if (since_epoch > kLimit) since_epoch = kLimit;
  if (since_epoch < -kLimit) since_epoch = -kLimit;
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(since_epoch)));
}

// RFC 3339 in UTC with seconds: 2026-12-01T08:10:03Z.
inline std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace esign
