// handle() against the real write and read sides: an in-process bus with partition processors on
// a RocksDB log, and a projector thread. One campaign from registration to payment, with
// read-your-writes through X-Min-Position.
#include <gtest/gtest.h>

#include <future>
#include <stop_token>
#include <thread>

#include "api/http.h"
#include "api/page_cache.h"
#include "api_test_support.h"
#include "commands/in_process_bus.h"
#include "projections/projector.h"
#include "projections/read_models.h"

namespace microjobs {
namespace {

using namespace api_testing;

class FlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bus.start().ok());
    projector_thread = std::jthread([this](std::stop_token stop) { projector.run(stop); });
    ApiConfig config;
    config.jwt_secret = std::string(kSecret);
    context = std::make_unique<ApiContext>(bus, read_models, projector, clock, config);
  }
  void TearDown() override {
    context.reset();
    bus.stop();
    projector_thread.request_stop();
    projector_thread.join();
  }

  // Sends with the user's token, waiting for `min_position` when given.
  Response as(std::string_view user, std::vector<std::string> roles, std::string method,
              std::string target, std::string body = "", std::string min_position = "") {
    Request request = make_request(std::move(method), std::move(target), std::move(body),
                                   token_for(user, std::move(roles)));
    if (!min_position.empty()) request.headers["x-min-position"] = min_position;
    return call(*context, request);
  }

  Stores stores{4};
  ManualClock clock{kNow};
  InProcessCommandBus bus{*stores.log, *stores.state_store, clock};
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  std::jthread projector_thread;
  std::unique_ptr<ApiContext> context;
};

TEST_F(FlowTest, CampaignFromRegistrationToPayment) {
  const std::vector<std::string> employer = {"employer"};
  const std::vector<std::string> worker = {"worker"};

  Response emp = as("emp1", employer, "PUT", "/v1/users/emp1", R"({"country":"ID"})");
  ASSERT_EQ(emp.status, 200) << emp.body;
  EXPECT_EQ(member(body_of(emp), "position"), std::string(emp.header("X-Position")));
  Response w1 = as("w1", worker, "PUT", "/v1/users/w1", R"({"country":"ID","display_name":"W"})");
  ASSERT_EQ(w1.status, 200) << w1.body;
  Response again = as("w1", worker, "PUT", "/v1/users/w1", R"({"country":"ID","display_name":"W"})");
  EXPECT_EQ(again.status, 200) << again.body;

  std::string deposit_body = R"({"account":"emp1","amount":"100.00","reference":"bank-1"})";
  Response deposit = as("pay", {"payments"}, "POST", "/v1/deposits", deposit_body);
  ASSERT_EQ(deposit.status, 201) << deposit.body;
  Response repeat = as("pay", {"payments"}, "POST", "/v1/deposits", deposit_body);
  EXPECT_EQ(repeat.status, 201);
  EXPECT_EQ(repeat.body, deposit.body);

  Response task = as("emp1", employer, "POST", "/v1/tasks",
                     R"({"title":"Tag photos","reward":"0.05","slots":2,
                         "targeting":{"countries":["ID"],"min_approval_rate":0.9}})");
  ASSERT_EQ(task.status, 201) << task.body;
  std::string task_id = member(body_of(task), "task_id");
  EXPECT_EQ(member(body_of(task), "escrow"), "0.12");
  std::string task_position(task.header("X-Position"));

  Response feed = as("w1", worker, "GET", "/v1/tasks?country=ID", "", task_position);
  ASSERT_EQ(feed.status, 200) << feed.body;
  JsonValue feed_body = body_of(feed);
  const JsonValue* items = feed_body.find("items");
  ASSERT_EQ(items->items.size(), 1u) << feed.body;
  EXPECT_EQ(member(items->items[0], "free_slots"), "2");

  Response detail = as("w1", worker, "GET", "/v1/tasks/" + task_id, "", task_position);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(member(*body_of(detail).find("targeting"), "min_approval_rate"), "0.9");
  EXPECT_EQ(member(body_of(detail), "status"), "open");

  Response claim = as("w1", worker, "POST", "/v1/tasks/" + task_id + "/claims", "",
                      std::string(w1.header("X-Position")));
  ASSERT_EQ(claim.status, 201) << claim.body;
  std::string claim_id = member(body_of(claim), "claim_id");
  Response twice = as("w1", worker, "POST", "/v1/tasks/" + task_id + "/claims");
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(member(body_of(twice), "code"), "already_claimed");

  Response stranger = as("w2", worker, "POST", "/v1/claims/" + claim_id + "/submission",
                         R"({"proof":"mine"})");
  EXPECT_EQ(stranger.status, 403) << stranger.body;  // decided by the domain: not w2's claim
  Response submit = as("w1", worker, "POST", "/v1/claims/" + claim_id + "/submission",
                       R"({"proof":"done"})");
  ASSERT_EQ(submit.status, 200) << submit.body;
  Response approve = as("emp1", employer, "POST", "/v1/claims/" + claim_id + "/approve", "{}");
  ASSERT_EQ(approve.status, 200) << approve.body;
  EXPECT_EQ(member(body_of(approve), "paid"), "0.05");
  std::string approve_position(approve.header("X-Position"));

  Response account = as("emp1", employer, "GET", "/v1/accounts/emp1", "", approve_position);
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(member(body_of(account), "available"), "99.88");
  EXPECT_EQ(member(body_of(account), "escrow"), "0.06");

  Response reputation = as("emp1", employer, "GET", "/v1/users/w1/reputation", "", approve_position);
  ASSERT_EQ(reputation.status, 200) << reputation.body;
  EXPECT_EQ(member(body_of(reputation), "approved"), "1");
  EXPECT_EQ(member(body_of(reputation), "approval_rate"), "1");
}

TEST_F(FlowTest, IdempotencyKeyRepeatsTheFirstAnswer) {
  Response emp = as("emp1", {"employer"}, "PUT", "/v1/users/emp1", R"({"country":"ID"})");
  ASSERT_EQ(emp.status, 200);
  Response deposit = as("pay", {"payments"}, "POST", "/v1/deposits",
                        R"({"account":"emp1","amount":"10.00","reference":"b"})");
  ASSERT_EQ(deposit.status, 201);
  Request post = make_request("POST", "/v1/tasks", R"({"title":"T","reward":"0.10","slots":3})",
                              token_for("emp1", {"employer"}));
  post.headers["idempotency-key"] = "campaign-1";
  Response first = call(*context, post);
  Response second = call(*context, post);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(second.body, first.body);
}

// A read waiting for X-Min-Position is woken by the projector itself, not by the next poll: with
// an hour between polls, it still answers once the write it waits for is folded.
TEST_F(FlowTest, TheProjectorWakesAReadWaitingForItsPosition) {
  ApiConfig config;
  config.jwt_secret = std::string(kSecret);
  config.min_position_poll = std::chrono::hours(1);
  config.min_position_wait = std::chrono::minutes(2);
  context = std::make_unique<ApiContext>(bus, read_models, projector, clock, config);
  Response first = as("emp1", {"employer"}, "PUT", "/v1/users/emp1", R"({"country":"ID"})");
  ASSERT_EQ(first.status, 200) << first.body;
  auto position = parse_position(first.header("X-Position"));
  ASSERT_TRUE(position.has_value());
  const std::string next = std::to_string(position->partition) + ":" + std::to_string(position->offset + 1);

  Request read = make_request("GET", "/v1/users/emp1", "", token_for("emp1", {"employer"}));
  read.headers["x-min-position"] = next;
  auto answer = std::make_shared<std::promise<Response>>();
  handle(read, *context, [answer](Response response) { answer->set_value(std::move(response)); });
  Response moved = as("emp1", {"employer"}, "PUT", "/v1/users/emp1", R"({"country":"US"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  ASSERT_EQ(moved.header("X-Position"), next);
  auto future = answer->get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  Response seen = future.get();
  EXPECT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(member(body_of(seen), "country"), "US");
}

// The feed's page cache (api/page_cache.h): an unchanged page comes from memory, and no page is
// ever answered that the read models no longer give.
class FeedCacheTest : public FlowTest {
 protected:
  void SetUp() override {
    FlowTest::SetUp();
    ASSERT_EQ(as("emp1", {"employer"}, "PUT", "/v1/users/emp1", R"({"country":"ID"})").status, 200);
    Response deposit = as("pay", {"payments"}, "POST", "/v1/deposits",
                          R"({"account":"emp1","amount":"10.00","reference":"b"})");
    ASSERT_EQ(deposit.status, 201) << deposit.body;
  }
  // Posts a task; returns its position.
  std::string post(const std::string& body) {
    Response task = as("emp1", {"employer"}, "POST", "/v1/tasks", body);
    EXPECT_EQ(task.status, 201) << task.body;
    return std::string(task.header("X-Position"));
  }
  // The feed's task ids as `user` sees them, once the read models reached `position`.
  std::vector<std::string> feed(std::string_view user, std::vector<std::string> roles,
                                const std::string& position) {
    Response page = as(user, std::move(roles), "GET", "/v1/tasks?limit=50", "", position);
    EXPECT_EQ(page.status, 200) << page.body;
    std::vector<std::string> ids;
    const JsonValue body = body_of(page);  // find() points into it: it must outlive the loop
    if (const JsonValue* items = body.find("items")) {
      for (const JsonValue& item : items->items) ids.push_back(member(item, "task_id"));
    }
    return ids;
  }
};

TEST_F(FeedCacheTest, AnUnchangedPageIsAnsweredFromMemory) {
  std::string position = post(R"({"title":"T","reward":"0.10","slots":3})");
  Response first = as("emp1", {"employer"}, "GET", "/v1/tasks?limit=50", "", position);
  Response second = as("emp1", {"employer"}, "GET", "/v1/tasks?limit=50");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("Content-Type"), "application/json");
  EXPECT_EQ(context->feed_cache().hits(), 1u);
}

TEST_F(FeedCacheTest, ANewEventMakesThePageStale) {
  std::string first = post(R"({"title":"A","reward":"0.10","slots":3})");
  EXPECT_EQ(feed("emp1", {"employer"}, first).size(), 1u);
  std::string second = post(R"({"title":"B","reward":"0.10","slots":3})");
  EXPECT_EQ(feed("emp1", {"employer"}, second).size(), 2u);
}

TEST_F(FeedCacheTest, ATaskLeavesTheCachedPageAtItsExpiry) {
  post(R"({"title":"Long","reward":"0.10","slots":3})");
  std::string position = post(R"({"title":"Short","reward":"0.10","slots":3,
                                   "expires_at":"2026-01-01T00:10:00.000Z"})");
  EXPECT_EQ(feed("emp1", {"employer"}, position).size(), 2u);
  EXPECT_EQ(feed("emp1", {"employer"}, position).size(), 2u);
  EXPECT_EQ(context->feed_cache().hits(), 1u);
  clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(feed("emp1", {"employer"}, position).size(), 1u);
}

TEST_F(FeedCacheTest, AWorkersPageIsItsOwn) {
  ASSERT_EQ(as("w1", {"worker"}, "PUT", "/v1/users/w1", R"({"country":"ID"})").status, 200);
  ASSERT_EQ(as("w2", {"worker"}, "PUT", "/v1/users/w2", R"({"country":"US"})").status, 200);
  std::string position = post(R"({"title":"T","reward":"0.10","slots":3,"targeting":{"countries":["ID"]}})");
  EXPECT_EQ(feed("w1", {"worker"}, position).size(), 1u);
  EXPECT_EQ(feed("w2", {"worker"}, position).size(), 0u);
  EXPECT_EQ(feed("w1", {"worker"}, position).size(), 1u);
  EXPECT_EQ(context->feed_cache().hits(), 1u);
}

// /readyz is 503 not_ready until the read models have applied the log as it was at start, then
// 200 for good: later events the projector has not folded yet do not make it unready again.
TEST(Readiness, ReadyOnceTheReadModelsHaveAppliedTheLogAsItWasAtStart) {
  Stores stores{2};
  ManualClock clock{kNow};
  InProcessCommandBus bus{*stores.log, *stores.state_store, clock};
  ASSERT_TRUE(bus.start().ok());
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  ApiConfig writer_config;
  writer_config.jwt_secret = std::string(kSecret);
  ApiContext writer{bus, read_models, projector, clock, writer_config};
  for (std::string user : {"w1", "w2", "w3"}) {
    Request put = make_request("PUT", "/v1/users/" + user, R"({"country":"ID"})", token_for(user, {"worker"}));
    ASSERT_EQ(call(writer, put).status, 200);
  }
  EXPECT_EQ(call(writer, make_request("GET", "/readyz")).status, 200) << "no ready_after: ready at once";

  ApiConfig config = writer_config;
  for (std::int32_t p = 0; p < stores.log->partitions(); ++p) config.ready_after.push_back(stores.log->end(p));
  ApiContext starting{bus, read_models, projector, clock, config};
  Response before = call(starting, make_request("GET", "/readyz"));
  EXPECT_EQ(before.status, 503);
  EXPECT_EQ(before.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(member(body_of(before), "code"), "not_ready");
  EXPECT_EQ(before.header("Retry-After"), "1");
  EXPECT_NE(member(body_of(before), "detail").find("3 events"), std::string::npos) << before.body;

  for (auto folded = projector.step(); folded.ok() && *folded > 0; folded = projector.step()) {}
  Response ready = call(starting, make_request("GET", "/readyz"));
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(member(body_of(ready), "status"), "ready");

  Request later = make_request("PUT", "/v1/users/w4", R"({"country":"ID"})", token_for("w4", {"worker"}));
  ASSERT_EQ(call(writer, later).status, 200);  // appended, not yet applied
  EXPECT_EQ(call(starting, make_request("GET", "/readyz")).status, 200);
  bus.stop();
}

}  // namespace
}  // namespace microjobs
