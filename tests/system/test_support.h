#pragma once
// Helpers shared by the system tests: temporary directories, deadline-bounded polling, and
// synchronous calls through the CommandBus.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>

#include "commands/command_bus.h"

namespace microjobs::testing {

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("microjobs-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Polls `condition` until it holds or the deadline passes; no fixed sleeps.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

// Runs `work` on a thread and waits for it at most `limit`. Work that hangs would hold the test
// binary until ctest's timeout and say nothing: this reports the failure and ends the binary at
// once (a hung thread cannot be stopped safely, so the test cannot go on).
inline void finish_within(std::chrono::seconds limit, const std::string& what, const std::function<void()>& work) {
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  std::thread worker([&] {
    work();
    finished.set_value();
  });
  if (done.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << what << " did not finish within " << limit.count() << " s; ending the test binary";
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(1);
  }
  worker.join();
}

inline CommandOutcome call(CommandBus& bus, std::string id, Command command) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  bus.send(client_command_id("test", id), std::move(command),
           [&promise](CommandOutcome outcome) { promise.set_value(std::move(outcome)); });
  return future.get();
}

inline Micros money(std::string_view text) { return *parse_money(text); }

}  // namespace microjobs::testing
