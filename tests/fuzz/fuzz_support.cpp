#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <random>

#include "api/auth.h"

namespace microjobs {

FuzzStores::FuzzStores() {
  std::random_device random;
  dir = std::filesystem::temp_directory_path() / ("microjobs-fuzz-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  auto opened_log = LocalEventLog::open((dir / "log").string(), 4);
  auto opened_read = RocksReadStore::open((dir / "read").string());
  if (!opened_log.ok() || !opened_read.ok()) {
    std::fprintf(stderr, "cannot open the stores under %s\n", dir.c_str());
    std::abort();
  }
  log = std::move(*opened_log);
  read_store = std::move(*opened_read);
}

FuzzStores::~FuzzStores() {
  read_store.reset();
  log.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void RejectingBus::send(CommandId, Command, ReplyFn reply) {
  CommandOutcome outcome;
  outcome.kind = CommandOutcome::Kind::rejected;
  outcome.rejection = Rejection::wrong_state;
  reply(std::move(outcome));
}

ApiConfig fuzz_api_config() {
  ApiConfig config;
  config.jwt_secret = "fuzz-secret";
  config.min_position_wait = std::chrono::milliseconds(0);
  config.rate_limit_per_s = 0;  // millions of requests of two users
  config.webhook_signing_key = "fuzz-webhook-key";
  return config;
}

std::vector<std::string> fuzz_tokens() {
  std::vector<std::string> tokens = {""};
  for (const char* user : {"alice", "bob"}) {
    for (const char* role : {"employer", "worker", "auditor", "payments", "admin"}) {
      // Valid for a year from the fuzz clock, which never moves.
      tokens.push_back(mint_token("fuzz-secret", user, {role}, 365 * 86400, kFuzzNow));
    }
  }
  return tokens;
}

void check_response(const Response& response) {
  const bool protocol_503 = response.status == 503;  // position_not_reached, outcome_unknown…
  if (response.status >= 500 && !protocol_503) {
    std::fprintf(stderr, "a %d answer: %s\n", response.status, response.body.c_str());
    std::abort();
  }
  if (response.status >= 400 &&
      (response.header("Content-Type") != "application/problem+json" ||
       response.body.find("\"code\":\"") == std::string::npos)) {
    std::fprintf(stderr, "a %d answer that is no problem: %s\n", response.status, response.body.c_str());
    std::abort();
  }
}

}  // namespace microjobs
