// Replay benchmark, in two steps that tools/bench/run times around `microjobs rebuild`:
//
//   replay_bench generate DIR EVENTS   a realistic log through the real write side (EmbeddedNode:
//                                      processors, synced log, credit manager): users register,
//                                      employers deposit and post tasks, workers claim, submit,
//                                      and are approved (9 in 10) or rejected; approvals are
//                                      credited on the worker's partition.
//   replay_bench generate DIR EVENTS crash
//                                      the same, then ends the process at once (no stop, no final
//                                      snapshots): a restart must replay each partition's tail
//                                      since its last snapshot and the projector's, as after a crash.
//   replay_bench parse DIR             the ceiling for a rebuild: read every record of the log,
//                                      (a) only read, (b) read + SHA-256, (c) read + decode the
//                                      envelope (what any fold must at least do).
//
// Prints RESULT lines (key=value) like `microjobs loadgen`.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "tools/node.h"

using namespace microjobs;

namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// At most `limit` commands in flight on the bus; replies are handed to `on_reply` under a lock.
class Window {
 public:
  Window(CommandBus& bus, std::int64_t limit) : bus_(bus), limit_(limit) {}

  void send(std::string id, Command command, std::function<void(const CommandOutcome&)> on_reply = {}) {
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock, [&] { return outstanding_ < limit_; });
      ++outstanding_;
    }
    bus_.send(client_command_id("bench", id), std::move(command), [this, on_reply = std::move(on_reply)](CommandOutcome outcome) {
      std::lock_guard lock(mutex_);
      if (outcome.kind != CommandOutcome::Kind::accepted) {
        ++failed_;
        const std::string why = outcome.kind == CommandOutcome::Kind::rejected ? std::string(rejection_code(outcome.rejection))
                                                                               : outcome.detail;
        if (failed_ <= 3) std::fprintf(stderr, "replay_bench: a command failed: %s\n", why.c_str());
      }
      if (on_reply) on_reply(outcome);
      --outstanding_;
      room_.notify_all();
    });
  }
  void wait_all() {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return outstanding_ == 0; });
  }
  std::int64_t failed() const { return failed_; }

 private:
  CommandBus& bus_;
  const std::int64_t limit_;
  std::mutex mutex_;
  std::condition_variable room_;
  std::int64_t outstanding_ = 0, failed_ = 0;
};

// Waits (at most 10 minutes) until the read models have applied the whole log, and prints how
// far behind they were when the load ended and how long they took to catch up.
void wait_for_read_models(EmbeddedNode& node) {
  EventLog& log = node.log();
  auto backlog = [&] {
    std::int64_t behind = 0;
    for (std::int32_t p = 0; p < log.partitions(); ++p) behind += log.end(p) - node.progress().applied_end(p);
    return behind;
  };
  const std::int64_t behind = backlog();
  auto catching_up = SteadyClock::now();
  while (backlog() > 0 && seconds_since(catching_up) < 600) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::printf("RESULT name=replay.projector_backlog events=%lld seconds_to_catch_up=%.3f caught_up=%d\n",
              static_cast<long long>(behind), seconds_since(catching_up), backlog() == 0 ? 1 : 0);
}

int generate(const std::string& dir, std::int64_t target_events, bool crash) {
  constexpr int kWorkers = 10'000, kEmployers = 100;
  // About 3.9 events per cycle: claimed, submitted, approved (+ credited) or rejected.
  const std::int64_t cycles = std::max<std::int64_t>(1, (target_events - kWorkers - 3 * kEmployers) * 10 / 39);
  const int tasks = static_cast<int>(std::clamp<std::int64_t>(cycles / 100, 10, 20'000));
  const std::int64_t slots = cycles / tasks + kWorkers / tasks + 2;
  NodeConfig config;
  config.data_dir = dir;
  auto node = EmbeddedNode::open(config);
  if (!node.ok() || !(*node)->start().ok()) {
    std::fprintf(stderr, "cannot start the node in %s\n", dir.c_str());
    return 1;
  }
  auto start = SteadyClock::now();
  Window window((*node)->bus(), 1000);
  std::mutex mutex;
  for (int w = 0; w < kWorkers; ++w)
    window.send("rw" + std::to_string(w), RegisterUser{UserId{"w" + std::to_string(w)}, w % 3 ? "ID" : "US", "worker"});
  for (int e = 0; e < kEmployers; ++e) {
    UserId employer{"e" + std::to_string(e)};
    window.send("re" + std::to_string(e), RegisterUser{employer, "US", "employer"});
    window.send("de" + std::to_string(e), DepositFunds{employer, Micros{(tasks / kEmployers + 1) * slots * 200'000}, "wire"});
  }
  window.wait_all();
  std::vector<TaskId> task_ids(static_cast<std::size_t>(tasks));
  for (int t = 0; t < tasks; ++t) {
    PostTask post;
    post.employer_id = UserId{"e" + std::to_string(t % kEmployers)};
    post.title = "Review app #" + std::to_string(t);
    post.instructions = "Install the app, use it for five minutes and write an honest review.";
    post.category = t % 2 ? "review" : "survey";
    post.reward = Micros{50'000 + (t % 7) * 10'000};
    post.slots = slots;
    window.send("p" + std::to_string(t), post, [&, t](const CommandOutcome& o) {
      if (const auto* e = std::get_if<TaskPosted>(&o.event)) task_ids[static_cast<std::size_t>(t)] = e->task_id;
    });
  }
  window.wait_all();
  // Cycle i claims task i % tasks, so every task gets at most cycles / tasks + 1 <= slots claims,
  // by a worker no other cycle of that task has (cycles / tasks < kWorkers): no no_free_slot,
  // no already_claimed.
  auto task_of = [&](std::int64_t i) { return static_cast<std::size_t>(i % tasks); };
  auto worker_of = [&](std::int64_t i) { return static_cast<int>((i / tasks + i % tasks) % kWorkers); };
  // Cycles in chunks: claim all, submit all, review all.
  constexpr std::int64_t kChunk = 50'000;
  for (std::int64_t first = 0; first < cycles; first += kChunk) {
    std::int64_t n = std::min(kChunk, cycles - first);
    std::vector<ClaimId> claims(static_cast<std::size_t>(n));
    for (std::int64_t k = 0; k < n; ++k) {
      std::int64_t i = first + k;
      int w = worker_of(i);
      const TaskId& task = task_ids[task_of(i)];
      window.send("c" + std::to_string(i), ClaimSlot{task, UserId{"w" + std::to_string(w)}, {w % 3 ? "ID" : "US", 0, 0}},
                  [&claims, k](const CommandOutcome& o) {
                    if (const auto* e = std::get_if<SlotClaimed>(&o.event)) claims[static_cast<std::size_t>(k)] = e->claim_id;
                  });
    }
    window.wait_all();
    for (std::int64_t k = 0; k < n; ++k) {
      if (claims[k].empty()) continue;
      int w = worker_of(first + k);
      window.send("s" + std::to_string(first + k),
                  SubmitProof{claims[k], UserId{"w" + std::to_string(w)}, "https://play.example.com/review/" + std::to_string(first + k)});
    }
    window.wait_all();
    for (std::int64_t k = 0; k < n; ++k) {
      if (claims[k].empty()) continue;
      UserId employer = *owner_of_claim(claims[k].value);
      if ((first + k) % 10 == 9) {
        window.send("x" + std::to_string(first + k), RejectSubmission{claims[k], employer, "The review does not mention the app."});
      } else {
        window.send("a" + std::to_string(first + k), ApproveSubmission{claims[k], employer});
      }
    }
    window.wait_all();
    std::fprintf(stderr, "\rgenerate: %lld/%lld cycles  %.1f s   ", static_cast<long long>(first + n),
                 static_cast<long long>(cycles), seconds_since(start));
  }
  // Let the credit manager credit the last approvals before stopping.
  auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  std::uint64_t seen = (*node)->log().append_count();
  while (SteadyClock::now() < deadline) {
    (*node)->log().wait_for_append(seen, std::chrono::milliseconds(500));
    std::uint64_t now = (*node)->log().append_count();
    if (now == seen) break;  // half a second without an append: the credits are done
    seen = now;
  }
  double seconds = seconds_since(start);
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < (*node)->log().partitions(); ++p) events += (*node)->log().end(p);
  if (crash) {
    // The crash comes at a quiet moment: once the read models have caught up, so that the
    // restart measures recovery rather than the projector's backlog from the load.
    wait_for_read_models(**node);
  } else {
    (*node)->stop();
    node->reset();
  }
  std::fprintf(stderr, "\n");
  std::printf("RESULT name=replay.generate events=%lld cycles=%lld failed=%lld seconds=%.3f rate=%.0f\n",
              static_cast<long long>(events), static_cast<long long>(cycles), static_cast<long long>(window.failed()),
              seconds, static_cast<double>(events) / seconds);
  std::fflush(stdout);
  if (crash) std::_Exit(events > 0 ? 0 : 1);  // what the log and the stores hold now, nothing more
  return events > 0 ? 0 : 1;
}

// Reads every record of every partition, calling `visit` on each value.
template <typename Visit>
std::int64_t scan(EventLog& log, Visit visit) {
  std::int64_t count = 0;
  for (std::int32_t p = 0; p < log.partitions(); ++p) {
    for (std::int64_t from = 0;;) {
      auto batch = log.read(p, from, 8192);
      if (!batch.ok() || batch->empty()) break;
      for (const auto& record : *batch) {
        visit(record.value);
        ++count;
      }
      from = batch->back().offset + 1;
    }
  }
  return count;
}

int parse(const std::string& dir) {
  auto log = LocalEventLog::open(dir + "/log", 0);
  if (!log.ok()) {
    std::fprintf(stderr, "cannot open %s/log: %s\n", dir.c_str(), log.error().message.c_str());
    return 1;
  }
  std::int64_t failures = 0;
  std::size_t sink = 0;
  auto run = [&](const char* name, auto visit) {
    auto start = SteadyClock::now();
    std::int64_t events = scan(**log, visit);
    double seconds = seconds_since(start);
    std::printf("RESULT name=replay.%s events=%lld seconds=%.3f rate=%.0f\n", name, static_cast<long long>(events),
                seconds, static_cast<double>(events) / seconds);
  };
  run("read_only", [&](const std::string& value) { sink += value.size(); });
  run("read_sha256", [&](const std::string& value) { sink += sha256_hex(value).size(); });
  run("parse_only", [&](const std::string& value) {
    auto envelope = decode_envelope(value);
    if (!envelope) ++failures;
  });
  std::fprintf(stderr, "(%zu bytes seen, %lld undecodable)\n", sink, static_cast<long long>(failures));
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && (argc == 4 || (argc == 5 && std::string(argv[4]) == "crash"))) {
    return generate(argv[2], std::atoll(argv[3]), argc == 5);
  }
  if (mode == "parse" && argc == 3) return parse(argv[2]);
  std::fprintf(stderr, "usage: replay_bench generate DIR EVENTS [crash] | replay_bench parse DIR\n");
  return 2;
}
