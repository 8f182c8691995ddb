#pragma once
// Per-principal rate limits: the generic cell rate algorithm (GCRA, the leaky bucket as a
// meter). Each key keeps one number, the time its bucket would be empty again (the "theoretical
// arrival time"); a request passes when that time is no further ahead of now than the burst
// allows, and moves it one emission interval (1/rate) on. Keys whose bucket is empty again are
// forgotten, so memory follows the users active within the last `burst / rate` seconds.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/time.h"

namespace microjobs {

class RateLimiter {
 public:
  // `per_second` requests kept up on average, `burst` at once; per_second <= 0 lets all pass.
  RateLimiter(std::int64_t per_second, std::int64_t burst);

  // 0 when the request of `key` at `now` passes (and is counted); else the whole seconds (at
  // least 1) after which it would pass, for Retry-After. Thread-safe.
  std::int64_t acquire(std::string_view key, UnixMs now);

  // Keys remembered now (tests; memory).
  std::size_t size() const;

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  struct Shard {
    mutable std::mutex mutex;
    // key -> theoretical arrival time, in microseconds since the epoch
    std::unordered_map<std::string, std::int64_t, KeyHash, std::equal_to<>> empty_at_us;
    std::size_t sweep_at = 1024;  // forget drained keys when the map reaches this size
  };
  static constexpr std::size_t kShards = 16;

  void sweep(Shard& shard, std::int64_t now_us);

  std::int64_t interval_us_ = 0;   // 1 / rate
  std::int64_t tolerance_us_ = 0;  // how far ahead of now the arrival time may be: (burst-1)/rate
  Shard shards_[kShards];
};

}  // namespace microjobs
