// The EventLog contract: one suite, run unchanged against every adapter — the local RocksDB log,
// Kafka on an in-process librdkafka mock cluster of 3 brokers, and Kafka on a real Apache Kafka
// broker (topics of its own per test). Keep these tests about the port's promises, not about any
// store.
#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <type_traits>

#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "real_kafka.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::TempDir;

// Opens logs on one RocksDB directory; a reopen sees what the previous one wrote.
struct LocalAdapter {
  TempDir dir;
  Result<std::unique_ptr<EventLog>> open(std::int32_t partitions) {
    auto log = LocalEventLog::open(dir.str(), partitions);
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
};

// Opens logs on one mock cluster, whose topic gets the partition count of the first open.
struct KafkaAdapter {
  std::unique_ptr<MockKafka> mock;
  Result<std::unique_ptr<EventLog>> open(std::int32_t partitions) {
    if (!mock) {
      auto started = MockKafka::start(3, partitions);
      if (!started.ok()) return started.error();
      mock = std::move(*started);
    }
    auto log = KafkaEventLog::open(KafkaConfig{mock->bootstrap(), "microjobs.events", partitions});
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
};

// Opens logs on the suite's real broker, on topics created for this test with the partition count
// of the first open, as `microjobs kafka-setup` creates them.
struct RealKafkaAdapter {
  std::optional<KafkaTopics> topics;
  Result<std::unique_ptr<EventLog>> open(std::int32_t partitions) {
    if (!topics) topics = testing::real_kafka_topics(partitions);
    if (!topics) return Error{"no real Kafka broker"};
    auto log = KafkaEventLog::open(KafkaConfig{topics->bootstrap(), topics->events(), partitions});
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
};

template <class Adapter>
class EventLogContract : public ::testing::Test {
 protected:
  std::unique_ptr<EventLog> open(std::int32_t partitions) {
    auto log = adapter_.open(partitions);
    EXPECT_TRUE(log.ok()) << log.error().message;
    return log.ok() ? std::move(*log) : nullptr;
  }
  Adapter adapter_;
};

using Adapters = ::testing::Types<LocalAdapter, KafkaAdapter, RealKafkaAdapter>;
class AdapterNames {
 public:
  template <class T> static std::string GetName(int) {
    if (std::is_same_v<T, LocalAdapter>) return "Local";
    return std::is_same_v<T, KafkaAdapter> ? "KafkaMock" : "RealKafka";
  }
};
TYPED_TEST_SUITE(EventLogContract, Adapters, AdapterNames);

std::vector<RecordView> views(const std::vector<std::string>& values, std::string_view key) {
  std::vector<RecordView> out;
  for (const auto& value : values) out.push_back({key, value});
  return out;
}

TYPED_TEST(EventLogContract, AppendsReturnConsecutiveOffsetsPerPartition) {
  auto log = this->open(4);
  ASSERT_TRUE(log);
  std::vector<std::string> a = {"a0", "a1", "a2"};
  std::vector<std::string> b = {"b0"};
  EXPECT_EQ(*log->append(1, views(a, "k")), 0);
  EXPECT_EQ(*log->append(1, views(b, "k")), 3);
  EXPECT_EQ(*log->append(2, views(b, "k")), 0);
  EXPECT_EQ(log->end(1), 4);
  EXPECT_EQ(log->end(2), 1);
  EXPECT_EQ(log->end(0), 0);
  EXPECT_EQ(log->ends(), (std::vector<std::int64_t>{0, 4, 1, 0}));  // every partition's end at once
  EXPECT_EQ(log->partitions(), 4);
}

TYPED_TEST(EventLogContract, ReadsWhatWasAppendedInOrderWithKeys) {
  auto log = this->open(2);
  ASSERT_TRUE(log);
  std::vector<std::string> values = {"first", "second", std::string("with\0zero", 9), "fourth"};
  ASSERT_TRUE(log->append(0, views(values, "user-7")).ok());
  auto records = log->read(0, 1, 2);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].offset, 1);
  EXPECT_EQ((*records)[0].value, "second");
  EXPECT_EQ((*records)[1].value, values[2]);
  EXPECT_EQ((*records)[1].key, "user-7");
  auto all = log->read(0, 0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(all->back().value, "fourth");
  EXPECT_TRUE(log->read(0, 4, 10)->empty());
  EXPECT_TRUE(log->read(1, 0, 10)->empty());
}

TYPED_TEST(EventLogContract, RecordsSurviveReopen) {
  {
    auto log = this->open(3);
    ASSERT_TRUE(log);
    std::vector<std::string> values = {"x", "y"};
    ASSERT_TRUE(log->append(2, views(values, "k")).ok());
  }
  auto log = this->open(3);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->end(2), 2);
  EXPECT_EQ(log->read(2, 0, 10)->at(1).value, "y");
  std::vector<std::string> more = {"z"};
  EXPECT_EQ(*log->append(2, views(more, "k")), 2);
}

TYPED_TEST(EventLogContract, RefusesAnotherPartitionCount) {
  { ASSERT_TRUE(this->open(3)); }
  auto log = this->adapter_.open(4);
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("partitions"), std::string::npos);
}

// A reader that saw the count before an append is woken by it: a long timeout must not be
// waited out (no timing is asserted: the deadline only bounds a broken implementation).
TYPED_TEST(EventLogContract, WaitForAppendReturnsOnceTheCountMoved) {
  auto log = this->open(1);
  ASSERT_TRUE(log);
  std::uint64_t seen = log->append_count();
  std::vector<std::string> values = {"v"};
  ASSERT_TRUE(log->append(0, views(values, "k")).ok());
  EXPECT_NE(log->append_count(), seen);
  auto waited = std::async(std::launch::async, [&] { log->wait_for_append(seen, std::chrono::hours(1)); });
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(log->end(0), 1);
}

TYPED_TEST(EventLogContract, RejectsUnknownPartition) {
  auto log = this->open(2);
  ASSERT_TRUE(log);
  std::vector<std::string> values = {"v"};
  EXPECT_FALSE(log->append(2, views(values, "k")).ok());
  EXPECT_FALSE(log->read(-1, 0, 1).ok());
}

TYPED_TEST(EventLogContract, ConcurrentAppendsToDifferentPartitionsStayInOrder) {
  auto log = this->open(4);
  ASSERT_TRUE(log);
  std::vector<std::thread> writers;
  for (std::int32_t p = 0; p < 4; ++p) {
    writers.emplace_back([&, p] {
      for (int batch = 0; batch < 20; ++batch) {
        std::vector<std::string> values;
        for (int i = 0; i < 5; ++i) values.push_back(std::to_string(p) + ":" + std::to_string(batch * 5 + i));
        auto first = log->append(p, views(values, "k"));
        ASSERT_TRUE(first.ok());
        EXPECT_EQ(*first, batch * 5);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (std::int32_t p = 0; p < 4; ++p) {
    auto records = log->read(p, 0, 1000);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ((*records)[i].value, std::to_string(p) + ":" + std::to_string(i));
  }
}

}  // namespace
}  // namespace microjobs
