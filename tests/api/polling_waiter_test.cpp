// The waiter behind X-Min-Position: answers once, on time, and never leaves a wait unanswered.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "api/polling_waiter.h"

namespace microjobs {
namespace {

using namespace std::chrono_literals;

TEST(PollingWaiter, AnswersAtOnceWhenAlreadyReady) {
  PollingWaiter waiter;
  bool answer = false;
  waiter.wait([] { return true; }, 1s, [&](bool reached) { answer = reached; });
  EXPECT_TRUE(answer);  // on the caller's thread, before wait() returns
  EXPECT_EQ(waiter.pending(), 0u);
}

TEST(PollingWaiter, AnswersTrueWhenTheConditionBecomesTrue) {
  PollingWaiter waiter;
  std::atomic<bool> ready{false};
  std::promise<bool> answer;
  waiter.wait([&] { return ready.load(); }, 5s, [&](bool reached) { answer.set_value(reached); });
  ready = true;
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
  EXPECT_TRUE(future.get());
}

TEST(PollingWaiter, NotifyChecksAtOnceRatherThanAtTheNextPoll) {
  PollingWaiter waiter(std::chrono::hours(1));
  std::atomic<bool> ready{false};
  std::promise<bool> answer;
  waiter.wait([&] { return ready.load(); }, std::chrono::hours(1),
              [&](bool reached) { answer.set_value(reached); });
  ready = true;
  waiter.notify();
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(60s), std::future_status::ready);  // not an hour's poll
  EXPECT_TRUE(future.get());
}

// The condition turns true after the caller's check and before the wait is pending: its notify()
// found nothing to wake. The wait must still be answered at once, not at the next poll.
TEST(PollingWaiter, AConditionMetJustBeforeTheWaitIsPendingIsNotLeftToThePoll) {
  PollingWaiter waiter(std::chrono::hours(1));
  std::atomic<int> checks{0};
  std::promise<bool> answer;
  waiter.wait([&] { return checks.fetch_add(1) > 0; }, std::chrono::hours(1),
              [&](bool reached) { answer.set_value(reached); });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(60s), std::future_status::ready);  // not an hour's poll
  EXPECT_TRUE(future.get());
}

TEST(PollingWaiter, ATimeoutShorterThanThePollIsAnsweredAtTheTimeout) {
  PollingWaiter waiter(std::chrono::hours(1));
  std::promise<bool> answer;
  waiter.wait([] { return false; }, 30ms, [&](bool reached) { answer.set_value(reached); });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(60s), std::future_status::ready);
  EXPECT_FALSE(future.get());
}

TEST(PollingWaiter, AnswersFalseAfterTheTimeout) {
  PollingWaiter waiter;
  std::promise<bool> answer;
  auto start = std::chrono::steady_clock::now();
  waiter.wait([] { return false; }, 30ms, [&](bool reached) { answer.set_value(reached); });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(future.get());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

TEST(PollingWaiter, DestructorAnswersPendingWaitsWithFalse) {
  int answers = 0;
  bool any_reached = false;
  {
    PollingWaiter waiter;
    for (int i = 0; i < 3; ++i) {
      waiter.wait([] { return false; }, 1h, [&](bool reached) {
        ++answers;
        any_reached = any_reached || reached;
      });
    }
  }
  EXPECT_EQ(answers, 3);
  EXPECT_FALSE(any_reached);
}

}  // namespace
}  // namespace microjobs
