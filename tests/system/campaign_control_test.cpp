// Campaign control over real HTTP (issue 9): one campaign where an employer adds slots to a
// running task, pauses it (claims refused, gone from the feed), resumes it, cancels it with the
// exact refund; a second task expires at its expires_at with its refund; a per_item task of
// 1,000 items hands them out in order and a rejected item comes back first; a targeted task
// refuses by country, approval rate and max_per_worker, and a blocked worker until unblocked —
// balances, counters and feeds exactly right, also after a restart and `microjobs rebuild`. Bad
// input gets its problem+json and appends nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <map>

#include "http_node.h"
#include "rebuild_check.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::eventually;
using testing::HttpResult;

// Tasks here: reward 1.00 + fee 0.20 = 1.20 escrow per slot.
class CampaignControl : public testing::HttpNodeTest {
 protected:
  std::vector<std::string> feed() {
    HttpResult page = as("w0", "worker", "GET", "/v1/tasks?limit=100");
    EXPECT_EQ(page.status, 200) << page.body;
    std::vector<std::string> ids;
    const json::value body = json::parse(page.body);
    for (const json::value& item : body.at("items").as_array()) {
      ids.emplace_back(item.at("task_id").as_string());
    }
    return ids;
  }
  bool in_feed(const std::string& task) {
    std::vector<std::string> ids = feed();
    return std::find(ids.begin(), ids.end(), task) != ids.end();
  }
  HttpResult control(const std::string& task, const std::string& action, const std::string& body = "",
                     const std::string& employer = "emp") {
    return as(employer, "employer", "POST", "/v1/tasks/" + task + "/" + action, body);
  }
  HttpResult claim(const std::string& worker, const std::string& task) {
    return as(worker, "worker", "POST", "/v1/tasks/" + task + "/claims");
  }
  std::string task_field(const std::string& task, const char* name) {
    return field(as("emp", "employer", "GET", "/v1/tasks/" + task), name);
  }
  void play();
  void play_items();
  void play_trust();
  void expect_outcome();
  void expect_trust_outcome();
  void expect_items_outcome();
  // Items of the per_item task in `status` ("" for all), following next_cursor: their numbers.
  std::vector<std::int64_t> item_numbers(const std::string& status, int limit);
  // Claims a slot of the per_item task, checking the item the claim was given.
  std::string claim_item(const std::string& worker, int expected_number);

  std::string task_, short_task_, items_task_, targeted_task_;
  std::string held_claim_;
};

void CampaignControl::play() {
  register_user("emp", "employer");
  register_user("emp2", "employer");
  for (int i = 0; i < 4; ++i) register_user("w" + std::to_string(i), "worker");
  deposit("emp", "20.00", "wire-1");
  task_ = post_task("emp", 2);  // 2.40 escrow
  HttpResult added = control(task_, "slots", R"({"add":3})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(field(added, "slots"), "5");
  EXPECT_EQ(field(added, "escrow"), "3.60");
  HttpResult paused = control(task_, "pause");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(field(paused, "status"), "paused");
  EXPECT_FALSE(in_feed(task_));
  HttpResult refused = claim("w0", task_);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(field(refused, "code"), "task_not_open");
  ASSERT_EQ(field(control(task_, "resume"), "status"), "open");
  EXPECT_TRUE(in_feed(task_));
  HttpResult held = claim("w0", task_);
  ASSERT_EQ(held.status, 201) << held.body;
  held_claim_ = field(held, "claim_id");
  HttpResult cancelled = control(task_, "cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(field(cancelled, "status"), "cancelled");
  EXPECT_EQ(field(cancelled, "refunded"), "4.80") << "4 free slots of 5; one is held";
  EXPECT_FALSE(in_feed(task_));
  EXPECT_EQ(claim("w1", task_).status, 409);
  // The held claim may still finish and be paid.
  ASSERT_EQ(as("w0", "worker", "POST", "/v1/claims/" + held_claim_ + "/submission",
               R"({"proof":"done"})").status, 200);
  ASSERT_EQ(as("emp", "employer", "POST", "/v1/claims/" + held_claim_ + "/approve", "{}").status, 200);

  // A second task ends at its expires_at: gone from the feed at once, refunded by the scheduler.
  HttpResult posted = as("emp", "employer", "POST", "/v1/tasks",
                         R"({"title":"short","reward":"1.00","slots":3,"claim_timeout_s":7200,"expires_at":")" +
                             format_rfc3339(UnixMs{clock_.now().value + 3'600'000}) + R"("})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  short_task_ = field(posted, "task_id");
  ASSERT_EQ(claim("w1", short_task_).status, 201);
  EXPECT_TRUE(in_feed(short_task_));
  clock_.advance(std::chrono::seconds(3600));
  EXPECT_FALSE(in_feed(short_task_)) << "past its expires_at";
  ASSERT_TRUE(eventually([&] {
    node_->processors().wake_all();
    return task_field(short_task_, "status") == "expired";
  }));
  play_items();
  play_trust();
}

// After play_items() (w2 has one rejection, w3 one approval): emp2's task targets US workers with
// an approval rate of 0.9 and one submission each, and emp2 blocks w1 for a while.
void CampaignControl::play_trust() {
  deposit("emp2", "10.00", "wire-4");
  HttpResult posted = as("emp2", "employer", "POST", "/v1/tasks",
                         R"({"title":"trusted","reward":"1.00","slots":3,"claim_timeout_s":86400,)"
                         R"("targeting":{"countries":["US"],"min_approval_rate":0.9},"max_per_worker":1})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  targeted_task_ = field(posted, "task_id");
  HttpResult low_rate = claim("w2", targeted_task_);
  EXPECT_EQ(field(low_rate, "code"), "not_qualified") << "approval rate 0";
  EXPECT_EQ(field(low_rate, "detail"), "the task needs an approval rate of 90 %; yours is 0 % (0 of 1 approved)");
  ASSERT_EQ(as("w0", "worker", "PUT", "/v1/users/w0", R"({"country":"PH"})").status, 200);
  HttpResult abroad = claim("w0", targeted_task_);
  EXPECT_EQ(field(abroad, "code"), "not_qualified") << "not in the US";
  EXPECT_EQ(field(abroad, "detail"), "the task is open to workers in US; your profile says PH");
  EXPECT_FALSE(in_feed(targeted_task_)) << "w0's feed";
  HttpResult w3_claim = claim("w3", targeted_task_);
  ASSERT_EQ(w3_claim.status, 201) << w3_claim.body;
  ASSERT_EQ(as("w3", "worker", "POST", "/v1/claims/" + field(w3_claim, "claim_id") + "/submission",
               R"({"proof":"done"})").status, 200);
  EXPECT_EQ(field(claim("w3", targeted_task_), "code"), "max_per_worker");
  ASSERT_EQ(as("emp2", "employer", "POST", "/v1/blocks", R"({"worker_id":"w1","reason":"spam"})").status,
            201);
  EXPECT_EQ(field(claim("w1", targeted_task_), "code"), "blocked");
  ASSERT_EQ(as("emp2", "employer", "DELETE", "/v1/blocks/w1").status, 200);
  EXPECT_EQ(claim("w1", targeted_task_).status, 201);
}

void CampaignControl::expect_trust_outcome() {
  EXPECT_EQ(task_field(targeted_task_, "claimed"), "1");
  EXPECT_EQ(task_field(targeted_task_, "submitted"), "1");
  EXPECT_EQ(task_field(targeted_task_, "free_slots"), "1");
  HttpResult account = as("emp2", "employer", "GET", "/v1/accounts/emp2");
  EXPECT_EQ(field(account, "available"), "6.40") << account.body;
  EXPECT_EQ(field(account, "escrow"), "3.60");
  EXPECT_TRUE(json::parse(as("emp2", "employer", "GET", "/v1/blocks").body).at("items").as_array().empty());
}

std::string item_ref(int n) { return "row-" + std::to_string(n); }
std::string item_data(int n) {
  return R"({"url":"https://example.com/img/)" + std::to_string(n) + R"(.png","n":)" +
         std::to_string(n) + "}";
}
std::string items_body(int from, int count) {
  std::string body = R"({"items":[)";
  for (int n = from; n < from + count; ++n) {
    body += (n > from ? "," : "") + (R"({"ref":")" + item_ref(n) + R"(","data":)" + item_data(n) + "}");
  }
  return body + "]}";
}

std::string CampaignControl::claim_item(const std::string& worker, int expected_number) {
  HttpResult claimed = claim(worker, items_task_);
  EXPECT_EQ(claimed.status, 201) << claimed.body;
  const json::value body = json::parse(claimed.body);
  const json::value& item = body.at("item");
  EXPECT_EQ(item.at("number").as_int64(), expected_number);
  EXPECT_EQ(item.at("ref").as_string(), item_ref(expected_number));
  EXPECT_EQ(json::serialize(item.at("data")), item_data(expected_number));
  return std::string(body.at("claim_id").as_string());
}

// A per_item campaign of 1,000 slots at 0.01 (+ 0.01 fee): items uploaded in one call; claims
// take them in order; a rejected item comes back first; the employer lists items by status.
void CampaignControl::play_items() {
  register_user("emp3", "employer");
  deposit("emp3", "30.00", "wire-3");
  HttpResult posted = as("emp3", "employer", "POST", "/v1/tasks",
                         R"({"title":"label","reward":"0.01","slots":1000,"per_item":true,)"
                         R"("max_per_worker":1000,"claim_timeout_s":86400})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  items_task_ = field(posted, "task_id");
  EXPECT_FALSE(in_feed(items_task_)) << "no item yet: nothing to claim";
  EXPECT_EQ(field(claim("w2", items_task_), "code"), "no_free_slot");
  HttpResult uploaded = as("emp3", "employer", "POST", "/v1/tasks/" + items_task_ + "/items",
                           items_body(1, 1000));
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  EXPECT_EQ(field(uploaded, "added"), "1000");
  EXPECT_EQ(field(uploaded, "items"), "1000");
  EXPECT_TRUE(in_feed(items_task_));
  const std::string first = claim_item("w2", 1);
  const std::string second = claim_item("w3", 2);
  for (const auto& [worker, claim] : {std::pair<std::string, std::string>{"w2", first},
                                      std::pair<std::string, std::string>{"w3", second}}) {
    ASSERT_EQ(as(worker, "worker", "POST", "/v1/claims/" + claim + "/submission",
                 R"({"proof":"labelled"})").status, 200);
  }
  HttpResult queue = as("emp3", "employer", "GET", "/v1/tasks/" + items_task_ + "/submissions");
  EXPECT_EQ(json::serialize(json::parse(queue.body).at("items").at(0).at("item").at("data")),
            item_data(1)) << "the reviewer sees the item next to the proof";
  ASSERT_EQ(as("emp3", "employer", "POST", "/v1/claims/" + first + "/reject",
               R"({"reason":"wrong label"})").status, 200);
  ASSERT_EQ(as("emp3", "employer", "POST", "/v1/claims/" + second + "/approve", "{}").status, 200);
  claim_item("w3", 1);  // the rejected item comes back first
  claim_item("w2", 3);
}

std::vector<std::int64_t> CampaignControl::item_numbers(const std::string& status, int limit) {
  std::vector<std::int64_t> numbers;
  std::string cursor;
  for (int page = 0; page < 2000; ++page) {
    std::string target = "/v1/tasks/" + items_task_ + "/items?limit=" + std::to_string(limit) +
                         (status.empty() ? "" : "&status=" + status) +
                         (cursor.empty() ? "" : "&cursor=" + cursor);
    HttpResult result = as("emp3", "employer", "GET", target);
    EXPECT_EQ(result.status, 200) << result.body;
    const json::value body = json::parse(result.body);
    for (const json::value& item : body.at("items").as_array()) {
      numbers.push_back(item.at("number").as_int64());
    }
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  return numbers;
}

// After play_items(): item 1 held again (w3), 2 approved, 3 held (w2), 997 unassigned.
void CampaignControl::expect_items_outcome() {
  EXPECT_EQ(item_numbers("approved", 10), std::vector<std::int64_t>{2});
  EXPECT_EQ(item_numbers("claimed", 10), (std::vector<std::int64_t>{1, 3}));
  std::vector<std::int64_t> unassigned = item_numbers("unassigned", 100);
  ASSERT_EQ(unassigned.size(), 997u);
  EXPECT_EQ(unassigned.front(), 4);
  std::vector<std::int64_t> all = item_numbers("", 1000);
  ASSERT_EQ(all.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  HttpResult first = as("emp3", "employer", "GET", "/v1/tasks/" + items_task_ + "/items?limit=1");
  const json::value item = json::parse(first.body).at("items").at(0);
  EXPECT_EQ(item.at("last_outcome").as_string(), "rejected") << first.body;
  EXPECT_EQ(item.at("claims").as_int64(), 2);
  EXPECT_EQ(task_field(items_task_, "unassigned_items"), "997");
  EXPECT_EQ(task_field(items_task_, "free_slots"), "997");
  // 30.00 - 1000 x 0.02 posted; 0.01 paid to w3 and 0.01 fee from one slot's escrow.
  HttpResult account = as("emp3", "employer", "GET", "/v1/accounts/emp3");
  EXPECT_EQ(field(account, "available"), "10.00") << account.body;
  EXPECT_EQ(field(account, "escrow"), "19.98");
}

void CampaignControl::expect_outcome() {
  EXPECT_EQ(task_field(task_, "status"), "cancelled");
  EXPECT_EQ(task_field(task_, "slots"), "5");
  EXPECT_EQ(task_field(task_, "approved"), "1");
  EXPECT_EQ(task_field(short_task_, "status"), "expired");
  EXPECT_EQ(task_field(short_task_, "claimed"), "1");
  HttpResult account = as("emp", "employer", "GET", "/v1/accounts/emp");
  // 20.00 - 6.00 (5 slots) + 4.80 refunded - 3.60 (3 slots) + 2.40 refunded; 1.20 held by w1.
  EXPECT_EQ(field(account, "available"), "17.60") << account.body;
  EXPECT_EQ(field(account, "escrow"), "1.20");
  EXPECT_TRUE(eventually([&] { return available("w0") == "1.00"; }));
  testing::expect_ledger_sound(node_->log());
  EXPECT_EQ(feed(), std::vector<std::string>{items_task_}) << "w0 (now in PH) is not targeted";
  expect_items_outcome();
  expect_trust_outcome();
}

TEST_F(CampaignControl, AddPauseResumeCancelAndExpiryRefundExactly) {
  play();
  expect_outcome();
  // w1's claim on the expired task ends: its slot's escrow comes back too.
  clock_.advance(std::chrono::seconds(3600));
  ASSERT_TRUE(eventually([&] {
    node_->processors().wake_all();
    return field(as("emp", "employer", "GET", "/v1/accounts/emp"), "escrow") == "0.00";
  }));
  EXPECT_EQ(field(as("emp", "employer", "GET", "/v1/accounts/emp"), "available"), "18.80");
  restart();
  last_position_.clear();
  EXPECT_EQ(field(as("emp", "employer", "GET", "/v1/accounts/emp"), "available"), "18.80");
  EXPECT_EQ(task_field(task_, "status"), "cancelled");
  close();
  testing::expect_rebuild_reproduces_read_store(dir_.str());
  open();
  EXPECT_EQ(task_field(short_task_, "status"), "expired");
  expect_items_outcome();
  expect_trust_outcome();
  testing::expect_ledger_sound(node_->log());
}

TEST_F(CampaignControl, BadInputIsRefusedAndAppendsNothing) {
  register_user("emp", "employer");
  register_user("emp2", "employer");
  register_user("w0", "worker");
  deposit("emp", "3.00", "wire-1");
  task_ = post_task("emp", 2);  // 0.60 left
  const std::int64_t before = records();
  auto expect_problem = [&](const HttpResult& result, int status, const std::string& code) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.header("content-type"), "application/problem+json");
    EXPECT_EQ(field(result, "code"), code) << result.body;
  };
  expect_problem(control(task_, "slots", R"({"add":1})"), 409, "insufficient_funds");
  HttpResult too_big = as("emp", "employer", "POST", "/v1/tasks", R"({"title":"t","reward":"1.00","slots":2})");
  expect_problem(too_big, 409, "insufficient_funds");
  EXPECT_EQ(field(too_big, "detail"),
            "posting needs 2.40 (2 slots x (1.00 reward + 0.20 fee)); the available balance is 0.60");
  expect_problem(control(task_, "slots", R"({"add":0})"), 400, "invalid_field");
  expect_problem(control(task_, "slots", R"({"add":"1"})"), 400, "invalid_field");
  expect_problem(control(task_, "slots", "{}"), 400, "missing_field");
  expect_problem(control(task_, "pause", "", "emp2"), 403, "forbidden");
  expect_problem(control(task_, "cancel", "", "emp2"), 403, "forbidden");
  expect_problem(as("w0", "worker", "POST", "/v1/tasks/" + task_ + "/pause"), 403, "forbidden");
  expect_problem(control("emp.99", "pause"), 404, "task_not_found");
  expect_problem(control(task_, "resume"), 409, "exists");
  expect_problem(as("emp", "employer", "POST", "/v1/tasks",
                    R"({"title":"t","reward":"0.10","slots":1,"expires_at":"2020-01-01T00:00:00Z"})"),
                 400, "invalid_field");
  EXPECT_EQ(records(), before) << "refused commands append nothing";
}

// Items: only on a per_item task, never more than its slots, refs unique, each at most 4 KiB,
// 1,000 per call and 900,000 bytes per call; each refusal is problem+json and appends nothing.
TEST_F(CampaignControl, BadItemsAreRefusedAndAppendNothing) {
  register_user("emp", "employer");
  register_user("emp2", "employer");
  deposit("emp", "100.00", "wire-1");
  const std::string plain = post_task("emp", 2);
  HttpResult posted = as("emp", "employer", "POST", "/v1/tasks",
                         R"({"title":"t","reward":"0.01","slots":300,"per_item":true})");
  ASSERT_EQ(posted.status, 201) << posted.body;
  items_task_ = field(posted, "task_id");
  ASSERT_EQ(as("emp", "employer", "POST", "/v1/tasks/" + items_task_ + "/items", items_body(1, 1))
                .status, 201);
  const std::int64_t before = records();
  auto expect_problem = [&](const std::string& task, const std::string& body, int status,
                            const std::string& code, const std::string& employer = "emp") {
    HttpResult result = as(employer, "employer", "POST", "/v1/tasks/" + task + "/items", body);
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.header("content-type"), "application/problem+json");
    EXPECT_EQ(field(result, "code"), code) << result.body;
  };
  expect_problem(plain, items_body(1, 1), 409, "not_per_item");
  expect_problem(items_task_, items_body(2, 300), 409, "too_many_items");
  expect_problem(items_task_, items_body(1, 1), 409, "duplicate_ref");
  expect_problem(items_task_, R"({"items":[{"ref":"a","data":1},{"ref":"a","data":2}]})", 409,
                 "duplicate_ref");
  const std::string big = R"({"items":[{"ref":"big","data":")" + std::string(4095, 'x') + R"("}]})";
  expect_problem(items_task_, big, 400, "invalid_field");
  expect_problem(items_task_, items_body(2, 1001), 400, "invalid_field");
  expect_problem(items_task_, R"({"items":[{"ref":"a"}]})", 400, "missing_field");
  expect_problem(items_task_, R"({"items":[]})", 400, "invalid_field");
  expect_problem(items_task_, items_body(2, 1), 403, "forbidden", "emp2");
  std::string heavy = R"({"items":[)";
  for (int i = 0; i < 250; ++i) {
    heavy += (i ? "," : "") + (R"({"ref":"h)" + std::to_string(i) + R"(","data":")" +
                                std::string(3800, 'x') + R"("})");
  }
  expect_problem(items_task_, heavy + "]}", 413, "items_too_large");
  EXPECT_EQ(records(), before) << "refused items append nothing";
}

// Blocks: a blocked worker's claim is refused on every task of that employer until unblocked;
// the employer lists its blocks; bad input appends nothing.
TEST_F(CampaignControl, ABlockedWorkerIsRefusedUntilUnblocked) {
  register_user("emp", "employer");
  register_user("emp2", "employer");
  register_user("w0", "worker");
  deposit("emp", "10.00", "wire-1");
  deposit("emp2", "10.00", "wire-2");
  task_ = post_task("emp", 2);
  const std::string other = post_task("emp2", 2);
  HttpResult blocked = as("emp", "employer", "POST", "/v1/blocks",
                          R"({"worker_id":"w0","reason":"copied proofs"})");
  ASSERT_EQ(blocked.status, 201) << blocked.body;
  EXPECT_EQ(field(blocked, "worker_id"), "w0");
  HttpResult refused = claim("w0", task_);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(field(refused, "code"), "blocked");
  EXPECT_FALSE(in_feed(task_)) << "a worker's feed hides its blockers' tasks";
  EXPECT_TRUE(in_feed(other));
  EXPECT_EQ(claim("w0", other).status, 201) << "another employer's task";
  HttpResult list = as("emp", "employer", "GET", "/v1/blocks");
  ASSERT_EQ(list.status, 200) << list.body;
  const json::value listed = json::parse(list.body);
  ASSERT_EQ(listed.at("items").as_array().size(), 1u);
  EXPECT_EQ(listed.at("items").as_array()[0].at("reason").as_string(), "copied proofs");
  EXPECT_TRUE(json::parse(as("emp2", "employer", "GET", "/v1/blocks").body)
                  .at("items").as_array().empty());

  const std::int64_t before = records();
  EXPECT_EQ(as("emp", "employer", "POST", "/v1/blocks", R"({"worker_id":"w0","reason":"again"})").status,
            409);
  EXPECT_EQ(as("emp", "employer", "POST", "/v1/blocks", R"({"worker_id":"w0"})").status, 400);
  EXPECT_EQ(as("emp", "employer", "POST", "/v1/blocks", R"({"worker_id":"a/b","reason":"r"})").status,
            400);
  EXPECT_EQ(as("w0", "worker", "POST", "/v1/blocks", R"({"worker_id":"w1","reason":"r"})").status, 403);
  EXPECT_EQ(as("emp2", "employer", "DELETE", "/v1/blocks/w0").status, 404) << "not emp2's block";
  EXPECT_EQ(records(), before);

  HttpResult unblocked = as("emp", "employer", "DELETE", "/v1/blocks/w0");
  ASSERT_EQ(unblocked.status, 200) << unblocked.body;
  EXPECT_TRUE(in_feed(task_));
  EXPECT_EQ(claim("w0", task_).status, 201);
  EXPECT_TRUE(json::parse(as("emp", "employer", "GET", "/v1/blocks").body)
                  .at("items").as_array().empty());
}


// Targeting and trust at claim time, over HTTP: a country list, a minimum approval rate (checked
// against the reputation as last projected; a newcomer without reviews may claim) and
// max_per_worker. Each worker's feed shows the task exactly when its claim would be accepted.
TEST_F(CampaignControl, TargetingByCountryApprovalRateAndMaxPerWorker) {
  register_user("emp", "employer");
  deposit("emp", "20.00", "wire-1");
  for (const char* worker : {"high", "low", "fresh"}) {
    ASSERT_EQ(as(worker, "worker", "PUT", std::string("/v1/users/") + worker, R"({"country":"ID"})").status,
              200);
  }
  register_user("usa", "worker");  // country US
  // A first task builds reputations: high 1 approval; low 1 approval and 1 rejection (0.5).
  HttpResult first = as("emp", "employer", "POST", "/v1/tasks",
                        R"({"title":"t","reward":"1.00","slots":3,"max_per_worker":2})");
  ASSERT_EQ(first.status, 201) << first.body;
  auto review = [&](const std::string& worker, const std::string& action) {
    HttpResult claimed = claim(worker, field(first, "task_id"));
    ASSERT_EQ(claimed.status, 201) << claimed.body;
    const std::string path = "/v1/claims/" + field(claimed, "claim_id");
    ASSERT_EQ(as(worker, "worker", "POST", path + "/submission", R"({"proof":"p"})").status, 200);
    ASSERT_EQ(as("emp", "employer", "POST", path + "/" + action,
                 action == "reject" ? R"({"reason":"no"})" : "{}").status, 200);
  };
  review("high", "approve");
  review("low", "approve");
  review("low", "reject");
  HttpResult targeted = as("emp", "employer", "POST", "/v1/tasks",
                           R"({"title":"ID only","reward":"0.50","slots":5,"max_per_worker":2,)"
                           R"("targeting":{"countries":["ID"],"min_approval_rate":0.8}})");
  ASSERT_EQ(targeted.status, 201) << targeted.body;
  const std::string task = field(targeted, "task_id");
  auto sees = [&](const std::string& worker) {
    HttpResult page = as(worker, "worker", "GET", "/v1/tasks?limit=100");
    return page.body.find(task) != std::string::npos;
  };
  EXPECT_TRUE(sees("high"));
  EXPECT_TRUE(sees("fresh")) << "no reviews yet: no rate to miss";
  EXPECT_FALSE(sees("low"));
  EXPECT_FALSE(sees("usa"));
  HttpResult refused = claim("low", task);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(field(refused, "code"), "not_qualified");
  EXPECT_EQ(field(claim("usa", task), "code"), "not_qualified");
  ASSERT_EQ(claim("fresh", task).status, 201);
  for (int round = 0; round < 2; ++round) {
    HttpResult claimed = claim("high", task);
    ASSERT_EQ(claimed.status, 201) << claimed.body;
    ASSERT_EQ(as("high", "worker", "POST", "/v1/claims/" + field(claimed, "claim_id") + "/submission",
                 R"({"proof":"p"})").status, 200);
  }
  HttpResult third = claim("high", task);
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(field(third, "code"), "max_per_worker");
}

// A profile update that leaves out display_name keeps it; the profile is readable by anyone.
TEST_F(CampaignControl, AProfileUpdateKeepsWhatItLeavesOut) {
  ASSERT_EQ(as("alice", "worker", "PUT", "/v1/users/alice",
               R"({"country":"US","display_name":"Alice B."})").status, 200);
  HttpResult moved = as("alice", "worker", "PUT", "/v1/users/alice", R"({"country":"DE"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(field(moved, "display_name"), "Alice B.");
  HttpResult profile = as("bob", "worker", "GET", "/v1/users/alice");
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(field(profile, "country"), "DE");
  EXPECT_EQ(field(profile, "display_name"), "Alice B.");
  EXPECT_EQ(as("bob", "worker", "GET", "/v1/users/nobody").status, 404);
}

}  // namespace
}  // namespace microjobs
