#pragma once
// The review tests' fixture: a node over real HTTP where employer "emp" posts a task of 100
// slots at 0.10 and 100 workers claim and submit, plus readers of the review queue.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "domain/codec/envelope.h"
#include "http_node.h"

namespace microjobs::testing {

class ReviewFixture : public HttpNodeTest {
 protected:
  static constexpr int kWorkers = 100;

  // emp posts a task of 100 slots at 0.10; 100 workers claim and submit "proof-i" in order.
  void play_until_submitted() {
    register_user("emp", "employer");
    register_user("emp2", "employer");
    deposit("emp", "100.00", "wire-1");
    task_ = post_task_at("emp", kWorkers, "0.10");
    for (int i = 0; i < kWorkers; ++i) {
      std::string worker = "w" + std::to_string(i);
      register_user(worker, "worker");
      HttpResult claim = as(worker, "worker", "POST", "/v1/tasks/" + task_ + "/claims");
      ASSERT_EQ(claim.status, 201) << claim.body;
      claims_.push_back(field(claim, "claim_id"));
      clock_.advance(std::chrono::milliseconds(10));  // submissions get distinct times
      ASSERT_EQ(as(worker, "worker", "POST", "/v1/claims/" + claims_.back() + "/submission",
                   R"({"proof":"proof-)" + std::to_string(i) + R"("})").status, 200);
    }
  }
  std::string post_task_at(const std::string& employer, int slots, const std::string& reward) {
    HttpResult posted = as(employer, "employer", "POST", "/v1/tasks",
                           R"({"title":"t","reward":")" + reward + R"(","slots":)" +
                               std::to_string(slots) + "}");
    EXPECT_EQ(posted.status, 201) << posted.body;
    return field(posted, "task_id");
  }
  // Every item of the queue in `status`, following next_cursor with pages of `limit`.
  std::vector<boost::json::object> queue(const std::string& status, int limit) {
    std::vector<boost::json::object> items;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string target = "/v1/tasks/" + task_ + "/submissions?status=" + status +
                           "&limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor);
      HttpResult result = as("emp", "employer", "GET", target);
      EXPECT_EQ(result.status, 200) << result.body;
      boost::json::object body = boost::json::parse(result.body).as_object();
      for (const boost::json::value& item : body.at("items").as_array()) items.push_back(item.as_object());
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    return items;
  }
  static std::string decision(const std::string& claim, const std::string& action,
                              const std::string& reason = "") {
    std::string out = R"({"claim_id":")" + claim + R"(","action":")" + action + "\"";
    if (!reason.empty()) out += R"(,"reason":")" + reason + "\"";
    return out + "}";
  }
  static std::string body_of(const std::vector<std::string>& decisions) {
    std::string out = R"({"decisions":[)";
    for (std::size_t i = 0; i < decisions.size(); ++i) out += (i ? "," : "") + decisions[i];
    return out + "]}";
  }

  // Records other than credits (which the credit manager appends on its own time).
  std::int64_t decided_records() {
    std::int64_t count = 0;
    for (std::int32_t p = 0; p < node_->log().partitions(); ++p) {
      auto records = node_->log().read(p, 0, 1'000'000);
      EXPECT_TRUE(records.ok());
      for (const LogRecord& record : *records) count += peek_type(record.value) != WorkerCredited::kType;
    }
    return count;
  }

  std::string task_;
  std::vector<std::string> claims_;
};

}  // namespace microjobs::testing
