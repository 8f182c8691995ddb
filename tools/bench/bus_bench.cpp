// Throughput of the write side without HTTP: one task of N slots claimed by N distinct workers
// through the in-process CommandBus, with `inflight` commands outstanding at once, on a real
// RocksDB log with a synced WAL. Prints commands/s and the mean batch per append.
//
//   build/tools/bench/bus_bench [slots] [inflight] [partitions]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>

#include "tools/node.h"

using namespace microjobs;

namespace {

CommandOutcome call(CommandBus& bus, std::string id, Command command) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  bus.send(client_command_id("bench", id), std::move(command), [&](CommandOutcome o) { promise.set_value(std::move(o)); });
  return future.get();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t slots = argc > 1 ? std::atoll(argv[1]) : 100'000;
  const std::int64_t inflight = argc > 2 ? std::atoll(argv[2]) : 1000;
  const std::int32_t partitions = argc > 3 ? std::atoi(argv[3]) : 8;
  auto dir = std::filesystem::temp_directory_path() / ("microjobs-bench-" + std::to_string(getpid()));
  NodeConfig config;
  config.data_dir = dir.string();
  config.partitions = partitions;
  auto node = EmbeddedNode::open(config);
  if (!node.ok() || !(*node)->start().ok()) {
    std::fprintf(stderr, "cannot start the node\n");
    return 1;
  }
  CommandBus& bus = (*node)->bus();
  (void)call(bus, "r", RegisterUser{UserId{"emp"}, "US", ""});
  (void)call(bus, "d", DepositFunds{UserId{"emp"}, Micros{slots * 100'000}, "bench"});
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "hot task";
  post.reward = Micros{50'000};
  post.slots = slots;
  TaskId task = std::get<TaskPosted>(call(bus, "p", post).event).task_id;

  std::mutex mutex;
  std::condition_variable room;
  std::int64_t outstanding = 0, accepted = 0, other = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < slots; ++i) {
    {
      std::unique_lock lock(mutex);
      room.wait(lock, [&] { return outstanding < inflight; });
      ++outstanding;
    }
    std::string worker = "w" + std::to_string(i);
    bus.send(client_command_id("bench", "c" + std::to_string(i)), ClaimSlot{task, UserId{worker}, {"US", 0, 0}},
             [&](CommandOutcome outcome) {
               std::lock_guard lock(mutex);
               (outcome.kind == CommandOutcome::Kind::accepted ? accepted : other) += 1;
               --outstanding;
               room.notify_one();
             });
  }
  {
    std::unique_lock lock(mutex);
    room.wait(lock, [&] { return outstanding == 0; });
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("hot-task claims: %lld accepted, %lld other, %.2f s, %.0f commands/s (inflight %lld, %d partitions, synced WAL)\n",
              static_cast<long long>(accepted), static_cast<long long>(other), seconds,
              static_cast<double>(slots) / seconds, static_cast<long long>(inflight), partitions);
  (*node)->stop();
  node->reset();
  std::filesystem::remove_all(dir);
  return accepted == slots ? 0 : 1;
}
