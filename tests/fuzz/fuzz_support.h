#pragma once
// What the fuzz targets share: real RocksDB stores in a temporary directory, a bus that answers
// every command with a rejection (the write side is not what these targets fuzz), the API
// configuration and tokens of the HTTP target, and the checks on every response.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/http.h"
#include "commands/command_bus.h"
#include "infra/rocksdb/stores.h"

namespace microjobs {

inline constexpr UnixMs kFuzzNow{1'767'225'600'000};  // 2026-01-01T00:00:00Z

// The local event log and read store under a fresh temp dir, removed at exit.
struct FuzzStores {
  FuzzStores();
  ~FuzzStores();
  std::filesystem::path dir;
  std::unique_ptr<LocalEventLog> log;
  std::unique_ptr<RocksReadStore> read_store;
};

// Answers every command at once, on the caller's thread, with 409 `wrong_state`, and keeps
// nothing: a run of ten million inputs must not grow.
class RejectingBus final : public CommandBus {
 public:
  void send(CommandId command_id, Command command, ReplyFn reply) override;
  std::int32_t partitions() const override { return 4; }
};

ApiConfig fuzz_api_config();
// "" (no token) and a token for alice and bob in each of the five roles.
std::vector<std::string> fuzz_tokens();
// Aborts on a response the API must never give: a 5xx other than the protocol's 503s, an error
// that is not problem+json, a problem without its code.
void check_response(const Response& response);

}  // namespace microjobs
