// Review at scale over real HTTP (issue 8, first part): an employer reads every proof through the
// review queue's cursor and decides 90 submissions in one bulk call, each decision its own command
// and outcome; bad bulk input is refused whole or per decision, with nothing appended for it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

#include "review_fixture.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::eventually;
using testing::HttpResult;

using Review = testing::ReviewFixture;

TEST_F(Review, TheQueueShowsEveryProofOldestFirstThroughItsCursor) {
  play_until_submitted();
  std::vector<json::object> items = queue("submitted", 30);
  ASSERT_EQ(items.size(), static_cast<std::size_t>(kWorkers));
  for (int i = 0; i < kWorkers; ++i) {
    EXPECT_EQ(items[i].at("claim_id").as_string(), claims_[i]);
    EXPECT_EQ(items[i].at("worker_id").as_string(), "w" + std::to_string(i));
    EXPECT_EQ(items[i].at("proof").as_string(), "proof-" + std::to_string(i));
    EXPECT_EQ(items[i].at("status").as_string(), "submitted");
    EXPECT_TRUE(items[i].at("submitted_at").is_string());
    EXPECT_TRUE(items[i].at("reviewed_at").is_null());
  }
  EXPECT_TRUE(queue("approved", 10).empty());
  // Only the owner and auditors read it; bad queries are 400.
  EXPECT_EQ(as("emp2", "employer", "GET", "/v1/tasks/" + task_ + "/submissions").status, 403);
  EXPECT_EQ(as("w1", "worker", "GET", "/v1/tasks/" + task_ + "/submissions").status, 403);
  EXPECT_EQ(as("audit", "auditor", "GET", "/v1/tasks/" + task_ + "/submissions").status, 200);
  EXPECT_EQ(as("emp", "employer", "GET", "/v1/tasks/" + task_ + "/submissions?status=lost").status, 400);
  EXPECT_EQ(as("emp", "employer", "GET", "/v1/tasks/" + task_ + "/submissions?limit=501").status, 400);
  EXPECT_EQ(as("emp", "employer", "GET", "/v1/tasks/" + task_ + "/submissions?cursor=%2F").status, 400);
  EXPECT_EQ(as("emp", "employer", "GET", "/v1/tasks/emp.999/submissions").status, 404);
}

TEST_F(Review, OneBulkCallApprovesSeventyAndRejectsTwenty) {
  play_until_submitted();
  std::vector<std::string> decisions;
  for (int i = 0; i < 70; ++i) decisions.push_back(decision(claims_[i], "approve"));
  for (int i = 70; i < 90; ++i) decisions.push_back(decision(claims_[i], "reject", "blurry"));
  const std::int64_t before = decided_records();
  HttpResult bulk = as("emp", "employer", "POST", "/v1/reviews", body_of(decisions), "bulk-1");
  ASSERT_EQ(bulk.status, 200) << bulk.body;
  json::object body = json::parse(bulk.body).as_object();
  const json::array& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 90u);
  for (int i = 0; i < 90; ++i) {
    const json::object& result = results[i].as_object();
    EXPECT_EQ(result.at("claim_id").as_string(), claims_[i]) << "results in request order";
    EXPECT_EQ(result.at("status").as_int64(), 200) << bulk.body;
    const json::object& outcome = result.at("outcome").as_object();
    EXPECT_EQ(outcome.at("status").as_string(), i < 70 ? "approved" : "rejected");
    if (i < 70) {
      EXPECT_EQ(outcome.at("paid").as_string(), "0.10");
    }
  }
  EXPECT_EQ(decided_records(), before + 90);
  EXPECT_EQ(bulk.header("x-position"), std::string(body.at("position").as_string()));
  // The same call again (same key): every decision answers its first outcome, nothing appended.
  HttpResult again = as("emp", "employer", "POST", "/v1/reviews", body_of(decisions), "bulk-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body).at("position"), body.at("position"));
  EXPECT_EQ(decided_records(), before + 90);

  EXPECT_EQ(queue("submitted", 100).size(), 10u);
  EXPECT_EQ(queue("approved", 100).size(), 70u);
  std::vector<json::object> rejected = queue("rejected", 7);
  ASSERT_EQ(rejected.size(), 20u);
  EXPECT_EQ(rejected[0].at("reason").as_string(), "blurry");
  EXPECT_TRUE(rejected[0].at("reviewed_at").is_string());
  // A single approve of an approved claim, without the key: 409 exists, saying what it is.
  HttpResult second = as("emp", "employer", "POST", "/v1/claims/" + claims_[0] + "/approve", "{}");
  EXPECT_EQ(second.status, 409);
  EXPECT_NE(second.body.find("is already approved"), std::string::npos) << second.body;
  HttpResult task = as("emp", "employer", "GET", "/v1/tasks/" + task_);
  EXPECT_EQ(field(task, "approved"), "70");
  EXPECT_EQ(field(task, "rejected"), "20");
  EXPECT_EQ(field(task, "submitted"), "10");
  // Every approved worker is credited (so clearing:payouts has drained before the ledger fold).
  for (int i = 0; i < 70; ++i) {
    const std::string worker = "w" + std::to_string(i);
    ASSERT_TRUE(eventually([&] { return available(worker) == "0.10"; })) << worker;
  }
  EXPECT_EQ(available("w70"), "0.00");
  testing::expect_ledger_sound(node_->log());
}

TEST_F(Review, BadBulkInputIsRefusedWholeOrPerDecisionAndAppendsNothingForIt) {
  play_until_submitted();
  const std::int64_t before = decided_records();
  std::vector<std::string> too_many(1001, decision(claims_[0], "approve"));
  HttpResult over = as("emp", "employer", "POST", "/v1/reviews", body_of(too_many));
  EXPECT_EQ(over.status, 400) << over.body;
  EXPECT_EQ(over.header("content-type"), "application/problem+json");
  HttpResult no_reason = as("emp", "employer", "POST", "/v1/reviews",
                            body_of({decision(claims_[0], "approve"), decision(claims_[1], "reject")}));
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(no_reason.body.find("decisions[1].reason"), std::string::npos) << no_reason.body;
  EXPECT_EQ(as("emp", "employer", "POST", "/v1/reviews", R"({"decisions":[]})").status, 400);
  EXPECT_EQ(as("emp", "employer", "POST", "/v1/reviews",
               body_of({decision(claims_[0], "pay")})).status, 400);
  EXPECT_EQ(as("w1", "worker", "POST", "/v1/reviews", body_of({decision(claims_[0], "approve")})).status, 403);
  EXPECT_EQ(decided_records(), before) << "a refused request decides nothing";

  // Per decision: another employer's claim and a malformed id fail alone; in the owner's call a
  // revision and one approval are appended, and the approval repeated is 409.
  HttpResult mixed = as("emp2", "employer", "POST", "/v1/reviews",
                        body_of({decision(claims_[0], "approve"), decision("nonsense", "approve")}));
  ASSERT_EQ(mixed.status, 200) << mixed.body;
  json::array results = json::parse(mixed.body).at("results").as_array();
  EXPECT_EQ(results[0].at("status").as_int64(), 403);
  EXPECT_EQ(results[1].at("status").as_int64(), 404);
  EXPECT_TRUE(json::parse(mixed.body).at("position").is_null());
  HttpResult own = as("emp", "employer", "POST", "/v1/reviews",
                      body_of({decision(claims_[2], "revision", "crop it"),
                               decision(claims_[3], "approve"), decision(claims_[3], "approve")}));
  ASSERT_EQ(own.status, 200) << own.body;
  results = json::parse(own.body).at("results").as_array();
  EXPECT_EQ(results[0].at("status").as_int64(), 200);
  EXPECT_EQ(results[0].at("outcome").at("status").as_string(), "revision_requested");
  EXPECT_EQ(results[1].at("status").as_int64(), 200);
  EXPECT_EQ(results[2].at("status").as_int64(), 409) << own.body;  // already approved
  EXPECT_EQ(decided_records(), before + 2);
}

TEST_F(Review, AThousandDecisionsWithLongReasonsFitTheBodyLimit) {
  play_until_submitted();
  const std::string reason(1000, 'r');
  std::vector<std::string> decisions;
  for (int i = 0; i < 1000; ++i) decisions.push_back(decision(claims_[i % kWorkers], "reject", reason));
  const std::string body = body_of(decisions);
  ASSERT_GT(body.size(), 1u << 20) << "the case the body limit must allow";
  HttpResult bulk = as("emp", "employer", "POST", "/v1/reviews", body);
  ASSERT_EQ(bulk.status, 200) << bulk.body.substr(0, 300);
  json::array results = json::parse(bulk.body).at("results").as_array();
  ASSERT_EQ(results.size(), 1000u);
  EXPECT_EQ(results[99].at("status").as_int64(), 200);
  EXPECT_EQ(results[100].at("status").as_int64(), 409) << "the same claim again: already rejected";
}

// The employer's reputation: reviews given, approval rate given and the exact median review time,
// against the review times the queue shows (reviewed_at - submitted_at, whole seconds).
TEST_F(Review, TheEmployersReputationHasTheExactMedianReviewTime) {
  play_until_submitted();
  for (int i = 0; i < 8; ++i) {
    clock_.advance(std::chrono::seconds(i * i * 7 + 3));
    const std::string path = "/v1/claims/" + claims_[i] + (i == 7 ? "/reject" : "/approve");
    ASSERT_EQ(as("emp", "employer", "POST", path, i == 7 ? R"({"reason":"no"})" : "{}").status, 200);
  }
  std::vector<std::int64_t> review_s;
  for (const char* status : {"approved", "rejected"}) {
    for (const json::object& item : queue(status, 100)) {
      auto submitted = parse_rfc3339(std::string(item.at("submitted_at").as_string()));
      auto reviewed = parse_rfc3339(std::string(item.at("reviewed_at").as_string()));
      ASSERT_TRUE(submitted && reviewed);
      review_s.push_back((reviewed->value - submitted->value) / 1000);
    }
  }
  ASSERT_EQ(review_s.size(), 8u);
  std::sort(review_s.begin(), review_s.end());
  const std::int64_t median = (review_s[3] + review_s[4]) / 2;
  HttpResult reputation = as("w0", "worker", "GET", "/v1/users/emp/reputation");
  ASSERT_EQ(reputation.status, 200) << reputation.body;
  EXPECT_EQ(field(reputation, "median_review_s"), std::to_string(median)) << reputation.body;
  EXPECT_EQ(field(reputation, "reviews_given"), "8");
  EXPECT_EQ(field(reputation, "approvals_given"), "7");
  EXPECT_EQ(field(reputation, "rejections_given"), "1");
  EXPECT_EQ(json::parse(reputation.body).at("approval_rate_given").as_double(), 0.875);
  EXPECT_NE(reputation.body.find(R"("approval_rate_given":0.875)"), std::string::npos);
  // One more review makes the count odd: the median is the middle one itself.
  clock_.advance(std::chrono::seconds(1000));
  ASSERT_EQ(as("emp", "employer", "POST", "/v1/claims/" + claims_[8] + "/approve", "{}").status, 200);
  const std::int64_t ninth = (parse_rfc3339(field(as("emp", "employer", "GET", "/v1/claims/" + claims_[8]),
                                                  "reviewed_at"))->value -
                              parse_rfc3339(field(as("emp", "employer", "GET", "/v1/claims/" + claims_[8]),
                                                  "submitted_at"))->value) / 1000;
  review_s.push_back(ninth);
  std::sort(review_s.begin(), review_s.end());
  EXPECT_EQ(field(as("w0", "worker", "GET", "/v1/users/emp/reputation"), "median_review_s"),
            std::to_string(review_s[4]));
}

TEST_F(Review, ABonusIsPaidOncePerKeyAndCreditedLikeAReward) {
  play_until_submitted();
  const std::string claim = "/v1/claims/" + claims_[0];
  ASSERT_EQ(as("emp", "employer", "POST", claim + "/approve", "{}").status, 200);
  const std::string before = field(as("emp", "employer", "GET", "/v1/accounts/emp"), "available");
  const std::string body = R"({"amount":"0.25","reason":"great detail"})";
  HttpResult paid = as("emp", "employer", "POST", claim + "/bonus", body, "bonus-1");
  ASSERT_EQ(paid.status, 201) << paid.body;
  EXPECT_EQ(field(paid, "bonus_id"), claims_[0] + ".b1");
  EXPECT_EQ(field(paid, "amount"), "0.25");
  EXPECT_EQ(field(paid, "fee"), "0.05");
  HttpResult retried = as("emp", "employer", "POST", claim + "/bonus", body, "bonus-1");
  EXPECT_EQ(retried.status, 201);
  EXPECT_EQ(field(retried, "bonus_id"), field(paid, "bonus_id"));
  EXPECT_EQ(field(retried, "position"), field(paid, "position"));
  const std::int64_t after_one = decided_records();
  // Bad input: another body under the key, 7 decimals, a worker, a claim not approved.
  EXPECT_EQ(as("emp", "employer", "POST", claim + "/bonus",
               R"({"amount":"0.30","reason":"great detail"})", "bonus-1").status, 422);
  EXPECT_EQ(as("emp", "employer", "POST", claim + "/bonus",
               R"({"amount":"0.0000001","reason":"r"})").status, 400);
  EXPECT_EQ(as("w0", "worker", "POST", claim + "/bonus", body).status, 403);
  EXPECT_EQ(as("emp2", "employer", "POST", claim + "/bonus", body).status, 403);
  HttpResult not_approved = as("emp", "employer", "POST", "/v1/claims/" + claims_[1] + "/bonus", body);
  EXPECT_EQ(not_approved.status, 409);
  EXPECT_EQ(field(not_approved, "code"), "wrong_state");
  EXPECT_EQ(decided_records(), after_one) << "refused bonuses append nothing";
  EXPECT_TRUE(eventually([&] { return available("w0") == "0.35"; })) << available("w0");
  const Micros spent = *parse_money(before) - *parse_money(field(as("emp", "employer", "GET",
                                                                      "/v1/accounts/emp"), "available"));
  EXPECT_EQ(spent, *parse_money("0.30")) << "the bonus and its fee";
  testing::expect_ledger_sound(node_->log());
}

// A submission nobody reviews is approved by the scheduler when its window passes: at once for a
// task that pays on submission (0 s), after three days by default.
TEST_F(Review, UnreviewedSubmissionsAreApprovedWhenTheirWindowPasses) {
  register_user("emp", "employer");
  deposit("emp", "10.00", "wire-1");
  HttpResult instant = as("emp", "employer", "POST", "/v1/tasks",
                          R"({"title":"t","reward":"0.10","slots":1,"auto_approve_after_s":0})");
  ASSERT_EQ(instant.status, 201) << instant.body;
  const std::string later = post_task_at("emp", 1, "0.10");
  std::vector<std::string> claims;
  for (const std::string& task : {field(instant, "task_id"), later}) {
    const std::string worker = "w" + std::to_string(claims.size());
    register_user(worker, "worker");
    HttpResult claim = as(worker, "worker", "POST", "/v1/tasks/" + task + "/claims");
    ASSERT_EQ(claim.status, 201) << claim.body;
    claims.push_back(field(claim, "claim_id"));
    ASSERT_EQ(as(worker, "worker", "POST", "/v1/claims/" + claims.back() + "/submission",
                 R"({"proof":"done"})").status, 200);
  }
  auto status_of = [&](const std::string& claim) {
    node_->processors().wake_all();
    return field(as("emp", "employer", "GET", "/v1/claims/" + claim), "status");
  };
  EXPECT_TRUE(eventually([&] { return status_of(claims[0]) == "approved"; })) << status_of(claims[0]);
  EXPECT_TRUE(eventually([&] { return available("w0") == "0.10"; }));
  EXPECT_EQ(status_of(claims[1]), "submitted") << "three days have not passed";
  clock_.advance(std::chrono::seconds(3 * 86400));
  EXPECT_TRUE(eventually([&] { return status_of(claims[1]) == "approved"; })) << status_of(claims[1]);
  EXPECT_TRUE(eventually([&] { return available("w1") == "0.10"; }));
  HttpResult reputation = as("w0", "worker", "GET", "/v1/users/emp/reputation");
  EXPECT_EQ(field(reputation, "reviews_given"), "0") << "automatic approvals are not reviews";
  testing::expect_ledger_sound(node_->log());
}

TEST_F(Review, AClaimIsReadByItsWorkerItsOwnerAndAuditorsOnly) {
  play_until_submitted();
  const std::string target = "/v1/claims/" + claims_[5];
  HttpResult mine = as("w5", "worker", "GET", target);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(field(mine, "proof"), "proof-5");
  EXPECT_EQ(field(mine, "status"), "submitted");
  EXPECT_EQ(as("emp", "employer", "GET", target).status, 200);
  EXPECT_EQ(as("audit", "auditor", "GET", target).status, 200);
  EXPECT_EQ(as("w6", "worker", "GET", target).status, 403);
  EXPECT_EQ(as("emp2", "employer", "GET", target).status, 403);
  EXPECT_EQ(as("w5", "worker", "GET", "/v1/claims/" + task_ + ".999").status, 404);
}

}  // namespace
}  // namespace microjobs
