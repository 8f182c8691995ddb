#pragma once
// The ReadStore port: an ordered key-value store for read models (RocksDB in infra/rocksdb).
// A batch of puts and deletes is applied atomically; the projector puts its positions in the same
// batch as the models, which makes its effect exactly-once without any other bookkeeping.
//
// Thread-safety: write() from the projector's thread only; get() and scan() from any thread.
//
// A read that fails (an I/O error, a corrupt block) is never an absent key: get() and scan()
// throw ReadStoreError. Reads happen deep inside folds and view builders, so the error ends the
// whole unit of work that met it instead of travelling through every one: the API answers the
// request 500, the projector and the webhook deliverer leave their batch unwritten and try again.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace microjobs {

struct WriteSet {
  // nullopt value: delete the key.
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  void put(std::string key, std::string value) { entries.emplace_back(std::move(key), std::move(value)); }
  void erase(std::string key) { entries.emplace_back(std::move(key), std::nullopt); }
};

struct ReadStoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ReadStore {
 public:
  virtual ~ReadStore() = default;
  // nullopt when the key is absent; throws ReadStoreError when the read fails.
  virtual std::optional<std::string> get(std::string_view key) = 0;
  virtual Status write(const WriteSet& batch) = 0;
  // Calls `visit` for keys >= start in order while they start with `prefix` and it returns true;
  // throws ReadStoreError when the iteration fails (after visiting what it read before).
  virtual void scan(std::string_view prefix, std::string_view start,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
};

}  // namespace microjobs
