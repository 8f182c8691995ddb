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
#include "ledger_check.h"
#include "test_support.h"
#include "tools/node.h"

namespace microjobs {
namespace {

using testing::call;
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

// Waits until the projector has applied everything in the log and no credit is outstanding.
void settle(EmbeddedNode& node) {
  ASSERT_TRUE(eventually([&] {
    for (std::int32_t p = 0; p < node.log().partitions(); ++p) {
      if (node.projector().chain_position(p).next_offset < node.log().end(p)) return false;
    }
    return node.reads().shared_account(accounts::kClearingPayouts).value == 0;
  }));
}

struct Campaign {
  std::vector<std::string> workers;
  std::vector<std::string> claims;
  std::string task_id;
  std::string first_claim_command = "w0:claim-1";
};

// The campaign of the issue: deposit 100.00, post 20 slots at 0.05, 30 workers race for them,
// all winners submit, 12 are approved and 8 rejected.
Campaign play_campaign(EmbeddedNode& node) {
  Campaign campaign;
  CommandBus& bus = node.bus();
  EXPECT_EQ(call(bus, "reg-emp", RegisterUser{UserId{"emp"}, "US", "Employer"}).kind, Kind::accepted);
  EXPECT_EQ(call(bus, "dep-1", DepositFunds{UserId{"emp"}, money("100.00"), "bank-1"}).kind,
            Kind::accepted);
  for (int i = 0; i < 30; ++i) {
    campaign.workers.push_back("w" + std::to_string(i));
    EXPECT_EQ(call(bus, "reg-w" + std::to_string(i),
                   RegisterUser{UserId{campaign.workers.back()}, "ID", ""}).kind,
              Kind::accepted);
  }
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "Sign up and review";
  post.category = "signup";
  post.reward = money("0.05");
  post.slots = 20;
  CommandOutcome posted = call(bus, "post-1", post);
  EXPECT_EQ(posted.kind, Kind::accepted);
  campaign.task_id = std::get<TaskPosted>(posted.event).task_id.value;

  // 30 claims at once, from 30 threads.
  std::vector<CommandOutcome> outcomes(30);
  std::vector<std::thread> racers;
  for (int i = 0; i < 30; ++i) {
    racers.emplace_back([&, i] {
      std::string id = i == 0 ? campaign.first_claim_command : "w" + std::to_string(i) + ":claim";
      outcomes[i] = call(bus, id, ClaimSlot{TaskId{campaign.task_id}, UserId{campaign.workers[i]},
                                            WorkerProfile{"ID", 0, 0}});
    });
  }
  for (auto& racer : racers) racer.join();
  int no_free_slot = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.kind == Kind::accepted) {
      campaign.claims.push_back(std::get<SlotClaimed>(outcome.event).claim_id.value);
    } else if (outcome.kind == Kind::rejected && outcome.rejection == Rejection::no_free_slot) {
      ++no_free_slot;
    }
  }
  EXPECT_EQ(campaign.claims.size(), 20u);
  EXPECT_EQ(no_free_slot, 10);
  std::sort(campaign.claims.begin(), campaign.claims.end());
  for (const auto& claim : campaign.claims) {
    PartitionState state = node.processors()
                               .processor(partition_for("emp", 8))
                               .state_copy();
    const UserId worker = state.tasks.at(TaskId{campaign.task_id}).claims.at(ClaimId{claim}).worker_id;
    EXPECT_EQ(call(bus, "submit-" + claim, SubmitProof{ClaimId{claim}, worker, "done"}).kind,
              Kind::accepted);
  }
  for (std::size_t i = 0; i < campaign.claims.size(); ++i) {
    const ClaimId claim{campaign.claims[i]};
    CommandOutcome reviewed =
        i < 12 ? call(bus, "review-" + claim.value, ApproveSubmission{claim, UserId{"emp"}})
               : call(bus, "review-" + claim.value, RejectSubmission{claim, UserId{"emp"}, "blurry"});
    EXPECT_EQ(reviewed.kind, Kind::accepted);
  }
  return campaign;
}

void expect_campaign_results(EmbeddedNode& node, const Campaign& campaign) {
  ReadModels& reads = node.reads();
  AccountView employer = reads.account(UserId{"emp"});
  EXPECT_EQ(employer.available, money("98.80"));  // 100 - 20 x (0.05 + 0.01)
  EXPECT_EQ(employer.escrow, money("0.48"));      // 8 unpaid slots x 0.06
  PartitionState employer_state =
      node.processors().processor(partition_for("emp", 8)).state_copy();
  const TaskState& task = employer_state.tasks.at(TaskId{campaign.task_id});
  std::map<std::string, std::string> status_by_worker;
  for (const auto& [claim_id, claim] : task.claims) {
    status_by_worker[claim.worker_id.value] = std::string(claim_status_name(claim.status));
  }
  int paid = 0;
  for (const auto& worker : campaign.workers) {
    AccountView account = reads.account(UserId{worker});
    ReputationView reputation = reads.reputation(UserId{worker});
    const std::string status = status_by_worker.count(worker) ? status_by_worker[worker] : "none";
    if (status == "approved") {
      ++paid;
      EXPECT_EQ(account.available, money("0.05")) << worker;
      EXPECT_EQ(reputation.approved, 1) << worker;
    } else {
      EXPECT_EQ(account.available, Micros{}) << worker;
      EXPECT_EQ(reputation.approved, 0) << worker;
    }
    EXPECT_EQ(reputation.rejected, status == "rejected" ? 1 : 0) << worker;
  }
  EXPECT_EQ(paid, 12);
  auto view = reads.task(TaskId{campaign.task_id});
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->approved, 12);
  EXPECT_EQ(view->rejected, 8);
  EXPECT_EQ(view->claimed, 0);
  EXPECT_EQ(view->submitted, 0);
  EXPECT_EQ(view->free_slots(), 8);
  EXPECT_EQ(view->status, "open");
  auto feed = reads.feed(FeedQuery{});
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].task_id.value, campaign.task_id);
  EXPECT_EQ(reads.shared_account(accounts::kPlatformFees), money("0.12"));
  EXPECT_EQ(reads.shared_account(accounts::kClearingPayouts), Micros{});
  EXPECT_EQ(reads.shared_account(accounts::kWorldDeposits), Micros{-100'000'000});
  ReputationView employer_reputation = reads.reputation(UserId{"emp"});
  EXPECT_EQ(employer_reputation.reviews_given, 20);
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
                                ClaimSlot{TaskId{campaign.task_id}, UserId{"w0"}, {"ID", 0, 0}});
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
}

TEST(EmbeddedNode, StateFromSnapshotPlusTailEqualsStateFromTheWholeLog) {
  TempDir dir;
  ManualClock clock(kStart);
  std::vector<std::string> live;
  {
    auto node = open_node(dir.str(), clock, /*snapshot_every=*/7);
    play_campaign(*node);
    for (std::int32_t p = 0; p < 8; ++p) {
      live.push_back(encode_snapshot(node->processors().processor(p).state_copy()));
    }
    node->stop();
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
