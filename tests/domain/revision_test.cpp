// Given-When-Then tests of RequestRevision: a submission sent back to its worker once, within its
// review window (the test tasks' auto_approve_after_s is 3 days), and resubmitted.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

constexpr std::int64_t kReviewWindowS = 3 * 86400;

// Task emp.1 with w1's proof for claim emp.1.1 submitted at at_s(100).
std::vector<Event> submitted_by_w1() {
  return with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                            proof_submitted("emp.1.1", "w1", at_s(100))});
}

RequestRevision revise(const std::string& reason = "crop the screenshot",
                       const std::string& claim = "emp.1.1", const std::string& employer = "emp") {
  return RequestRevision{ClaimId{claim}, UserId{employer}, reason};
}

RevisionRequested revision_requested(UnixMs at) {
  return RevisionRequested{TaskId{"emp.1"}, ClaimId{"emp.1.1"}, UserId{"w1"}, UserId{"emp"},
                           "crop the screenshot", (at.value - at_s(100).value) / 1000,
                           UnixMs{at.value + 3600 * 1000}};
}

TEST(RequestRevision, SendsTheSubmissionBackWithANewDeadline) {
  EXPECT_TRUE(is_event(decide(given(submitted_by_w1()), revise(), at_s(400)),
                       revision_requested(at_s(400))));
}

TEST(RequestRevision, EvolveHoldsTheSlotForTheWorkerAgain) {
  PartitionState state = given(with(submitted_by_w1(), {revision_requested(at_s(400))}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  const ClaimState& claim = task->claims.at(ClaimId{"emp.1.1"});
  EXPECT_EQ(claim.status, ClaimStatus::revision_requested);
  EXPECT_EQ(claim.revisions, 1);
  EXPECT_EQ(claim.expires_at, at_s(400 + 3600));
  EXPECT_EQ(task->claimed, 1);
  EXPECT_EQ(task->submitted, 0);
  EXPECT_EQ(task->free_slots(), 1) << "the slot stays held";
  EXPECT_TRUE(state.claim_deadlines.contains({at_s(400 + 3600), ClaimId{"emp.1.1"}}));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(RequestRevision, TheWorkerResubmitsAndTheReviewWindowRestarts) {
  PartitionState state = given(with(submitted_by_w1(), {revision_requested(at_s(400))}));
  Decision resubmitted = decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "v2"}, at_s(900));
  ASSERT_NE(event_of(resubmitted), nullptr) << describe(resubmitted);
  evolve(state, *event_of(resubmitted));
  const ClaimState& claim = state.find_task(TaskId{"emp.1"})->claims.at(ClaimId{"emp.1.1"});
  EXPECT_EQ(claim.status, ClaimStatus::submitted);
  EXPECT_EQ(claim.submitted_at, at_s(900));
  EXPECT_FALSE(state.claim_deadlines.contains({at_s(400 + 3600), ClaimId{"emp.1.1"}}));
  EXPECT_TRUE(event_of(decide(state, ApproveSubmission{ClaimId{"emp.1.1"}, UserId{"emp"}},
                              at_s(900 + kReviewWindowS))) != nullptr);
}

TEST(RequestRevision, ASecondRevisionIsRefused) {
  PartitionState state = given(with(submitted_by_w1(), {revision_requested(at_s(400)),
                                                         proof_submitted("emp.1.1", "w1", at_s(900))}));
  EXPECT_TRUE(is_rejection(decide(state, revise(), at_s(1000)), Rejection::revision_limit));
}

TEST(RequestRevision, ARepeatWhileSentBackIsExists) {
  PartitionState state = given(with(submitted_by_w1(), {revision_requested(at_s(400))}));
  EXPECT_TRUE(is_rejection(decide(state, revise(), at_s(500)), Rejection::exists));
}

TEST(RequestRevision, IsRefusedAfterTheReviewWindow) {
  PartitionState state = given(submitted_by_w1());
  EXPECT_TRUE(event_of(decide(state, revise(), at_s(100 + kReviewWindowS))) != nullptr);
  EXPECT_TRUE(is_rejection(decide(state, revise(), at_s(100 + kReviewWindowS + 1)),
                           Rejection::review_window_closed));
}

TEST(RequestRevision, ARevisionNotResubmittedInTimeExpiresAndFreesTheSlot) {
  PartitionState state = given(with(submitted_by_w1(), {revision_requested(at_s(400))}));
  EXPECT_TRUE(is_rejection(decide(state, ExpireClaim{ClaimId{"emp.1.1"}}, at_s(400 + 3599)),
                           Rejection::wrong_state));
  Decision expired = decide(state, ExpireClaim{ClaimId{"emp.1.1"}}, at_s(400 + 3600));
  ASSERT_NE(event_of(expired), nullptr) << describe(expired);
  evolve(state, *event_of(expired));
  EXPECT_EQ(state.find_task(TaskId{"emp.1"})->free_slots(), 2);
  EXPECT_TRUE(is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "late"},
                                  at_s(400 + 3601)), Rejection::claim_expired));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(RequestRevision, NeedsAReasonOfAtMost1000Bytes) {
  PartitionState state = given(submitted_by_w1());
  EXPECT_TRUE(is_rejection(decide(state, revise(""), at_s(400)), Rejection::reason_required));
  EXPECT_TRUE(is_rejection(decide(state, revise(std::string(1001, 'x')), at_s(400)),
                           Rejection::reason_required));
}

TEST(RequestRevision, OnlyTheTasksOwnerOnASubmittedClaim) {
  PartitionState state = given(submitted_by_w1());
  EXPECT_TRUE(is_rejection(decide(state, revise("r", "emp.1.1", "emp2"), at_s(400)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(state, revise("r", "emp.1.9"), at_s(400)),
                           Rejection::claim_not_found));
  PartitionState claimed_only = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(claimed_only, revise(), at_s(400)), Rejection::wrong_state));
  PartitionState approved = given(with(submitted_by_w1(), {submission_approved("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(approved, revise(), at_s(400)), Rejection::wrong_state));
}

}  // namespace
}  // namespace microjobs
