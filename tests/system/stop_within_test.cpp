// stop_within(), serve's bound on a stop: the limit and a second signal each cut a stop short, and
// a stop that finishes in time is left alone. A binary of its own: the signal test needs a process
// with no thread that leaves SIGUSR1 unblocked (RocksDB's pools in other suites would take it).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "tools/node.h"

namespace microjobs {
namespace {

// A stop that waits until the overrun releases it (or 60 s pass, so a broken test ends).
struct HeldStop {
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  std::string why;

  void wait() {
    std::unique_lock lock(mutex);
    released_cv.wait_for(lock, std::chrono::seconds(60), [&] { return released; });
  }
  void release(const std::string& reason) {
    std::lock_guard lock(mutex);
    why = reason;
    released = true;
    released_cv.notify_all();
  }
};

sigset_t just(int signal) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, signal);
  return signals;
}

TEST(StopWithin, AStopThatOutlastsTheLimitIsCutShortSayingSo) {
  HeldStop held;
  stop_within(just(SIGUSR2), std::chrono::milliseconds(100), [&] { held.wait(); },
              [&](const std::string& why) { held.release(why); });
  EXPECT_EQ(held.why, "the stop took longer than 100 ms");
}

TEST(StopWithin, ASecondSignalWhileStoppingCutsTheStopShort) {
  const sigset_t signals = just(SIGUSR1);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &signals, nullptr), 0);  // as serve blocks SIGTERM, before any thread
  HeldStop held;
  stop_within(signals, std::chrono::hours(1), [&] {
    ::kill(::getpid(), SIGUSR1);  // the operator's second Ctrl-C
    held.wait();
  }, [&](const std::string& why) { held.release(why); });
  EXPECT_EQ(held.why, "signal " + std::to_string(SIGUSR1) + " while stopping");
}

TEST(StopWithin, AStopThatFinishesInTimeIsLeftAlone) {
  bool stopped = false;
  std::string overrun;
  stop_within(just(SIGUSR2), std::chrono::hours(1), [&] { stopped = true; },
              [&](const std::string& why) { overrun = why; });
  EXPECT_TRUE(stopped);
  EXPECT_EQ(overrun, "");
}

}  // namespace
}  // namespace microjobs
