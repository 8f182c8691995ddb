// The EventLog contract, run against the local RocksDB log. The Kafka adapter will run the same
// suite (the Kafka issue); keep these tests about the port's promises, not about RocksDB.
#include <gtest/gtest.h>

#include <thread>

#include "infra/rocksdb/stores.h"
#include "test_support.h"

namespace microjobs {
namespace {

using testing::TempDir;

std::vector<RecordView> views(const std::vector<std::string>& values, std::string_view key) {
  std::vector<RecordView> out;
  for (const auto& value : values) out.push_back({key, value});
  return out;
}

TEST(LocalEventLog, AppendsReturnConsecutiveOffsetsPerPartition) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str(), 4);
  ASSERT_TRUE(log.ok()) << log.error().message;
  std::vector<std::string> a = {"a0", "a1", "a2"};
  std::vector<std::string> b = {"b0"};
  EXPECT_EQ(*(*log)->append(1, views(a, "k")), 0);
  EXPECT_EQ(*(*log)->append(1, views(b, "k")), 3);
  EXPECT_EQ(*(*log)->append(2, views(b, "k")), 0);
  EXPECT_EQ((*log)->end(1), 4);
  EXPECT_EQ((*log)->end(2), 1);
  EXPECT_EQ((*log)->end(0), 0);
}

TEST(LocalEventLog, ReadsWhatWasAppendedInOrderWithKeys) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str(), 2);
  ASSERT_TRUE(log.ok());
  std::vector<std::string> values = {"first", "second", std::string("with\0zero", 9), "fourth"};
  ASSERT_TRUE((*log)->append(0, views(values, "user-7")).ok());
  auto records = (*log)->read(0, 1, 2);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].offset, 1);
  EXPECT_EQ((*records)[0].value, "second");
  EXPECT_EQ((*records)[1].value, values[2]);
  EXPECT_EQ((*records)[1].key, "user-7");
  EXPECT_TRUE((*log)->read(0, 4, 10)->empty());
  EXPECT_TRUE((*log)->read(1, 0, 10)->empty());
}

TEST(LocalEventLog, RecordsSurviveReopen) {
  TempDir dir;
  {
    auto log = LocalEventLog::open(dir.str(), 3);
    std::vector<std::string> values = {"x", "y"};
    ASSERT_TRUE((*log)->append(2, views(values, "k")).ok());
  }
  auto log = LocalEventLog::open(dir.str(), 3);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)->end(2), 2);
  EXPECT_EQ((*log)->read(2, 0, 10)->at(1).value, "y");
  std::vector<std::string> more = {"z"};
  EXPECT_EQ(*(*log)->append(2, views(more, "k")), 2);
}

TEST(LocalEventLog, RefusesAnotherPartitionCount) {
  TempDir dir;
  { ASSERT_TRUE(LocalEventLog::open(dir.str(), 3).ok()); }
  auto log = LocalEventLog::open(dir.str(), 4);
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("partitions"), std::string::npos);
}

TEST(LocalEventLog, WaitForAppendWakesOnAnAppend) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str(), 1);
  std::uint64_t seen = (*log)->append_count();
  std::thread writer([&] {
    std::vector<std::string> values = {"v"};
    (void)(*log)->append(0, views(values, "k"));  // checked below through end()
  });
  (*log)->wait_for_append(seen, std::chrono::seconds(30));
  writer.join();
  EXPECT_NE((*log)->append_count(), seen);
  EXPECT_EQ((*log)->end(0), 1);
}

TEST(LocalEventLog, RejectsUnknownPartition) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str(), 2);
  std::vector<std::string> values = {"v"};
  EXPECT_FALSE((*log)->append(2, views(values, "k")).ok());
  EXPECT_FALSE((*log)->read(-1, 0, 1).ok());
}

}  // namespace
}  // namespace microjobs
