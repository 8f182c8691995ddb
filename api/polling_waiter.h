#pragma once
// Waits for conditions without holding a caller's thread: each wait is a predicate checked by one
// background thread (on notify(), and every poll interval while any wait is pending; idle
// otherwise) and a continuation called once with whether the predicate became true before the
// timeout.
//
// The API uses it for X-Min-Position: the predicate is Projector::applied(position), a cheap
// atomic load. An in-process projector calls notify() after each batch it applies
// (ProjectionProgress::add_listener), so a read waits no longer than the fold; positions stored by
// another process are only polled.
//
// Lifecycle: wait() from any thread. Continuations run on the waiter's thread, outside its lock,
// and should be short. The destructor calls every pending continuation with `false`.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace microjobs {

class PollingWaiter {
 public:
  using Ready = std::function<bool()>;
  using Then = std::function<void(bool reached)>;

  explicit PollingWaiter(std::chrono::microseconds poll_interval = std::chrono::milliseconds(1));
  ~PollingWaiter();
  PollingWaiter(const PollingWaiter&) = delete;
  PollingWaiter& operator=(const PollingWaiter&) = delete;

  // Calls `then(true)` once `ready()` holds, or `then(false)` when `timeout` has passed first.
  void wait(Ready ready, std::chrono::milliseconds timeout, Then then);
  std::size_t pending() const;
  // Checks every pending wait now (the conditions may have changed). Any thread; cheap.
  void notify();

 private:
  struct Pending {
    Ready ready;
    std::chrono::steady_clock::time_point deadline;
    Then then;
  };

  void run();
  // Moves the finished waits out of pending_ (under the lock) into `finished`.
  void collect(std::vector<std::pair<Then, bool>>& finished);

  const std::chrono::microseconds poll_interval_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace microjobs
