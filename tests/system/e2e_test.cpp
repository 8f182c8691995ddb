// End to end over real HTTP on loopback against a real `microjobs serve` process: the campaign of
// the skeleton issue, bad input that must change nothing, a restart, idempotency across it, and
// `microjobs rebuild`.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "api/auth.h"
#include "commands/clock.h"
#include "http_client.h"
#include "http_json.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "ledger_check.h"
#include "personal_data_check.h"
#include "real_kafka.h"
#include "run_command.h"
#include "server_process.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::auth;
using testing::body_of;
using testing::eventually;
using testing::num;
using testing::str;
using testing::HttpClient;
using testing::HttpResult;
using testing::ServerProcess;
using testing::TempDir;

constexpr char kSecret[] = "e2e-test-secret";

std::string token(const std::string& user, const std::string& role) {
  return testing::token(kSecret, user, role);
}


std::int64_t log_records(const std::string& data_dir) {
  auto log = LocalEventLog::open_read_only(data_dir + "/log");
  EXPECT_TRUE(log.ok()) << log.error().message;
  return log.ok() ? testing::total_records(**log) : -1;
}

struct World {
  std::string employer = token("emp", "employer");
  std::string other_employer = token("emp2", "employer");
  std::string payments = token("bank", "payments");
  std::vector<std::string> workers;
  std::vector<std::string> worker_tokens;
  std::string task_id;
  std::map<std::string, std::string> claim_of_worker;  // winners only
  std::set<std::string> approved_workers;
  std::set<std::string> rejected_workers;
  std::string idempotent_task;  // emp2's task posted with an Idempotency-Key
  std::string idempotent_position;
};

// Registers a user as itself and returns the registration's position.
std::string register_user(HttpClient& client, const std::string& user, const std::string& role,
                          const std::string& country) {
  HttpResult result = client.request("PUT", "/v1/users/" + user,
                                     R"({"country":")" + country + R"(","display_name":"x"})",
                                     auth(token(user, role)));
  EXPECT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.header("x-position"), str(body_of(result), "position"));
  return result.header("x-position");
}

void set_up_users(HttpClient& client, World& world) {
  register_user(client, "emp", "employer", "US");
  register_user(client, "emp2", "employer", "US");
  for (int i = 0; i < 30; ++i) {
    world.workers.push_back("w" + std::to_string(i));
    world.worker_tokens.push_back(token(world.workers.back(), "worker"));
    std::string position = register_user(client, world.workers.back(), "worker", "ID");
    // Claims look the worker up in the read models: wait until the registration is projected.
    HttpResult seen = client.request("GET", "/v1/users/" + world.workers.back() + "/reputation", "",
                                     auth(world.worker_tokens.back(), {{"X-Min-Position", position}}));
    EXPECT_EQ(seen.status, 200) << seen.body;
  }
  for (const char* who : {"emp", "emp2"}) {
    HttpResult deposit = client.request(
        "POST", "/v1/deposits",
        R"({"account":")" + std::string(who) + R"(","amount":"100.00","reference":"bank-)" + who + R"("})",
        auth(world.payments));
    EXPECT_EQ(deposit.status, 201) << deposit.body;
    EXPECT_EQ(str(body_of(deposit), "amount"), "100.00");
  }
}

void post_and_race(int port, HttpClient& client, World& world) {
  HttpResult posted = client.request(
      "POST", "/v1/tasks",
      R"({"title":"Sign up and review","category":"signup","reward":"0.05","slots":20})",
      auth(world.employer));
  ASSERT_EQ(posted.status, 201) << posted.body;
  json::object task = body_of(posted);
  world.task_id = str(task, "task_id");
  EXPECT_EQ(str(task, "escrow"), "1.20");
  EXPECT_EQ(str(task, "fee"), "0.01");

  std::vector<HttpResult> results(30);
  std::vector<std::thread> racers;
  std::atomic<int> ready{0};
  for (int i = 0; i < 30; ++i) {
    racers.emplace_back([&, i] {
      HttpClient own(port);
      ready.fetch_add(1);
      while (ready.load() < 30) std::this_thread::yield();  // start together
      results[i] = own.request("POST", "/v1/tasks/" + world.task_id + "/claims", "",
                               auth(world.worker_tokens[i]));
    });
  }
  for (auto& racer : racers) racer.join();
  int won = 0, lost = 0;
  for (int i = 0; i < 30; ++i) {
    if (results[i].status == 201) {
      ++won;
      world.claim_of_worker[world.workers[i]] = str(body_of(results[i]), "claim_id");
    } else if (results[i].status == 409 && str(body_of(results[i]), "code") == "no_free_slot") {
      ++lost;
      EXPECT_EQ(results[i].header("content-type"), "application/problem+json");
    } else {
      ADD_FAILURE() << results[i].status << " " << results[i].body;
    }
  }
  EXPECT_EQ(won, 20);
  EXPECT_EQ(lost, 10);
}

// The value of the sample `name{labels}` in parse_metrics.py's output, or -1 when it is absent.
double metric_value(const std::string& parsed, const std::string& sample) {
  auto at = parsed.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stod(parsed.substr(at + sample.size() + 2));
}

// GET /metrics, read by Prometheus's own parser (prometheus-client from PyPI): the race's claims
// are counted by route and status, and by command and outcome.
void expect_metrics(HttpClient& client, const std::string& dir) {
  HttpResult metrics = client.request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  std::ofstream(dir + "/metrics.txt") << metrics.body;
  testing::Ran parsed = testing::run_command(std::string(MICROJOBS_BUILD_DIR) +
                                             "/venv/bin/python " MICROJOBS_SOURCE_DIR
                                             "/tests/system/parse_metrics.py " + dir + "/metrics.txt");
  ASSERT_EQ(parsed.exit_code, 0) << parsed.out;
  for (std::string_view sample : {
           R"(microjobs_http_requests_total{method="POST",route="/v1/tasks/{id}/claims",status="201"} 20)",
           R"(microjobs_http_requests_total{method="POST",route="/v1/tasks/{id}/claims",status="409"} 10)",
           R"(microjobs_http_request_duration_seconds_count{method="POST",route="/v1/tasks/{id}/claims"} 30)",
           R"(microjobs_commands_total{command="ClaimSlot",outcome="accepted"} 20)",
           R"(microjobs_commands_total{command="ClaimSlot",outcome="no_free_slot"} 10)",
           R"(microjobs_build_info{version=")",
       }) {
    EXPECT_NE(parsed.out.find(sample), std::string::npos) << sample << "\n" << parsed.out;
  }
  // The memory of the bounded caches: the campaign's events sit in memtables, and each worker's
  // token (and the employer's) was verified once and remembered.
  EXPECT_GT(metric_value(parsed.out, "microjobs_memtable_bytes{}"), 0) << parsed.out;
  EXPECT_GE(metric_value(parsed.out, "microjobs_token_cache_entries{}"), 31) << parsed.out;
}

std::string submit_and_review(HttpClient& client, World& world) {
  std::map<std::string, std::string> token_of;
  for (std::size_t i = 0; i < world.workers.size(); ++i) token_of[world.workers[i]] = world.worker_tokens[i];
  for (const auto& [worker, claim] : world.claim_of_worker) {
    HttpResult submitted = client.request("POST", "/v1/claims/" + claim + "/submission",
                                          R"({"proof":"https://example.test/proof"})", auth(token_of[worker]));
    EXPECT_EQ(submitted.status, 200) << submitted.body;
    EXPECT_EQ(str(body_of(submitted), "status"), "submitted");
  }
  std::string last_position;
  int reviewed = 0;
  for (const auto& [worker, claim] : world.claim_of_worker) {
    bool approve = reviewed++ < 12;
    HttpResult result =
        approve ? client.request("POST", "/v1/claims/" + claim + "/approve", "{}", auth(world.employer))
                : client.request("POST", "/v1/claims/" + claim + "/reject", R"({"reason":"blurry"})",
                                 auth(world.employer));
    EXPECT_EQ(result.status, 200) << result.body;
    json::object body = body_of(result);
    EXPECT_EQ(str(body, "status"), approve ? "approved" : "rejected");
    if (approve) {
      EXPECT_EQ(str(body, "paid"), "0.05");
      EXPECT_EQ(str(body, "fee"), "0.01");
      world.approved_workers.insert(worker);
    } else {
      world.rejected_workers.insert(worker);
    }
    last_position = result.header("x-position");
  }
  return last_position;
}

void post_idempotently(HttpClient& client, World& world) {
  auto headers = auth(world.other_employer, {{"Idempotency-Key", "campaign-2"}});
  const std::string body = R"({"title":"Label images","reward":"0.10","slots":5})";
  HttpResult first = client.request("POST", "/v1/tasks", body, headers);
  ASSERT_EQ(first.status, 201) << first.body;
  world.idempotent_task = str(body_of(first), "task_id");
  world.idempotent_position = first.header("x-position");
  HttpResult again = client.request("POST", "/v1/tasks", body, headers);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(str(body_of(again), "task_id"), world.idempotent_task);
  EXPECT_EQ(again.header("x-position"), world.idempotent_position);
}

// Everything a demanding employer, worker and auditor would look at after the campaign.
void expect_results(HttpClient& client, const World& world, const std::string& min_position) {
  HttpResult account = client.request("GET", "/v1/accounts/emp", "",
                                      auth(world.employer, {{"X-Min-Position", min_position}}));
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(str(body_of(account), "available"), "98.80");
  EXPECT_EQ(str(body_of(account), "escrow"), "0.48");
  for (std::size_t i = 0; i < world.workers.size(); ++i) {
    const std::string& worker = world.workers[i];
    const bool paid = world.approved_workers.count(worker) > 0;
    // Credits reach the worker's partition through the credit process manager: poll for them.
    bool settled = eventually([&] {
      HttpResult mine = client.request("GET", "/v1/accounts/" + worker, "", auth(world.worker_tokens[i]));
      return mine.status == 200 && str(body_of(mine), "available") == (paid ? "0.05" : "0.00");
    });
    EXPECT_TRUE(settled) << worker;
    json::object reputation = body_of(client.request("GET", "/v1/users/" + worker + "/reputation", "",
                                                     auth(world.worker_tokens[i])));
    EXPECT_EQ(num(reputation, "approved"), paid ? 1 : 0) << worker;
    EXPECT_EQ(num(reputation, "rejected"), world.rejected_workers.count(worker) ? 1 : 0) << worker;
  }
  json::object detail = body_of(client.request("GET", "/v1/tasks/" + world.task_id, "", auth(world.employer)));
  EXPECT_EQ(num(detail, "approved"), 12);
  EXPECT_EQ(num(detail, "rejected"), 8);
  EXPECT_EQ(num(detail, "claimed"), 0);
  EXPECT_EQ(num(detail, "submitted"), 0);
  EXPECT_EQ(num(detail, "free_slots"), 8);
  EXPECT_EQ(str(detail, "status"), "open");
  // The second task is another employer's, maybe on another partition than min_position's: the
  // read names its position (an API process reading another's models may trail by a catch-up).
  json::object feed = body_of(client.request(
      "GET", "/v1/tasks?sort=reward", "",
      auth(world.worker_tokens[0], {{"X-Min-Position", world.idempotent_position}})));
  ASSERT_TRUE(feed.contains("items") && feed["items"].is_array());
  json::array items = feed["items"].as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(str(items[0].as_object(), "task_id"), world.idempotent_task);  // 0.10 before 0.05
  EXPECT_EQ(str(items[1].as_object(), "task_id"), world.task_id);
  EXPECT_EQ(num(items[1].as_object(), "free_slots"), 8);
}

// Bad input of every kind: a clear 4xx problem+json, and nothing appended.
void expect_bad_input_rejected(int port, HttpClient& client, const World& world, const std::string& data_dir) {
  const std::int64_t before = log_records(data_dir);
  struct Case {
    std::string name, method, target, body, bearer;
    int status;
    std::string code;
  };
  std::string claim = world.claim_of_worker.begin()->second;
  std::string forged = world.employer;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const std::string none_token =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJlbXAiLCJyb2xlcyI6WyJlbXBsb3llciJdLCJleHAiOjQxMDI0NDQ4MDB9.";
  std::vector<Case> cases = {
      {"malformed json", "POST", "/v1/tasks", R"({"title":"x","reward":)", world.employer, 400, "malformed_json"},
      {"float money", "POST", "/v1/tasks", R"({"title":"x","reward":0.05,"slots":1})", world.employer, 400, "invalid_field"},
      {"7-decimal money", "POST", "/v1/tasks", R"({"title":"x","reward":"0.0500001","slots":1})", world.employer, 400, "invalid_field"},
      {"negative slots", "POST", "/v1/tasks", R"({"title":"x","reward":"0.05","slots":-3})", world.employer, 400, "invalid_field"},
      {"missing reward", "POST", "/v1/tasks", R"({"title":"x","slots":3})", world.employer, 400, "missing_field"},
      {"misspelt field", "POST", "/v1/tasks", R"({"title":"x","reward":"0.05","slots":1,"max_per_wroker":2})", world.employer, 400, "unknown_field"},
      {"negative deposit", "POST", "/v1/deposits", R"({"account":"emp","amount":"-5.00","reference":"r"})", world.payments, 400, "invalid_field"},
      {"no token", "POST", "/v1/tasks", R"({"title":"x","reward":"0.05","slots":1})", "", 401, "unauthorized"},
      {"forged token", "POST", "/v1/tasks", R"({"title":"x","reward":"0.05","slots":1})", forged, 401, "invalid_token"},
      {"alg none token", "POST", "/v1/tasks", R"({"title":"x","reward":"0.05","slots":1})", none_token, 401, "invalid_token"},
      {"worker approving", "POST", "/v1/claims/" + claim + "/approve", "{}", world.worker_tokens[0], 403, "forbidden"},
      {"another employer's claim", "POST", "/v1/claims/" + claim + "/reject", R"({"reason":"no"})", world.other_employer, 403, "forbidden"},
      {"worker depositing", "POST", "/v1/deposits", R"({"account":"w1","amount":"5.00","reference":"r"})", world.worker_tokens[1], 403, "forbidden"},
      {"insufficient funds", "POST", "/v1/tasks", R"({"title":"x","reward":"500.00","slots":1})", world.employer, 409, "insufficient_funds"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::map<std::string, std::string> headers;
    if (!c.bearer.empty()) headers = auth(c.bearer);
    HttpResult result = client.request(c.method, c.target, c.body, headers);
    EXPECT_EQ(result.status, c.status) << result.body;
    EXPECT_EQ(result.header("content-type"), "application/problem+json");
    json::object problem = body_of(result);
    EXPECT_EQ(str(problem, "code"), c.code);
    EXPECT_EQ(num(problem, "status"), c.status);
    EXPECT_TRUE(problem.contains("title") && problem.contains("detail") && problem.contains("type"));
  }
  // An 8 MiB body is refused before it is read whole.
  std::string big(8 << 20, 'x');
  HttpClient fresh(port);
  std::string request = "POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        world.employer + "\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(big.size()) + "\r\n\r\n" + big;
  HttpResult too_big = fresh.raw(request);
  EXPECT_EQ(too_big.status, 413) << too_big.body;
  EXPECT_EQ(log_records(data_dir), before);
}

TEST(EndToEnd, CampaignOverHttpSurvivesRestartAndRebuild) {
  TempDir dir;
  ServerProcess server(dir.str(), kSecret);
  ASSERT_TRUE(server.start()) << "the server did not start; see " << dir.str() << "/server.log";
  World world;
  std::string last_review;
  {
    HttpClient client(server.port());
    EXPECT_EQ(client.request("GET", "/healthz").status, 200);
    set_up_users(client, world);
    post_and_race(server.port(), client, world);
    ASSERT_EQ(world.claim_of_worker.size(), 20u);
    expect_metrics(client, dir.str());
    last_review = submit_and_review(client, world);
    post_idempotently(client, world);
    expect_results(client, world, last_review);
    expect_bad_input_rejected(server.port(), client, world, dir.str());
  }
  ASSERT_TRUE(server.stop()) << "the server did not stop cleanly on SIGTERM";
  {
    auto log = LocalEventLog::open_read_only(dir.str() + "/log");
    ASSERT_TRUE(log.ok());
    testing::expect_ledger_sound(**log);
  }

  ASSERT_TRUE(server.start());
  {
    HttpClient client(server.port());
    // Ready once the restarted read models have applied the whole log.
    EXPECT_TRUE(testing::eventually([&] { return client.request("GET", "/readyz").status == 200; }));
    expect_results(client, world, last_review);
    HttpResult again = client.request("POST", "/v1/tasks", R"({"title":"Label images","reward":"0.10","slots":5})",
                                      auth(world.other_employer, {{"Idempotency-Key", "campaign-2"}}));
    EXPECT_EQ(again.status, 201);
    EXPECT_EQ(str(body_of(again), "task_id"), world.idempotent_task);
    EXPECT_EQ(again.header("x-position"), world.idempotent_position);
  }
  ASSERT_TRUE(server.stop());

  // `microjobs rebuild` folds the log into new read models equal to the live ones.
  auto dump = [&] {
    auto store = RocksReadStore::open(dir.str() + "/read");
    std::map<std::string, std::string> all;
    (*store)->scan("", "", [&](std::string_view k, std::string_view v) {
      all.emplace(k, v);
      return true;
    });
    return all;
  };
  auto live = dump();
  std::string command = testing::microjobs_binary() + " rebuild --data-dir " + dir.str() +
                        " > " + dir.str() + "/rebuild.log 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto rebuilt = dump();
  EXPECT_GT(live.size(), 50u);
  EXPECT_TRUE(live == rebuilt);
}

void expect_kcat_reads_every_record(const KafkaTopics& topics) {
  auto log = KafkaEventLog::open(KafkaConfig{topics.bootstrap(), topics.events(), 8});
  ASSERT_TRUE(log.ok()) << log.error().message;
  std::int64_t total = testing::total_records(**log);
  std::string out;
  FILE* pipe = popen(("kcat -b " + topics.bootstrap() + " -C -t " + topics.events() + " -e -q -J 2>/dev/null").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[65536];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  std::int64_t seen = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    json::object message = json::parse(line).as_object();
    std::string payload(message.at("payload").as_string());
    auto envelope = decode_envelope(payload);
    ASSERT_TRUE(envelope.has_value()) << payload;
    std::map<std::string, std::string> headers;
    const auto& list = message.at("headers").as_array();
    for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
      headers[std::string(list[i].as_string())] = std::string(list[i + 1].as_string());
    }
    EXPECT_EQ(headers["ce_type"], event_type(envelope->event));
    EXPECT_EQ(headers["ce_id"], envelope->meta.id);
    EXPECT_EQ(headers["mj_hash"], sha256_hex(payload));
    ++seen;
  }
  EXPECT_EQ(seen, total);
  EXPECT_GT(seen, 70);
}

// The same campaign on Kafka, with api, processor and projector in three separate processes; the
// API node serves the projector's read models. The processor is then killed with SIGKILL and
// restarted; the API goes on with the same results.
// `outside_readers`, when given, runs at the end with the API's port, the processes still up.
void play_in_three_processes(const TempDir& dir, const KafkaTopics& topics,
                             const std::function<void(int)>& outside_readers = {}) {
  // Fenced writers on a real broker; librdkafka's mock (a bootstrap without a prefix here) cannot.
  const std::string transactions = topics.prefix() == KafkaTopics::kDefaultPrefix ? "false" : "true";
  const std::string log = topics.url();
  std::filesystem::create_directories(dir.str() + "/processor");
  ServerProcess processor(dir.str() + "/processor", kSecret);
  ASSERT_TRUE(processor.launch({testing::microjobs_binary(), "serve", "--event-log", log, "--role",
                                "processor", "--data-dir", dir.str() + "/processor", "--port-file",
                                dir.str() + "/processor/ready", "--kafka-transactions", transactions},
                               dir.str() + "/processor/ready"));
  std::filesystem::create_directories(dir.str() + "/projector");
  ServerProcess projector(dir.str() + "/projector", kSecret);
  ASSERT_TRUE(projector.launch({testing::microjobs_binary(), "serve", "--event-log", log, "--role",
                                "projector", "--data-dir", dir.str() + "/projector", "--port-file",
                                dir.str() + "/projector/ready"},
                               dir.str() + "/projector/ready"));
  ServerProcess api(dir.str() + "/api", kSecret);
  std::filesystem::create_directories(dir.str() + "/api");
  ASSERT_TRUE(api.start({"--event-log", log, "--role", "api", "--node-id", "api-1", "--read-from",
                         dir.str() + "/projector"}));

  HttpClient client(api.port());
  // The processor joins its consumer group in a few seconds: until then commands time out (503).
  ASSERT_TRUE(eventually([&] {
    return client.request("PUT", "/v1/users/probe", R"({"country":"US"})",
                          auth(token("probe", "worker"), {{"Idempotency-Key", "probe"}})).status == 200;
  }, std::chrono::seconds(60)));
  World world;
  set_up_users(client, world);
  post_and_race(api.port(), client, world);
  ASSERT_EQ(world.claim_of_worker.size(), 20u);
  std::string last_review = submit_and_review(client, world);
  post_idempotently(client, world);
  expect_results(client, world, last_review);

  // kcat, an outside Kafka client, reads every record of the topic: each a valid envelope whose
  // CloudEvents headers match it.
  expect_kcat_reads_every_record(topics);

  // Personal data across the processes: the processor seals it under keys it puts on the keys
  // topic, the API process opens it from there, and the projector's erasure of a worker reaches
  // the API; what analytics teams read (kcat) holds only the sealed text, before and after.
  testing::PersonalDataCampaign personal(client, kSecret, "");
  personal.play();
  const std::string read_topic = "kcat -b " + topics.bootstrap() + " -C -t " + topics.events() + " -e -q -f '%s\\n'";
  personal.expect_sealed_only(testing::run_command(read_topic).out, "the events topic");
  personal.erase_worker();
  personal.expect_sealed_only(testing::run_command(read_topic).out, "the events topic after the erasure");

  // SIGKILL the processor and start it again: it rebuilds from the topic and serves on.
  processor.stop(SIGKILL);
  ASSERT_TRUE(processor.launch({testing::microjobs_binary(), "serve", "--event-log", log, "--role",
                                "processor", "--data-dir", dir.str() + "/processor", "--port-file",
                                dir.str() + "/processor/ready", "--kafka-transactions", transactions},
                               dir.str() + "/processor/ready"));
  HttpResult again;
  ASSERT_TRUE(eventually([&] {
    again = client.request("POST", "/v1/tasks", R"({"title":"Label images","reward":"0.10","slots":5})",
                           auth(world.other_employer, {{"Idempotency-Key", "campaign-2"}}));
    return again.status == 201;
  }, std::chrono::seconds(60)));
  EXPECT_EQ(str(body_of(again), "task_id"), world.idempotent_task);
  EXPECT_EQ(again.header("x-position"), world.idempotent_position);
  expect_results(client, world, last_review);
  if (outside_readers) outside_readers(api.port());
}

// ... beside a throwaway cluster (`microjobs dev-kafka`: librdkafka's mock) ...
TEST(EndToEnd, KafkaDeploymentInSeparateProcessesPlaysTheSameCampaign) {
  TempDir dir;
  ServerProcess cluster(dir.str() + "/kafka", kSecret);
  std::filesystem::create_directories(dir.str() + "/kafka");
  ASSERT_TRUE(cluster.launch({testing::microjobs_binary(), "dev-kafka", "--partitions", "8",
                              "--bootstrap-file", dir.str() + "/kafka/bootstrap"},
                             dir.str() + "/kafka/bootstrap"));
  play_in_three_processes(dir, KafkaTopics(cluster.ready()));
}

// Analytics teams' consumers (tools/examples/), Python and Java, read the whole topic: every chain
// holds and every event validates against the schema the API serves. Then a forged record goes
// into one partition, as a producer that is not ours would write it: both find it.
void expect_outside_consumers_verify(const KafkaTopics& topics, int api_port, const std::string& scratch_dir) {
  const std::string schemas = "http://127.0.0.1:" + std::to_string(api_port) + "/v1/schemas";
  auto log = KafkaEventLog::open(KafkaConfig{topics.bootstrap(), topics.events(), 8});
  ASSERT_TRUE(log.ok()) << log.error().message;
  const std::string events = "\"events\":" + std::to_string(testing::total_records(**log));
  for (const auto& ran : {testing::run_python_consumer(topics, schemas), testing::run_java_consumer(topics, schemas)}) {
    EXPECT_EQ(ran.exit_code, 0) << ran.out;
    EXPECT_NE(ran.out.find("\"schemas_checked\":true"), std::string::npos) << ran.out;
    EXPECT_NE(ran.out.find(events), std::string::npos) << events << "\n" << ran.out;
  }
  auto last = (*log)->read(0, 0, 100'000);  // the partition's last record is last of these
  ASSERT_TRUE(last.ok() && !last->empty());
  last->erase(last->begin(), last->end() - 1);
  auto envelope = json::parse((*last)[0].value).as_object();
  envelope["seq"] = envelope["seq"].as_int64() + 1;  // the next seq, but not chained to the last
  const std::string forged = scratch_dir + "/forged.json";
  const std::int64_t forged_at = (*log)->end(0);  // past the last commit marker, if any
  std::ofstream(forged) << json::serialize(envelope) << "\n";
  auto produced = testing::run_command("kcat -P -b " + topics.bootstrap() + " -t " + topics.events() +
                                       " -p 0 -k " + (*last)[0].key + " " + forged);
  ASSERT_EQ(produced.exit_code, 0) << produced.out;
  for (const auto& ran : {testing::run_python_consumer(topics, schemas), testing::run_java_consumer(topics, schemas)}) {
    EXPECT_EQ(ran.exit_code, 1) << ran.out;
    EXPECT_NE(ran.out.find("partition 0 offset " + std::to_string(forged_at) + ": broken chain"),
              std::string::npos) << ran.out;
  }
}

// ... and on the suite's real Apache Kafka broker, on topics of its own, read from outside.
TEST(EndToEnd, RealKafkaDeploymentInSeparateProcessesPlaysTheSameCampaign) {
  auto topics = testing::real_kafka_topics(8);
  ASSERT_TRUE(topics);
  TempDir dir;
  play_in_three_processes(dir, *topics, [&](int api_port) {
    expect_outside_consumers_verify(*topics, api_port, dir.str());
  });
}

}  // namespace
}  // namespace microjobs
