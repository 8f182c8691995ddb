// The CommandBus over Kafka on a librdkafka mock cluster: an API-side bus sends commands to
// microjobs.commands, a processor host owns the partitions the consumer group gives it, decides
// them into the Kafka event log and answers on microjobs.replies.
#include <gtest/gtest.h>

#include "infra/kafka/kafka_bus.h"
#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::call;
using testing::eventually;
using testing::money;
using testing::TempDir;
using Kind = CommandOutcome::Kind;

TEST(KafkaCommandBus, ProcessorsOwnedByTheGroupDecideAndReply) {
  auto mock = MockKafka::start(3, 4);
  ASSERT_TRUE(mock.ok()) << mock.error().message;
  const std::string bootstrap = (*mock)->bootstrap();
  TempDir dir;
  auto log = KafkaEventLog::open(KafkaConfig{bootstrap, "microjobs.events", 4});
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(log.ok() && state.ok());
  ManualClock clock(UnixMs{1'795'000'000'000});
  ProcessorHostConfig host_config;
  host_config.topics = KafkaTopics(bootstrap);
  host_config.group = "processors-" + std::to_string(::getpid());
  auto host = KafkaProcessorHost::open(host_config, **log, **state, clock);
  ASSERT_TRUE(host.ok()) << host.error().message;
  ASSERT_TRUE(eventually([&] { return (*host)->owned().size() == 4; }, std::chrono::seconds(30)));

  auto bus = KafkaCommandBus::open(KafkaBusConfig{bootstrap, "api-1", std::chrono::seconds(20)});
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  EXPECT_EQ((*bus)->partitions(), 4);

  CommandOutcome registered = call(**bus, "r1", RegisterUser{UserId{"emp"}, "US", "Employer"});
  ASSERT_EQ(registered.kind, Kind::accepted) << registered.detail;
  EXPECT_EQ(std::get<UserRegistered>(registered.event).user_id.value, "emp");
  EXPECT_EQ((*log)->end(registered.position.partition), registered.position.offset + 1);

  CommandOutcome deposited = call(**bus, "d1", DepositFunds{UserId{"emp"}, money("10"), "wire"});
  ASSERT_EQ(deposited.kind, Kind::accepted);
  CommandOutcome again = call(**bus, "d1", DepositFunds{UserId{"emp"}, money("10"), "wire"});
  EXPECT_EQ(again.kind, Kind::accepted);
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(again.position, deposited.position);

  CommandOutcome nobody = call(**bus, "d2", DepositFunds{UserId{"ghost"}, money("1"), "x"});
  EXPECT_EQ(nobody.kind, Kind::rejected);
  EXPECT_EQ(nobody.rejection, Rejection::user_not_found);

  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "survey";
  post.reward = money("0.50");
  post.slots = 3;
  CommandOutcome posted = call(**bus, "p1", post);
  ASSERT_EQ(posted.kind, Kind::accepted);
  EXPECT_EQ(std::get<TaskPosted>(posted.event).escrow, money("1.80"));
}

}  // namespace
}  // namespace microjobs
