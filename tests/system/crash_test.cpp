// The crash loop (RocksDB's db_crashtest, in our terms): `microjobs serve` on the embedded log
// under a mixed load from four client threads — deposits, tasks, claims, proofs, reviews,
// withdrawals and their settlement, each with an Idempotency-Key — is killed with SIGKILL at a
// random moment, started again on the same data dir, and checked before the next cycle:
// - every command the client got a 2xx for is in the log with that answer: sent again with its
//   key it gets the same status, body and X-Position (the event's place in the log);
// - every command in flight at the kill (no answer, or a 5xx) gets one outcome: sent twice, both
//   answers agree, and when the log (read after the kill) holds its record, the answer is a 2xx
//   with that record's position;
// - no command id is in the log twice (nothing applied twice), and `microjobs audit --diff` exits
//   0: every chain verifies, the ledger sums to zero with no account below zero, and the node's
//   read models equal the audit's fold of the log.
// MICROJOBS_CRASH_CYCLES (default 10; `tools/crashtest` runs 100) and MICROJOBS_CRASH_SEED (default
// random, printed). The seed fixes the commands' mix and how many answers come before each kill;
// which commands are in flight then depends on timing, so a run cannot be replayed exactly.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "commands/event_log.h"
#include "domain/codec/envelope.h"
#include "domain/command_id.h"
#include "http_json.h"
#include "infra/rocksdb/stores.h"
#include "run_command.h"
#include "server_process.h"

namespace microjobs {
namespace {

using testing::auth;
using testing::body_of;
using testing::HttpClient;
using testing::HttpResult;
using testing::str;

constexpr char kSecret[] = "crash-test-secret";
constexpr int kThreads = 4;  // connections with a command in flight at each kill
constexpr int kWorkersPerThread = 6;

std::string token(const std::string& user, const std::string& role) {
  return testing::token(kSecret, user, role);
}

std::uint64_t env_number(const char* name, std::uint64_t otherwise) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? otherwise : std::strtoull(text, nullptr, 10);
}

// One command as the client sent it, and its answer if one came (status -1: none).
struct Sent {
  std::string method, target, body, user, role, key;
  std::string command_id;  // as the envelope carries it
  int status = -1;
  std::string answer, position;
};

Sent make(std::string method, std::string target, std::string body, std::string user, std::string role) {
  Sent command;
  command.method = std::move(method);
  command.target = std::move(target);
  command.body = std::move(body);
  command.user = std::move(user);
  command.role = std::move(role);
  return command;
}

bool succeeded(int status) { return status >= 200 && status <= 299; }

HttpResult send(HttpClient& client, const Sent& command) {
  try {
    return client.request(command.method, command.target, command.body,
                          auth(token(command.user, command.role), {{"Idempotency-Key", command.key}}));
  } catch (const std::exception& error) {  // the server is gone: connection refused
    return HttpResult{-1, {}, error.what()};
  }
}

// Every command of one cycle, from every thread.
struct Journal {
  std::mutex mutex;
  std::vector<Sent> sent;
  std::atomic<int> answered{0};
};

// One load thread: its own employer and workers, and what it learned from the answers it got.
class Load {
 public:
  Load(int thread, std::uint64_t seed) : thread_(thread), engine_(seed) {
    employer_ = "e" + std::to_string(thread);
    for (int i = 0; i < kWorkersPerThread; ++i) {
      workers_.push_back("w" + std::to_string(thread) + "-" + std::to_string(i));
    }
  }
  const std::string& employer() const { return employer_; }
  const std::vector<std::string>& workers() const { return workers_; }

  // Sends commands until `stop`, or until the server stops answering.
  void run(int port, int cycle, Journal& journal, const std::atomic<bool>& stop) {
    HttpClient client(port);
    for (int n = 0; !stop; ++n) {
      Sent command = next();
      command.key = "c" + std::to_string(cycle) + "-t" + std::to_string(thread_) + "-" + std::to_string(n);
      if (command.command_id.empty()) command.command_id = client_command_id(command.user, command.key).text();
      HttpResult result = send(client, command);
      command.status = result.status;
      command.answer = result.body;
      command.position = result.header("x-position");
      learn(command);
      {
        std::lock_guard lock(journal.mutex);
        journal.sent.push_back(command);
      }
      if (result.status < 0) return;
      journal.answered += 1;
    }
  }

 private:
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  const std::string& any_worker() { return workers_[below(workers_.size())]; }

  Sent next() {
    const std::uint64_t roll = below(100);
    if (roll < 4) {
      const std::string reference = "r" + std::to_string(engine_());
      Sent deposit = make("POST", "/v1/deposits", R"({"account":")" + employer_ +
                          R"(","amount":"5.00","reference":")" + reference + R"("})", "bank", "payments");
      deposit.command_id = deposit_command_id(UserId{employer_}, reference).text();
      return deposit;
    }
    if (roll < 10 || tasks_.empty()) {
      return make("POST", "/v1/tasks", R"({"title":"Crash","reward":"0.05","slots":4})", employer_, "employer");
    }
    if (roll < 40) return make("POST", "/v1/tasks/" + pick(tasks_) + "/claims", "", any_worker(), "worker");
    if (roll < 60 && !claimed_.empty()) {
      auto [claim, worker] = claimed_[below(claimed_.size())];
      return make("POST", "/v1/claims/" + claim + "/submission", R"({"proof":"https://example.test/p"})",
              worker, "worker");
    }
    if (roll < 82 && !submitted_.empty()) {
      const std::string claim = pick(submitted_);
      if (below(4) == 0) {
        return make("POST", "/v1/claims/" + claim + "/reject", R"({"reason":"blurry"})", employer_, "employer");
      }
      return make("POST", "/v1/claims/" + claim + "/approve", "{}", employer_, "employer");
    }
    if (roll < 91 || withdrawals_.empty()) {
      return make("POST", "/v1/withdrawals", R"({"amount":"0.05","destination":"bank-acct"})", any_worker(), "worker");
    }
    const std::string withdrawal = pick(withdrawals_);
    if (below(3) == 0) {
      return make("POST", "/v1/withdrawals/" + withdrawal + "/fail", R"({"reason":"closed"})", "bank", "payments");
    }
    return make("POST", "/v1/withdrawals/" + withdrawal + "/complete", "{}", "bank", "payments");
  }

  const std::string& pick(const std::vector<std::string>& from) { return from[below(from.size())]; }

  // What a 2xx teaches: a task, claim, submission or withdrawal to act on next.
  void learn(const Sent& command) {
    if (!succeeded(command.status)) return;
    const auto body = body_of(HttpResult{command.status, {}, command.answer});
    const std::string& target = command.target;
    if (target == "/v1/tasks") tasks_.push_back(str(body, "task_id"));
    if (target.ends_with("/claims")) claimed_.emplace_back(str(body, "claim_id"), command.user);
    if (target.ends_with("/submission")) submitted_.push_back(str(body, "claim_id"));
    if (target == "/v1/withdrawals") withdrawals_.push_back(str(body, "withdrawal_id"));
  }

  int thread_;
  std::mt19937_64 engine_;
  std::string employer_;
  std::vector<std::string> workers_;
  std::vector<std::string> tasks_, submitted_, withdrawals_;
  std::vector<std::pair<std::string, std::string>> claimed_;  // (claim, worker)
};

// Sends a command again until the restarted server answers other than 503 (it may still be
// rebuilding), within a deadline; nullopt when it never does.
std::optional<HttpResult> send_again(HttpClient& client, const Sent& command) {
  HttpResult result;
  const bool answered = testing::eventually([&] {
    result = send(client, command);
    return result.status >= 0 && result.status != 503;
  }, std::chrono::seconds(60));
  if (!answered) return std::nullopt;
  return result;
}

std::string problem_code(const HttpResult& result) {
  return succeeded(result.status) ? std::string() : str(body_of(result), "code");
}

// Each record's command id with its position ("partition:offset"), read from the log as an
// outside reader does: read only, beside a live server or after it died.
std::multimap<std::string, std::string> commands_in_log(const std::string& data_dir) {
  std::multimap<std::string, std::string> commands;
  auto log = LocalEventLog::open_read_only(data_dir + "/log");
  EXPECT_TRUE(log.ok()) << log.error().message;
  if (!log.ok()) return commands;
  for (std::int32_t p = 0; p < (*log)->partitions(); ++p) {
    for (std::int64_t from = 0;;) {
      auto records = (*log)->read(p, from, 10'000);
      EXPECT_TRUE(records.ok());
      if (!records.ok() || records->empty()) break;
      for (const LogRecord& record : *records) {
        auto envelope = decode_envelope(record.value);
        EXPECT_TRUE(envelope.has_value()) << "partition " << p << " offset " << record.offset;
        if (envelope) commands.emplace(envelope->meta.command_id, std::to_string(p) + ":" + std::to_string(record.offset));
        from = record.after();
      }
    }
  }
  return commands;
}

void expect_nothing_applied_twice(const std::multimap<std::string, std::string>& commands) {
  for (auto it = commands.begin(); it != commands.end(); it = commands.upper_bound(it->first)) {
    EXPECT_EQ(commands.count(it->first), 1u) << "command " << it->first << " is in the log more than once";
  }
}

// A 2xx answer comes back the same when its command is sent again.
void expect_kept(HttpClient& client, const Sent& command) {
  auto again = send_again(client, command);
  ASSERT_TRUE(again.has_value()) << "the restarted server does not answer";
  EXPECT_EQ(again->status, command.status) << again->body;
  EXPECT_EQ(again->body, command.answer);
  EXPECT_EQ(again->header("x-position"), command.position);
}

// A command without an answer gets one outcome; the log's record, if there is one, decides it.
void expect_one_outcome(HttpClient& client, const Sent& command, const std::multimap<std::string, std::string>& logged) {
  auto first = send_again(client, command);
  auto second = send_again(client, command);
  ASSERT_TRUE(first && second) << "the restarted server does not answer";
  EXPECT_EQ(first->status, second->status) << first->body << "\n" << second->body;
  EXPECT_EQ(problem_code(*first), problem_code(*second));
  if (succeeded(first->status)) {
    EXPECT_EQ(first->body, second->body);
    EXPECT_EQ(first->header("x-position"), second->header("x-position"));
  }
  if (auto record = logged.find(command.command_id); record != logged.end()) {
    EXPECT_TRUE(succeeded(first->status)) << "in the log at " << record->second << ", answered " << first->body;
    EXPECT_EQ(first->header("x-position"), record->second);
  }
}

// The checks after a restart, for each command of the cycle; `logged`: the log after the kill.
void expect_each_answer_kept(int port, const std::vector<Sent>& sent,
                             const std::multimap<std::string, std::string>& logged) {
  HttpClient client(port);
  int kept = 0, in_flight = 0, in_flight_logged = 0;
  for (const Sent& command : sent) {
    SCOPED_TRACE(command.method + " " + command.target + " key " + command.key);
    if (succeeded(command.status)) {
      ASSERT_NO_FATAL_FAILURE(expect_kept(client, command));
      kept += 1;
    } else if (command.status < 0 || command.status >= 500) {
      ASSERT_NO_FATAL_FAILURE(expect_one_outcome(client, command, logged));
      in_flight += 1;
      in_flight_logged += logged.contains(command.command_id);
    }
  }
  std::cout << "[ crash      ] " << sent.size() << " sent, " << kept << " answered 2xx kept, "
            << in_flight << " in flight retried (" << in_flight_logged << " of them in the log)"
            << std::endl;  // flushed: a fork copies the buffer
}

// `microjobs audit --diff` until the read models have caught up with the log (bounded).
void expect_audit_clean(const std::string& data_dir, int port) {
  const std::string audit = "MICROJOBS_JWT_SECRET=" + std::string(kSecret) + " " +
                            testing::microjobs_binary() + " audit --data-dir " + data_dir +
                            " --diff http://127.0.0.1:" + std::to_string(port);
  testing::Ran ran;
  const bool clean = testing::eventually([&] {
    ran = testing::run_command(audit);
    return ran.exit_code == 0;
  }, std::chrono::seconds(60));
  EXPECT_TRUE(clean) << ran.out;
  const auto last_line = ran.out.find_last_of('\n', ran.out.size() >= 2 ? ran.out.size() - 2 : 0);
  std::cout << "[ audit      ] " << ran.out.substr(last_line == std::string::npos ? 0 : last_line + 1)
            << std::flush;
}

class CrashLoop : public ::testing::Test {
 protected:
  void register_everyone(int port, std::vector<Load>& loads) {
    HttpClient client(port);
    for (Load& load : loads) {
      std::vector<std::pair<std::string, std::string>> users = {{load.employer(), "employer"}};
      for (const std::string& worker : load.workers()) users.emplace_back(worker, "worker");
      for (const auto& [user, role] : users) {
        HttpResult registered = client.request("PUT", "/v1/users/" + user, R"({"country":"ID"})",
                                               auth(token(user, role)));
        ASSERT_EQ(registered.status, 200) << registered.body;
        // Claims read the worker from the read models: wait until the registration is there.
        HttpResult seen = client.request("GET", "/v1/users/" + user + "/reputation", "",
                                         auth(token(user, role), {{"X-Min-Position", registered.header("x-position")}}));
        ASSERT_EQ(seen.status, 200) << seen.body;
      }
      HttpResult deposit = client.request("POST", "/v1/deposits",
          R"({"account":")" + load.employer() + R"(","amount":"1000.00","reference":"start"})",
          auth(token("bank", "payments")));
      ASSERT_EQ(deposit.status, 201) << deposit.body;
    }
  }

  // Load from every thread until `answers` came back, then SIGKILL while commands are in flight.
  std::vector<Sent> load_and_kill(testing::ServerProcess& server, std::vector<Load>& loads, int cycle, int answers) {
    Journal journal;
    std::atomic<bool> stop{false};
    std::vector<std::jthread> threads;
    for (Load& load : loads) {
      threads.emplace_back([&, port = server.port()] { load.run(port, cycle, journal, stop); });
    }
    EXPECT_TRUE(testing::eventually([&] { return journal.answered >= answers; }, std::chrono::seconds(120)));
    server.stop(SIGKILL);
    stop = true;
    threads.clear();  // joins
    return std::move(journal.sent);
  }
};

TEST_F(CrashLoop, EveryAnswerSurvivesSigkillAndTheReadModelsEqualTheLog) {
  const std::uint64_t cycles = env_number("MICROJOBS_CRASH_CYCLES", 10);
  const std::uint64_t seed = env_number("MICROJOBS_CRASH_SEED", std::random_device{}());
  std::cout << "[ crash      ] seed " << seed << " (MICROJOBS_CRASH_SEED=" << seed << "), " << cycles << " cycles" << std::endl;
  std::mt19937_64 engine(seed);
  testing::TempDir dir;
  testing::ServerProcess server(dir.str(), kSecret);
  const std::vector<std::string> flags = {"--min-withdrawal", "0.01"};
  ASSERT_TRUE(server.start(flags));
  std::vector<Load> loads;
  for (int thread = 0; thread < kThreads; ++thread) loads.emplace_back(thread, engine());
  ASSERT_NO_FATAL_FAILURE(register_everyone(server.port(), loads));
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + " of seed " + std::to_string(seed));
    const int answers = 100 + static_cast<int>(engine() % 1500);
    std::vector<Sent> sent = load_and_kill(server, loads, static_cast<int>(cycle), answers);
    const auto logged = commands_in_log(dir.str());  // the server is down: the log as it died
    ASSERT_TRUE(server.start(flags)) << "the server did not start again after SIGKILL";
    expect_each_answer_kept(server.port(), sent, logged);
    expect_audit_clean(dir.str(), server.port());
    expect_nothing_applied_twice(commands_in_log(dir.str()));
    if (HasFailure()) return;
  }
  std::cout << "[ crash      ] " << cycles << " cycles survived\n";
}

}  // namespace
}  // namespace microjobs
