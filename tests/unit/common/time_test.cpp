// Time helpers: seconds since the epoch clamped to system_clock's range, RFC 3339 in UTC.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <limits>

#include "common/time.h"

using namespace esign;
using namespace std::chrono;

namespace {

// Sets TZ for one scope: rfc3339 is UTC whatever the local zone.
struct Zone {
  std::string old;
  bool had;
  explicit Zone(const char* tz) : had(std::getenv("TZ") != nullptr) {
    if (had) old = std::getenv("TZ");
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~Zone() {
    if (had) ::setenv("TZ", old.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(time_helpers)

BOOST_AUTO_TEST_CASE(seconds_map_onto_the_system_clock) {
  BOOST_TEST(time_point_from_seconds(0).time_since_epoch().count() == 0);
  BOOST_TEST(duration_cast<seconds>(time_point_from_seconds(1764576603).time_since_epoch()).count() == 1764576603);
  BOOST_TEST(duration_cast<seconds>(time_point_from_seconds(-86400).time_since_epoch()).count() == -86400);
}

BOOST_AUTO_TEST_CASE(rfc3339_is_utc_with_seconds) {
  Zone india("Asia/Kolkata");
  BOOST_TEST(rfc3339(time_point_from_seconds(0)) == "1970-01-01T00:00:00Z");
  BOOST_TEST(rfc3339(time_point_from_seconds(1796112603)) == "2026-12-01T08:10:03Z");
  BOOST_TEST(rfc3339(time_point_from_seconds(951782400)) == "2000-02-29T00:00:00Z");
  BOOST_TEST(rfc3339(time_point_from_seconds(-1)) == "1969-12-31T23:59:59Z");
  // Fractions of a second are dropped, not rounded.
  BOOST_TEST(rfc3339(time_point_from_seconds(1796112603) + milliseconds(999)) == "2026-12-01T08:10:03Z");
}

// Year 9999 (common in certificates) and anything a hostile file holds stay representable.
BOOST_AUTO_TEST_CASE(far_dates_are_clamped_not_wrapped) {
  const auto y9999 = time_point_from_seconds(253402300799);  // 9999-12-31T23:59:59Z
  BOOST_TEST((y9999 > time_point_from_seconds(4102444800)), "after 2100, not wrapped into the past");
  BOOST_TEST(rfc3339(y9999).rfind("2262-04-11T", 0) == 0u, rfc3339(y9999));
  const auto far = time_point_from_seconds(std::numeric_limits<std::int64_t>::max());
  BOOST_TEST((far == y9999));
  const auto early = time_point_from_seconds(std::numeric_limits<std::int64_t>::min());
  BOOST_TEST((early < time_point_from_seconds(-2208988800)), "before 1900");
  BOOST_TEST(rfc3339(early).rfind("1677-09-21T", 0) == 0u, rfc3339(early));
  BOOST_TEST((time_point_from_seconds(-253402300799) == early));
}

BOOST_AUTO_TEST_SUITE_END()
