#pragma once
// A node in this process with a manual clock, its HTTP API on a loopback port, and a client:
// for end-to-end tests over real HTTP that move time without waiting for it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/auth.h"
#include "api/server.h"
#include "domain/partitioner.h"
#include "http_client.h"
#include "ledger_check.h"
#include "test_support.h"
#include "tools/node.h"

namespace microjobs::testing {

inline constexpr char kHttpNodeSecret[] = "http-node-test-secret";

class HttpNodeTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override { close(); }

  // Stops the node as a SIGTERM would and opens it again on the same data directory.
  void restart() {
    close();
    open();
  }
  // Stops the API and the node (they can be opened again with open()).
  void close() {
    client_.reset();
    server_.reset();
    // The node answers what it still holds before the context its replies use goes away.
    if (node_) node_->stop();
    context_.reset();
    node_.reset();
  }
  void open() {
    NodeConfig config;
    config.data_dir = dir_.str();
    config.partitions = kPartitions;
    config.clock = &clock_;
    config.processor.scheduler_interval_ms = 5;
    auto node = EmbeddedNode::open(config);
    ASSERT_TRUE(node.ok()) << node.error().message;
    node_ = std::move(*node);
    ASSERT_TRUE(node_->start().ok());
    ApiConfig api;
    api.jwt_secret = kHttpNodeSecret;
    api.partitions = config.partitions;
    // The node's clock is manual here, so a user's bucket would never refill: suites of
    // thousands of requests as one user (schemathesis) run without the limit, which
    // HandleTest.AUserBeyondItsRateIs429WithRetryAfterAndNothingReachesTheBus tests.
    api.rate_limit_per_s = 0;
    context_ = std::make_unique<ApiContext>(node_->bus(), node_->reads(), node_->progress(),
                                            node_->clock(), api);
    context_->vault = &node_->vault();
    context_->webhook_store = node_->webhook_store();  // as `microjobs serve` wires it
    server_ = std::make_unique<HttpServer>(*context_);
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    port_ = *port;
    client_ = std::make_unique<HttpClient>(*port);
  }

  HttpResult as(const std::string& user, const std::string& role, const std::string& method,
                const std::string& target, const std::string& body = "", std::string key = "") {
    std::map<std::string, std::string> headers = {
        {"Authorization", "Bearer " + mint_token(kHttpNodeSecret, user, {role}, 3600, clock_.now())}};
    if (!key.empty()) headers["Idempotency-Key"] = key;
    if (!last_position_.empty()) headers["X-Min-Position"] = last_position_;
    HttpResult result = client_->request(method, target, body, headers);
    if (!result.header("x-position").empty()) last_position_ = result.header("x-position");
    return result;
  }
  std::string field(const HttpResult& result, const char* name) {
    boost::json::value value = boost::json::parse(result.body);
    const boost::json::value* member = value.as_object().if_contains(name);
    if (member == nullptr) return "<missing>";
    return member->is_string() ? std::string(member->as_string()) : boost::json::serialize(*member);
  }
  void register_user(const std::string& user, const std::string& role) {
    ASSERT_EQ(as(user, role, "PUT", "/v1/users/" + user, R"({"country":"US"})").status, 200);
  }
  void deposit(const std::string& account, const std::string& amount, const std::string& ref) {
    HttpResult result = as("bank", "payments", "POST", "/v1/deposits",
                           R"({"account":")" + account + R"(","amount":")" + amount +
                               R"(","reference":")" + ref + R"("})");
    ASSERT_EQ(result.status, 201) << result.body;
  }
  std::string post_task(const std::string& employer, int slots) {
    HttpResult posted = as(employer, "employer", "POST", "/v1/tasks",
                           R"({"title":"t","reward":"1.00","slots":)" + std::to_string(slots) + "}");
    EXPECT_EQ(posted.status, 201) << posted.body;
    return field(posted, "task_id");
  }
  // The worker claims a slot of the task and submits `proof`; the claim's id ("" on failure).
  std::string claim_and_submit(const std::string& worker, const std::string& task,
                               const std::string& proof = "done") {
    HttpResult claim = as(worker, "worker", "POST", "/v1/tasks/" + task + "/claims");
    EXPECT_EQ(claim.status, 201) << claim.body;
    if (claim.status != 201) return "";
    const std::string id = field(claim, "claim_id");
    HttpResult submitted = as(worker, "worker", "POST", "/v1/claims/" + id + "/submission",
                              R"({"proof":")" + proof + R"("})");
    EXPECT_EQ(submitted.status, 200) << submitted.body;
    return id;
  }
  std::string available(const std::string& user) {
    return field(as(user, "worker", "GET", "/v1/accounts/" + user), "available");
  }
  std::int64_t records() { return testing::total_records(node_->log()); }
  // A user id on the same partition as `other`: ids collide only inside one processor.
  std::string user_beside(const std::string& other, const std::string& prefix) {
    for (int i = 0;; ++i) {
      std::string user = prefix + std::to_string(i);
      if (partition_for(user, kPartitions) == partition_for(other, kPartitions)) return user;
    }
  }
  static constexpr std::int32_t kPartitions = 4;

  TempDir dir_;
  ManualClock clock_{UnixMs{1'795'000'000'000}};
  std::unique_ptr<EmbeddedNode> node_;
  std::unique_ptr<ApiContext> context_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::string last_position_;
  int port_ = 0;  // the HTTP server's, while open
};

}  // namespace microjobs::testing
