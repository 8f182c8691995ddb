#pragma once
// Helpers for the API tests: real RocksDB stores in a temporary directory, a CommandBus that
// records what reaches it and answers as told (the port's fake; the processors have their own
// tests), tokens, and a synchronous way to call handle().
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "api/json_body.h"
#include "commands/command_bus.h"
#include "infra/rocksdb/stores.h"

namespace microjobs::api_testing {

inline constexpr std::string_view kSecret = "api-test-secret";
inline constexpr UnixMs kNow{1'767'225'600'000};  // 2026-01-01T00:00:00Z

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The local event log, read store and state store, on disk.
struct Stores {
  explicit Stores(std::int32_t partitions);
  TempDir dir;
  std::unique_ptr<LocalEventLog> log;
  std::unique_ptr<RocksReadStore> read_store;
  std::unique_ptr<RocksStateStore> state_store;
};

// Records every command; answers with `answer` (by default: accepted at 1:7 with an event of no
// interest), synchronously or, with `reply_delay`, later from a thread of its own.
class RecordingBus final : public CommandBus {
 public:
  struct Sent {
    CommandId command_id;
    Command command;
  };
  using Answer = std::function<CommandOutcome(const CommandId& command_id, const Command&)>;

  ~RecordingBus() override;
  void send(CommandId command_id, Command command, ReplyFn reply) override;
  std::int32_t partitions() const override { return 4; }

  std::vector<Sent> sent() const;
  std::size_t sent_count() const { return sent().size(); }
  void set_answer(Answer answer);
  void set_reply_delay(std::chrono::milliseconds delay) { reply_delay_ = delay; }
  // Replies sent late (set_reply_delay) whose callback has returned.
  int delayed_replies_done() const { return delayed_replies_done_; }

 private:
  mutable std::mutex mutex_;
  std::vector<Sent> sent_;
  Answer answer_;
  std::chrono::milliseconds reply_delay_{0};
  std::atomic<int> delayed_replies_done_{0};
  std::vector<std::thread> repliers_;
};

CommandOutcome accepted(Event event, Position position = {1, 7});
CommandOutcome rejected(Rejection rejection);

std::string token_for(std::string_view user, std::vector<std::string> roles);
Request make_request(std::string method, std::string target, std::string body = "",
                     std::string token = "");
// Calls handle() and waits (bounded) for its answer; a test failure if none comes.
Response call(ApiContext& context, const Request& request,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The response's body as JSON (a test failure if it is not).
JsonValue body_of(const Response& response);
// A member's text (string value or number token), "<absent>" or "null".
std::string member(const JsonValue& object, std::string_view name);

}  // namespace microjobs::api_testing
