// Per-slot items at campaign scale, on the write side without HTTP (the in-process CommandBus, a
// real RocksDB log with a synced WAL):
//   1. upload: a per_item task of N slots gets N items in calls of 1,000 (items/s);
//   2. hot claims: C workers claim a slot of the per_item task, then C workers one of a plain task
//      of as many slots, with `inflight` commands outstanding (claims/s of each, side by side);
//   3. memory: the bytes of heap a partition state holds per item, measured by folding the same
//      task.items_added events into a PartitionState (mallinfo2 before and after); and per held
//      claim with its registered worker, deciding and folding registrations and claims the same
//      way (the partition state alone: no log, caches or memtables).
//
//   build/tools/bench/items_bench [items] [claims] [inflight]
#include <malloc.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "domain/decider.h"
#include "tools/node.h"

using namespace microjobs;

namespace {

constexpr std::int64_t kItemsPerCall = 1000;

CommandOutcome call(CommandBus& bus, const std::string& id, Command command) {
  std::promise<CommandOutcome> promise;
  auto future = promise.get_future();
  bus.send(client_command_id("bench", id), std::move(command),
           [&](CommandOutcome o) { promise.set_value(std::move(o)); });
  return future.get();
}

struct Pumped {
  std::int64_t accepted = 0;
  double seconds = 0;
  Position last;  // of the last event appended (all commands here go to one partition)
};

// Sends `count` commands made by `make(i)` with at most `inflight` outstanding.
Pumped pump(CommandBus& bus, std::int64_t count, std::int64_t inflight, const std::string& prefix,
            const std::function<Command(std::int64_t)>& make) {
  Position last;
  std::mutex mutex;
  std::condition_variable room;
  std::int64_t outstanding = 0, accepted = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < count; ++i) {
    {
      std::unique_lock lock(mutex);
      room.wait(lock, [&] { return outstanding < inflight; });
      ++outstanding;
    }
    bus.send(client_command_id("bench", prefix + std::to_string(i)), make(i), [&](CommandOutcome o) {
      std::lock_guard lock(mutex);
      accepted += o.kind == CommandOutcome::Kind::accepted;
      if (o.kind == CommandOutcome::Kind::accepted && o.position.offset > last.offset) last = o.position;
      --outstanding;
      room.notify_one();
    });
  }
  std::unique_lock lock(mutex);
  room.wait(lock, [&] { return outstanding == 0; });
  return {accepted, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          last};
}

// Waits until the projector has folded `position`, so that the next phase does not share the
// machine with the projection of the previous one.
void wait_projected(EmbeddedNode& node, Position position) {
  while (!node.progress().applied(position)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::vector<Item> items_from(std::int64_t first) {
  std::vector<Item> items;
  items.reserve(kItemsPerCall);
  for (std::int64_t n = first; n < first + kItemsPerCall; ++n) {
    items.push_back(Item{"row-" + std::to_string(n),
                         JsonText{R"({"url":"https://example.com/img/)" + std::to_string(n) + R"(.png"})"}});
  }
  return items;
}

TaskId post(CommandBus& bus, const std::string& id, std::int64_t slots, bool per_item) {
  PostTask command;
  command.employer_id = UserId{"emp"};
  command.title = per_item ? "per-item task" : "plain task";
  command.reward = Micros{10'000};
  command.slots = slots;
  command.per_item = per_item;
  command.max_per_worker = 1;
  return std::get<TaskPosted>(call(bus, id, command).event).task_id;
}

// Heap bytes per item of a partition state holding one task with `count` items.
double state_bytes_per_item(std::int64_t count) {
  PartitionState state;
  TaskState& task = state.tasks[TaskId{"emp.1"}];
  task.per_item = true;
  task.slots = count;
  const std::size_t before = mallinfo2().uordblks;
  for (std::int64_t first = 1; first <= count; first += kItemsPerCall) {
    evolve(state, ItemsAdded{TaskId{"emp.1"}, UserId{"emp"}, first, first + kItemsPerCall - 1,
                             items_from(first)});
  }
  const std::size_t after = mallinfo2().uordblks;
  return static_cast<double>(after - before) / static_cast<double>(count);
}

// The decided event of `command` folded into `state`; exits when it is rejected.
void decide_and_fold(PartitionState& state, const Command& command) {
  Decision decision = decide(state, command, UnixMs{1'000'000}, Policy{});
  if (!std::holds_alternative<Event>(decision)) {
    std::fprintf(stderr, "a command of the memory measure was rejected\n");
    std::exit(1);
  }
  evolve(state, std::get<Event>(decision));
}

// Heap bytes per held claim of a partition state where `count` registered workers each hold a
// claim on one plain task.
double state_bytes_per_claim(std::int64_t count) {
  PartitionState state;
  decide_and_fold(state, RegisterUser{UserId{"emp"}, "US", ""});
  decide_and_fold(state, DepositFunds{UserId{"emp"}, Micros{count * 20'000}, "bench"});
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "memory";
  post.reward = Micros{10'000};
  post.slots = count;
  decide_and_fold(state, post);
  const TaskId task{"emp.1"};
  const std::size_t before = mallinfo2().uordblks;
  for (std::int64_t i = 0; i < count; ++i) {
    const UserId worker{"w" + std::to_string(i)};
    decide_and_fold(state, RegisterUser{worker, "US", ""});
    decide_and_fold(state, ClaimSlot{task, worker, {"US", 0, 0}});
  }
  const std::size_t after = mallinfo2().uordblks;
  return static_cast<double>(after - before) / static_cast<double>(count);
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t items = (argc > 1 ? std::atoll(argv[1]) : 1'000'000) / kItemsPerCall * kItemsPerCall;
  const std::int64_t claims = argc > 2 ? std::atoll(argv[2]) : 100'000;
  const std::int64_t inflight = argc > 3 ? std::atoll(argv[3]) : 1000;
  auto dir = std::filesystem::temp_directory_path() / ("microjobs-items-bench-" + std::to_string(getpid()));
  NodeConfig config;
  config.data_dir = dir.string();
  auto node = EmbeddedNode::open(config);
  if (!node.ok() || !(*node)->start().ok()) {
    std::fprintf(stderr, "cannot start the node\n");
    return 1;
  }
  CommandBus& bus = (*node)->bus();
  (void)call(bus, "r", RegisterUser{UserId{"emp"}, "US", ""});
  (void)call(bus, "d", DepositFunds{UserId{"emp"}, Micros{(items + claims) * 20'000}, "bench"});
  const TaskId per_item = post(bus, "p1", items, true);
  const TaskId plain = post(bus, "p2", claims, false);

  Pumped upload = pump(bus, items / kItemsPerCall, 8, "i", [&](std::int64_t call_index) {
    return AddItems{per_item, UserId{"emp"}, items_from(1 + call_index * kItemsPerCall)};
  });
  const std::int64_t added = upload.accepted;
  const double upload_s = upload.seconds;
  wait_projected(**node, upload.last);
  std::printf("RESULT name=items.upload items=%lld seconds=%.2f rate=%.0f per_call=%lld in_flight=8\n",
              static_cast<long long>(added * kItemsPerCall), upload_s,
              static_cast<double>(added * kItemsPerCall) / upload_s, static_cast<long long>(kItemsPerCall));
  auto claim_on = [&](const TaskId& task, const std::string& prefix) {
    return pump(bus, claims, inflight, prefix, [&, prefix](std::int64_t i) {
      return ClaimSlot{task, UserId{prefix + std::to_string(i)}, {"US", 0, 0}};
    });
  };
  Pumped plain_run = claim_on(plain, "wp");
  wait_projected(**node, plain_run.last);
  Pumped item_run = claim_on(per_item, "wi");
  const auto [item_claims, item_s] = std::pair{item_run.accepted, item_run.seconds};
  const auto [plain_claims, plain_s] = std::pair{plain_run.accepted, plain_run.seconds};
  std::printf("RESULT name=items.claim_per_item accepted=%lld rate=%.0f in_flight=%lld\n",
              static_cast<long long>(item_claims), static_cast<double>(claims) / item_s,
              static_cast<long long>(inflight));
  std::printf("RESULT name=items.claim_plain accepted=%lld rate=%.0f in_flight=%lld\n",
              static_cast<long long>(plain_claims), static_cast<double>(claims) / plain_s,
              static_cast<long long>(inflight));
  (*node)->stop();
  node->reset();
  std::filesystem::remove_all(dir);
  std::printf("RESULT name=items.state_memory bytes_per_item=%.1f items=%lld\n",
              state_bytes_per_item(items), static_cast<long long>(items));
  std::printf("RESULT name=claims.state_memory bytes_per_claim=%.0f claims=%lld\n",
              state_bytes_per_claim(claims), static_cast<long long>(claims));
  return added * kItemsPerCall == items && item_claims == claims && plain_claims == claims ? 0 : 1;
}
