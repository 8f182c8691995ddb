// The per-user rate limiter (GCRA): a burst, then one request per interval, the wait it names,
// and memory that follows the active users only.
#include "api/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace microjobs {
namespace {

constexpr UnixMs kStart{1'767'225'600'000};

UnixMs at_ms(std::int64_t ms) { return UnixMs{kStart.value + ms}; }

TEST(RateLimiter, ABurstPassesThenOneRequestPerInterval) {
  RateLimiter limiter(4, 2);  // an interval of 250 ms
  EXPECT_EQ(limiter.acquire("u", at_ms(0)), 0);
  EXPECT_EQ(limiter.acquire("u", at_ms(0)), 0);
  EXPECT_EQ(limiter.acquire("u", at_ms(0)), 1);
  EXPECT_EQ(limiter.acquire("u", at_ms(249)), 1);
  EXPECT_EQ(limiter.acquire("u", at_ms(250)), 0);
  EXPECT_EQ(limiter.acquire("u", at_ms(250)), 1);
  // A refusal is not counted: the user is not pushed further back by asking.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.acquire("u", at_ms(300)), 1);
  EXPECT_EQ(limiter.acquire("u", at_ms(500)), 0);
  // After a quiet second the whole burst is back.
  EXPECT_EQ(limiter.acquire("u", at_ms(2000)), 0);
  EXPECT_EQ(limiter.acquire("u", at_ms(2000)), 0);
  EXPECT_EQ(limiter.acquire("u", at_ms(2000)), 1);
}

TEST(RateLimiter, TheWaitItNamesIsLongEnough) {
  RateLimiter slow(1, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(slow.acquire("u", at_ms(0)), 0);
  const std::int64_t wait_s = slow.acquire("u", at_ms(0));
  EXPECT_EQ(wait_s, 1);
  EXPECT_EQ(slow.acquire("u", at_ms(wait_s * 1000 - 1)), 1);
  EXPECT_EQ(slow.acquire("u", at_ms(wait_s * 1000)), 0);
}

TEST(RateLimiter, ZeroRateLetsEverythingPass) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(limiter.acquire("u", kStart), 0);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, UsersWhoseBucketDrainedAreForgotten) {
  RateLimiter limiter(100, 10);
  // 100,000 users, one request each, one per millisecond: each bucket drains 10 ms later.
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(limiter.acquire("user" + std::to_string(i), at_ms(i)), 0);
  }
  EXPECT_LT(limiter.size(), 40'000u);
  // A forgotten user starts again with a full burst, as a new one does.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.acquire("user0", at_ms(200'000)), 0);
  EXPECT_EQ(limiter.acquire("user0", at_ms(200'000)), 1);
}

}  // namespace
}  // namespace microjobs
