// A read of the read models that fails is an error, never an absent key (issue 13): a RocksDB
// store whose table file was damaged on disk makes get() and scan() throw ReadStoreError (which
// the API answers 500, and which the projector and the deliverer turn into a step that writes
// nothing; projections/read_store.h).
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "infra/rocksdb/stores.h"
#include "projections/keys.h"
#include "test_support.h"

namespace microjobs {
namespace {

constexpr int kKeys = 2000;

std::string key_of(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "item/%06d", i);
  return name;
}

// A read store of kKeys values of 1 KiB and a stored position, flushed into one table file whose
// middle is then overwritten: the data blocks there fail their checksums when read.
void write_then_damage(const std::string& path) {
  {
    auto store = RocksReadStore::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    WriteSet batch;
    for (int i = 0; i < kKeys; ++i) batch.put(key_of(i), std::string(1024, static_cast<char>('a' + i % 26)));
    batch.put(keys::position(0), std::string(8, '\x01'));
    ASSERT_TRUE((*store)->write(batch).ok());
  }
  {  // RocksDB itself, only to turn the WAL into a table file the damage can reach
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  std::filesystem::path table;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == ".sst") table = entry.path();
  }
  ASSERT_FALSE(table.empty()) << "no table file in " << path;
  const auto size = std::filesystem::file_size(table);
  std::fstream file(table, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(size / 10));
  const std::string damage(static_cast<std::size_t>(size / 2), '\xA5');
  file.write(damage.data(), static_cast<std::streamsize>(damage.size()));
}

TEST(ReadStoreErrors, AReadOfADamagedTableIsAnErrorNotAnAbsentKey) {
  testing::TempDir dir;
  const std::string path = dir.str() + "/read";
  ASSERT_NO_FATAL_FAILURE(write_then_damage(path));
  auto store = RocksReadStore::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;

  EXPECT_THROW((*store)->get(key_of(kKeys / 2)), ReadStoreError);
  std::size_t visited = 0;
  EXPECT_THROW((*store)->scan("item/", "item/", [&](std::string_view, std::string_view) { return ++visited, true; }),
               ReadStoreError);
  EXPECT_LT(visited, static_cast<std::size_t>(kKeys)) << "the scan went over the damage as if it were the end";
}

bool has_file_ending_in(const std::string& path, std::string_view extension) {
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == extension) return true;
  }
  return false;
}

bool has_table_file(const std::string& path) { return has_file_ending_in(path, ".sst"); }

// Sets the process's memtable budget for one test, and puts the default back however it ends.
struct BudgetForThisTest {
  explicit BudgetForThisTest(std::size_t bytes) { set_memtable_budget(bytes); }
  ~BudgetForThisTest() { set_memtable_budget(kDefaultMemtableBudget); }
};

// All stores of the process hold their newest writes in memory under one budget
// (infra/rocksdb/stores.h): twelve times the budget written into the log, a read store and a
// state store goes to table files, and what stays in memory is within the budget once their
// flushes are done (without it, the three memtables keep all 24 MB).
TEST(MemtableBudget, AllStoresTogetherStayWithinIt) {
  testing::TempDir dir;
  constexpr std::size_t kBudget = std::size_t{2} << 20;
  BudgetForThisTest budget(kBudget);
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto read = RocksReadStore::open(dir.str() + "/read");
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(log.ok() && read.ok() && state.ok());
  const std::string value(4096, 'v');
  for (int i = 0; i < 2048; ++i) {
    WriteSet batch;
    batch.put(key_of(i), value);
    ASSERT_TRUE((*read)->write(batch).ok());
    ASSERT_TRUE((*state)->put(key_of(i), value).ok());
    const RecordView record{"stream", value};
    ASSERT_TRUE((*log)->append(0, std::span<const RecordView>(&record, 1)).ok());
  }
  EXPECT_TRUE(testing::eventually([&] { return memtable_usage() <= kBudget; }))
      << memtable_usage() << " bytes in memtables, budget " << kBudget;
  EXPECT_GT(memtable_usage(), 0u);
  EXPECT_TRUE(has_table_file(dir.str() + "/read"));
  EXPECT_TRUE(has_table_file(dir.str() + "/state"));
  EXPECT_TRUE(has_table_file(dir.str() + "/log"));
}

// The nice value of each of this process's threads named `name` (/proc/self/task/*/stat).
std::vector<int> nice_of_threads(const std::string& name) {
  std::vector<int> nice;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string thread_name;
    std::getline(comm, thread_name);
    if (thread_name != name) continue;
    std::ifstream stat_file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // from field 3, the state
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) nice.push_back(std::stoi(field));
    }
  }
  return nice;
}

// Compactions yield the CPU to deciding and projecting: the thread that ran one runs at nice 19.
TEST(BackgroundWork, CompactionsRunAtTheLowestCpuPriority) {
  testing::TempDir dir;
  BudgetForThisTest budget(std::size_t{1} << 20);  // small memtables: many table files, compacted
  auto read = RocksReadStore::open(dir.str() + "/read");
  ASSERT_TRUE(read.ok()) << read.error().message;
  const std::string value(4096, 'v');
  for (int i = 0; i < 4096; ++i) {  // 16 MB: sixteen times the budget
    WriteSet batch;
    batch.put(key_of(i), value);
    ASSERT_TRUE((*read)->write(batch).ok());
  }
  EXPECT_TRUE(testing::eventually([] {
    auto nice = nice_of_threads("rocksdb:low");
    return std::find(nice.begin(), nice.end(), 19) != nice.end();
  })) << "no compaction thread at nice 19";
}

// A snapshot (a value of tens of megabytes with a large state) goes to a blob file of the state
// store, outside the table files that compactions rewrite, and reads back whole: the newest of
// three, with the memtables flushed.
TEST(StateStore, ASnapshotSizedValueGoesToABlobFileAndReadsBackWhole) {
  testing::TempDir dir;
  BudgetForThisTest budget(std::size_t{1} << 20);  // each 4 MB value fills the memtables
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(state.ok()) << state.error().message;
  std::string value;
  for (char fill : {'a', 'b', 'c'}) {
    value.assign(std::size_t{4} << 20, fill);
    value[12345] = '!';
    ASSERT_TRUE((*state)->put("processor/0/snapshot", value).ok());
  }
  EXPECT_TRUE(testing::eventually([&] { return has_file_ending_in(dir.str() + "/state", ".blob"); }))
      << "no blob file in the state store";
  auto read = (*state)->get("processor/0/snapshot");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(*read == value) << "read back " << read->size() << " bytes";
}

// What the files in `path` hold. RocksDB deletes obsolete files in the background, so a file
// listed may be gone when its size is asked: it holds nothing then (a CI run threw on one).
std::uintmax_t bytes_in(const std::string& path) {
  std::uintmax_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    const std::uintmax_t size = entry.file_size(error);
    if (!error && entry.is_regular_file(error)) total += size;
  }
  return total;
}

// Snapshots replace each other: the blob files of replaced ones are deleted, so the state store
// stays a small multiple of what it holds however often they are written. Four partitions'
// snapshots of 1 MB each, written 64 times over (256 MB in all), must come back under three
// times what is live, while a fifth partition's, written once at the start, stays readable in
// the oldest blob file. (With compactions off, 271 MB stayed on disk.)
TEST(StateStore, ReplacedSnapshotsDoNotAccumulateOnDisk) {
  testing::TempDir dir;
  BudgetForThisTest budget(std::size_t{2} << 20);
  auto state = RocksStateStore::open(dir.str() + "/state");
  ASSERT_TRUE(state.ok()) << state.error().message;
  constexpr int kPartitions = 4;
  std::string value(std::size_t{1} << 20, 's');
  const std::string cold(value.size(), 'c');
  ASSERT_TRUE((*state)->put("processor/4/snapshot", cold).ok());
  for (int round = 0; round < 64; ++round) {
    for (int p = 0; p < kPartitions; ++p) {
      value[0] = static_cast<char>('a' + round % 26);
      ASSERT_TRUE((*state)->put("processor/" + std::to_string(p) + "/snapshot", value).ok());
    }
  }
  const std::uintmax_t live = (kPartitions + 1) * value.size();
  // A long deadline: compactions run at nice 19, behind whatever else a CI machine runs.
  EXPECT_TRUE(testing::eventually([&] { return bytes_in(dir.str() + "/state") < 3 * live; },
                                  std::chrono::seconds(90)))
      << bytes_in(dir.str() + "/state") << " bytes on disk for " << live << " live";
  auto read = (*state)->get("processor/4/snapshot");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(*read == cold);
}

}  // namespace
}  // namespace microjobs
