// The write and read sides together on real RocksDB: a whole campaign through the CommandBus,
// the credit process manager, the projector, restarts, idempotency, rebuild and the ledger.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "domain/codec/envelope.h"
#include "domain/partitioner.h"
#include "domain/snapshot.h"
#include "infra/rocksdb/stores.h"
#include "projections/keys.h"
#include "campaign.h"
#include "ledger_check.h"
#include "test_support.h"
#include "tools/node.h"

namespace microjobs {
namespace {

using testing::Campaign;
using testing::call;
using testing::expect_campaign_results;
using testing::play_campaign;
using testing::settle;
using testing::expect_ledger_sound;
using testing::eventually;
using testing::money;
using testing::TempDir;
using Kind = CommandOutcome::Kind;

constexpr UnixMs kStart{1'795'000'000'000};  // 2026-11-17

std::unique_ptr<EmbeddedNode> open_node(const std::string& dir, const Clock& clock,
                                        std::int64_t snapshot_every = 100'000) {
  NodeConfig config;
  config.data_dir = dir;
  config.partitions = 8;
  config.clock = &clock;
  config.processor.snapshot_every_events = snapshot_every;
  auto node = EmbeddedNode::open(config);
  EXPECT_TRUE(node.ok()) << node.error().message;
  EXPECT_TRUE((*node)->start().ok());
  return std::move(*node);
}


std::map<std::string, std::string> dump_read_store(const std::string& path) {
  auto store = RocksReadStore::open(path);
  EXPECT_TRUE(store.ok());
  std::map<std::string, std::string> all;
  (*store)->scan("", "", [&](std::string_view key, std::string_view value) {
    all.emplace(key, value);
    return true;
  });
  return all;
}

TEST(EmbeddedNode, PlaysTheWholeCampaignAndSurvivesRestart) {
  TempDir dir;
  ManualClock clock(kStart);
  Campaign campaign;
  {
    auto node = open_node(dir.str(), clock);
    campaign = play_campaign(*node);
    settle(*node);
    expect_campaign_results(*node, campaign);
    // A repeated command id gets the first answer and appends nothing.
    std::int64_t end = node->log().end(partition_for("emp", 8));
    CommandOutcome again = call(node->bus(), campaign.first_claim_command,
                                ClaimSlot{TaskId{campaign.task_id},
                                          UserId{campaign.first_claim_worker}, {"ID", 0, 0}});
    EXPECT_TRUE(again.repeated);
    EXPECT_EQ(node->log().end(partition_for("emp", 8)), end);
    node->stop();
  }
  auto node = open_node(dir.str(), clock);
  settle(*node);
  expect_campaign_results(*node, campaign);
  CommandOutcome again = call(node->bus(), "dep-1",
                              DepositFunds{UserId{"emp"}, money("100.00"), "bank-1"});
  EXPECT_EQ(again.kind, Kind::accepted);
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(std::get<FundsDeposited>(again.event).deposit_id, "dep.emp.bank-1");
  expect_ledger_sound(node->log());
}

TEST(EmbeddedNode, RebuildYieldsReadModelsEqualToTheLiveOnes) {
  TempDir dir;
  ManualClock clock(kStart);
  {
    auto node = open_node(dir.str(), clock);
    play_campaign(*node);
    settle(*node);
    node->stop();
  }
  auto live = dump_read_store(dir.str() + "/read");
  auto rebuilt = rebuild_read_models(dir.str(), 8);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_GT(*rebuilt, 100u);
  auto again = dump_read_store(dir.str() + "/read");
  EXPECT_EQ(live.size(), again.size());
  EXPECT_TRUE(live == again);
  // In steps of 16 events (2 a partition) a view is written, flushed to a table file in the
  // background, and read back by a later step many times over.
  auto in_small_steps = rebuild_read_models(dir.str(), 8, 16);
  ASSERT_TRUE(in_small_steps.ok()) << in_small_steps.error().message;
  EXPECT_EQ(*in_small_steps, *rebuilt);
  auto once_more = dump_read_store(dir.str() + "/read");
  EXPECT_EQ(live.size(), once_more.size());
  EXPECT_TRUE(live == once_more);
}

TEST(EmbeddedNode, StateFromSnapshotPlusTailEqualsStateFromTheWholeLog) {
  TempDir dir;
  ManualClock clock(kStart);
  std::vector<std::string> live;
  {
    auto node = open_node(dir.str(), clock, /*snapshot_every=*/7);
    play_campaign(*node);
    settle(*node);  // the credits land asynchronously: capture the state after the last one
    node->stop();
    for (std::int32_t p = 0; p < 8; ++p) {
      live.push_back(encode_snapshot(node->processors().processor(p).state_copy()));
    }
  }
  {
    // Restart from snapshots (taken every 7 events and at stop).
    auto node = open_node(dir.str(), clock);
    for (std::int32_t p = 0; p < 8; ++p) {
      EXPECT_EQ(encode_snapshot(node->processors().processor(p).state_copy()), live[p]) << p;
    }
    node->stop();
  }
  // Without any snapshot: the whole log.
  ASSERT_TRUE(destroy_store(dir.str() + "/state").ok());
  auto node = open_node(dir.str(), clock);
  for (std::int32_t p = 0; p < 8; ++p) {
    EXPECT_EQ(encode_snapshot(node->processors().processor(p).state_copy()), live[p]) << p;
  }
}

TEST(EmbeddedNode, ExpiredClaimFreesItsSlotFromTheInjectedClock) {
  TempDir dir;
  ManualClock clock(kStart);
  auto node = open_node(dir.str(), clock);
  CommandBus& bus = node->bus();
  ASSERT_EQ(call(bus, "r1", RegisterUser{UserId{"boss"}, "DE", ""}).kind, Kind::accepted);
  ASSERT_EQ(call(bus, "r2", RegisterUser{UserId{"ann"}, "DE", ""}).kind, Kind::accepted);
  ASSERT_EQ(call(bus, "d1", DepositFunds{UserId{"boss"}, money("1"), "x"}).kind, Kind::accepted);
  PostTask post;
  post.employer_id = UserId{"boss"};
  post.title = "one slot";
  post.reward = money("0.10");
  post.slots = 1;
  post.claim_timeout_s = 600;
  auto posted = call(bus, "p1", post);
  ASSERT_EQ(posted.kind, Kind::accepted);
  TaskId task = std::get<TaskPosted>(posted.event).task_id;
  ASSERT_EQ(call(bus, "c1", ClaimSlot{task, UserId{"ann"}, {"DE", 0, 0}}).kind, Kind::accepted);
  EXPECT_EQ(call(bus, "c2", ClaimSlot{task, UserId{"bob"}, {"DE", 0, 0}}).rejection,
            Rejection::no_free_slot);
  clock.advance(std::chrono::seconds(599));
  node->processors().wake_all();
  EXPECT_EQ(call(bus, "c3", ClaimSlot{task, UserId{"bob"}, {"DE", 0, 0}}).rejection,
            Rejection::no_free_slot);
  clock.advance(std::chrono::seconds(1));
  node->processors().wake_all();
  ASSERT_TRUE(eventually([&] {
    auto view = node->reads().task(task);
    return view && view->expired == 1 && view->claimed == 0;
  }));
  EXPECT_EQ(call(bus, "c4", ClaimSlot{task, UserId{"bob"}, {"DE", 0, 0}}).kind, Kind::accepted);
}

}  // namespace
}  // namespace microjobs
