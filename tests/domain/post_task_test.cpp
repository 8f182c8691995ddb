// Given-When-Then tests of PostTask: escrow, the platform fee, validation and task numbering.
#include <gtest/gtest.h>

#include <functional>

#include "domain/codec/envelope.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// A valid PostTask by "emp": three slots at 0.05, everything else at its default.
PostTask post_task(std::string_view reward = "0.05", std::int64_t slots = 3) {
  PostTask command;
  command.employer_id = UserId{"emp"};
  command.title = "Follow our page";
  command.instructions = "Follow, then paste your handle.";
  command.category = "social";
  command.reward = money(reward);
  command.slots = slots;
  return command;
}

std::vector<Event> funded_employer(std::string_view amount = "100.00") {
  return {user_registered("emp"), funds_deposited("emp", amount)};
}

const TaskPosted* task_posted_of(const Decision& decision) {
  const Event* event = event_of(decision);
  return event == nullptr ? nullptr : std::get_if<TaskPosted>(event);
}
// The event lives inside the decision: a pointer into a temporary one would dangle (ASan found
// two such uses), so only a named decision may be asked.
const TaskPosted* task_posted_of(Decision&& decision) = delete;

TEST(PostTask, PostsTheTaskWithEveryFieldOfTheCommand) {
  PostTask command = post_task("0.05", 3);
  command.proof_type = "url";
  command.claim_timeout_s = 600;
  command.auto_approve_after_s = 7200;
  command.expires_at = at_s(86400);
  command.countries = {"ID", "PH"};
  command.min_approval_rate_bp = 9000;
  command.min_approved = 2;
  command.max_per_worker = 2;
  Decision decision = decide(given(funded_employer()), command, at_s(10));
  TaskPosted expected;
  expected.task_id = TaskId{"emp.1"};
  expected.employer_id = UserId{"emp"};
  expected.title = "Follow our page";
  expected.instructions = "Follow, then paste your handle.";
  expected.category = "social";
  expected.reward = Micros{50'000};
  expected.fee = Micros{10'000};
  expected.slots = 3;
  expected.proof_type = "url";
  expected.claim_timeout_s = 600;
  expected.auto_approve_after_s = 7200;
  expected.expires_at = at_s(86400);
  expected.countries = {"ID", "PH"};
  expected.min_approval_rate_bp = 9000;
  expected.min_approved = 2;
  expected.max_per_worker = 2;
  expected.escrow = Micros{180'000};
  expected.transfers = {{"user:emp:available", "user:emp:escrow", Micros{180'000}}};
  EXPECT_TRUE(is_event(decision, expected));
}

// The fee is 20 % of the reward with a floor of 0.01 per slot; escrow is slots x (reward + fee).
TEST(PostTask, TakesTwentyPercentFeeWithAFloorOfOneCent) {
  struct Case {
    const char* reward;
    std::int64_t slots;
    std::int64_t fee_micros;
    std::int64_t escrow_micros;
  };
  for (const Case& c : {Case{"0.05", 3, 10'000, 180'000}, Case{"1.00", 2, 200'000, 2'400'000},
                        Case{"0.03", 10, 10'000, 400'000}, Case{"0.05", 1, 10'000, 60'000},
                        Case{"0.06", 1, 12'000, 72'000}, Case{"0.123457", 2, 24'691, 296'296}}) {
    SCOPED_TRACE(c.reward);
    const Decision decision =
        decide(given(funded_employer()), post_task(c.reward, c.slots), at_s(0));
    const TaskPosted* event = task_posted_of(decision);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->fee, Micros{c.fee_micros});
    EXPECT_EQ(event->escrow, Micros{c.escrow_micros});
    ASSERT_EQ(event->transfers.size(), 1u);
    EXPECT_EQ(event->transfers[0].amount, Micros{c.escrow_micros});
  }
}

TEST(PostTask, FeePerSlotFollowsThePolicy) {
  EXPECT_EQ(fee_per_slot(money("0.05"), {}), money("0.01"));
  EXPECT_EQ(fee_per_slot(money("1.00"), {}), money("0.20"));
  EXPECT_EQ(fee_per_slot(money("0.03"), {}), money("0.01"));
  EXPECT_EQ(fee_per_slot(money("1000000"), {}), money("200000"));
  Policy policy;
  policy.fee_rate_bp = 1000;
  policy.fee_floor = Micros{0};
  EXPECT_EQ(fee_per_slot(money("0.05"), policy), money("0.005"));
  EXPECT_EQ(fee_per_slot(money("0.000009"), policy), Micros{0});
}

TEST(PostTask, MovesTheEscrowOutOfTheAvailableBalance) {
  PartitionState state = given(funded_employer("1.00"));
  Decision decision = decide(state, post_task("0.05", 3), at_s(0));
  ASSERT_NE(event_of(decision), nullptr);
  evolve(state, *event_of(decision));
  EXPECT_EQ(state.find_user(UserId{"emp"})->available, money("0.82"));
  EXPECT_EQ(state.find_user(UserId{"emp"})->escrow, money("0.18"));
  EXPECT_EQ(state.find_task(TaskId{"emp.1"})->escrow, money("0.18"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(PostTask, AcceptsAnEscrowEqualToTheBalance) {
  Decision decision = decide(given(funded_employer("0.18")), post_task("0.05", 3), at_s(0));
  EXPECT_NE(task_posted_of(decision), nullptr) << describe(decision);
}

TEST(PostTask, RejectsWhenTheBalanceIsOneMicroShort) {
  Decision decision = decide(given(funded_employer("0.179999")), post_task("0.05", 3), at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::insufficient_funds));
}

TEST(PostTask, RejectsAnUnregisteredEmployer) {
  EXPECT_TRUE(is_rejection(decide(given({}), post_task(), at_s(0)), Rejection::user_not_found));
}

TEST(PostTask, NumbersTasksPerEmployer) {
  PartitionState state = given(funded_employer());
  for (const char* expected_id : {"emp.1", "emp.2", "emp.3"}) {
    Decision decision = decide(state, post_task(), at_s(0));
    const TaskPosted* event = task_posted_of(decision);
    ASSERT_NE(event, nullptr) << describe(decision);
    EXPECT_EQ(event->task_id, TaskId{expected_id});
    evolve(state, *event_of(decision));
  }
  EXPECT_NE(state.find_task(TaskId{"emp.3"}), nullptr);
}

TEST(PostTask, DefaultsTheCategoryAndTheExpiry) {
  PostTask command = post_task();
  command.category = "";
  command.expires_at = UnixMs{0};
  const Decision decision = decide(given(funded_employer()), command, at_s(5));
  const TaskPosted* event = task_posted_of(decision);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->category, "other");
  EXPECT_EQ(event->expires_at, at_s(5 + 30 * 86400));
}

struct InvalidCase {
  const char* name;
  std::function<void(PostTask&)> change;
};

const std::vector<InvalidCase>& invalid_cases() {
  static const std::vector<InvalidCase> cases = {
      {"empty title", [](PostTask& c) { c.title = ""; }},
      {"long title", [](PostTask& c) { c.title = std::string(201, 't'); }},
      {"long instructions", [](PostTask& c) { c.instructions = std::string(10'001, 'i'); }},
      {"long category", [](PostTask& c) { c.category = std::string(65, 'c'); }},
      {"zero reward", [](PostTask& c) { c.reward = Micros{0}; }},
      {"negative reward", [](PostTask& c) { c.reward = Micros{-50'000}; }},
      {"zero slots", [](PostTask& c) { c.slots = 0; }},
      {"negative slots", [](PostTask& c) { c.slots = -1; }},
      {"too many slots", [](PostTask& c) { c.slots = 1'000'001; }},
      {"unknown proof type", [](PostTask& c) { c.proof_type = "video"; }},
      {"claim timeout too short", [](PostTask& c) { c.claim_timeout_s = 59; }},
      {"claim timeout too long", [](PostTask& c) { c.claim_timeout_s = 30 * 86400 + 1; }},
      {"auto approve negative", [](PostTask& c) { c.auto_approve_after_s = -1; }},
      {"auto approve too late", [](PostTask& c) { c.auto_approve_after_s = 30 * 86400 + 1; }},
      {"expires now", [](PostTask& c) { c.expires_at = at_s(100); }},
      {"expired", [](PostTask& c) { c.expires_at = at_s(99); }},
      {"lower-case country",
       [](PostTask& c) {
         c.countries = {"ID", "ph"};
       }},
      {"three-letter country", [](PostTask& c) { c.countries = {"IDN"}; }},
      {"too many countries", [](PostTask& c) { c.countries.assign(251, "ID"); }},
      {"negative approval rate", [](PostTask& c) { c.min_approval_rate_bp = -1; }},
      {"approval rate above 100 %", [](PostTask& c) { c.min_approval_rate_bp = 10'001; }},
      {"negative min approved", [](PostTask& c) { c.min_approved = -1; }},
      {"zero max per worker", [](PostTask& c) { c.max_per_worker = 0; }},
      {"max per worker above 1000", [](PostTask& c) { c.max_per_worker = 1001; }},
      {"escrow above the maximum",
       [](PostTask& c) {
         c.reward = money("1000");
         c.slots = 1'000'000;
       }},
  };
  return cases;
}

TEST(PostTask, RejectsEachInvalidField) {
  PartitionState state = given(funded_employer());
  for (const InvalidCase& invalid : invalid_cases()) {
    SCOPED_TRACE(invalid.name);
    PostTask command = post_task();
    invalid.change(command);
    EXPECT_TRUE(is_rejection(decide(state, command, at_s(100)), Rejection::invalid_argument));
  }
}

// The limits themselves are valid, so each rejection above is about the one changed field.
TEST(PostTask, AcceptsEachFieldAtItsLimit) {
  PostTask command = post_task("0.01", 1'000'000);
  command.title = std::string(200, 't');
  command.instructions = std::string(10'000, 'i');
  command.category = std::string(64, 'c');
  command.proof_type = "file";
  command.claim_timeout_s = 60;
  command.auto_approve_after_s = 3600;
  command.expires_at = at_s(101);
  command.countries.assign(250, "ID");
  command.min_approval_rate_bp = 10'000;
  command.max_per_worker = 1000;
  Decision decision = decide(given(funded_employer("20000")), command, at_s(100));
  EXPECT_NE(task_posted_of(decision), nullptr) << describe(decision);
  command.claim_timeout_s = 30 * 86400;
  command.auto_approve_after_s = 30 * 86400;
  decision = decide(given(funded_employer("20000")), command, at_s(100));
  EXPECT_NE(task_posted_of(decision), nullptr) << describe(decision);
}

TEST(PostTask, ValidationComesBeforeUserNotFoundAndFunds) {
  PostTask command = post_task();
  command.title = "";
  EXPECT_TRUE(is_rejection(decide(given({}), command, at_s(0)), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(given({user_registered("emp")}), command, at_s(0)),
                           Rejection::invalid_argument));
}

// Every event decide() produces is appended to the log and must read back on replay.
TEST(PostTask, AcceptsOnlyAnExpiryTheLogCanHold) {
  PostTask command = post_task();
  command.expires_at = UnixMs{253'402'304'399'000};
  Decision decision = decide(given(funded_employer()), command, at_s(0));
  const Event* event = event_of(decision);
  if (event == nullptr) {
    EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
    return;
  }
  std::string error;
  EXPECT_TRUE(decode_envelope(encode_envelope(EnvelopeMeta{}, *event), &error).has_value())
      << error;
}

}  // namespace
}  // namespace microjobs
