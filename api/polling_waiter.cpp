#include "api/polling_waiter.h"

#include <algorithm>
#include <utility>

namespace microjobs {

PollingWaiter::PollingWaiter(std::chrono::microseconds poll_interval)
    : poll_interval_(poll_interval), thread_([this] { run(); }) {}

PollingWaiter::~PollingWaiter() {
  std::vector<Pending> left;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  left.swap(pending_);
  for (Pending& wait : left) wait.then(false);
}

void PollingWaiter::wait(Ready ready, std::chrono::milliseconds timeout, Then then) {
  // Checked once on the caller's thread so that the common case (already there) costs no hop.
  if (ready()) {
    then(true);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      pending_.push_back(
          {std::move(ready), std::chrono::steady_clock::now() + timeout, std::move(then)});
      // Checked again at once on the waiter's thread: a notify() between the check above and
      // this push found nothing pending and woke nobody.
      notified_ = true;
      changed_.notify_all();
      return;
    }
  }
  then(false);
}

void PollingWaiter::notify() {
  {
    std::lock_guard lock(mutex_);
    if (pending_.empty()) return;
    notified_ = true;
  }
  changed_.notify_all();
}

std::size_t PollingWaiter::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void PollingWaiter::collect(std::vector<std::pair<Then, bool>>& finished) {
  auto now = std::chrono::steady_clock::now();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    Pending& wait = pending_[i];
    bool reached = wait.ready();
    if (reached || now >= wait.deadline) {
      finished.emplace_back(std::move(wait.then), reached);
    } else {
      if (kept != i) pending_[kept] = std::move(wait);
      ++kept;
    }
  }
  pending_.resize(kept);
}

void PollingWaiter::run() {
  std::vector<std::pair<Then, bool>> finished;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      changed_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      continue;
    }
    auto until = std::chrono::steady_clock::now() + poll_interval_;
    for (const Pending& wait : pending_) until = std::min(until, wait.deadline);
    changed_.wait_until(lock, until, [this] { return stopping_ || notified_; });
    if (stopping_) break;
    notified_ = false;
    collect(finished);
    lock.unlock();
    // Continuations run without the lock: they may call wait() again.
    for (auto& [then, reached] : finished) then(reached);
    finished.clear();
    lock.lock();
  }
}

}  // namespace microjobs
