#include "infra/rocksdb/stores.h"

#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/write_buffer_manager.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "domain/assert.h"
#include "domain/codec/envelope.h"

namespace microjobs {
namespace {

// One manager for every store of the process, so that the budget is their sum. Never freed:
// a store closed during static destruction still reports to it.
const std::shared_ptr<rocksdb::WriteBufferManager>& memtable_manager() {
  static auto* manager =
      new std::shared_ptr<rocksdb::WriteBufferManager>(std::make_shared<rocksdb::WriteBufferManager>(kDefaultMemtableBudget));
  return *manager;
}

// Read models, state, webhooks: looked up by key, often for one that is not there yet (a view the
// fold creates, a claim's first index entry). Bloom filters in each table file answer most such
// misses without searching; a follower (secondary instance) reads them too.
void use_bloom_filters(rocksdb::Options& options) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
}

enum class StoreKind : std::uint8_t { log, read_models, read_models_rebuilt, state };

// The state store holds each partition's snapshot as one value of tens of megabytes (about 50 MB
// with 10 M events) beside a few small ones. Values from 1 MB up go to blob files: read back in
// one piece, uncompressed, and never rewritten by compactions; a blob that a newer snapshot
// replaced is collected when the table files that pointed at it are compacted. In table files,
// a snapshot was a single snappy block, decompressed and copied at every restart (15% of a
// restart after a crash with 10 M events) and rewritten by every compaction.
void keep_large_values_in_blob_files(rocksdb::Options& options) {
  options.enable_blob_files = true;
  options.min_blob_size = 1 << 20;
  options.enable_blob_garbage_collection = true;
}

// A store that one writer fills from nothing in a few large batches (`rebuild`): each batch is
// appended to a memtable that is a plain vector, sorted once when it is flushed, instead of
// inserted key by key into a skip list (a third of a rebuild's time went to that, most of it
// comparing keys). A batch is flushed as soon as it is written (RocksReadStore::write), on
// RocksDB's flush thread while the next batch is folded, so that a lookup never searches a
// mutable vector: it reads table files, or an immutable memtable sorted once. Memtables hold a
// batch whole and stay outside the process's budget: at most two (one written, one flushing).
void fill_in_large_batches(rocksdb::Options& options) {
  options.write_buffer_manager.reset();
  options.write_buffer_size = std::size_t{1} << 30;  // never reached between flushes: a batch is whole
  options.arena_block_size = std::size_t{64} << 20;
  options.max_write_buffer_number = 2;  // the next batch waits for the one before to be flushed
  options.allow_concurrent_memtable_write = false;  // only skip lists allow it
  options.memtable_factory.reset(new rocksdb::VectorRepFactory);
  options.memtable_whole_key_filtering = false;
  options.memtable_prefix_bloom_size_ratio = 0;
}

Result<std::unique_ptr<rocksdb::DB>> open_db(const std::string& path, StoreKind kind) {
  const bool for_log = kind == StoreKind::log;
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error{"cannot create " + path + ": " + ec.message()};
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  // Compactions run at the lowest CPU priority (nice 19); flushes keep theirs, as a late flush
  // stalls writes. On two cores, compactions took about a third of the CPU while the partitions
  // recovered after a crash: with it, 3 M events were ready in 4.2-4.3 s instead of 5.0-5.5, and
  // sustained writing (replay_bench generate) ran at 50.5k events/s instead of 44.6k. Whatever
  // the deciders and the projector leave idle, compactions still get.
  options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  if (for_log) {
    options.OptimizeLevelStyleCompaction();
    // Concurrent appends of different partitions join one write group: one WAL sync for all.
    options.enable_pipelined_write = true;
    // A full memtable is flushed on its own, not kept to merge with the next one (which
    // OptimizeLevelStyleCompaction asks for): it would sit beside the memtable budget.
    options.min_write_buffer_number_to_merge = 1;
    // A log is read front to back (rebuilds, audits, catching up), rarely by point: large blocks
    // make a scan cost a few block reads per thousand records instead of one per seven.
    rocksdb::BlockBasedTableOptions table;
    table.block_size = 64 << 10;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  } else {
    use_bloom_filters(options);
    options.memtable_whole_key_filtering = true;
    options.memtable_prefix_bloom_size_ratio = 0.02;
  }
  if (kind == StoreKind::state) keep_large_values_in_blob_files(options);
  apply_memtable_budget(options);
  if (kind == StoreKind::read_models_rebuilt) fill_in_large_batches(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return Error{"cannot open " + path + ": " + status.ToString()};
  return std::unique_ptr<rocksdb::DB>(raw);
}

void put_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_big_endian(std::string_view in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

std::string record_key(std::int32_t partition, std::int64_t offset) {
  std::string key;
  key.reserve(13);
  key.push_back('e');
  put_big_endian(key, static_cast<std::uint32_t>(partition), 4);
  put_big_endian(key, static_cast<std::uint64_t>(offset), 8);
  return key;
}

std::string partition_prefix(std::int32_t partition) { return record_key(partition, 0).substr(0, 5); }

rocksdb::Slice slice(std::string_view text) { return rocksdb::Slice(text.data(), text.size()); }

constexpr char kPartitionsKey[] = "meta/partitions";

}  // namespace

void set_memtable_budget(std::size_t bytes) {
  MJ_ASSERT(bytes > 0);
  memtable_manager()->SetBufferSize(bytes);
}

std::size_t memtable_usage() { return memtable_manager()->memory_usage(); }

void apply_memtable_budget(rocksdb::Options& options) {
  options.write_buffer_manager = memtable_manager();
  // A memtable of its own may take half the budget: it then flushes before the others must, and
  // its arena grows in blocks of 1/8 of this (RocksDB's rule), not of 8 MB.
  options.write_buffer_size = std::min(options.write_buffer_size, memtable_manager()->buffer_size() / 2);
}

// ---- LocalEventLog ----

LocalEventLog::LocalEventLog(std::unique_ptr<rocksdb::DB> db, std::int32_t partitions, bool read_only)
    : db_(std::move(db)), partitions_(partitions), read_only_(read_only),
      ends_(new std::atomic<std::int64_t>[partitions]) {}

LocalEventLog::~LocalEventLog() = default;

Result<std::unique_ptr<LocalEventLog>> LocalEventLog::open(const std::string& path,
                                                          std::int32_t partitions) {
  if (partitions < 0 || partitions > 1024) return Error{"partitions must be 1..1024"};
  auto db = open_db(path, StoreKind::log);
  if (!db.ok()) return db.error();
  std::string stored;
  rocksdb::Status status = (*db)->Get(rocksdb::ReadOptions(), kPartitionsKey, &stored);
  if (status.ok() && partitions == 0) partitions = std::stoi(stored);
  if (partitions == 0) return Error{"no log at " + path + " (0 partitions means: as stored)"};
  if (status.ok()) {
    if (stored != std::to_string(partitions)) {
      return Error{"the log at " + path + " has " + stored + " partitions, not " +
                   std::to_string(partitions) + " (the count is fixed when a log is created)"};
    }
  } else if (status.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    status = (*db)->Put(sync, kPartitionsKey, std::to_string(partitions));
    if (!status.ok()) return Error{status.ToString()};
  } else {
    return Error{status.ToString()};
  }
  std::unique_ptr<LocalEventLog> log(new LocalEventLog(std::move(*db), partitions, false));
  log->load_ends();
  return log;
}

Result<std::unique_ptr<LocalEventLog>> LocalEventLog::open_read_only(const std::string& path) {
  rocksdb::Options options;
  options.allow_mmap_reads = true;  // a scan reads blocks where the page cache has them, no copy
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenForReadOnly(options, path, &raw);
  if (!status.ok()) return Error{"cannot open " + path + " to read: " + status.ToString()};
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string stored;
  if (!db->Get(rocksdb::ReadOptions(), kPartitionsKey, &stored).ok()) {
    return Error{path + " is not a microjobs log"};
  }
  std::unique_ptr<LocalEventLog> log(new LocalEventLog(std::move(db), std::stoi(stored), true));
  log->load_ends();
  return log;
}

void LocalEventLog::load_ends() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (std::int32_t p = 0; p < partitions_; ++p) {
    // The end of partition p is one past its last key.
    it->SeekForPrev(record_key(p, INT64_MAX));
    std::int64_t end = 0;
    if (it->Valid() && it->key().starts_with(partition_prefix(p))) {
      end = static_cast<std::int64_t>(get_big_endian(it->key().ToStringView().substr(5), 8)) + 1;
    }
    ends_[p].store(end);
  }
}

Result<std::int64_t> LocalEventLog::append(std::int32_t partition,
                                           std::span<const RecordView> records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  const std::int64_t first = ends_[partition].load();
  rocksdb::WriteBatch batch;
  std::string value;
  for (std::size_t i = 0; i < records.size(); ++i) {
    value.clear();
    put_big_endian(value, records[i].key.size(), 2);
    value.append(records[i].key);
    value.append(records[i].value);
    batch.Put(record_key(partition, first + static_cast<std::int64_t>(i)), value);
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status status = db_->Write(options, &batch);
  if (!status.ok()) return Error{"append: " + status.ToString()};
  ends_[partition].store(first + static_cast<std::int64_t>(records.size()));
  {
    std::lock_guard lock(mutex_);
    append_count_.fetch_add(1);
  }
  appended_.notify_all();
  return first;
}

Result<std::vector<LogRecord>> LocalEventLog::read(std::int32_t partition, std::int64_t from,
                                                   std::size_t max_records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  std::vector<LogRecord> records;
  const std::int64_t end = ends_[partition].load();  // never read past what append() published
  if (from >= end) return records;
  records.reserve(std::min<std::size_t>(max_records, static_cast<std::size_t>(end - from)));
  const std::string upper_bound = record_key(partition, end);
  const rocksdb::Slice upper_bound_slice(upper_bound);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound_slice;  // no block past the published end is read
  if (read_only_) {
    options.readahead_size = 4 << 20;
    options.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(record_key(partition, from)); it->Valid() && records.size() < max_records; it->Next()) {
    auto offset = static_cast<std::int64_t>(get_big_endian(it->key().ToStringView().substr(5), 8));
    if (offset >= end) break;
    std::string_view stored = it->value().ToStringView();
    if (stored.size() < 2) return Error{"corrupt record at offset " + std::to_string(offset)};
    auto key_size = static_cast<std::size_t>(get_big_endian(stored, 2));
    if (stored.size() < 2 + key_size) return Error{"corrupt record at offset " + std::to_string(offset)};
    records.push_back(LogRecord{offset, std::string(stored.substr(2, key_size)), padded_copy(stored.substr(2 + key_size))});
  }
  if (!it->status().ok()) return Error{"read: " + it->status().ToString()};
  return records;
}

std::int64_t LocalEventLog::end(std::int32_t partition) { return ends_[partition].load(); }

void LocalEventLog::wait_for_append(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  appended_.wait_for(lock, timeout, [&] { return append_count_.load() != seen; });
}

// ---- RocksReadStore ----

RocksReadStore::RocksReadStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

RocksReadStore::~RocksReadStore() {
  stopping_ = true;
  if (catch_up_.joinable()) catch_up_.join();
}

Result<std::unique_ptr<RocksReadStore>> RocksReadStore::open_secondary(
    const std::string& primary_path, const std::string& secondary_path,
    std::chrono::milliseconds catch_up) {
  std::error_code ec;
  std::filesystem::create_directories(secondary_path, ec);
  rocksdb::Options options;
  options.max_open_files = -1;  // required of a secondary instance
  use_bloom_filters(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenAsSecondary(options, primary_path, secondary_path, &raw);
  if (!status.ok()) return Error{"cannot follow the read models at " + primary_path + ": " + status.ToString()};
  std::unique_ptr<RocksReadStore> store(new RocksReadStore(std::unique_ptr<rocksdb::DB>(raw)));
  store->secondary_ = true;
  RocksReadStore* self = store.get();
  store->catch_up_ = std::thread([self, catch_up] {
    while (!self->stopping_.load()) {
      (void)self->db_->TryCatchUpWithPrimary();  // a failed round is retried on the next one
      std::this_thread::sleep_for(catch_up);
    }
  });
  return store;
}

Result<std::unique_ptr<RocksReadStore>> RocksReadStore::open(const std::string& path) {
  auto db = open_db(path, StoreKind::read_models);
  if (!db.ok()) return db.error();
  return std::unique_ptr<RocksReadStore>(new RocksReadStore(std::move(*db)));
}

Result<std::unique_ptr<RocksReadStore>> RocksReadStore::open_to_rebuild(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Error{"cannot rebuild into " + path + ": it exists"};
  auto db = open_db(path, StoreKind::read_models_rebuilt);
  if (!db.ok()) return db.error();
  std::unique_ptr<RocksReadStore> store(new RocksReadStore(std::move(*db)));
  store->rebuilding_ = true;
  return store;
}

Status RocksReadStore::finish_rebuild() {
  MJ_ASSERT(rebuilding_);
  rocksdb::FlushOptions wait;
  wait.wait = true;
  rocksdb::Status status = db_->Flush(wait);
  if (!status.ok()) return Error{"read store: " + status.ToString()};
  return ok_status();
}

std::optional<std::string> RocksReadStore::get(std::string_view key) {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) throw ReadStoreError("read store: " + status.ToString());
  return value;
}

Status RocksReadStore::write(const WriteSet& set) {
  if (secondary_) return Error{"read store: this process only follows another's read models"};
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : set.entries) {
    if (value) {
      batch.Put(key, *value);
    } else {
      batch.Delete(key);
    }
  }
  rocksdb::WriteOptions options;
  // Rebuilding, a crash leaves an unfinished store that the next rebuild starts again from nothing.
  options.disableWAL = rebuilding_;
  rocksdb::Status status = db_->Write(options, &batch);
  if (!status.ok()) return Error{"read store: " + status.ToString()};
  if (rebuilding_) {
    rocksdb::FlushOptions in_background;
    in_background.wait = false;
    in_background.allow_write_stall = true;
    status = db_->Flush(in_background);
    if (!status.ok()) return Error{"read store: " + status.ToString()};
  }
  return ok_status();
}

void RocksReadStore::scan(std::string_view prefix, std::string_view start,
                          const std::function<bool(std::string_view, std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(slice(start)); it->Valid() && it->key().starts_with(slice(prefix)); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) return;
  }
  // Valid() is false at the end and on an error alike: only the status tells them apart.
  if (!it->status().ok()) throw ReadStoreError("read store: " + it->status().ToString());
}

// ---- RocksStateStore ----

RocksStateStore::RocksStateStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
RocksStateStore::~RocksStateStore() = default;

Result<std::unique_ptr<RocksStateStore>> RocksStateStore::open(const std::string& path) {
  auto db = open_db(path, StoreKind::state);
  if (!db.ok()) return db.error();
  return std::unique_ptr<RocksStateStore>(new RocksStateStore(std::move(*db)));
}

Result<std::string> RocksStateStore::get(std::string_view key) {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
  if (status.IsNotFound()) return std::string();
  if (!status.ok()) return Error{"state store: " + status.ToString()};
  return value;
}

Status RocksStateStore::put(std::string_view key, std::string_view value, Durability durability) {
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::synced;
  rocksdb::Status status = db_->Put(options, slice(key), slice(value));
  if (!status.ok()) return Error{"state store: " + status.ToString()};
  return ok_status();
}

Status destroy_store(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Error{"cannot remove " + path + ": " + ec.message()};
  return ok_status();
}

}  // namespace microjobs
