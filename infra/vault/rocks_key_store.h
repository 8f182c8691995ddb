#pragma once
// The vault's keys on one machine: a RocksDB of their own under data_dir/keys, apart from the
// read models so that erasing a key can force its bytes out of every file (a flush drops the
// write-ahead log that held it; a full compaction rewrites the tables without it). Keys read or
// written are kept in memory too (a RocksDB lookup per seal or open cost about 8 µs: BM_Vault);
// this object is the store's only writer, and a lookup that raced an erasure keeps nothing, so
// its memory cannot miss an erasure.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "infra/vault/vault.h"

namespace rocksdb {
class DB;
}

namespace microjobs {

class RocksKeyStore final : public KeyStore {
 public:
  static Result<std::unique_ptr<RocksKeyStore>> open(const std::string& path);
  // For reading while a node runs (`microjobs export`): what was durable when it opened.
  static Result<std::unique_ptr<RocksKeyStore>> open_read_only(const std::string& path);
  ~RocksKeyStore() override;

  Result<std::optional<StoredKey>> any_key(const UserId& owner) override;
  Result<std::optional<std::string>> wrapped_key(const UserId& owner, std::string_view id) override;
  Status put(const UserId& owner, const StoredKey& key) override;
  Status sync() override;
  Status erase(const UserId& owner, UnixMs erased_at) override;
  // Every key, in order of owner.
  Status for_each_key(const std::function<Status(const UserId& owner, const StoredKey& key)>& visit);

 private:
  explicit RocksKeyStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_mutex mutex_;                  // guards the two maps and the generation
  std::uint64_t generation_ = 0;             // one more after each erasure
  std::atomic<bool> unsynced_{false};        // a key was put since the last sync
  std::mutex sync_mutex_;                    // one WAL sync at a time
  std::map<std::string, std::string> keys_;  // "<owner>:<id>" -> wrapped, as read or written
  std::map<std::string, std::string> sealing_id_;  // owner -> the id any_key() answered
};

}  // namespace microjobs
