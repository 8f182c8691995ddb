#pragma once
// Time is injected: processors read it from a Clock and put it into each command they decide.
#include <atomic>
#include <chrono>

#include "domain/time.h"

namespace microjobs {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMs now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMs now() const override {
    return UnixMs{std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()};
  }
};

// A clock that moves only when told; for tests and the simulation. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMs start) : now_(start.value) {}
  UnixMs now() const override { return UnixMs{now_.load()}; }
  void set(UnixMs time) { now_.store(time.value); }
  void advance(std::chrono::milliseconds by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace microjobs
