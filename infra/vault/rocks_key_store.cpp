#include "infra/vault/rocks_key_store.h"

#include "infra/rocksdb/stores.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

namespace microjobs {
namespace {

// "<owner>:<key id>": an owner's keys are one prefix (user ids have no ':').
std::string owner_prefix(const UserId& owner) { return owner.value + ":"; }

rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace

RocksKeyStore::RocksKeyStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
RocksKeyStore::~RocksKeyStore() = default;

Result<std::unique_ptr<RocksKeyStore>> RocksKeyStore::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error{"cannot create " + path + ": " + ec.message()};
  rocksdb::Options options;
  options.create_if_missing = true;
  apply_memtable_budget(options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return Error{"cannot open the key store " + path + ": " + status.ToString()};
  return std::unique_ptr<RocksKeyStore>(new RocksKeyStore(std::unique_ptr<rocksdb::DB>(raw)));
}

Result<std::unique_ptr<RocksKeyStore>> RocksKeyStore::open_read_only(const std::string& path) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &raw);
  if (!status.ok()) return Error{"cannot open the key store " + path + ": " + status.ToString()};
  return std::unique_ptr<RocksKeyStore>(new RocksKeyStore(std::unique_ptr<rocksdb::DB>(raw)));
}

Status RocksKeyStore::for_each_key(const std::function<Status(const UserId&, const StoredKey&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string name = it->key().ToString();
    const auto colon = name.find(':');
    if (colon == std::string::npos) return Error{"key store: a key named " + name};
    MJ_RETURN_IF_ERROR(visit(UserId{name.substr(0, colon)}, {name.substr(colon + 1), it->value().ToString()}));
  }
  if (!it->status().ok()) return Error{"key store: " + it->status().ToString()};
  return ok_status();
}

Result<std::optional<KeyStore::StoredKey>> RocksKeyStore::any_key(const UserId& owner) {
  const std::string prefix = owner_prefix(owner);
  {
    std::shared_lock lock(mutex_);
    if (auto id = sealing_id_.find(owner.value); id != sealing_id_.end()) {
      return std::optional<StoredKey>(StoredKey{id->second, keys_.at(prefix + id->second)});
    }
  }
  std::uint64_t generation = 0;
  {
    std::shared_lock lock(mutex_);
    generation = generation_;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix)) {
    StoredKey key{it->key().ToString().substr(prefix.size()), it->value().ToString()};
    std::unique_lock lock(mutex_);
    if (generation == generation_) {
      keys_[prefix + key.id] = key.wrapped;
      sealing_id_[owner.value] = key.id;
    }
    return std::optional<StoredKey>(std::move(key));
  }
  if (!it->status().ok()) return Error{"key store: " + it->status().ToString()};
  return std::optional<StoredKey>();
}

Result<std::optional<std::string>> RocksKeyStore::wrapped_key(const UserId& owner, std::string_view id) {
  const std::string name = owner_prefix(owner) + std::string(id);
  std::uint64_t generation = 0;
  {
    std::shared_lock lock(mutex_);
    if (auto found = keys_.find(name); found != keys_.end()) return std::optional<std::string>(found->second);
    generation = generation_;
  }
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), name, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  std::unique_lock lock(mutex_);
  if (generation == generation_) keys_[name] = value;  // else an erasure came between: read again next time
  return std::optional<std::string>(std::move(value));
}

// Written to the WAL unsynced: sync() syncs it once for all the keys a batch made (a synced write
// per new user cost a disk flush each, and cut the lifecycle's throughput to a third).
Status RocksKeyStore::put(const UserId& owner, const StoredKey& key) {
  rocksdb::Status status = db_->Put(rocksdb::WriteOptions(), owner_prefix(owner) + key.id, key.wrapped);
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  std::unique_lock lock(mutex_);
  keys_[owner_prefix(owner) + key.id] = key.wrapped;
  sealing_id_.try_emplace(owner.value, key.id);
  unsynced_.store(true);  // after the write: a sync that clears the flag covers it
  return ok_status();
}

Status RocksKeyStore::sync() {
  std::lock_guard lock(sync_mutex_);
  if (!unsynced_.exchange(false)) return ok_status();
  rocksdb::Status status = db_->SyncWAL();
  if (!status.ok()) {
    unsynced_.store(true);
    return Error{"key store: " + status.ToString()};
  }
  return ok_status();
}

Status RocksKeyStore::erase(const UserId& owner, UnixMs erased_at) {
  const std::string prefix = owner_prefix(owner);
  const std::string end = owner.value + ";";  // ';' follows ':'
  rocksdb::WriteBatch batch;
  std::vector<std::string> names;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!erased_by(it->key().ToString().substr(prefix.size()), erased_at)) continue;
    batch.Delete(it->key());
    names.push_back(it->key().ToString());
  }
  if (!it->status().ok()) return Error{"key store: " + it->status().ToString()};
  rocksdb::Status status;
  {
    // Under the lock, with a new generation: a lookup that read the key before this write cannot
    // put it back into memory after it (wrapped_key checks the generation).
    std::unique_lock lock(mutex_);
    status = db_->Write(synced(), &batch);
    ++generation_;
    for (const std::string& name : names) keys_.erase(name);
    sealing_id_.erase(owner.value);
  }
  // The deletes are durable; now the bytes go: the flush retires the WAL that held the key, the
  // compaction of the owner's range (to the bottom level, where tombstones are dropped) the tables.
  if (status.ok()) status = db_->Flush(rocksdb::FlushOptions());
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice begin_key(prefix), end_key(end);
  if (status.ok()) status = db_->CompactRange(compact, &begin_key, &end_key);
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  return ok_status();
}

}  // namespace microjobs
