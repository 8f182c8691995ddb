// One campaign reviewed every way an employer can, over real HTTP (issue 8's scenario): 100
// workers submit on a 100-slot task; the employer reads the whole queue through its cursor, sends
// 10 back for a revision (they resubmit), approves 70 and rejects 20 in one bulk call each,
// overrides 5 of the rejections, pays 3 bonuses (one retried with its key) and leaves the 10
// resubmissions to the automatic approval. Then every balance, counter, queue and reputation is
// exact, and stays so after a restart and after `microjobs rebuild`. Bad input to the new
// commands gets its problem+json and appends nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <map>

#include "rebuild_check.h"
#include "review_fixture.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::eventually;
using testing::HttpResult;

// Task: 100 slots at 0.10 + a 0.02 fee (20 %, above the 0.01 floor): 12.00 escrow of 100.00.
class ReviewCampaign : public testing::ReviewFixture {
 protected:
  std::string worker(int i) { return "w" + std::to_string(i); }
  std::string claim_path(int i, const std::string& action) {
    return "/v1/claims/" + claims_[i] + "/" + action;
  }
  void bulk(const std::vector<std::string>& decisions, const std::string& key) {
    HttpResult result = as("emp", "employer", "POST", "/v1/reviews", body_of(decisions), key);
    ASSERT_EQ(result.status, 200) << result.body;
    const json::value body = json::parse(result.body);
    for (const json::value& item : body.at("results").as_array()) {
      EXPECT_EQ(item.at("status").as_int64(), 200) << result.body.substr(0, 300);
    }
  }
  void play_the_campaign();
  void expect_the_campaign_exact();
};

void ReviewCampaign::play_the_campaign() {
  play_until_submitted();
  ASSERT_EQ(queue("submitted", 30).size(), 100u) << "the whole queue, page by page";
  for (int i = 0; i < 10; ++i) {
    HttpResult sent_back = as("emp", "employer", "POST", claim_path(i, "revision"),
                              R"({"reason":"show the confirmation page"})");
    ASSERT_EQ(sent_back.status, 200) << sent_back.body;
    ASSERT_EQ(field(sent_back, "status"), "revision_requested");
    ASSERT_EQ(as(worker(i), "worker", "POST", claim_path(i, "submission"),
                 R"({"proof":"proof-v2"})").status, 200);
  }
  std::vector<std::string> approvals, rejections;
  for (int i = 10; i < 80; ++i) approvals.push_back(decision(claims_[i], "approve"));
  for (int i = 80; i < 100; ++i) rejections.push_back(decision(claims_[i], "reject", "blurry"));
  bulk(approvals, "approve-70");
  bulk(rejections, "reject-20");
  for (int i = 80; i < 85; ++i) {
    HttpResult overridden = as("emp", "employer", "POST", claim_path(i, "override"), "{}");
    ASSERT_EQ(overridden.status, 200) << overridden.body;
    EXPECT_EQ(field(overridden, "status"), "approved");
    EXPECT_EQ(field(overridden, "paid"), "0.10");
    EXPECT_EQ(field(overridden, "fee"), "0.02");
  }
  const std::string bonus = R"({"amount":"0.50","reason":"great detail"})";
  for (int i = 10; i < 13; ++i) {
    ASSERT_EQ(as("emp", "employer", "POST", claim_path(i, "bonus"), bonus, "bonus-" + worker(i)).status,
              201);
  }
  HttpResult retried = as("emp", "employer", "POST", claim_path(12, "bonus"), bonus, "bonus-w12");
  EXPECT_EQ(retried.status, 201) << "a retry answers the first outcome";
  EXPECT_EQ(field(retried, "bonus_id"), claims_[12] + ".b1");
  // Nobody reviews the resubmissions: three days later the scheduler approves them.
  clock_.advance(std::chrono::seconds(3 * 86400));
  ASSERT_TRUE(eventually([&] {
    node_->processors().wake_all();
    return field(as("emp", "employer", "GET", "/v1/tasks/" + task_), "approved") == "85";
  }));
}

void ReviewCampaign::expect_the_campaign_exact() {
  HttpResult task = as("emp", "employer", "GET", "/v1/tasks/" + task_);
  EXPECT_EQ(field(task, "approved"), "85") << task.body;
  EXPECT_EQ(field(task, "rejected"), "15");
  EXPECT_EQ(field(task, "submitted"), "0");
  EXPECT_EQ(field(task, "claimed"), "0");
  EXPECT_EQ(field(task, "status"), "open") << "15 slots are free again";
  EXPECT_EQ(queue("approved", 40).size(), 85u);
  EXPECT_EQ(queue("rejected", 40).size(), 15u);
  EXPECT_TRUE(queue("submitted", 40).empty());
  EXPECT_TRUE(queue("revision_requested", 40).empty());
  // Every approved worker has its reward (credits land on their own time); bonuses on top.
  for (int i = 0; i < 100; ++i) {
    const std::string expected = i >= 85 ? "0.00" : (i >= 10 && i < 13) ? "0.60" : "0.10";
    EXPECT_TRUE(eventually([&] { return available(worker(i)) == expected; }))
        << worker(i) << " has " << available(worker(i)) << ", not " << expected;
  }
  HttpResult account = as("emp", "employer", "GET", "/v1/accounts/emp");
  EXPECT_EQ(field(account, "available"), "86.20") << "100 - 12.00 escrow - 3 x (0.50 + 0.10)";
  EXPECT_EQ(field(account, "escrow"), "1.80") << "the 15 free slots";
  HttpResult employer = as("w0", "worker", "GET", "/v1/users/emp/reputation");
  EXPECT_EQ(field(employer, "reviews_given"), "90") << employer.body;
  EXPECT_EQ(field(employer, "approvals_given"), "75");
  EXPECT_EQ(field(employer, "rejections_given"), "15");
  EXPECT_NEAR(json::parse(employer.body).at("approval_rate_given").as_double(), 75.0 / 90, 1e-4);
  for (int i : {0, 50, 80, 99}) {
    HttpResult reputation = as("w0", "worker", "GET", "/v1/users/" + worker(i) + "/reputation");
    EXPECT_EQ(field(reputation, "approved"), i < 85 ? "1" : "0") << worker(i);
    EXPECT_EQ(field(reputation, "rejected"), i < 85 ? "0" : "1") << worker(i);
  }
  testing::LedgerFold fold = testing::expect_ledger_sound(node_->log());
  EXPECT_EQ(fold.balances["platform:fees"], 85 * 20'000 + 3 * 100'000);
  EXPECT_EQ(fold.balances["user:emp:escrow"], 1'800'000);
  EXPECT_EQ(fold.balances["world:deposits"], -100'000'000);
}

TEST_F(ReviewCampaign, EveryReviewPathPaysExactlyAndSurvivesARestartAndARebuild) {
  play_the_campaign();
  expect_the_campaign_exact();
  const std::string median = field(as("w0", "worker", "GET", "/v1/users/emp/reputation"),
                                   "median_review_s");
  restart();
  last_position_.clear();
  expect_the_campaign_exact();
  close();
  testing::expect_rebuild_reproduces_read_store(dir_.str());
  open();
  expect_the_campaign_exact();
  EXPECT_EQ(field(as("w0", "worker", "GET", "/v1/users/emp/reputation"), "median_review_s"), median);
}

// Bad input to the review commands: each its 4xx problem+json, and nothing appended for it.
TEST_F(ReviewCampaign, BadReviewInputIsRefusedAndAppendsNothing) {
  play_until_submitted();
  ASSERT_EQ(as("emp", "employer", "POST", claim_path(0, "revision"), R"({"reason":"again"})").status,
            200);
  ASSERT_EQ(as(worker(0), "worker", "POST", claim_path(0, "submission"), R"({"proof":"v2"})").status,
            200);
  ASSERT_EQ(as("emp", "employer", "POST", claim_path(1, "reject"), R"({"reason":"no"})").status, 200);
  const std::int64_t before = decided_records();
  auto expect_problem = [&](const HttpResult& result, int status, const std::string& code) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.header("content-type"), "application/problem+json");
    EXPECT_EQ(field(result, "code"), code) << result.body;
  };
  std::vector<std::string> too_many(1001, decision(claims_[2], "approve"));
  expect_problem(as("emp", "employer", "POST", "/v1/reviews", body_of(too_many)), 400,
                 "invalid_field");
  expect_problem(as("emp2", "employer", "POST", claim_path(2, "approve"), "{}"), 403, "forbidden");
  expect_problem(as("emp", "employer", "POST", claim_path(0, "revision"), R"({"reason":"twice"})"),
                 409, "revision_limit");
  expect_problem(as("emp", "employer", "POST", claim_path(2, "bonus"),
                    R"({"amount":"0.0000001","reason":"r"})"),
                 400, "invalid_field");
  for (const char* action : {"approve", "reject", "revision", "override", "bonus"}) {
    expect_problem(as(worker(2), "worker", "POST", claim_path(2, action),
                      R"({"reason":"r","amount":"0.10"})"),
                   403, "forbidden");
  }
  expect_problem(as(worker(2), "worker", "POST", "/v1/reviews",
                    body_of({decision(claims_[2], "approve")})),
                 403, "forbidden");
  expect_problem(as("emp", "employer", "POST", claim_path(2, "override"), "{}"), 409,
                 "wrong_state");
  EXPECT_EQ(decided_records(), before) << "refused commands append nothing";
}

// A rejection can be overridden for 30 days, and not a second longer.
TEST_F(ReviewCampaign, AnOverrideAfterThirtyDaysIsRefused) {
  register_user("emp", "employer");
  deposit("emp", "10.00", "wire-1");
  task_ = post_task_at("emp", 2, "0.10");
  for (int i = 0; i < 2; ++i) {
    register_user(worker(i), "worker");
    HttpResult claim = as(worker(i), "worker", "POST", "/v1/tasks/" + task_ + "/claims");
    ASSERT_EQ(claim.status, 201) << claim.body;
    claims_.push_back(field(claim, "claim_id"));
    ASSERT_EQ(as(worker(i), "worker", "POST", claim_path(i, "submission"), R"({"proof":"p"})").status,
              200);
    ASSERT_EQ(as("emp", "employer", "POST", claim_path(i, "reject"), R"({"reason":"no"})").status, 200);
  }
  clock_.advance(std::chrono::seconds(30 * 86400));
  ASSERT_EQ(as("emp", "employer", "POST", claim_path(0, "override"), "{}").status, 200)
      << "the 30th day still counts";
  clock_.advance(std::chrono::seconds(1));
  const std::int64_t before = decided_records();
  HttpResult late = as("emp", "employer", "POST", claim_path(1, "override"), "{}");
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(field(late, "code"), "override_window_closed");
  EXPECT_EQ(late.header("content-type"), "application/problem+json");
  EXPECT_EQ(decided_records(), before);
}


// A worker's own record of its claims (GET /v1/users/{id}/claims): newest first, each with its
// task's title and pay, its status and the reviewer's reason; by status; page by page.
TEST_F(ReviewCampaign, AWorkerKeepsARecordOfItsClaims) {
  play_until_submitted();
  ASSERT_EQ(as("emp", "employer", "POST", claim_path(0, "reject"), R"({"reason":"blurry"})").status,
            200);
  const std::string second_task = post_task_at("emp", 1, "0.25");
  clock_.advance(std::chrono::seconds(5));
  HttpResult second = as(worker(0), "worker", "POST", "/v1/tasks/" + second_task + "/claims");
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_claim = field(second, "claim_id");
  ASSERT_EQ(as(worker(0), "worker", "POST", "/v1/claims/" + second_claim + "/abandon", "{}").status,
            200);

  HttpResult all = as(worker(0), "worker", "GET", "/v1/users/w0/claims");
  ASSERT_EQ(all.status, 200) << all.body;
  const json::value body = json::parse(all.body);
  const json::array& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << all.body;
  EXPECT_EQ(items[0].at("claim_id").as_string(), second_claim) << "newest first";
  EXPECT_EQ(items[0].at("status").as_string(), "abandoned");
  EXPECT_EQ(items[0].at("reward").as_string(), "0.25");
  EXPECT_EQ(items[1].at("claim_id").as_string(), claims_[0]);
  EXPECT_EQ(items[1].at("status").as_string(), "rejected");
  EXPECT_EQ(items[1].at("reason").as_string(), "blurry");
  EXPECT_EQ(items[1].at("title").as_string(), "t");

  const json::value rejected = json::parse(as(worker(0), "worker", "GET",
                                              "/v1/users/w0/claims?status=rejected").body);
  ASSERT_EQ(rejected.at("items").as_array().size(), 1u);
  EXPECT_TRUE(json::parse(as(worker(0), "worker", "GET", "/v1/users/w0/claims?status=approved").body)
                  .at("items").as_array().empty());
  const json::value first_page = json::parse(as(worker(0), "worker", "GET",
                                                "/v1/users/w0/claims?limit=1").body);
  ASSERT_EQ(first_page.at("items").as_array().size(), 1u);
  const std::string cursor(first_page.at("next_cursor").as_string());
  const json::value next_page = json::parse(as(worker(0), "worker", "GET",
                                               "/v1/users/w0/claims?limit=1&cursor=" + cursor).body);
  ASSERT_EQ(next_page.at("items").as_array().size(), 1u);
  EXPECT_EQ(next_page.at("items").as_array()[0].at("claim_id").as_string(), claims_[0]);
  EXPECT_TRUE(next_page.at("next_cursor").is_null());

  EXPECT_EQ(as(worker(1), "worker", "GET", "/v1/users/w0/claims").status, 403);
  EXPECT_EQ(as("audit", "auditor", "GET", "/v1/users/w0/claims").status, 200);
  EXPECT_EQ(as(worker(0), "worker", "GET", "/v1/users/w0/claims?status=lost").status, 400);
}

}  // namespace
}  // namespace microjobs
