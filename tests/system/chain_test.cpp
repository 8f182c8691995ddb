// Readers of a partition follow the seq/hash chain: the first record of each seq is the truth, a
// second writer's records (a fork) are skipped and reported, a gap stops the reader.
#include <gtest/gtest.h>

#include <future>

#include "commands/processor.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "infra/rocksdb/stores.h"
#include "projections/projector.h"
#include "projections/read_models.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::money;
using testing::TempDir;

TEST(ClassifyRecord, FollowsTheChainAndNamesEveryOtherCase) {
  const std::string h1 = sha256_hex("one");
  EXPECT_EQ(classify_record(0, kZeroHash, 1, kZeroHash, h1), ChainStep::apply);
  EXPECT_EQ(classify_record(1, h1, 1, kZeroHash, h1), ChainStep::skip_repeat);
  EXPECT_EQ(classify_record(1, h1, 1, kZeroHash, sha256_hex("other")), ChainStep::skip_fork);
  EXPECT_EQ(classify_record(1, h1, 2, sha256_hex("other"), sha256_hex("two")), ChainStep::skip_fork);
  EXPECT_EQ(classify_record(1, h1, 3, h1, sha256_hex("three")), ChainStep::gap);
  EXPECT_EQ(classify_record(5, h1, 2, h1, sha256_hex("old")), ChainStep::skip_repeat);
}

TEST(PeekSeq, ReadsTheEnvelopesSeqWithoutParsingAndRefusesOtherBytes) {
  EnvelopeMeta meta{"0-4711", event_source(0), UnixMs{1'795'000'000'000}, "emp", 4711, "c", kZeroHash};
  std::string value = encode_envelope(meta, UserRegistered{UserId{"emp"}, "US", "say \"seq\":9"});
  EXPECT_EQ(peek_seq(value), 4711);
  EXPECT_EQ(peek_attribute(value, "prev_hash"), kZeroHash);
  EXPECT_FALSE(peek_seq("{\"id\":\"x\"}").has_value());
  EXPECT_FALSE(peek_seq("{\"seq\":\"7\"}").has_value());
}

// Writes the records of one writer: seq and prev_hash follow that writer's own chain.
struct Writer {
  std::string last_hash = kZeroHash;
  std::int64_t seq = 0;
  std::string next(const Event& event) {
    ++seq;
    EnvelopeMeta meta{event_id(0, seq), event_source(0), UnixMs{1'795'000'000'000}, "emp", seq,
                      "cmd-" + std::to_string(seq), last_hash};
    std::string value = encode_envelope(meta, event);
    last_hash = sha256_hex(value);
    return value;
  }
};

FundsDeposited deposit(const std::string& reference, const char* amount) {
  FundsDeposited event;
  event.deposit_id = "dep.emp." + reference;
  event.account = UserId{"emp"};
  event.amount = money(amount);
  event.reference = reference;
  event.transfers.push_back({"world:deposits", "user:emp:available", money(amount)});
  return event;
}

TEST(Projector, SkipsASecondWritersRecordsAndKeepsTheFirstOfEachSeq) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto store = RocksReadStore::open(dir.str() + "/read");
  ASSERT_TRUE(log.ok() && store.ok());
  Writer a;
  std::vector<std::string> records;
  records.push_back(a.next(UserRegistered{UserId{"emp"}, "US", ""}));
  Writer b = a;  // a second writer that believes it owns the partition from here on
  records.push_back(a.next(deposit("a1", "10")));
  records.push_back(b.next(deposit("b1", "999")));   // seq 2 again: a fork
  records.push_back(a.next(deposit("a2", "5")));
  records.push_back(b.next(deposit("b2", "999")));   // seq 3, chained to the void seq 2
  for (const auto& value : records) {
    std::vector<RecordView> one = {{"emp", value}};
    ASSERT_TRUE((*log)->append(0, one).ok());
  }
  Projector projector(**log, **store);
  auto applied = projector.step();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, 3u);
  EXPECT_EQ(projector.forks(), 2u);
  EXPECT_EQ(projector.chain_position(0).next_offset, 5);
  ReadModels reads(**store);
  EXPECT_EQ(reads.account(UserId{"emp"}).available, money("15"));
}

TEST(Projector, StopsAtAGap) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto store = RocksReadStore::open(dir.str() + "/read");
  Writer a;
  std::string first = a.next(UserRegistered{UserId{"emp"}, "US", ""});
  (void)a.next(deposit("lost", "1"));  // never written
  std::string third = a.next(deposit("a3", "2"));
  for (const std::string* value : {&first, &third}) {
    std::vector<RecordView> one = {{"emp", *value}};
    ASSERT_TRUE((*log)->append(0, one).ok());
  }
  Projector projector(**log, **store);
  auto applied = projector.step();
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("gap"), std::string::npos);
  EXPECT_EQ(projector.chain_position(0).next_offset, 1);  // stays before the gap
}

// A read of 6,002 records is hashed and decoded on two threads (from 4,096 on); the chain is
// still followed record by record in log order: the fork in the second half is skipped, and a
// gap near the end stops the partition exactly before it.
TEST(Projector, FollowsTheChainThroughALargeReadDecodedOnTwoThreads) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto store = RocksReadStore::open(dir.str() + "/read");
  ASSERT_TRUE(log.ok() && store.ok());
  Writer a;
  std::vector<std::string> records = {a.next(UserRegistered{UserId{"emp"}, "US", ""})};
  for (int i = 1; i <= 6000; ++i) {
    Writer fork = a;
    if (i == 5990) (void)a.next(deposit("lost", "1"));  // never written: a gap
    records.push_back(a.next(deposit("d" + std::to_string(i), "0.01")));
    if (i == 5000) records.push_back(fork.next(deposit("fork", "999")));  // the same seq again
  }
  std::vector<RecordView> views;
  for (const std::string& value : records) views.push_back({"emp", value});
  ASSERT_TRUE((*log)->append(0, views).ok());
  Projector projector(**log, **store);
  auto applied = projector.step(8192);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.error().message.find("gap"), std::string::npos) << applied.error().message;
  EXPECT_EQ(projector.forks(), 1u);
  // Registered, deposits 1..5989 and the fork before the gap: offset 5991 is the first after it.
  EXPECT_EQ(projector.chain_position(0).next_offset, 5991);
  EXPECT_EQ(projector.chain_position(0).seq, 5990);
  ReadModels reads(**store);
  EXPECT_EQ(reads.account(UserId{"emp"}).available, money("59.89"));
}

TEST(PartitionProcessor, RebuildsFromTheFirstRecordOfEachSeqAndChainsOnFromIt) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(log.ok() && state.ok());
  Writer a;
  std::vector<std::string> records;
  records.push_back(a.next(UserRegistered{UserId{"emp"}, "US", ""}));
  Writer b = a;
  records.push_back(a.next(deposit("a1", "10")));
  records.push_back(b.next(deposit("b1", "999")));
  records.push_back(a.next(deposit("a2", "5")));
  for (const auto& value : records) {
    std::vector<RecordView> one = {{"emp", value}};
    ASSERT_TRUE((*log)->append(0, one).ok());
  }
  ManualClock clock(UnixMs{1'795'000'000'000});
  PartitionProcessor processor(0, **log, **state, clock);
  ASSERT_TRUE(processor.start().ok());
  EXPECT_EQ(processor.last_seq(), 3);
  EXPECT_EQ(processor.state_copy().users.at(UserId{"emp"}).available, money("15"));
  std::promise<CommandOutcome> done;
  processor.submit(PendingCommand{client_command_id("test", "next"), DepositFunds{UserId{"emp"}, money("1"), "a3"},
                                  [&](CommandOutcome o) { done.set_value(std::move(o)); }});
  CommandOutcome outcome = done.get_future().get();
  ASSERT_EQ(outcome.kind, CommandOutcome::Kind::accepted);
  EXPECT_EQ(outcome.position.offset, 4);
  auto written = (*log)->read(0, 4, 1);
  ASSERT_TRUE(written.ok() && written->size() == 1);
  auto envelope = decode_envelope(written->front().value);
  ASSERT_TRUE(envelope.has_value());
  EXPECT_EQ(envelope->meta.seq, 4);
  EXPECT_EQ(envelope->meta.prev_hash, a.last_hash);
}

// A log whose chain holds but whose events no decider wrote (a forger who rechained it): replaying
// it, the processor stops with what does not fit, where the domain's fold would assert.
TEST(PartitionProcessor, RefusesToReplayAnEventThatCannotFollowItsState) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(log.ok() && state.ok());
  Writer a;
  std::vector<std::string> records = {a.next(UserRegistered{UserId{"emp"}, "US", ""}),
                                      a.next(ProofSubmitted{TaskId{"emp.1"}, ClaimId{"emp.1.1"}, UserId{"w1"},
                                                            "done", UnixMs{1'795'000'000'000}})};
  for (const auto& value : records) {
    std::vector<RecordView> one = {{"emp", value}};
    ASSERT_TRUE((*log)->append(0, one).ok());
  }
  ManualClock clock(UnixMs{1'795'000'000'000});
  PartitionProcessor processor(0, **log, **state, clock);
  Status started = processor.start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("offset 1 (seq 2): the event cannot follow the partition's state: "
                                         "task emp.1 does not exist"), std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace microjobs
