#pragma once
// The HTTP API's socket-free core: a request in, a response out through a callback. The Beast
// session (api/server.cpp) only moves bytes into a Request and a Response back out; tests call
// handle() directly. Nothing here includes Beast, Asio or simdjson.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "commands/clock.h"
#include "commands/command_bus.h"

namespace microjobs {

class ReadModels;
class ReadStore;
class ProjectionProgress;
class PollingWaiter;
class RateLimiter;
class ApiMetrics;
class PageCache;
class TokenVerifier;
class PersonalDataVault;

// Header names are compared exactly: requests carry them in lower case (the server lowers them),
// responses carry them as the API spells them ("Content-Type", "X-Position").
using HeaderMap = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // path and query: "/v1/tasks?limit=5"
  HeaderMap headers;   // names in lower case; the first of repeated headers
  std::string body;

  // The value of a header (its name in lower case), empty when absent.
  std::string_view header(std::string_view lower_case_name) const;
};

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;

  // The value of a response header, empty when absent.
  std::string_view header(std::string_view name) const;
};

// Every limit that applies to what comes from outside, in one place.
struct ApiConfig {
  std::string jwt_secret;                       // HS256 key; must not be empty
  TokenPolicy token_policy;                     // issuer, audience, clock leeway (api/auth.h)
  // Bytes; beyond it 413. 2 MiB: a bulk review of 1,000 decisions with 1 KiB reasons is ~1.1 MB.
  std::size_t body_limit = 2 << 20;
  std::size_t header_limit = 8 << 10;           // bytes of start line and headers; beyond it 431
  std::size_t header_count_limit = 100;         // header fields of one request; beyond it 431
  std::size_t connection_limit = 4096;          // open connections; beyond it 503, then closed
  // Requests per second of one user (the token's `sub`) kept up on average, and how many may
  // come at once (the bucket's depth); beyond it 429 `rate_limited` with Retry-After. 0: no limit.
  std::int64_t rate_limit_per_s = 1000;
  std::int64_t rate_limit_burst = 2000;
  std::chrono::seconds request_timeout{30};     // per read or write of one request or response
  std::chrono::milliseconds min_position_wait{2000};  // how long a read waits for X-Min-Position
  // How often waiting reads check X-Min-Position when the read models cannot say when they
  // advance (an API process reading another process's models); an in-process projector wakes
  // them at once.
  std::chrono::microseconds min_position_poll{1000};
  std::int32_t partitions = 0;                  // 0: ask the CommandBus
  bool dev_secret = false;                      // the secret is the well-known development one
  int io_threads = 2;                           // threads running the server's io_context
  std::size_t pipeline_limit = 16;              // requests of one connection in flight at once
  std::string webhook_signing_key;              // derives the secret shown at registration
  // Per partition, the log's end when the process started: /readyz answers 200 once the read
  // models have applied up to it, and stays ready from then on. Empty: ready at once.
  std::vector<std::int64_t> ready_after;
  bool webhooks_allow_private = false;          // accept loopback and private webhook URLs (tests)
};

// What handle() needs: the write side, the read side, time and the limits. Owns the poller that
// lets reads wait for X-Min-Position without blocking an io thread.
//
// Lifecycle: construct after the bus, read models and projector; destroy before them, and only
// after the HttpServer using it is destroyed. Every member may be used from any thread.
class ApiContext {
 public:
  ApiContext(CommandBus& bus, ReadModels& read_models, ProjectionProgress& projector, const Clock& clock,
             ApiConfig config);
  ~ApiContext();
  ApiContext(const ApiContext&) = delete;
  ApiContext& operator=(const ApiContext&) = delete;

  CommandBus& bus;
  ReadModels& read_models;
  ProjectionProgress& projector;  // the Projector here, or the positions another process stored
  const Clock& clock;
  const ApiConfig config;
  // The webhook deliverer's store (deliveries); nullptr when this process has none (503).
  ReadStore* webhook_store = nullptr;
  // Opens the sealed personal data in what the read side answers (domain/personal_data.h);
  // nullptr: sealed text is answered as it is stored.
  PersonalDataVault* vault = nullptr;
  // What the process's memtables hold (GET /metrics); empty when not set.
  std::function<std::int64_t()> memtable_bytes;

  // The number of partitions positions may name.
  std::int32_t partitions() const;
  PollingWaiter& waiter() { return *waiter_; }
  ApiMetrics& metrics() { return *metrics_; }
  RateLimiter& rate_limiter() { return *rate_limiter_; }
  // config.jwt_secret and token_policy, with verified tokens remembered (api/auth.h).
  TokenVerifier& token_verifier() const { return *token_verifier_; }
  // Encoded feed pages by (query, read_model_version()) (api/page_cache.h).
  PageCache& feed_cache() { return *feed_cache_; }
  // Grows with every event the read models apply: the sum of projector's applied offsets.
  std::uint64_t read_model_version() const;
  // How many events of config.ready_after the read models still have to apply: 0 once ready.
  // Applied positions only grow, so once ready it stays so: a projector trailing the newest
  // events by a batch under load is still ready.
  std::int64_t events_before_ready() const;
  // bus.send, counting the outcome in metrics(): every handler sends through here.
  void send(CommandId id, Command command, ReplyFn reply);

 private:
  std::unique_ptr<PollingWaiter> waiter_;
  std::unique_ptr<ApiMetrics> metrics_;
  std::unique_ptr<RateLimiter> rate_limiter_;
  std::unique_ptr<PageCache> feed_cache_;
  std::unique_ptr<TokenVerifier> token_verifier_;
  std::uint64_t projector_listener_ = 0;  // wakes waiter_ when the read models advance
};

using Done = std::function<void(Response)>;

// Handles one request and calls `done` exactly once with the response: at once for everything
// that needs no command, else later from the thread that answers the command or the wait
// (the CommandBus's partition thread or the waiter's thread). Never throws.
void handle(const Request& request, ApiContext& context, Done done);

}  // namespace microjobs
