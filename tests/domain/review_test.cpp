// Given-When-Then tests of the employer's review: ApproveSubmission and RejectSubmission.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// Task emp.1 (two slots by default) with w1's proof for claim emp.1.1 submitted at at_s(100).
std::vector<Event> submitted_by_w1(const TaskSpec& spec = {}) {
  return with(open_task(spec), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                proof_submitted("emp.1.1", "w1", at_s(100))});
}

ApproveSubmission approve(const std::string& claim = "emp.1.1",
                          const std::string& employer = "emp") {
  return ApproveSubmission{ClaimId{claim}, UserId{employer}};
}

RejectSubmission reject(const std::string& reason = "blurry", const std::string& claim = "emp.1.1",
                        const std::string& employer = "emp") {
  return RejectSubmission{ClaimId{claim}, UserId{employer}, reason};
}

TEST(ApproveSubmission, PaysTheRewardToClearingAndTheFeeToThePlatform) {
  Decision decision = decide(given(submitted_by_w1()), approve(), at_s(100 + 90));
  SubmissionApproved expected;
  expected.task_id = TaskId{"emp.1"};
  expected.claim_id = ClaimId{"emp.1.1"};
  expected.worker_id = UserId{"w1"};
  expected.employer_id = UserId{"emp"};
  expected.paid = Micros{500'000};
  expected.fee = Micros{100'000};
  expected.review_s = 90;
  expected.transfers = {{"user:emp:escrow", "clearing:payouts", Micros{500'000}},
                        {"user:emp:escrow", "platform:fees", Micros{100'000}}};
  EXPECT_TRUE(is_event(decision, expected));
}

TEST(AutoApprove, ApprovesWhenTheReviewWindowPassedUnreviewed) {
  const std::int64_t window_s = 3 * 86400;  // the test tasks' auto_approve_after_s
  PartitionState state = given(submitted_by_w1());
  EXPECT_EQ(due_reviews(state, at_s(100 + window_s - 1), 10).size(), 0u);
  ASSERT_EQ(due_reviews(state, at_s(100 + window_s), 10), std::vector<ClaimId>{ClaimId{"emp.1.1"}});
  EXPECT_TRUE(is_rejection(decide(state, AutoApprove{ClaimId{"emp.1.1"}}, at_s(100 + window_s - 1)),
                           Rejection::wrong_state));
  Decision decision = decide(state, AutoApprove{ClaimId{"emp.1.1"}}, at_s(100 + window_s));
  ASSERT_NE(event_of(decision), nullptr) << describe(decision);
  const auto& approved = std::get<SubmissionApproved>(*event_of(decision));
  EXPECT_TRUE(approved.auto_approved);
  EXPECT_EQ(approved.paid, money("0.50"));
  evolve(state, *event_of(decision));
  EXPECT_TRUE(state.review_deadlines.empty());
  EXPECT_EQ(check_invariants(state), "");
}

TEST(AutoApprove, AReviewedSubmissionLeavesTheSchedulersList) {
  for (const Event& review : std::vector<Event>{submission_approved("emp.1.1", "w1"),
                                                submission_rejected("emp.1.1", "w1")}) {
    PartitionState state = given(with(submitted_by_w1(), {review}));
    EXPECT_TRUE(state.review_deadlines.empty()) << describe(review);
    EXPECT_TRUE(is_rejection(decide(state, AutoApprove{ClaimId{"emp.1.1"}}, at_s(10'000'000)),
                             Rejection::wrong_state));
  }
}

TEST(AutoApprove, TheFlagIsAbsentFromTheBytesOfAManualApproval) {
  SubmissionApproved manual = submission_approved("emp.1.1", "w1");
  EXPECT_EQ(describe(Event{manual}).find("\"auto\""), std::string::npos);
  manual.auto_approved = true;
  EXPECT_NE(describe(Event{manual}).find("\"auto\":true"), std::string::npos);
}

TEST(ApproveSubmission, EvolveReleasesTheSlotsEscrow) {
  PartitionState state = given(with(submitted_by_w1(), {submission_approved("emp.1.1", "w1")}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->approved, 1);
  EXPECT_EQ(task->submitted, 0);
  EXPECT_EQ(task->escrow, money("0.60"));
  EXPECT_EQ(task->status, TaskStatus::open);
  EXPECT_EQ(state.find_user(UserId{"emp"})->escrow, money("0.60"));
  EXPECT_EQ(state.shared_accounts.at("clearing:payouts"), money("0.50"));
  EXPECT_EQ(state.shared_accounts.at("platform:fees"), money("0.10"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(ApproveSubmission, CompletesTheTaskWhenEverySlotIsApproved) {
  PartitionState state =
      given(with(submitted_by_w1(),
                 {submission_approved("emp.1.1", "w1"), slot_claimed("emp.1.2", "w2", at_s(3600)),
                  proof_submitted("emp.1.2", "w2", at_s(200))}));
  ASSERT_EQ(state.find_task(TaskId{"emp.1"})->status, TaskStatus::open);
  Decision decision = decide(state, approve("emp.1.2"), at_s(300));
  ASSERT_NE(event_of(decision), nullptr) << describe(decision);
  evolve(state, *event_of(decision));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->status, TaskStatus::completed);
  EXPECT_EQ(task->escrow, Micros{0});
  EXPECT_EQ(state.find_user(UserId{"emp"})->escrow, Micros{0});
  EXPECT_EQ(check_invariants(state), "");
}

TEST(ApproveSubmission, RejectsAnotherEmployer) {
  EXPECT_TRUE(is_rejection(decide(given(submitted_by_w1()), approve("emp.1.1", "emp2"), at_s(200)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(given(submitted_by_w1()), approve("emp.1.1", "w1"), at_s(200)),
                           Rejection::forbidden));
}

TEST(ApproveSubmission, RejectsARepeatAsExists) {
  PartitionState state = given(with(submitted_by_w1(), {submission_approved("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(state, approve(), at_s(200)), Rejection::exists));
}

TEST(ApproveSubmission, RejectsAClaimThatIsNotSubmitted) {
  PartitionState claimed = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(claimed, approve(), at_s(200)), Rejection::wrong_state));
  PartitionState rejected = given(with(submitted_by_w1(), {submission_rejected("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(rejected, approve(), at_s(200)), Rejection::wrong_state));
  PartitionState abandoned = given(with(
      open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)), claim_abandoned("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(abandoned, approve(), at_s(200)), Rejection::wrong_state));
}

TEST(ApproveSubmission, RejectsAnUnknownClaim) {
  EXPECT_TRUE(is_rejection(decide(given(submitted_by_w1()), approve("emp.1.2"), at_s(200)),
                           Rejection::claim_not_found));
}

TEST(ApproveSubmission, ForbiddenComesBeforeExists) {
  PartitionState state = given(with(submitted_by_w1(), {submission_approved("emp.1.1", "w1")}));
  EXPECT_TRUE(
      is_rejection(decide(state, approve("emp.1.1", "emp2"), at_s(200)), Rejection::forbidden));
}

// The review time never goes negative, even if the clock moved back.
TEST(ApproveSubmission, ClampsReviewTimeAtZero) {
  Decision decision = decide(given(submitted_by_w1()), approve(), at_s(50));
  const Event* event = event_of(decision);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(std::get<SubmissionApproved>(*event).review_s, 0);
}

TEST(RejectSubmission, RejectsTheSubmissionWithItsReason) {
  Decision decision = decide(given(submitted_by_w1()), reject("no screenshot"), at_s(160));
  EXPECT_TRUE(
      is_event(decision, SubmissionRejected{TaskId{"emp.1"}, ClaimId{"emp.1.1"}, UserId{"w1"},
                                            UserId{"emp"}, "no screenshot", 60, {}}));
}

TEST(RejectSubmission, RequiresAReasonOfAtMost1000Bytes) {
  PartitionState state = given(submitted_by_w1());
  EXPECT_TRUE(is_rejection(decide(state, reject(""), at_s(200)), Rejection::reason_required));
  EXPECT_TRUE(is_rejection(decide(state, reject(std::string(1001, 'r')), at_s(200)),
                           Rejection::reason_required));
  EXPECT_NE(event_of(decide(state, reject(std::string(1000, 'r')), at_s(200))), nullptr);
}

TEST(RejectSubmission, ReturnsTheSlotToThePoolAndKeepsTheEscrow) {
  PartitionState state =
      given(with(submitted_by_w1({.slots = 1}), {submission_rejected("emp.1.1", "w1")}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->submitted, 0);
  EXPECT_EQ(task->rejected, 1);
  EXPECT_EQ(task->free_slots(), 1);
  EXPECT_EQ(task->escrow, money("0.60"));
  EXPECT_EQ(task->claims.at(ClaimId{"emp.1.1"}).status, ClaimStatus::rejected);
  EXPECT_EQ(check_invariants(state), "");
  Decision decision = decide(state, ClaimSlot{TaskId{"emp.1"}, UserId{"w2"}, {"ID"}}, at_s(300));
  EXPECT_TRUE(is_event(
      decision, SlotClaimed{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w2"}, at_s(300 + 3600), {}}));
}

TEST(RejectSubmission, LeavesTheWorkerUnableToReclaimWhenMaxPerWorkerIsOne) {
  PartitionState state = given(with(submitted_by_w1(), {submission_rejected("emp.1.1", "w1")}));
  Decision decision = decide(state, ClaimSlot{TaskId{"emp.1"}, UserId{"w1"}, {"ID"}}, at_s(300));
  EXPECT_TRUE(is_rejection(decision, Rejection::max_per_worker));
}

TEST(RejectSubmission, LetsTheWorkerReclaimWhenMaxPerWorkerAllows) {
  PartitionState state =
      given(with(submitted_by_w1({.max_per_worker = 2}), {submission_rejected("emp.1.1", "w1")}));
  Decision decision = decide(state, ClaimSlot{TaskId{"emp.1"}, UserId{"w1"}, {"ID"}}, at_s(300));
  EXPECT_NE(event_of(decision), nullptr) << describe(decision);
}

TEST(RejectSubmission, RejectsAnotherEmployer) {
  EXPECT_TRUE(
      is_rejection(decide(given(submitted_by_w1()), reject("x", "emp.1.1", "emp2"), at_s(200)),
                   Rejection::forbidden));
}

TEST(RejectSubmission, RejectsARepeatAsExists) {
  PartitionState state = given(with(submitted_by_w1(), {submission_rejected("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(state, reject(), at_s(200)), Rejection::exists));
}

TEST(RejectSubmission, RejectsAClaimThatIsNotSubmitted) {
  PartitionState claimed = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(claimed, reject(), at_s(200)), Rejection::wrong_state));
  PartitionState approved = given(with(submitted_by_w1(), {submission_approved("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(approved, reject(), at_s(200)), Rejection::wrong_state));
}

TEST(RejectSubmission, ReasonRequiredComesBeforeClaimNotFoundAndForbidden) {
  PartitionState state = given(submitted_by_w1());
  EXPECT_TRUE(
      is_rejection(decide(state, reject("", "emp.9.9"), at_s(200)), Rejection::reason_required));
  EXPECT_TRUE(is_rejection(decide(state, reject("", "emp.1.1", "emp2"), at_s(200)),
                           Rejection::reason_required));
}

TEST(RejectSubmission, ClaimNotFoundComesBeforeForbidden) {
  EXPECT_TRUE(
      is_rejection(decide(given(submitted_by_w1()), reject("x", "emp.1.7", "emp2"), at_s(200)),
                   Rejection::claim_not_found));
}

}  // namespace
}  // namespace microjobs
