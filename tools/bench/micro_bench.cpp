// Micro-benchmarks (Google Benchmark): the domain's decide/evolve, the envelope codec and SHA-256,
// the local log's synced append by batch size, the projector's fold into read models, and what
// /metrics costs a request (prometheus-cpp's counters and histogram, on one and two threads).
//
//   build/tools/bench/micro_bench [--benchmark_filter=...] [--benchmark_format=csv]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <unistd.h>

#include "api/metrics.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/decider.h"
#include "projections/projector.h"
#include "infra/vault/rocks_key_store.h"
#include "tools/node.h"

using namespace microjobs;

namespace {

// A partition's state driven by decide + evolve, as the processor does it.
struct World {
  PartitionState state;
  UnixMs now{1'750'000'000'000};
  UserId employer{"emp"};
  TaskId task;
  std::int64_t slots_left = 0;

  World() {
    run(RegisterUser{employer, "US", "employer"});
    run(DepositFunds{employer, Micros{1'000'000'000'000'000}, "wire"});
    post();
  }
  Event run(const Command& command) {
    Decision decision = decide(state, command, now);
    const Event* event = std::get_if<Event>(&decision);
    if (event == nullptr) {
      std::fprintf(stderr, "rejected: %d\n", static_cast<int>(std::get<Rejection>(decision)));
      std::abort();
    }
    evolve(state, *event);
    return *event;
  }
  void post() {
    PostTask post;
    post.employer_id = employer;
    post.title = "Review app";
    post.reward = Micros{50'000};
    post.slots = 1'000'000;
    task = std::get<TaskPosted>(run(post)).task_id;
    slots_left = post.slots;
  }
};

void BM_Decide_ClaimSlot(benchmark::State& bench) {
  World world;
  ClaimSlot claim{world.task, UserId{"w1"}, {"US", 0, 0}};
  Command command = claim;
  for (auto _ : bench) benchmark::DoNotOptimize(decide(world.state, command, world.now));
  bench.SetItemsProcessed(bench.iterations());
}
BENCHMARK(BM_Decide_ClaimSlot);

// claim -> submit -> approve, each decided and evolved: three commands per iteration.
void BM_DecideEvolve_Lifecycle(benchmark::State& bench) {
  World world;
  std::int64_t i = 0;
  for (auto _ : bench) {
    if (world.slots_left == 0) {
      bench.PauseTiming();
      world.post();
      bench.ResumeTiming();
    }
    UserId worker{"w" + std::to_string(i++)};
    auto claimed = std::get<SlotClaimed>(world.run(ClaimSlot{world.task, worker, {"US", 0, 0}}));
    world.run(SubmitProof{claimed.claim_id, worker, "https://example.com/proof"});
    world.run(ApproveSubmission{claimed.claim_id, world.employer});
    --world.slots_left;
  }
  bench.SetItemsProcessed(bench.iterations() * 3);
}
BENCHMARK(BM_DecideEvolve_Lifecycle);

Event sample_approval() {
  World world;
  UserId worker{"worker42"};
  auto claimed = std::get<SlotClaimed>(world.run(ClaimSlot{world.task, worker, {"US", 0, 0}}));
  world.run(SubmitProof{claimed.claim_id, worker, "https://example.com/proof"});
  return world.run(ApproveSubmission{claimed.claim_id, world.employer});
}

EnvelopeMeta sample_meta() {
  EnvelopeMeta meta;
  meta.id = event_id(3, 123456);
  meta.source = event_source(3);
  meta.time = UnixMs{1'750'000'000'000};
  meta.stream = "emp";
  meta.seq = 123456;
  meta.command_id = "emp:0123456789abcdef0123456789abcdef";
  meta.prev_hash = sha256_hex("previous");
  return meta;
}

void BM_Encode_Approval(benchmark::State& bench) {
  Event event = sample_approval();
  EnvelopeMeta meta = sample_meta();
  std::string out;
  for (auto _ : bench) {
    out.clear();
    encode_envelope_to(out, meta, event);
    benchmark::DoNotOptimize(out.data());
  }
  bench.SetItemsProcessed(bench.iterations());
  bench.SetBytesProcessed(bench.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_Encode_Approval);

void BM_Decode_Approval(benchmark::State& bench) {
  std::string bytes = encode_envelope(sample_meta(), sample_approval());
  for (auto _ : bench) benchmark::DoNotOptimize(decode_envelope(bytes));
  bench.SetItemsProcessed(bench.iterations());
  bench.SetBytesProcessed(bench.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_Decode_Approval);

void BM_Sha256_Approval(benchmark::State& bench) {
  std::string bytes = encode_envelope(sample_meta(), sample_approval());
  for (auto _ : bench) benchmark::DoNotOptimize(sha256_hex(bytes));
  bench.SetItemsProcessed(bench.iterations());
  bench.SetBytesProcessed(bench.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_Sha256_Approval);

std::filesystem::path temp_dir(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("microjobs-micro-" + name + "-" + std::to_string(getpid()));
}

// One synced append of `batch` records (the approval envelope, ≈0.5 KB each) per iteration.
void BM_LogAppend(benchmark::State& bench) {
  auto dir = temp_dir("log");
  std::filesystem::remove_all(dir);
  {
    auto log = LocalEventLog::open(dir.string(), 1);
    if (!log.ok()) {
      bench.SkipWithError("cannot open the log");
      return;
    }
    std::string value = encode_envelope(sample_meta(), sample_approval());
    std::vector<RecordView> records(static_cast<std::size_t>(bench.range(0)), RecordView{"emp", value});
    for (auto _ : bench) {
      if (!(*log)->append(0, records).ok()) bench.SkipWithError("append failed");
    }
    bench.SetItemsProcessed(bench.iterations() * bench.range(0));
    bench.SetBytesProcessed(bench.iterations() * bench.range(0) * static_cast<std::int64_t>(value.size()));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LogAppend)->RangeMultiplier(4)->Range(1, 4096)->UseRealTime()->MinTime(0.3);

// A read store in memory, so that the fold is measured without RocksDB.
class MemoryReadStore final : public ReadStore {
 public:
  std::optional<std::string> get(std::string_view key) override {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  Status write(const WriteSet& batch) override {
    for (const auto& [key, value] : batch.entries) {
      if (value) map_[key] = *value;
      else map_.erase(key);
    }
    return ok_status();
  }
  void scan(std::string_view prefix, std::string_view start,
            const std::function<bool(std::string_view, std::string_view)>& visit) override {
    for (auto it = map_.lower_bound(std::string(start)); it != map_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0 || !visit(it->first, it->second)) break;
    }
  }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

// A small real log (register, deposit, post, 20,000 claims through the node), built once.
const std::filesystem::path& projector_log() {
  static const std::filesystem::path dir = [] {
    auto dir = temp_dir("projector");
    std::filesystem::remove_all(dir);
    NodeConfig config;
    config.data_dir = dir.string();
    auto node = EmbeddedNode::open(config);
    if (!node.ok() || !(*node)->start().ok()) std::abort();
    auto call = [&](std::string id, Command command) {
      std::promise<CommandOutcome> promise;
      auto future = promise.get_future();
      (*node)->bus().send(client_command_id("bench", id), std::move(command), [&](CommandOutcome o) { promise.set_value(std::move(o)); });
      return future.get();
    };
    call("r", RegisterUser{UserId{"emp"}, "US", ""});
    call("d", DepositFunds{UserId{"emp"}, Micros{1'000'000'000'000}, "wire"});
    PostTask post;
    post.employer_id = UserId{"emp"};
    post.title = "t";
    post.reward = Micros{50'000};
    post.slots = 20'000;
    TaskId task = std::get<TaskPosted>(call("p", post).event).task_id;
    std::atomic<int> left{20'000};
    std::promise<void> all;
    for (int i = 0; i < 20'000; ++i) {
      (*node)->bus().send(client_command_id("bench", "c" + std::to_string(i)), ClaimSlot{task, UserId{"w" + std::to_string(i)}, {"US", 0, 0}},
                          [&](CommandOutcome) { if (--left == 0) all.set_value(); });
    }
    all.get_future().wait();
    (*node)->stop();
    node->reset();
    return dir;
  }();
  return dir;
}

// The projector folding the whole small log (verify chain + SHA-256 + decode + fold) into an
// in-memory store, per event.
void BM_ProjectorApply(benchmark::State& bench) {
  auto log = LocalEventLog::open((projector_log() / "log").string(), 0);
  if (!log.ok()) {
    bench.SkipWithError("cannot open the log");
    return;
  }
  std::int64_t events = 0;
  for (auto _ : bench) {
    MemoryReadStore store;
    Projector projector(**log, store);
    for (;;) {
      auto applied = projector.step(8192);
      if (!applied.ok() || *applied == 0) break;
      events += static_cast<std::int64_t>(*applied);
    }
  }
  bench.SetItemsProcessed(events);
}
BENCHMARK(BM_ProjectorApply)->Unit(benchmark::kMillisecond)->UseRealTime();

// One answered command request as handle() and ApiContext::send count it.
void BM_Metrics_Request(benchmark::State& bench) {
  static ApiMetrics metrics;
  for (auto _ : bench) {
    metrics.command_answered("ClaimSlot", "accepted");
    metrics.request_answered("POST", "/v1/tasks/{}/claims", 201, 0.0012);
  }
  bench.SetItemsProcessed(bench.iterations());
}
BENCHMARK(BM_Metrics_Request)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(temp_dir("projector"));
  return 0;
}

// The vault (infra/vault) on the embedded key store, 10,000 users with a key each: sealing a
// 200-byte proof (what the processor adds to a submission) and opening it (what the API adds to
// each proof it answers).
void BM_Vault(benchmark::State& bench) {
  auto dir = temp_dir("vault");
  std::filesystem::remove_all(dir);
  {
    auto store = RocksKeyStore::open(dir.string());
    if (!store.ok()) {
      bench.SkipWithError("cannot open the key store");
      return;
    }
    SystemClock clock;
    Vault vault(**store, "micro bench master key", clock);
    const std::string proof(200, 'p');
    std::vector<std::string> sealed;
    for (int user = 0; user < 10'000; ++user) sealed.push_back(*vault.seal(UserId{"w" + std::to_string(user)}, proof));
    const bool open = bench.range(0) == 1;
    std::size_t i = 0;
    for (auto _ : bench) {
      const std::size_t user = (i++ * 7919) % sealed.size();
      if (open) {
        benchmark::DoNotOptimize(vault.open(sealed[user]));
      } else {
        benchmark::DoNotOptimize(vault.seal(UserId{"w" + std::to_string(user)}, proof));
      }
    }
    bench.SetLabel(open ? "open" : "seal");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Vault)->Arg(0)->Arg(1);
