// A partition processor on a real RocksDB log: its queue limit, group commit (many commands, one
// append), and command ids (issue 7: namespaces no client reaches, reused keys, rejections).
#include <gtest/gtest.h>

#include <future>

#include "commands/processor.h"
#include "domain/codec/envelope.h"
#include "infra/rocksdb/stores.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::money;
using testing::TempDir;
using Kind = CommandOutcome::Kind;

struct Fixture {
  TempDir dir;
  std::unique_ptr<LocalEventLog> log = std::move(*LocalEventLog::open(dir.str() + "/log", 1));
  std::unique_ptr<RocksStateStore> state = std::move(*RocksStateStore::open(dir.str() + "/state"));
  ManualClock clock{UnixMs{1'795'000'000'000}};
};

std::future<CommandOutcome> submit_id(PartitionProcessor& processor, CommandId id, Command command) {
  auto promise = std::make_shared<std::promise<CommandOutcome>>();
  auto future = promise->get_future();
  processor.submit(PendingCommand{std::move(id), std::move(command),
                                  [promise](CommandOutcome o) { promise->set_value(std::move(o)); }});
  return future;
}

std::future<CommandOutcome> submit(PartitionProcessor& processor, std::string key, Command command) {
  return submit_id(processor, client_command_id("test", key), std::move(command));
}

TEST(PartitionProcessor, AnswersOverloadedBeyondItsQueueLimit) {
  Fixture f;
  ProcessorConfig config;
  config.queue_limit = 2;
  PartitionProcessor processor(0, *f.log, *f.state, f.clock, config);
  // Not started: nothing drains the queue, so the third command finds it full.
  auto first = submit(processor, "a", RegisterUser{UserId{"a"}, "US", ""});
  auto second = submit(processor, "b", RegisterUser{UserId{"b"}, "US", ""});
  auto third = submit(processor, "c", RegisterUser{UserId{"c"}, "US", ""});
  ASSERT_EQ(third.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(third.get().kind, Kind::overloaded);
  ASSERT_TRUE(processor.start().ok());
  EXPECT_EQ(first.get().kind, Kind::accepted);
  EXPECT_EQ(second.get().kind, Kind::accepted);
  EXPECT_EQ(f.log->end(0), 2);
}

TEST(PartitionProcessor, DecidesAQueuedBatchWithOneAppend) {
  Fixture f;
  PartitionProcessor processor(0, *f.log, *f.state, f.clock);
  std::vector<std::future<CommandOutcome>> outcomes;
  for (int i = 0; i < 100; ++i) {
    outcomes.push_back(submit(processor, "r" + std::to_string(i), RegisterUser{UserId{"u" + std::to_string(i)}, "US", ""}));
  }
  std::uint64_t appends_before = f.log->append_count();
  ASSERT_TRUE(processor.start().ok());
  for (auto& outcome : outcomes) EXPECT_EQ(outcome.get().kind, Kind::accepted);
  EXPECT_EQ(f.log->end(0), 100);
  EXPECT_EQ(f.log->append_count() - appends_before, 1u);  // group commit: one synced batch
}

// Issue 7, reproduction 6: a rejection is not an answer to remember. The same deposit that
// found no user is decided again once the user exists, before and after a restart alike.
TEST(PartitionProcessor, DecidesARejectedCommandAgainWhenRetried) {
  Fixture f;
  const CommandId deposit_id = deposit_command_id(UserId{"emp"}, "wire-1");
  const DepositFunds deposit{UserId{"emp"}, money("10"), "wire-1"};
  {
    PartitionProcessor processor(0, *f.log, *f.state, f.clock);
    ASSERT_TRUE(processor.start().ok());
    CommandOutcome early = submit_id(processor, deposit_id, deposit).get();
    EXPECT_EQ(early.rejection, Rejection::user_not_found);
    EXPECT_FALSE(early.repeated);
  }
  PartitionProcessor restarted(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_EQ(submit_id(restarted, deposit_id, deposit).get().rejection, Rejection::user_not_found);
  ASSERT_EQ(submit(restarted, "reg", RegisterUser{UserId{"emp"}, "US", ""}).get().kind, Kind::accepted);
  CommandOutcome retried = submit_id(restarted, deposit_id, deposit).get();
  EXPECT_EQ(retried.kind, Kind::accepted);
  EXPECT_FALSE(retried.repeated);
  EXPECT_EQ(restarted.state_copy().users.at(UserId{"emp"}).available, money("10"));
}

// Reproductions 4 and 5: a key already used answers only the very command it was used for.
TEST(PartitionProcessor, RefusesAKeyReusedForAnotherCommandOrBody) {
  Fixture f;
  auto processor = std::make_unique<PartitionProcessor>(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(processor->start().ok());
  ASSERT_EQ(submit(*processor, "reg", RegisterUser{UserId{"emp"}, "US", "Emp"}).get().kind, Kind::accepted);
  const std::int64_t end = f.log->end(0);
  CommandOutcome other_body = submit(*processor, "reg", RegisterUser{UserId{"emp"}, "ID", "Emp"}).get();
  EXPECT_EQ(other_body.kind, Kind::rejected);
  EXPECT_EQ(other_body.rejection, Rejection::idempotency_key_reused);
  CommandOutcome other_command = submit(*processor, "reg", DepositFunds{UserId{"emp"}, money("1"), "r"}).get();
  EXPECT_EQ(other_command.rejection, Rejection::idempotency_key_reused);
  EXPECT_EQ(f.log->end(0), end) << "a reused key appends nothing";
  CommandOutcome same = submit(*processor, "reg", RegisterUser{UserId{"emp"}, "US", "Emp"}).get();
  EXPECT_TRUE(same.repeated);
  EXPECT_EQ(same.kind, Kind::accepted);
  // After a restart, from the snapshot and from the log alone.
  processor.reset();
  for (bool from_snapshot : {true, false}) {
    testing::TempDir empty_state;
    auto fresh_state = std::move(*RocksStateStore::open(empty_state.str()));
    PartitionProcessor restarted(0, *f.log, from_snapshot ? *f.state : *fresh_state, f.clock);
    ASSERT_TRUE(restarted.start().ok());
    EXPECT_EQ(submit(restarted, "reg", RegisterUser{UserId{"emp"}, "ID", "Emp"}).get().rejection,
              Rejection::idempotency_key_reused) << "from snapshot: " << from_snapshot;
    EXPECT_TRUE(submit(restarted, "reg", RegisterUser{UserId{"emp"}, "US", "Emp"}).get().repeated);
  }
  EXPECT_EQ(f.log->end(0), end);
}

// A snapshot whose list of remembered commands is cut short (here its last byte) is not used:
// the whole log is replayed, so every accepted command's retry is still answered as a repeat.
TEST(PartitionProcessor, ASnapshotWithItsRememberedCommandsCutShortIsNotUsed) {
  Fixture f;
  auto processor = std::make_unique<PartitionProcessor>(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(processor->start().ok());
  ASSERT_EQ(submit(*processor, "reg", RegisterUser{UserId{"emp"}, "US", "Emp"}).get().kind, Kind::accepted);
  ASSERT_EQ(submit(*processor, "dep", DepositFunds{UserId{"emp"}, money("5"), "r1"}).get().kind, Kind::accepted);
  processor.reset();  // a last snapshot at the stop
  auto snapshot = f.state->get("processor/0/snapshot");
  ASSERT_TRUE(snapshot.ok() && !snapshot->empty());
  snapshot->pop_back();
  ASSERT_TRUE(f.state->put("processor/0/snapshot", *snapshot).ok());
  PartitionProcessor restarted(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_TRUE(submit(restarted, "reg", RegisterUser{UserId{"emp"}, "US", "Emp"}).get().repeated);
  EXPECT_TRUE(submit(restarted, "dep", DepositFunds{UserId{"emp"}, money("5"), "r1"}).get().repeated);
}

// Reproductions 1 and 3: no client key reaches the ids of credits or deposits. A user named
// `credit` keys a command with the next event id, a user named `deposit` keys one with the
// victim's reference: the system's own commands are still decided on their own.
TEST(PartitionProcessor, ClientKeysNeverAnswerTheSystemsCommands) {
  Fixture f;
  PartitionProcessor processor(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(processor.start().ok());
  ASSERT_EQ(submit(processor, "w", RegisterUser{UserId{"w1"}, "US", ""}).get().kind, Kind::accepted);
  const std::string next_event = event_id(0, processor.last_seq() + 1);
  for (const char* hostile : {"credit", "deposit", "expire_claim", "client", "system"}) {
    for (const std::string& key : {next_event, std::string("w1/wire-77"), std::string("w1:wire-77"),
                                   "/" + next_event, "//" + next_event}) {
      submit_id(processor, client_command_id(hostile, key), RegisterUser{UserId{hostile}, "US", ""}).get();
    }
  }
  CommandOutcome deposit = submit_id(processor, deposit_command_id(UserId{"w1"}, "wire-77"),
                                     DepositFunds{UserId{"w1"}, money("5"), "wire-77"}).get();
  ASSERT_EQ(deposit.kind, Kind::accepted);
  EXPECT_FALSE(deposit.repeated);
  EXPECT_TRUE(std::holds_alternative<FundsDeposited>(deposit.event));
  CreditWorker credit{UserId{"w1"}, money("0.5"), ClaimId{"emp.1.1"}, next_event, 1, 7, 0};
  CommandOutcome credited = submit_id(processor, credit_command_id(next_event), credit).get();
  EXPECT_EQ(credited.kind, Kind::accepted) << rejection_code(credited.rejection);
  EXPECT_FALSE(credited.repeated);
  ASSERT_TRUE(std::holds_alternative<WorkerCredited>(credited.event));
  EXPECT_EQ(std::get<WorkerCredited>(credited.event).source_event_id, next_event);
}

// Reproduction 2: keys that name claim ids (accepted or rejected, before the claims exist) do not
// keep the scheduler from expiring every claim whose deadline passed.
TEST(PartitionProcessor, ExpiresEveryDueClaimWhateverClientsKeyedWithClaimIds) {
  Fixture f;
  ProcessorConfig config;
  config.expirations_per_batch = 16;  // many rounds of the scheduler
  PartitionProcessor processor(0, *f.log, *f.state, f.clock, config);
  ASSERT_TRUE(processor.start().ok());
  ASSERT_EQ(submit(processor, "emp", RegisterUser{UserId{"emp"}, "US", ""}).get().kind, Kind::accepted);
  ASSERT_EQ(submit(processor, "dep", DepositFunds{UserId{"emp"}, money("100"), "r"}).get().kind, Kind::accepted);
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "t";
  post.reward = money("0.05");
  post.slots = 300;
  post.claim_timeout_s = 60;
  CommandOutcome posted = submit(processor, "post", post).get();
  ASSERT_EQ(posted.kind, Kind::accepted);
  const TaskId task = std::get<TaskPosted>(posted.event).task_id;
  for (int i = 1; i <= 64; ++i) {  // rejected abandons keyed with future claim ids
    std::string claim = make_claim_id(task, i).value;
    submit_id(processor, client_command_id("expire", claim), AbandonClaim{ClaimId{claim}, UserId{"expire"}}).get();
    submit_id(processor, client_command_id("expire_claim", claim), AbandonClaim{ClaimId{claim}, UserId{"expire_claim"}}).get();
  }
  constexpr int kClaims = 100;
  for (int i = 0; i < kClaims; ++i) {
    std::string worker = i == 0 ? "expire" : "w" + std::to_string(i);
    ASSERT_EQ(submit(processor, "r" + worker, RegisterUser{UserId{worker}, "US", ""}).get().kind, Kind::accepted);
    std::string own_claim = make_claim_id(task, i + 1).value;  // the key a hostile worker picks
    CommandOutcome claimed = submit_id(processor, client_command_id(worker, own_claim),
                                       ClaimSlot{task, UserId{worker}, {"US", 0, 0}}).get();
    ASSERT_EQ(claimed.kind, Kind::accepted) << rejection_code(claimed.rejection);
  }
  f.clock.advance(std::chrono::seconds(61));
  auto claimed_now = [&] { return processor.state_copy().tasks.at(task).claimed; };
  EXPECT_TRUE(testing::eventually([&] {
    processor.wake();
    return claimed_now() == 0;
  })) << claimed_now() << " claims still held";
}

}  // namespace
}  // namespace microjobs
