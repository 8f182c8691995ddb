// A partition processor on a real RocksDB log: its queue limit, idempotency of rejections, and
// group commit (many commands, one append).
#include <gtest/gtest.h>

#include <future>

#include "commands/processor.h"
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

std::future<CommandOutcome> submit(PartitionProcessor& processor, std::string id, Command command) {
  auto promise = std::make_shared<std::promise<CommandOutcome>>();
  auto future = promise->get_future();
  processor.submit(PendingCommand{std::move(id), std::move(command),
                                  [promise](CommandOutcome o) { promise->set_value(std::move(o)); }});
  return future;
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

TEST(PartitionProcessor, RepeatsTheFirstRejectionForTheSameCommandId) {
  Fixture f;
  PartitionProcessor processor(0, *f.log, *f.state, f.clock);
  ASSERT_TRUE(processor.start().ok());
  ASSERT_EQ(submit(processor, "reg", RegisterUser{UserId{"emp"}, "US", ""}).get().kind, Kind::accepted);
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "t";
  post.reward = money("1");
  post.slots = 1;
  CommandOutcome broke = submit(processor, "post", post).get();
  EXPECT_EQ(broke.rejection, Rejection::insufficient_funds);
  ASSERT_EQ(submit(processor, "dep", DepositFunds{UserId{"emp"}, money("10"), "x"}).get().kind, Kind::accepted);
  CommandOutcome again = submit(processor, "post", post).get();
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(again.kind, Kind::rejected);
  EXPECT_EQ(again.rejection, Rejection::insufficient_funds);
  EXPECT_EQ(submit(processor, "post-2", post).get().kind, Kind::accepted);
}

}  // namespace
}  // namespace microjobs
