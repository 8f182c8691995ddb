#pragma once
// RocksDB adapters of the ports: the local event log (the embedded default), the read-model store
// and the write side's state store. Only rocksdb/stores.cpp includes RocksDB's headers.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands/event_log.h"
#include "projections/read_store.h"

namespace rocksdb {
class DB;
struct Options;
}  // namespace rocksdb

namespace microjobs {

// Every store this process writes (the log, read models, state, webhooks, the vault's keys)
// holds its newest writes in memtables (RocksDB's write buffers) under one budget: when their sum
// passes it, the next store written to flushes its memtable to a file (a soft limit: memtables
// already being flushed still count until they are written). No memtable of its own may take
// more than half of the budget as it was when its store opened, so set the budget before the
// first store opens (`serve --memtable-mb`; it is one value for the whole process). Without it
// each store took up to 64 MB, and the log 128 MB (× 6 waiting to flush): on the hot task about
// 1,100 of the 3,400 bytes of memory per claim.
// 256 MB by default: a budget of 64 MB took the hot task's memory per claim from 3,444 to 2,334
// bytes, but sustained writing (replay_bench generate) ran at 35-38k events/s instead of 59k, and
// 128 MB at 41k, as the smaller memtables flush and compact far more often; at 256 MB it ran at
// 58k. A deployment short of memory trades that throughput with `--memtable-mb`.
constexpr std::size_t kDefaultMemtableBudget = std::size_t{256} << 20;
void set_memtable_budget(std::size_t bytes);
// What the memtables of all stores hold now (bytes of their arenas).
std::size_t memtable_usage();
// Puts a store's options under the budget; every writable store opens with it.
void apply_memtable_budget(rocksdb::Options& options);
// Every store's compactions run on RocksDB's shared low-priority threads at nice 19 (stores.cpp).

// The local log: key = partition (4 bytes, big-endian) . offset (8 bytes, big-endian), value =
// the record's stream key and envelope bytes. Appends are one WriteBatch with a synced WAL;
// RocksDB's write group lets concurrent appends from several partitions share one fsync (group
// commit). The number of partitions is fixed when the log is created.
class LocalEventLog final : public EventLog {
 public:
  // Opens or creates the log. `partitions` 0 opens an existing log with the count it has.
  static Result<std::unique_ptr<LocalEventLog>> open(const std::string& path, std::int32_t partitions);
  // Opens a log that another process may be writing, for reading only (audits, tests): it sees
  // what was durable when it opened. The partition count is read from the log. Appends fail.
  static Result<std::unique_ptr<LocalEventLog>> open_read_only(const std::string& path);
  ~LocalEventLog() override;

  std::int32_t partitions() const override { return partitions_; }
  Result<std::int64_t> append(std::int32_t partition, std::span<const RecordView> records) override;
  Result<std::vector<LogRecord>> read(std::int32_t partition, std::int64_t from,
                                      std::size_t max_records) override;
  std::int64_t end(std::int32_t partition) override;
  std::uint64_t append_count() const override { return append_count_.load(); }
  void wait_for_append(std::uint64_t seen, std::chrono::milliseconds timeout) override;

 private:
  LocalEventLog(std::unique_ptr<rocksdb::DB> db, std::int32_t partitions, bool read_only);
  void load_ends();

  std::unique_ptr<rocksdb::DB> db_;
  const std::int32_t partitions_;
  // Opened to read the whole log once (an audit): reads stream ahead and leave the cache alone.
  const bool read_only_;
  std::unique_ptr<std::atomic<std::int64_t>[]> ends_;
  std::atomic<std::uint64_t> append_count_{0};
  std::mutex mutex_;
  std::condition_variable appended_;
};

// An ordered key-value store on RocksDB; writes go to the WAL unsynced (a read model can always
// be rebuilt from the log, and its positions are in the same batch as its data).
class RocksReadStore final : public ReadStore {
 public:
  static Result<std::unique_ptr<RocksReadStore>> open(const std::string& path);
  // Opens another process's read models (a projector node's `read/`) as a RocksDB secondary
  // instance: read-only, catching up with the primary every `catch_up` (its own files live under
  // `secondary_path`). write() fails.
  static Result<std::unique_ptr<RocksReadStore>> open_secondary(
      const std::string& primary_path, const std::string& secondary_path,
      std::chrono::milliseconds catch_up = std::chrono::milliseconds(5));
  // Creates a store at `path` (which must not exist) for `rebuild`: one writer, a few large
  // batches, no WAL; each batch is sorted and flushed to a table file in the background while the
  // next is prepared (stores.cpp, fill_in_large_batches). finish_rebuild() waits for the last.
  static Result<std::unique_ptr<RocksReadStore>> open_to_rebuild(const std::string& path);
  Status finish_rebuild();
  ~RocksReadStore() override;
  std::optional<std::string> get(std::string_view key) override;
  Status write(const WriteSet& batch) override;
  void scan(std::string_view prefix, std::string_view start,
            const std::function<bool(std::string_view, std::string_view)>& visit) override;

 private:
  explicit RocksReadStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  bool secondary_ = false;
  bool rebuilding_ = false;
  std::atomic<bool> stopping_{false};
  std::thread catch_up_;
};

// Small synced writes: processor snapshots and the credit manager's cursors.
class RocksStateStore final : public StateStore {
 public:
  static Result<std::unique_ptr<RocksStateStore>> open(const std::string& path);
  ~RocksStateStore() override;
  Result<std::string> get(std::string_view key) override;
  Status put(std::string_view key, std::string_view value, Durability durability = Durability::synced) override;

 private:
  explicit RocksStateStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

// Removes a store's directory (for `microjobs rebuild`).
Status destroy_store(const std::string& path);

}  // namespace microjobs
