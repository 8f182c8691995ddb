// `microjobs loadgen`: an HTTP load generator for the microjobs API (the only Beast translation
// unit of the load generator). One io thread runs C keep-alive connections as coroutines; each
// connection has at most one request in flight. Closed loop by default (a connection sends its next
// request when the previous answer arrives); with --rate, open loop: request i is due at
// start + i / rate and its latency is measured from when it was due, so a stalled server is not
// hidden (no coordinated omission).
//
// Workloads (each sets itself up over HTTP, then checks the result):
//   lifecycle  claim -> submit -> approve over many tasks of several employers; ledger check.
//   hot-task   one task of N slots, N workers register, then each claims once; no oversell.
//              --per-item: the task is per_item and gets N items (1,000 per call) first.
//   feed       GET /v1/tasks pages following next_cursor.
// Output: one "RESULT" line per measured phase and one "CHECK" line per workload, key=value.
#include <CLI/CLI.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/auth.h"
#include "commands/clock.h"
#include "tools/loadgen/stats.h"
#include "tools/subcommands.h"

namespace microjobs {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using SteadyClock = std::chrono::steady_clock;
using loadgen::Samples;

constexpr char kDevSecret[] = "microjobs-dev-secret-change-me";  // as `microjobs serve`

struct Options {
  std::string workload = "lifecycle";
  std::string host = "127.0.0.1";
  int port = 8080;
  int connections = 64;
  std::int64_t count = 30'000;    // lifecycle: cycles; hot-task: slots; feed: pages
  bool per_item = false;          // hot-task: a per_item task with one item per slot
  double rate = 0;                // open loop when > 0: requests (cycles) per second
  double max_seconds = 120;       // every phase stops by itself after this
  int lag_every = 10;             // lifecycle: measure projection lag after every k-th approve
  int tasks = 200;                // lifecycle and feed: tasks to post
  int employers = 8;
  std::string label;              // prefix of every id, so runs on one server do not collide
  bool quiet = false;
};

struct Reply {
  int status = 0;
  std::string body;
  std::string position;  // X-Position, empty when absent
};

// One keep-alive connection; reconnects once when the server closed it. Commands carry an
// Idempotency-Key, so resending one after a lost connection is safe.
class Connection {
 public:
  Connection(asio::any_io_executor executor, tcp::endpoint endpoint)
      : stream_(executor), endpoint_(endpoint) {}

  awaitable<Reply> call(http::verb method, std::string target, const std::string& token,
                        std::string body, const std::string& idempotency_key = {},
                        const std::string& min_position = {}) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (!connected_) {
          stream_.expires_after(std::chrono::seconds(10));
          co_await stream_.async_connect(endpoint_, use_awaitable);
          stream_.socket().set_option(tcp::no_delay(true));
          connected_ = true;
        }
        http::request<http::string_body> request{method, target, 11};
        request.set(http::field::host, "127.0.0.1");
        request.set(http::field::authorization, "Bearer " + token);
        if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
        if (!min_position.empty()) request.set("X-Min-Position", min_position);
        if (method != http::verb::get) {
          request.set(http::field::content_type, "application/json");
          request.body() = body;
          request.prepare_payload();
        }
        stream_.expires_after(std::chrono::seconds(30));
        co_await http::async_write(stream_, request, use_awaitable);
        http::response<http::string_body> response;
        co_await http::async_read(stream_, buffer_, response, use_awaitable);
        Reply reply;
        reply.status = static_cast<int>(response.result_int());
        reply.position = std::string(response["X-Position"]);
        reply.body = std::move(response.body());
        if (!response.keep_alive()) close();
        co_return reply;
      } catch (const boost::system::system_error& e) {
        // The error's message only: what() adds Boost's source location, which helps nobody here.
        close();
        if (attempt >= 1) co_return Reply{0, e.code().message() + " (" + endpoint_.address().to_string() + ":" + std::to_string(endpoint_.port()) + ")", {}};
      } catch (const std::exception& e) {
        close();
        if (attempt >= 1) co_return Reply{0, e.what(), {}};
      }
    }
  }

 private:
  void close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::tcp_stream stream_;
  tcp::endpoint endpoint_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::uint64_t micros_since(SteadyClock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count());
}

// The work of one index of a phase: sends its requests and records their latencies. `due` is when
// the first request was due (open loop) or was started (closed loop).
using Operation = std::function<awaitable<void>(Connection&, std::int64_t index, SteadyClock::time_point due)>;

struct PhaseResult {
  std::string name;
  std::int64_t done = 0;      // indexes completed
  double seconds = 0;
  std::int64_t requests = 0;  // measured requests (latency samples)
  Samples::Summary summary;
};

// Runs `total` indexes of `operation` over every connection, closed or open loop, bounded by
// options.max_seconds; prints a progress line each second unless quiet.
class Runner {
 public:
  Runner(asio::io_context& io, const Options& options, tcp::endpoint endpoint) : io_(io), options_(options) {
    for (int i = 0; i < options.connections; ++i)
      connections_.push_back(std::make_unique<Connection>(io.get_executor(), endpoint));
  }

  Connection& any() { return *connections_.front(); }
  const Options& options() const { return options_; }

  PhaseResult run(const std::string& name, std::int64_t total, double rate, Samples& samples,
                  const Operation& operation) {
    next_ = 0;
    done_ = 0;
    active_ = static_cast<int>(connections_.size());
    start_ = SteadyClock::now();
    deadline_ = start_ + std::chrono::milliseconds(static_cast<std::int64_t>(options_.max_seconds * 1000));
    for (auto& connection : connections_) {
      asio::co_spawn(io_, worker(*connection, total, rate, operation), asio::detached);
    }
    asio::co_spawn(io_, progress(name, total, samples), asio::detached);
    io_.restart();
    io_.run();
    if (!options_.quiet) std::fprintf(stderr, "\n");
    PhaseResult result;
    result.name = name;
    result.done = done_;
    result.seconds = finished_seconds_;
    result.summary = samples.summarize();
    result.requests = static_cast<std::int64_t>(result.summary.count);
    return result;
  }

 private:
  awaitable<void> worker(Connection& connection, std::int64_t total, double rate, const Operation& operation) {
    asio::steady_timer timer(io_);
    while (next_ < total && SteadyClock::now() < deadline_) {
      std::int64_t index = next_++;
      auto due = SteadyClock::now();
      if (rate > 0) {
        due = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * static_cast<double>(index) / rate));
        if (due > SteadyClock::now()) {
          timer.expires_at(due);
          co_await timer.async_wait(use_awaitable);
        }
      }
      co_await operation(connection, index, due);
      ++done_;
    }
    if (--active_ == 0) finished_seconds_ = seconds_since(start_);
  }

  awaitable<void> progress(std::string name, std::int64_t total, Samples& samples) {
    asio::steady_timer timer(io_);
    std::int64_t last = 0;
    while (active_ > 0) {
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(use_awaitable);
      if (options_.quiet || ++ticks_ % 10 != 0) continue;
      std::fprintf(stderr, "\r%-16s %9lld/%lld  %8.0f/s  errors %llu  %5.1f s   ", name.c_str(),
                   static_cast<long long>(done_), static_cast<long long>(total),
                   static_cast<double>(done_ - last), static_cast<unsigned long long>(samples.errors()),
                   seconds_since(start_));
      last = done_;
    }
  }

  asio::io_context& io_;
  const Options& options_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::int64_t next_ = 0, done_ = 0, ticks_ = 0;
  int active_ = 0;
  double finished_seconds_ = 0;
  SteadyClock::time_point start_, deadline_;
};

void print_result(const std::string& workload, const PhaseResult& r, double ops_per_index) {
  double ops = static_cast<double>(r.done) * ops_per_index;
  std::printf("RESULT name=%s.%s done=%lld ops=%.0f seconds=%.3f rate=%.0f requests=%lld errors=%llu "
              "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
              workload.c_str(), r.name.c_str(), static_cast<long long>(r.done), ops, r.seconds,
              r.seconds > 0 ? ops / r.seconds : 0.0, static_cast<long long>(r.requests),
              static_cast<unsigned long long>(r.summary.errors), r.summary.p50_us / 1000.0,
              r.summary.p99_us / 1000.0, r.summary.p999_us / 1000.0, r.summary.max_us / 1000.0);
  std::fflush(stdout);
}

// Runs one coroutine to completion on the io_context (setup and checks).
template <typename T>
T run_one(asio::io_context& io, awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

struct Tokens {
  std::string secret;
  std::map<std::string, std::string> cache;
  const std::string& of(const std::string& user, const std::vector<std::string>& roles) {
    auto [it, fresh] = cache.try_emplace(user);
    if (fresh) it->second = mint_token(secret, user, roles, 86400, SystemClock().now());
    return it->second;
  }
};

// A request whose expected status is `expected`; anything else is an error that is printed
// (the first few) and counted.
bool expect(const Reply& reply, int expected, const char* what, Samples* samples = nullptr) {
  if (reply.status == expected) return true;
  static int printed = 0;
  if (printed++ < 5) std::fprintf(stderr, "\n%s: HTTP %d %s\n", what, reply.status, reply.body.substr(0, 300).c_str());
  if (samples != nullptr) samples->fail();
  return false;
}

awaitable<std::string> register_user(Connection& c, const std::string& token, const std::string& user) {
  Reply r = co_await c.call(http::verb::put, "/v1/users/" + user, token, R"({"country":"US"})");
  if (r.status != 200) expect(r, 200, "register");
  co_return r.position;
}

awaitable<bool> deposit(Connection& c, const std::string& token, const std::string& account,
                        std::int64_t units, const std::string& reference) {
  Reply r = co_await c.call(http::verb::post, "/v1/deposits", token,
                            R"({"account":")" + account + R"(","amount":")" + std::to_string(units) +
                                R"(.00","reference":")" + reference + "\"}");
  co_return expect(r, 201, "deposit");
}

awaitable<std::string> post_task(Connection& c, const std::string& token, const std::string& title,
                                 std::int64_t slots, std::string* position = nullptr,
                                 bool per_item = false) {
  Reply r = co_await c.call(http::verb::post, "/v1/tasks", token,
                            R"({"title":")" + title + R"(","category":"survey","reward":"0.05","slots":)" +
                                std::to_string(slots) + (per_item ? R"(,"per_item":true})" : "}"));
  if (!expect(r, 201, "post task")) co_return std::string();
  if (position != nullptr) *position = r.position;
  co_return loadgen::json_string_field(r.body, "task_id").value_or("");
}

// Gives a per_item task `count` items, 1,000 per call: {"ref":"r<n>","data":{"n":<n>}}.
awaitable<bool> upload_items(Connection& c, const std::string& token, const std::string& task_id,
                             std::int64_t count) {
  for (std::int64_t first = 0; first < count; first += 1000) {
    std::string body = R"({"items":[)";
    for (std::int64_t n = first; n < std::min(count, first + 1000); ++n) {
      body += (n > first ? "," : "") + (R"({"ref":"r)" + std::to_string(n) + R"(","data":{"n":)" +
                                        std::to_string(n) + "}}");
    }
    Reply r = co_await c.call(http::verb::post, "/v1/tasks/" + task_id + "/items", token, body + "]}");
    if (!expect(r, 201, "items")) co_return false;
  }
  co_return true;
}

constexpr std::int64_t kRewardMicros = 50'000;
constexpr std::int64_t kFeeMicros = 10'000;  // max(20 % of 0.05, 0.01)

// Reads an account (waiting for `min_position` first), returning available + escrow in micros.
awaitable<std::int64_t> account_total(Connection& c, const std::string& token, const std::string& user,
                                      const std::string& min_position, bool* ok) {
  Reply r = co_await c.call(http::verb::get, "/v1/accounts/" + user, token, "", "", min_position);
  if (!expect(r, 200, "account")) {
    *ok = false;
    co_return 0;
  }
  auto available = loadgen::parse_micros(loadgen::json_string_field(r.body, "available").value_or("x"));
  auto escrow = loadgen::parse_micros(loadgen::json_string_field(r.body, "escrow").value_or("x"));
  if (!available || !escrow) *ok = false;
  co_return available.value_or(0) + escrow.value_or(0);
}

// Waits until the read models have applied every position in `positions` (one read each).
awaitable<void> wait_applied(Connection& c, const std::string& token, const std::vector<std::string>& positions) {
  std::map<std::string, std::pair<long, long>> last;  // partition -> highest offset
  for (const auto& p : positions) {
    auto colon = p.find(':');
    if (colon == std::string::npos) continue;
    std::string partition = p.substr(0, colon);
    long offset = std::atol(p.c_str() + colon + 1);
    if (!last.count(partition) || last[partition].first < offset) last[partition] = {offset, 0};
  }
  for (const auto& [partition, offset] : last) {
    for (int attempt = 0; attempt < 30; ++attempt) {
      Reply r = co_await c.call(http::verb::get, "/v1/tasks?limit=1", token, "", "",
                                partition + ":" + std::to_string(offset.first));
      if (r.status == 200) break;
    }
  }
}

// --- hot-task -------------------------------------------------------------------------------------
int hot_task(asio::io_context& io, Runner& runner, Tokens& tokens) {
  const Options& o = runner.options();
  const std::string prefix = o.label + "h";
  const std::string employer = prefix + "emp";
  const std::string& emp_token = tokens.of(employer, {"employer", "payments"});
  const std::int64_t slots = o.count;
  std::string task_id;
  bool setup_ok = run_one(io, [&]() -> awaitable<bool> {
    Connection& c = runner.any();
    co_await register_user(c, emp_token, employer);
    std::int64_t units = (slots * (kRewardMicros + kFeeMicros)) / 1'000'000 + 1;
    if (!co_await deposit(c, emp_token, employer, units, prefix + "dep")) co_return false;
    task_id = co_await post_task(c, emp_token, "hot task", slots, nullptr, o.per_item);
    if (task_id.empty()) co_return false;
    co_return !o.per_item || co_await upload_items(c, emp_token, task_id, slots);
  }());
  if (!setup_ok) return 1;

  std::vector<std::string> worker_tokens(static_cast<std::size_t>(slots) + 1);
  std::vector<std::string> positions(static_cast<std::size_t>(slots) + 1);
  auto start = SteadyClock::now();
  for (std::int64_t i = 0; i <= slots; ++i)
    worker_tokens[i] = mint_token(tokens.secret, prefix + "w" + std::to_string(i), {"worker"}, 86400, SystemClock().now());
  std::fprintf(stderr, "minted %lld tokens in %.2f s\n", static_cast<long long>(slots + 1), seconds_since(start));

  Samples register_samples;
  PhaseResult reg = runner.run("register", slots + 1, 0, register_samples,
                               [&](Connection& c, std::int64_t i, SteadyClock::time_point due) -> awaitable<void> {
    Reply r = co_await c.call(http::verb::put, "/v1/users/" + prefix + "w" + std::to_string(i),
                              worker_tokens[i], R"({"country":"US"})", "r" + std::to_string(i));
    if (expect(r, 200, "register", &register_samples)) register_samples.add(micros_since(due));
    positions[i] = r.position;
  });
  const char* workload = o.per_item ? "hot-task-per-item" : "hot-task";
  print_result(workload, reg, 1);

  Samples claim_samples;
  std::int64_t accepted = 0, no_free_slot = 0;
  // The latest accepted claim (all are on the employer's partition): the check reads the task as
  // of it, since on Kafka the projection may trail the answers.
  std::string last_claim;
  std::int64_t last_claim_offset = -1;
  PhaseResult claims = runner.run("claim", slots, o.rate, claim_samples,
                                  [&](Connection& c, std::int64_t i, SteadyClock::time_point due) -> awaitable<void> {
    Reply r = co_await c.call(http::verb::post, "/v1/tasks/" + task_id + "/claims", worker_tokens[i], "",
                              "c" + std::to_string(i), positions[i]);
    if (r.status == 201) ++accepted;
    if (auto colon = r.position.find(':'); r.status == 201 && colon != std::string::npos) {
      std::int64_t offset = std::atoll(r.position.c_str() + colon + 1);
      if (offset > last_claim_offset) last_claim_offset = offset, last_claim = r.position;
    }
    if (r.status == 409) ++no_free_slot;
    if (expect(r, 201, "claim", &claim_samples)) claim_samples.add(micros_since(due));
  });
  print_result(workload, claims, 1);

  // The check: one more worker finds no free slot; the task shows claimed == slots, no more.
  std::int64_t claimed = -1, free_slots = -1;
  int extra_status = 0;
  run_one(io, [&]() -> awaitable<int> {
    Connection& c = runner.any();
    Reply r = co_await c.call(http::verb::post, "/v1/tasks/" + task_id + "/claims", worker_tokens[slots], "",
                              "extra", positions[slots]);
    extra_status = r.status;
    Reply detail = co_await c.call(http::verb::get, "/v1/tasks/" + task_id, emp_token, "", "", last_claim);
    claimed = loadgen::json_integer_field(detail.body, "claimed").value_or(-1);
    free_slots = loadgen::json_integer_field(detail.body, "free_slots").value_or(-1);
    co_return 0;
  }());
  std::int64_t oversold = std::max<std::int64_t>(0, accepted - slots) + std::max<std::int64_t>(0, claimed - slots);
  bool ok = oversold == 0 && extra_status == 409 && accepted == slots && claimed == slots && free_slots == 0;
  std::printf("CHECK workload=%s slots=%lld accepted=%lld rejected_409=%lld claimed=%lld free_slots=%lld "
              "extra_claim_status=%d oversold=%lld result=%s\n",
              workload, static_cast<long long>(slots), static_cast<long long>(accepted), static_cast<long long>(no_free_slot),
              static_cast<long long>(claimed), static_cast<long long>(free_slots), extra_status,
              static_cast<long long>(oversold), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

// --- review ---------------------------------------------------------------------------------------
// `count` workers claim and submit on one task; then the employer approves all of them through
// POST /v1/reviews in calls of 1,000 decisions. Measures decisions/s of the bulk calls.
constexpr std::int64_t kDecisionsPerCall = 1000;

int review(asio::io_context& io, Runner& runner, Tokens& tokens) {
  const Options& o = runner.options();
  const std::string prefix = o.label + "r";
  const std::string employer = prefix + "emp";
  const std::string& emp_token = tokens.of(employer, {"employer", "payments"});
  const std::int64_t slots = o.count;
  std::string task_id;
  bool setup_ok = run_one(io, [&]() -> awaitable<bool> {
    Connection& c = runner.any();
    co_await register_user(c, emp_token, employer);
    std::int64_t units = (slots * (kRewardMicros + kFeeMicros)) / 1'000'000 + 1;
    if (!co_await deposit(c, emp_token, employer, units, prefix + "dep")) co_return false;
    task_id = co_await post_task(c, emp_token, "review task", slots);
    co_return !task_id.empty();
  }());
  if (!setup_ok) return 1;
  std::vector<std::string> claim_ids(static_cast<std::size_t>(slots));
  Samples work_samples;
  PhaseResult work = runner.run("claim-submit", slots, 0, work_samples,
                                [&](Connection& c, std::int64_t i, SteadyClock::time_point due) -> awaitable<void> {
    const std::string user = prefix + "w" + std::to_string(i);
    const std::string token = mint_token(tokens.secret, user, {"worker"}, 86400, SystemClock().now());
    Reply r = co_await c.call(http::verb::put, "/v1/users/" + user, token, R"({"country":"US"})", "r" + user);
    if (!expect(r, 200, "register", &work_samples)) co_return;
    r = co_await c.call(http::verb::post, "/v1/tasks/" + task_id + "/claims", token, "", "c" + user, r.position);
    if (!expect(r, 201, "claim", &work_samples)) co_return;
    claim_ids[i] = loadgen::json_string_field(r.body, "claim_id").value_or("");
    r = co_await c.call(http::verb::post, "/v1/claims/" + claim_ids[i] + "/submission", token,
                        R"({"proof":"https://example.com/proof.png"})", "s" + user);
    if (expect(r, 200, "submit", &work_samples)) work_samples.add(micros_since(due));
  });
  print_result("review", work, 3);

  const std::int64_t calls = (slots + kDecisionsPerCall - 1) / kDecisionsPerCall;
  std::int64_t approved_results = 0;
  std::vector<std::string> review_positions;
  Samples review_samples;
  PhaseResult reviews = runner.run("bulk-review", calls, 0, review_samples,
                                   [&](Connection& c, std::int64_t call, SteadyClock::time_point due) -> awaitable<void> {
    std::string body = R"({"decisions":[)";
    std::int64_t end = std::min(slots, (call + 1) * kDecisionsPerCall);
    for (std::int64_t i = call * kDecisionsPerCall; i < end; ++i) {
      body += (i > call * kDecisionsPerCall ? "," : "");
      body += R"({"claim_id":")" + claim_ids[i] + R"(","action":"approve"})";
    }
    body += "]}";
    Reply r = co_await c.call(http::verb::post, "/v1/reviews", emp_token, std::move(body),
                              prefix + "b" + std::to_string(call));
    if (!expect(r, 200, "bulk review", &review_samples)) co_return;
    review_samples.add(micros_since(due));
    review_positions.push_back(r.position);
    for (std::size_t at = 0; (at = r.body.find("\"status\":200,", at)) != std::string::npos; ++at) {
      ++approved_results;
    }
  });
  print_result("review", reviews, static_cast<double>(kDecisionsPerCall));

  std::int64_t approved = -1;
  run_one(io, [&]() -> awaitable<int> {
    co_await wait_applied(runner.any(), emp_token, review_positions);
    Reply detail = co_await runner.any().call(http::verb::get, "/v1/tasks/" + task_id, emp_token, "", "");
    approved = loadgen::json_integer_field(detail.body, "approved").value_or(-1);
    co_return 0;
  }());
  bool ok = approved_results == slots && approved == slots;
  std::printf("CHECK workload=review slots=%lld approved_results=%lld task_approved=%lld result=%s\n",
              static_cast<long long>(slots), static_cast<long long>(approved_results),
              static_cast<long long>(approved), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

// --- lifecycle ------------------------------------------------------------------------------------
// Connection-independent plan: cycle i is worker (i % W) on task ((i % W) + i / W) % T, so a worker
// never claims the same task twice while i / W < T.
int lifecycle(asio::io_context& io, Runner& runner, Tokens& tokens) {
  const Options& o = runner.options();
  const std::string prefix = o.label + "l";
  const int workers = o.connections * 4;
  const std::int64_t cycles = o.count;
  const int task_count = std::max<int>(o.tasks, static_cast<int>(cycles / workers) + 1);
  const std::int64_t slots_per_task = cycles / task_count + workers + 1;
  std::vector<std::string> employers, worker_names, task_ids, task_owner_token;
  std::vector<std::string> setup_positions;
  std::int64_t deposited_micros = 0;
  for (int e = 0; e < o.employers; ++e) employers.push_back(prefix + "emp" + std::to_string(e));
  for (int w = 0; w < workers; ++w) worker_names.push_back(prefix + "w" + std::to_string(w));
  auto emp_token = [&](int e) -> const std::string& { return tokens.of(employers[e], {"employer", "payments"}); };
  auto worker_token = [&](int w) -> const std::string& { return tokens.of(worker_names[w], {"worker"}); };

  bool setup_ok = run_one(io, [&]() -> awaitable<bool> {
    Connection& c = runner.any();
    int tasks_per_employer = (task_count + o.employers - 1) / o.employers;
    for (int e = 0; e < o.employers; ++e) {
      std::string registered = co_await register_user(c, emp_token(e), employers[e]);
      setup_positions.push_back(registered);
      std::int64_t units = tasks_per_employer * slots_per_task * (kRewardMicros + kFeeMicros) / 1'000'000 + 1;
      if (!co_await deposit(c, emp_token(e), employers[e], units, prefix + "dep")) co_return false;
      deposited_micros += units * 1'000'000;
    }
    for (int t = 0; t < task_count; ++t) {
      int e = t % o.employers;
      std::string position;
      std::string id = co_await post_task(c, emp_token(e), "task " + std::to_string(t), slots_per_task, &position);
      if (id.empty()) co_return false;
      task_ids.push_back(id);
      task_owner_token.push_back(emp_token(e));
      setup_positions.push_back(position);
    }
    for (int w = 0; w < workers; ++w) {
      std::string registered = co_await register_user(c, worker_token(w), worker_names[w]);
      setup_positions.push_back(registered);
    }
    co_await wait_applied(c, worker_token(0), setup_positions);
    co_return true;
  }());
  if (!setup_ok) return 1;

  Samples command_samples, lag_samples;
  std::int64_t approved = 0;
  PhaseResult result = runner.run("command", cycles, o.rate, command_samples,
                                  [&](Connection& c, std::int64_t i, SteadyClock::time_point due) -> awaitable<void> {
    int w = static_cast<int>(i % workers);
    std::size_t t = static_cast<std::size_t>((w + i / workers) % task_count);
    std::string key = prefix + std::to_string(i);
    Reply claim = co_await c.call(http::verb::post, "/v1/tasks/" + task_ids[t] + "/claims", worker_token(w), "", key + "c");
    if (!expect(claim, 201, "claim", &command_samples)) co_return;
    command_samples.add(micros_since(due));
    std::string claim_id = loadgen::json_string_field(claim.body, "claim_id").value_or("");
    auto sent = SteadyClock::now();
    Reply submit = co_await c.call(http::verb::post, "/v1/claims/" + claim_id + "/submission", worker_token(w),
                                   R"({"proof":"done: https://example.com/proof"})", key + "s");
    if (!expect(submit, 200, "submit", &command_samples)) co_return;
    command_samples.add(micros_since(sent));
    sent = SteadyClock::now();
    Reply approve = co_await c.call(http::verb::post, "/v1/claims/" + claim_id + "/approve", task_owner_token[t], "{}", key + "a");
    if (!expect(approve, 200, "approve", &command_samples)) co_return;
    command_samples.add(micros_since(sent));
    ++approved;
    if (o.lag_every > 0 && i % o.lag_every == 0) {
      // Projection lag, bounded above: how long until a read that must see the approval answers.
      sent = SteadyClock::now();
      Reply read = co_await c.call(http::verb::get, "/v1/tasks/" + task_ids[t], worker_token(w), "", "", approve.position);
      if (read.status == 200) lag_samples.add(micros_since(sent));
    }
  });
  print_result("lifecycle", result, 3);
  auto lag = lag_samples.summarize();
  std::printf("RESULT name=lifecycle.projection_lag requests=%zu p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
              lag.count, lag.p50_us / 1000.0, lag.p99_us / 1000.0, lag.p999_us / 1000.0, lag.max_us / 1000.0);

  // The ledger check over what the API shows: every user account plus the platform's fees
  // (approved x fee) must equal what was deposited, so the world account and the rest sum to zero.
  bool read_ok = true;
  std::int64_t users_total = 0;
  std::string last_position;
  run_one(io, [&]() -> awaitable<int> {
    Connection& c = runner.any();
    // Wait for every partition to catch up with the last writes (credits run after approvals).
    std::vector<std::string> probe;
    for (int e = 0; e < o.employers; ++e) {
      std::string registered = co_await register_user(c, emp_token(e), employers[e]);
      probe.push_back(registered);
    }
    for (int w = 0; w < workers; ++w) {
      Reply r = co_await c.call(http::verb::put, "/v1/users/" + worker_names[w], worker_token(w), R"({"country":"FR"})");
      probe.push_back(r.position);
    }
    co_await wait_applied(c, worker_token(0), probe);
    for (int e = 0; e < o.employers; ++e) {
      std::int64_t total = co_await account_total(c, emp_token(e), employers[e], "", &read_ok);
      users_total += total;
    }
    for (int w = 0; w < workers; ++w) {
      std::int64_t total = co_await account_total(c, worker_token(w), worker_names[w], "", &read_ok);
      users_total += total;
    }
    co_return 0;
  }());
  std::int64_t fees = approved * kFeeMicros;
  std::int64_t imbalance = users_total + fees - deposited_micros;
  bool ok = read_ok && imbalance == 0 && command_samples.errors() == 0;
  std::printf("CHECK workload=lifecycle cycles=%lld approved=%lld deposited=%lld users=%lld fees=%lld "
              "ledger_imbalance_micros=%lld errors=%llu result=%s\n",
              static_cast<long long>(result.done), static_cast<long long>(approved),
              static_cast<long long>(deposited_micros), static_cast<long long>(users_total),
              static_cast<long long>(fees), static_cast<long long>(imbalance),
              static_cast<unsigned long long>(command_samples.errors()), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

// --- feed -----------------------------------------------------------------------------------------
int feed(asio::io_context& io, Runner& runner, Tokens& tokens) {
  const Options& o = runner.options();
  const std::string prefix = o.label + "f";
  const std::string employer = prefix + "emp";
  const std::string& token = tokens.of(employer, {"employer", "payments"});
  bool setup_ok = run_one(io, [&]() -> awaitable<bool> {
    Connection& c = runner.any();
    std::vector<std::string> positions;
    std::string registered = co_await register_user(c, token, employer);
    positions.push_back(registered);
    if (!co_await deposit(c, token, employer, o.tasks * 10 * (kRewardMicros + kFeeMicros) / 1'000'000 + 1, prefix + "dep"))
      co_return false;
    for (int t = 0; t < o.tasks; ++t) {
      std::string position;
      std::string id = co_await post_task(c, token, "feed task " + std::to_string(t), 10, &position);
      if (id.empty()) co_return false;
      positions.push_back(position);
    }
    co_await wait_applied(c, token, positions);
    co_return true;
  }());
  if (!setup_ok) return 1;
  std::map<Connection*, std::string> cursors;
  Samples samples;
  std::int64_t bytes = 0, items_seen = 0;
  PhaseResult result = runner.run("page", o.count, o.rate, samples,
                                  [&](Connection& c, std::int64_t, SteadyClock::time_point due) -> awaitable<void> {
    std::string& cursor = cursors[&c];
    std::string target = "/v1/tasks?limit=50";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    Reply r = co_await c.call(http::verb::get, target, token, "");
    if (!expect(r, 200, "feed", &samples)) co_return;
    samples.add(micros_since(due));
    bytes += static_cast<std::int64_t>(r.body.size());
    for (std::size_t at = r.body.find("\"task_id\""); at != std::string::npos; at = r.body.find("\"task_id\"", at + 1)) ++items_seen;
    cursor = loadgen::json_string_field(r.body, "next_cursor").value_or("");
  });
  print_result("feed", result, 1);
  bool ok = samples.errors() == 0 && items_seen > 0;
  std::printf("CHECK workload=feed pages=%lld items=%lld mean_page_bytes=%lld result=%s\n",
              static_cast<long long>(result.done), static_cast<long long>(items_seen),
              static_cast<long long>(result.done > 0 ? bytes / result.done : 0), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

int run_loadgen(const Options& options) {
  Tokens tokens;
  const char* env = std::getenv("MICROJOBS_JWT_SECRET");
  tokens.secret = env != nullptr && *env != '\0' ? env : kDevSecret;
  asio::io_context io(1);
  tcp::endpoint endpoint(asio::ip::make_address(options.host), static_cast<unsigned short>(options.port));
  Runner runner(io, options, endpoint);
  std::fprintf(stderr, "loadgen %s: %d connections, %s loop%s, count %lld\n", options.workload.c_str(),
               options.connections, options.rate > 0 ? "open" : "closed",
               options.rate > 0 ? (" at " + std::to_string(static_cast<long long>(options.rate)) + "/s").c_str() : "",
               static_cast<long long>(options.count));
  if (options.workload == "hot-task") return hot_task(io, runner, tokens);
  if (options.workload == "lifecycle") return lifecycle(io, runner, tokens);
  if (options.workload == "review") return review(io, runner, tokens);
  return feed(io, runner, tokens);
}

}  // namespace

void register_loadgen(CLI::App& app, SubcommandRunners& runners) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("loadgen", "drive a running server with HTTP load and check the result");
  cmd->add_option("workload", options->workload, "lifecycle, hot-task, review or feed")
      ->check(CLI::IsMember({"lifecycle", "hot-task", "review", "feed"}))->capture_default_str();
  cmd->add_option("--host", options->host, "server address")->capture_default_str();
  cmd->add_option("--port", options->port, "server port")->capture_default_str()->check(CLI::Range(1, 65535));
  cmd->add_option("--connections,-c", options->connections, "keep-alive connections")->capture_default_str()->check(CLI::Range(1, 4000));
  cmd->add_option("--count,-n", options->count, "lifecycle: cycles; hot-task, review: slots (= workers); feed: pages")
      ->capture_default_str()->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--rate", options->rate, "open loop at this many per second (0: closed loop)")->capture_default_str();
  cmd->add_option("--max-seconds", options->max_seconds, "each phase stops after this long")->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_option("--lag-every", options->lag_every, "lifecycle: measure projection lag every k cycles (0: never)")->capture_default_str();
  cmd->add_option("--tasks", options->tasks, "lifecycle and feed: tasks to post")->capture_default_str()->check(CLI::Range(1, 100'000));
  cmd->add_option("--employers", options->employers, "lifecycle: employers (spread over partitions)")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--label", options->label, "prefix of every id (default: from the time), so runs do not collide");
  cmd->add_flag("--quiet", options->quiet, "no progress line");
  cmd->add_flag("--per-item", options->per_item, "hot-task: a per_item task, one item per slot uploaded first");
  runners.push_back([cmd, options]() -> int {
    if (!*cmd) return -1;
    if (options->label.empty()) {
      options->label = "g" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch()).count() % 1'000'000) + "_";
    }
    return run_loadgen(*options);
  });
}

}  // namespace microjobs
