#include "api/page_cache.h"

namespace microjobs {

std::optional<std::string> PageCache::find(const std::string& key, std::uint64_t version, UnixMs now) {
  {
    std::lock_guard lock(mutex_);
    if (version == version_) {
      auto it = pages_.find(key);
      if (it != pages_.end() && now < it->second.valid_until) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->second.body;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void PageCache::put(const std::string& key, std::uint64_t version, UnixMs valid_until, std::string body) {
  std::lock_guard lock(mutex_);
  if (version < version_) return;
  if (version > version_) {
    pages_.clear();
    bytes_ = 0;
    version_ = version;
  }
  auto it = pages_.find(key);
  if (it != pages_.end()) {
    bytes_ -= it->second.body.size();
    pages_.erase(it);
  }
  if (pages_.size() >= kMaxEntries || bytes_ + body.size() > kMaxBytes) return;
  bytes_ += body.size();
  pages_.emplace(key, Page{valid_until, std::move(body)});
}

std::size_t PageCache::size() const {
  std::lock_guard lock(mutex_);
  return pages_.size();
}

}  // namespace microjobs
