// The credit process manager on a real RocksDB log and in-process processors (issue 7): one source
// partition that cannot make progress never stops the credits of the others, and an outcome is
// taken as paid only if it is the credit of the approval that was sent.
#include <gtest/gtest.h>

#include "commands/credit_manager.h"
#include "commands/in_process_bus.h"
#include "domain/partitioner.h"
#include "infra/rocksdb/stores.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::call;
using testing::money;
using Kind = CommandOutcome::Kind;

constexpr std::int32_t kPartitions = 4;

// The first id "{prefix}{n}" on `partition`.
std::string user_on(std::int32_t partition, const std::string& prefix) {
  for (int i = 0;; ++i) {
    std::string user = prefix + std::to_string(i);
    if (partition_for(user, kPartitions) == partition) return user;
  }
}

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<LocalEventLog> log = std::move(*LocalEventLog::open(dir.str() + "/log", kPartitions));
  std::unique_ptr<RocksStateStore> state = std::move(*RocksStateStore::open(dir.str() + "/state"));
  ManualClock clock{UnixMs{1'795'000'000'000}};
  InProcessCommandBus bus{*log, *state, clock};

  // emp posts a one-slot task that `worker` claims and submits, and approves it.
  void approve_one(const std::string& emp, const std::string& worker) {
    ASSERT_EQ(call(bus, "r" + emp, RegisterUser{UserId{emp}, "US", ""}).kind, Kind::accepted);
    ASSERT_EQ(call(bus, "r" + worker, RegisterUser{UserId{worker}, "US", ""}).kind, Kind::accepted);
    ASSERT_EQ(call(bus, "d" + emp, DepositFunds{UserId{emp}, money("10"), "x"}).kind, Kind::accepted);
    PostTask post;
    post.employer_id = UserId{emp};
    post.title = "t";
    post.reward = money("1");
    post.slots = 1;
    CommandOutcome posted = call(bus, "p" + emp, post);
    ASSERT_EQ(posted.kind, Kind::accepted);
    TaskId task = std::get<TaskPosted>(posted.event).task_id;
    CommandOutcome claimed = call(bus, "c" + worker, ClaimSlot{task, UserId{worker}, {"US", 0, 0}});
    ASSERT_EQ(claimed.kind, Kind::accepted);
    ClaimId claim = std::get<SlotClaimed>(claimed.event).claim_id;
    ASSERT_EQ(call(bus, "s" + worker, SubmitProof{claim, UserId{worker}, "done"}).kind, Kind::accepted);
    ASSERT_EQ(call(bus, "a" + emp, ApproveSubmission{claim, UserId{emp}}).kind, Kind::accepted);
  }
  Micros available(const std::string& user) {
    auto state = bus.processor(partition_for(user, kPartitions)).state_copy();
    return state.users.at(UserId{user}).available;
  }
};

TEST(CreditManager, OneStuckSourcePartitionDoesNotHoldBackTheOthers) {
  Fixture f;
  ASSERT_TRUE(f.bus.start().ok());
  // Source 1 credits a worker on partition 3, whose processor will be down; source 2 credits a
  // worker on partition 0. The stuck source comes first in the manager's round.
  const std::string stuck_worker = user_on(3, "ws");
  const std::string paid_worker = user_on(0, "wp");
  f.approve_one(user_on(1, "e"), stuck_worker);
  f.approve_one(user_on(2, "e"), paid_worker);
  f.bus.processor(3).stop();
  CreditManager credits(*f.log, f.bus, *f.state);
  ASSERT_TRUE(credits.start().ok());
  for (std::uint64_t round = 0; round < CreditManager::kStalledAfterRounds; ++round) {
    auto result = credits.step();
    ASSERT_FALSE(result.ok()) << "partition 1's credit cannot apply while partition 3 is down";
    EXPECT_NE(result.error().message.find("partition 1"), std::string::npos) << result.error().message;
  }
  EXPECT_EQ(f.available(paid_worker), money("1")) << "source 2 was held back by source 1";
  EXPECT_EQ(credits.stalled_partitions(), 1u);
}

// A round without payouts moves the cursor in memory only (no synced write); a round that sent
// credits writes it. A manager restarted from what was written reads the rest again and sends
// nothing twice.
TEST(CreditManager, WritesItsCursorOnlyAfterARoundThatSentCredits) {
  Fixture f;
  ASSERT_TRUE(f.bus.start().ok());
  const std::string emp = user_on(1, "e"), worker = user_on(2, "w");
  auto written = [&](std::int32_t source) { return *f.state->get("credits/" + std::to_string(source)); };
  ASSERT_EQ(call(f.bus, "r-early", RegisterUser{UserId{user_on(3, "u")}, "US", ""}).kind, Kind::accepted);
  {
    CreditManager credits(*f.log, f.bus, *f.state);
    ASSERT_TRUE(credits.start().ok());
    auto moved = credits.step();
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ(*moved, 1u);
    EXPECT_EQ(written(3), "") << "a round without payouts wrote its cursor";
    f.approve_one(emp, worker);
    moved = credits.step();
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_NE(written(1), "") << "the round that sent the credit did not write its cursor";
    EXPECT_EQ(written(2), "");
    EXPECT_EQ(f.available(worker), money("1"));
  }
  CreditManager restarted(*f.log, f.bus, *f.state);
  ASSERT_TRUE(restarted.start().ok());
  auto again = restarted.step();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_GT(*again, 0u) << "partitions 2 and 3 are read again from their start";
  EXPECT_EQ(f.available(worker), money("1")) << "credited twice";
}

TEST(CreditManager, TakesOnlyTheCreditOfTheApprovalItSentAsPaid) {
  CommandOutcome outcome;
  outcome.kind = Kind::accepted;
  WorkerCredited credited;
  credited.source_event_id = "1-7";
  outcome.event = credited;
  EXPECT_EQ(credit_failure(outcome, "1-7"), "");
  EXPECT_NE(credit_failure(outcome, "1-8"), "") << "another approval's credit";
  outcome.event = UserRegistered{UserId{"credit"}, "US", ""};
  EXPECT_NE(credit_failure(outcome, "1-7"), "") << "an answer for another command";
  outcome.kind = Kind::rejected;
  outcome.rejection = Rejection::exists;
  EXPECT_EQ(credit_failure(outcome, "1-7"), "") << "applied before, by the chain of seqs";
  outcome.rejection = Rejection::idempotency_key_reused;
  EXPECT_NE(credit_failure(outcome, "1-7"), "");
  outcome.kind = Kind::unavailable;
  EXPECT_NE(credit_failure(outcome, "1-7"), "");
}

}  // namespace
}  // namespace microjobs
