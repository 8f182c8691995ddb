// The seeded simulation of the write side (see simulation.h), and tests that its checks can fail.
// MICROJOBS_SIM_SEED=<n> replays exactly one seed; MICROJOBS_SIM_STEPS=<n> changes its length;
// MICROJOBS_SIM_SEEDS=<n> runs seeds 1..n.
#include "tests/domain/simulation.h"

#include <gtest/gtest.h>

#include <utility>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace microjobs::simulation {
namespace {

std::optional<std::uint64_t> env_number(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}

// Outcomes every run of the default seeds must reach at least once: every event type of the
// domain (a new one is required the day it is added), and these rejections and repeats. A
// simulation that stops producing one no longer tests the rules it stands for.
const std::vector<std::string>& required_outcomes() {
  static const std::vector<std::string> outcomes = [] {
    std::vector<std::string> all = {"exists",
                                    "exists_with_different_amount",
                                    "repeat",
                                    "revision_limit",
                                    "idempotency_key_reused",
                                    "insufficient_funds",
                                    "task_not_open",
                                    "own_task",
                                    "not_qualified",
                                    "already_claimed",
                                    "max_per_worker",
                                    "no_free_slot",
                                    "wrong_state",
                                    "claim_expired",
                                    "out_of_order",
                                    "forbidden",
                                    "invalid_argument",
                                    "reason_required",
                                    "blocked",
                                    "block_not_found",
                                    "not_per_item",
                                    "too_many_items",
                                    "duplicate_ref",
                                    "below_minimum",
                                    "withdrawal_not_found",
                                    "fault:append_failed",
                                    "fault:append_ambiguous",
                                    "fault:restart"};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (all.emplace_back(std::variant_alternative_t<I, Event>::kType), ...);
    }(std::make_index_sequence<std::variant_size_v<Event>>{});
    return all;
  }();
  return outcomes;
}

struct SeedRun {
  std::uint64_t seed = 0;
  std::string failure;
  Stats stats;
};

// Runs each seed on its own Simulation, spread over `threads` threads (each seed stays on one
// thread, so every run is as deterministic as alone).
std::vector<SeedRun> run_seeds(const std::vector<std::uint64_t>& seeds, const Config& config,
                               unsigned threads) {
  std::vector<SeedRun> runs(seeds.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < seeds.size(); i = next++) {
      try {
        Simulation simulation(seeds[i], config);
        runs[i] = {seeds[i], simulation.run(), simulation.stats()};
      } catch (const std::exception& error) {  // an .at() that missed, say: still name the seed
        runs[i] = {seeds[i], std::string("threw: ") + error.what(), {}};
      }
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joined before `runs` is handed back
  return runs;
}

// At least a million commands a run over 42 seeds, on both cores, faults included.
// MICROJOBS_SIM_SEEDS=<n> runs seeds 1..n instead (the sanitizer builds run fewer).
TEST(Simulation, InvariantsHoldOverManySeeds) {
  std::vector<std::uint64_t> seeds;
  const std::uint64_t count = env_number("MICROJOBS_SIM_SEEDS").value_or(42);
  for (std::uint64_t seed = 1; seed <= count; ++seed) seeds.push_back(seed);
  Config config;
  if (auto seed = env_number("MICROJOBS_SIM_SEED")) seeds = {*seed};
  if (auto steps = env_number("MICROJOBS_SIM_STEPS"))
    config.steps = static_cast<std::int64_t>(*steps);
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
  const auto start = std::chrono::steady_clock::now();
  Stats total;
  for (const SeedRun& run : run_seeds(seeds, config, threads)) {
    EXPECT_EQ(run.failure, "") << "replay with MICROJOBS_SIM_SEED=" << run.seed;
    total.commands += run.stats.commands;
    for (const auto& [outcome, count] : run.stats.outcomes) total.outcomes[outcome] += count;
  }
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  std::cout << "[ simulation ] " << seeds.size() << " seed(s), " << total.commands
            << " commands in " << elapsed.count() << " s on " << threads << " thread(s)\n"
            << "[ outcomes   ]";
  for (const auto& [outcome, count] : total.outcomes) std::cout << ' ' << outcome << '=' << count;
  std::cout << '\n';
  if (seeds.size() > 1 && config.steps == Config{}.steps) {
    // Each step sends a command or more: 42 seeds make over a million.
    EXPECT_GE(total.commands, 24'000 * static_cast<std::int64_t>(seeds.size()));
    for (const std::string& outcome : required_outcomes()) {
      EXPECT_GT(total.outcomes[outcome], 0) << "never reached: " << outcome;
    }
  }
}

std::vector<std::string> final_hashes(std::uint64_t seed, std::int64_t steps) {
  Simulation simulation(seed, Config{.steps = steps});
  EXPECT_EQ(simulation.run(), "");
  std::vector<std::string> hashes;
  for (const Partition& partition : simulation.partitions()) hashes.push_back(partition.last_hash);
  return hashes;
}

// A failing seed is only useful if it replays the same run: same seed, same bytes in every log.
TEST(Simulation, TheSameSeedReplaysTheSameLogs) {
  EXPECT_EQ(final_hashes(7, 3'000), final_hashes(7, 3'000));
  EXPECT_NE(final_hashes(7, 3'000), final_hashes(8, 3'000));
}

// The replay check must notice a changed record: the next record's prev_hash no longer matches.
TEST(Simulation, ReplayCheckFindsATamperedRecord) {
  Simulation simulation(11, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  std::vector<std::string>& log = simulation.partitions()[0].log;
  ASSERT_GT(log.size(), 10u);
  std::string& record = log[log.size() / 2];
  const std::string attribute = "\"command_id\":\"";
  auto at = record.find(attribute);
  ASSERT_NE(at, std::string::npos);
  record.insert(at + attribute.size(), "x");  // still valid JSON, and the same event
  EXPECT_NE(simulation.verify_replay(0).find("breaks the hash chain"), std::string::npos)
      << simulation.verify_replay(0);
}

TEST(Simulation, ReplayCheckFindsADroppedRecord) {
  Simulation simulation(12, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  std::vector<std::string>& log = simulation.partitions()[1].log;
  ASSERT_GT(log.size(), 10u);
  log.pop_back();
  EXPECT_NE(simulation.verify_replay(1), "");
}

// And it must notice live state that drifted from what the log says.
TEST(Simulation, ReplayCheckFindsLiveStateThatDiffersFromTheLog) {
  Simulation simulation(13, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  for (std::int32_t p = 0; p < 4; ++p) {
    PartitionState& state = simulation.partitions()[p].state;
    if (state.tasks.empty()) continue;
    EXPECT_EQ(simulation.verify_replay(p), "");
    state.tasks.begin()->second.rejected += 1;
    EXPECT_NE(simulation.verify_replay(p).find("differs"), std::string::npos);
    return;
  }
  FAIL() << "no partition has a task";
}

// The checks after each step must catch live state that no longer matches the events: here one
// event is applied twice, and the failure names the seed and step to replay.
TEST(Simulation, ReportsAnEventAppliedTwiceWithItsSeedAndStep) {
  Simulation simulation(21, Config{.steps = 3'000, .fault_apply_twice_at_step = 1'500});
  std::string failure = simulation.run();
  EXPECT_NE(failure.find("seed 21 step "), std::string::npos) << failure;
  EXPECT_NE(failure.find("MICROJOBS_SIM_SEED=21"), std::string::npos) << failure;
}

// The end-of-run checks must catch approvals that were never credited to the worker.
TEST(Simulation, ReportsApprovalsThatWereNeverCredited) {
  Simulation simulation(22, Config{.steps = 3'000, .fault_lose_every_nth_credit = 50});
  EXPECT_NE(simulation.run(), "");
}

// A restarted partition must come back as it was: state drifted from the log is found ...
TEST(Simulation, RestartCheckFindsLiveStateThatDiffersFromTheLog) {
  Simulation simulation(14, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  for (std::int32_t p = 0; p < 4; ++p) {
    PartitionState& state = simulation.partitions()[p].state;
    if (state.tasks.empty()) continue;
    state.tasks.begin()->second.rejected += 1;
    EXPECT_NE(simulation.restart(p, true).find("state differs"), std::string::npos);
    return;
  }
  FAIL() << "no partition has a task";
}

// ... and so is a command the live partition forgot but its log says it accepted.
TEST(Simulation, RestartCheckFindsAForgottenCommand) {
  Simulation simulation(15, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  Partition& partition = simulation.partitions()[2];
  ASSERT_GT(partition.idempotency.size(), 0u);
  partition.idempotency.clear();
  EXPECT_NE(simulation.restart(2, true).find("remembers other commands"), std::string::npos);
}

// ... and a chain head that is not the log's (a failed append that moved it for good).
TEST(Simulation, RestartCheckFindsAChainHeadThatIsNotTheLogs) {
  Simulation simulation(16, Config{});
  ASSERT_EQ(simulation.run_steps(2'000), "");
  simulation.partitions()[3].last_hash = std::string(64, 'f');
  EXPECT_NE(simulation.restart(3, true).find("chain head differs"), std::string::npos);
}

}  // namespace
}  // namespace microjobs::simulation
