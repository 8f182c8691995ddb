#include "api/rate_limiter.h"

#include <algorithm>
#include <functional>

#include "domain/assert.h"

namespace microjobs {

RateLimiter::RateLimiter(std::int64_t per_second, std::int64_t burst) {
  if (per_second <= 0) return;
  MJ_ASSERT(burst >= 1);
  interval_us_ = std::max<std::int64_t>(1, 1'000'000 / per_second);
  tolerance_us_ = (burst - 1) * interval_us_;
}

std::int64_t RateLimiter::acquire(std::string_view key, UnixMs now) {
  if (interval_us_ == 0) return 0;
  const std::int64_t now_us = now.value * 1000;
  Shard& shard = shards_[KeyHash{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.empty_at_us.find(key);
  const std::int64_t arrival = it == shard.empty_at_us.end() ? now_us : std::max(it->second, now_us);
  if (arrival - now_us > tolerance_us_) {
    const std::int64_t wait_us = arrival - now_us - tolerance_us_;
    return std::max<std::int64_t>(1, (wait_us + 999'999) / 1'000'000);
  }
  if (it == shard.empty_at_us.end()) {
    if (shard.empty_at_us.size() >= shard.sweep_at) sweep(shard, now_us);
    shard.empty_at_us.emplace(std::string(key), arrival + interval_us_);
  } else {
    it->second = arrival + interval_us_;
  }
  return 0;
}

void RateLimiter::sweep(Shard& shard, std::int64_t now_us) {
  // A key whose bucket is empty again behaves exactly as a key never seen.
  std::erase_if(shard.empty_at_us, [now_us](const auto& entry) { return entry.second <= now_us; });
  shard.sweep_at = std::max<std::size_t>(1024, 2 * shard.empty_at_us.size());
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.empty_at_us.size();
  }
  return total;
}

}  // namespace microjobs
