#pragma once
// Encoded pages kept by (key, read-model version): a feed page that nothing has changed since it
// was written is answered from memory, with no scan, no Gets and no JSON writing.
//
// The version is the read models' (Projector: the sum of the applied offsets, which only grows),
// so any new event makes every stored page stale. A page is also served only before its
// `valid_until`: the feed hides a task from its expires_at on, with no event to say so.
//
// Bounded: only the newest version's pages are kept (a put at a newer version drops the rest), at
// most kMaxEntries pages and kMaxBytes of bodies; a put past a bound is not kept.
// Thread-safe (one mutex); a hit copies the body out.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/time.h"

namespace microjobs {

class PageCache {
 public:
  static constexpr std::size_t kMaxEntries = 1024;
  static constexpr std::size_t kMaxBytes = 32u << 20;
  static constexpr UnixMs kForever{std::numeric_limits<std::int64_t>::max()};

  // The body put for `key` at `version`, while `now` is before its valid_until.
  std::optional<std::string> find(const std::string& key, std::uint64_t version, UnixMs now);
  // Keeps `body` for `key` as of `version`: the caller read `version` before it read the models.
  void put(const std::string& key, std::uint64_t version, UnixMs valid_until, std::string body);

  std::size_t size() const;
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Page {
    UnixMs valid_until;
    std::string body;
  };

  mutable std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::unordered_map<std::string, Page> pages_;
  std::size_t bytes_ = 0;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace microjobs
