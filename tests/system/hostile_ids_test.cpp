// Issue 7 over real HTTP: hostile users whose names and Idempotency-Keys collide with the system's
// own command ids (credits, claim expiries, deposits by reference) change nothing the system
// does, and a key reused for another command is 422 with nothing appended. The node runs in this
// process with a manual clock, so claim deadlines pass without waiting; HTTP goes over loopback.
#include <gtest/gtest.h>

#include "http_node.h"

namespace microjobs {
namespace {

using testing::eventually;
using testing::HttpResult;

using HostileIds = testing::HttpNodeTest;

// Reproduction 1: a user named `credit` keys a command with the approval's coming event id.
TEST_F(HostileIds, AUserNamedCreditCannotFreezeAPayout) {
  const std::string w1 = user_beside("credit", "w");
  register_user("emp", "employer");
  register_user(w1, "worker");
  register_user("credit", "worker");
  deposit("emp", "10.00", "wire-1");
  const std::string task = post_task("emp", 1);
  HttpResult claim = as(w1, "worker", "POST", "/v1/tasks/" + task + "/claims");
  ASSERT_EQ(claim.status, 201) << claim.body;
  const std::string claim_id = field(claim, "claim_id");
  ASSERT_EQ(as(w1, "worker", "POST", "/v1/claims/" + claim_id + "/submission",
               R"({"proof":"done"})").status, 200);
  // The approval will be the next event of emp's partition: "{partition}-{seq}", seq = offset + 2.
  const std::string position = last_position_;
  const std::string partition = position.substr(0, position.find(':'));
  const std::int64_t offset = std::stoll(position.substr(position.find(':') + 1));
  const std::string next_event = partition + "-" + std::to_string(offset + 2);
  for (const std::string& key : {next_event, "credit:" + next_event, "credit//" + next_event,
                                 "/" + next_event}) {
    as("credit", "worker", "PUT", "/v1/users/credit", R"({"country":"ID"})", key);
  }
  HttpResult approved = as("emp", "employer", "POST", "/v1/claims/" + claim_id + "/approve", "{}");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(eventually([&] { return available(w1) == "1.00"; }))
      << "w1 has " << available(w1) << ": the payout is stuck in clearing";
  EXPECT_EQ(node_->credits().stalled_partitions(), 0u);
}

// Reproduction 2: workers named `expire` key their claims with the claim's own (predictable)
// id, and rejected abandons with the ids of claims still to come.
TEST_F(HostileIds, AWorkerNamedExpireCannotPinAClaim) {
  register_user("emp", "employer");
  deposit("emp", "100.00", "wire-1");
  const std::string task = post_task("emp", 10);
  register_user("expire", "worker");
  register_user("expire_claim", "worker");
  for (int n = 3; n <= 6; ++n) {
    std::string future_claim = task + "." + std::to_string(n);
    HttpResult refused = as("expire", "worker", "POST", "/v1/claims/" + future_claim + "/abandon",
                            "", future_claim);
    EXPECT_EQ(refused.status, 404) << refused.body;
  }
  int n = 1;
  for (const char* worker : {"expire", "expire_claim", "w1", "w2"}) {
    if (n > 2) register_user(worker, "worker");
    std::string own_claim = task + "." + std::to_string(n++);
    HttpResult claim = as(worker, "worker", "POST", "/v1/tasks/" + task + "/claims", "", own_claim);
    ASSERT_EQ(claim.status, 201) << claim.body;
    EXPECT_EQ(field(claim, "claim_id"), own_claim);
  }
  EXPECT_EQ(field(as("emp", "employer", "GET", "/v1/tasks/" + task), "claimed"), "4");
  clock_.advance(std::chrono::seconds(3601));
  EXPECT_TRUE(eventually([&] {
    node_->processors().wake_all();
    return field(as("emp", "employer", "GET", "/v1/tasks/" + task), "claimed") == "0";
  })) << "claims are still held past their deadline";
}

// Reproduction 3: a user named `deposit` keys a command with the victim's deposit reference.
TEST_F(HostileIds, AUserNamedDepositCannotRefuseADeposit) {
  const std::string victim = user_beside("deposit", "victim");
  register_user(victim, "employer");
  register_user("deposit", "worker");
  for (const std::string& key :
       std::vector<std::string>{victim + ":wire-77", victim + "/wire-77", "deposit/" + victim + "/wire-77"}) {
    as("deposit", "worker", "PUT", "/v1/users/deposit", R"({"country":"ID"})", key);
  }
  deposit(victim, "5.00", "wire-77");
  EXPECT_EQ(available(victim), "5.00");
}

// Reproductions 4 and 5: one key, another command or another body: 422, nothing appended.
TEST_F(HostileIds, AKeyReusedForAnotherCommandIs422AndChangesNothing) {
  register_user("emp", "employer");
  register_user("w1", "worker");
  deposit("emp", "10.00", "wire-1");
  const std::string task = post_task("emp", 2);
  HttpResult claim = as("w1", "worker", "POST", "/v1/tasks/" + task + "/claims", "", "k");
  ASSERT_EQ(claim.status, 201);
  const std::int64_t before = records();
  HttpResult submit = as("w1", "worker", "POST", "/v1/claims/" + field(claim, "claim_id") +
                         "/submission", R"({"proof":"done"})", "k");
  EXPECT_EQ(submit.status, 422) << submit.body;
  EXPECT_EQ(field(submit, "code"), "idempotency_key_reused");
  EXPECT_EQ(submit.header("content-type"), "application/problem+json");
  HttpResult post_again = as("emp", "employer", "POST", "/v1/tasks",
                             R"({"title":"t","reward":"1.00","slots":1})", "p");
  ASSERT_EQ(post_again.status, 201);
  HttpResult other_body = as("emp", "employer", "POST", "/v1/tasks",
                             R"({"title":"t","reward":"1.00","slots":2})", "p");
  EXPECT_EQ(other_body.status, 422) << other_body.body;
  HttpResult approve = as("emp", "employer", "POST", "/v1/claims/" + field(claim, "claim_id") +
                          "/approve", "{}", "p");
  EXPECT_EQ(approve.status, 422) << approve.body;
  EXPECT_EQ(records(), before + 1) << "only the second task was appended";
  HttpResult same = as("emp", "employer", "POST", "/v1/tasks",
                       R"({"title":"t","reward":"1.00","slots":1})", "p");
  EXPECT_EQ(same.status, 201);
  EXPECT_EQ(field(same, "task_id"), field(post_again, "task_id"));
}

}  // namespace
}  // namespace microjobs
