#pragma once
// The vault's keys on one machine: a RocksDB of their own under data_dir/keys, apart from the
// read models so that erasing a key can force its bytes out of every file (a flush drops the
// write-ahead log that held it; a full compaction rewrites the tables without it).
#include <functional>
#include <memory>
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
  Status erase(const UserId& owner) override;
  // Every key, in order of owner.
  Status for_each_key(const std::function<Status(const UserId& owner, const StoredKey& key)>& visit);

 private:
  explicit RocksKeyStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace microjobs
