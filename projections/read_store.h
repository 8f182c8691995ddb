#pragma once
// The ReadStore port: an ordered key-value store for read models (RocksDB in infra/rocksdb).
// A batch of puts and deletes is applied atomically; the projector puts its positions in the same
// batch as the models, which makes its effect exactly-once without any other bookkeeping.
//
// Thread-safety: write() from the projector's thread only; get() and scan() from any thread.
#include <functional>
#include <optional>
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

class ReadStore {
 public:
  virtual ~ReadStore() = default;
  virtual std::optional<std::string> get(std::string_view key) = 0;
  virtual Status write(const WriteSet& batch) = 0;
  // Calls `visit` for keys >= start in order while they start with `prefix` and it returns true.
  virtual void scan(std::string_view prefix, std::string_view start,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit) = 0;
};

}  // namespace microjobs
