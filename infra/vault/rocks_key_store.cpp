#include "infra/vault/rocks_key_store.h"

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
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix)) {
    StoredKey key{it->key().ToString().substr(prefix.size()), it->value().ToString()};
    std::unique_lock lock(mutex_);
    keys_[prefix + key.id] = key.wrapped;
    sealing_id_[owner.value] = key.id;
    return std::optional<StoredKey>(std::move(key));
  }
  if (!it->status().ok()) return Error{"key store: " + it->status().ToString()};
  return std::optional<StoredKey>();
}

Result<std::optional<std::string>> RocksKeyStore::wrapped_key(const UserId& owner, std::string_view id) {
  const std::string name = owner_prefix(owner) + std::string(id);
  {
    std::shared_lock lock(mutex_);
    if (auto found = keys_.find(name); found != keys_.end()) return std::optional<std::string>(found->second);
  }
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), name, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  std::unique_lock lock(mutex_);
  keys_[name] = value;
  return std::optional<std::string>(std::move(value));
}

Status RocksKeyStore::put(const UserId& owner, const StoredKey& key) {
  rocksdb::Status status = db_->Put(synced(), owner_prefix(owner) + key.id, key.wrapped);
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  std::unique_lock lock(mutex_);
  keys_[owner_prefix(owner) + key.id] = key.wrapped;
  sealing_id_.try_emplace(owner.value, key.id);
  return ok_status();
}

Status RocksKeyStore::erase(const UserId& owner) {
  const std::string prefix = owner_prefix(owner);
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) batch.Delete(it->key());
  if (!it->status().ok()) return Error{"key store: " + it->status().ToString()};
  rocksdb::Status status = db_->Write(synced(), &batch);
  {
    std::unique_lock lock(mutex_);
    keys_.erase(keys_.lower_bound(prefix), keys_.lower_bound(owner.value + ";"));  // ';' follows ':'
    sealing_id_.erase(owner.value);
  }
  // The deletes are durable; now the bytes go: the flush retires the WAL that held the key, the
  // compaction (to the bottom level, where tombstones are dropped) the tables.
  if (status.ok()) status = db_->Flush(rocksdb::FlushOptions());
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (status.ok()) status = db_->CompactRange(compact, nullptr, nullptr);
  if (!status.ok()) return Error{"key store: " + status.ToString()};
  return ok_status();
}

}  // namespace microjobs
