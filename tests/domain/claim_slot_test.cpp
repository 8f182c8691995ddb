// Given-When-Then tests of ClaimSlot: who may claim which slot, and in which order the rules apply.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

ClaimSlot claim(const std::string& worker, WorkerProfile profile = {"ID", 0, 0},
                const std::string& task = "emp.1") {
  return ClaimSlot{TaskId{task}, UserId{worker}, profile};
}

TEST(ClaimSlot, ClaimsAFreeSlotUntilNowPlusTheClaimTimeout) {
  Decision decision = decide(given(open_task({.claim_timeout_s = 600})), claim("w1"), at_s(42));
  EXPECT_TRUE(is_event(
      decision, SlotClaimed{TaskId{"emp.1"}, ClaimId{"emp.1.1"}, UserId{"w1"}, at_s(42 + 600), {}}));
}

TEST(ClaimSlot, NumbersClaimsPerTask) {
  PartitionState state = given(with(
      open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)), claim_abandoned("emp.1.1", "w1")}));
  Decision decision = decide(state, claim("w2"), at_s(0));
  EXPECT_TRUE(is_event(decision,
                       SlotClaimed{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w2"}, at_s(3600), {}}));
}

TEST(ClaimSlot, EvolveHoldsTheSlot) {
  PartitionState state = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->claimed, 1);
  EXPECT_EQ(task->free_slots(), 1);
  EXPECT_EQ(task->claims.at(ClaimId{"emp.1.1"}).status, ClaimStatus::claimed);
  EXPECT_EQ(task->workers.at(UserId{"w1"}).active_claims, 1);
  EXPECT_EQ(state.claim_deadlines.size(), 1u);
  EXPECT_EQ(check_invariants(state), "");
}

TEST(ClaimSlot, RejectsAnUnknownTask) {
  EXPECT_TRUE(is_rejection(decide(given(open_task()), claim("w1", {"ID"}, "emp.2"), at_s(0)),
                           Rejection::task_not_found));
  EXPECT_TRUE(is_rejection(decide(given({}), claim("w1"), at_s(0)), Rejection::task_not_found));
}

TEST(ClaimSlot, RejectsAtAndAfterTheTaskExpiry) {
  PartitionState state = given(open_task({.expires_at = at_s(1000)}));
  EXPECT_NE(event_of(decide(state, claim("w1"), UnixMs{at_s(1000).value - 1})), nullptr);
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(1000)), Rejection::task_not_open));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(5000)), Rejection::task_not_open));
}

TEST(ClaimSlot, RejectsACompletedTask) {
  PartitionState state =
      given(with(open_task({.slots = 1}), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                           proof_submitted("emp.1.1", "w1", at_s(10)),
                                           submission_approved("emp.1.1", "w1")}));
  ASSERT_EQ(state.find_task(TaskId{"emp.1"})->status, TaskStatus::completed);
  EXPECT_TRUE(is_rejection(decide(state, claim("w2"), at_s(20)), Rejection::task_not_open));
}

TEST(ClaimSlot, RejectsTheEmployerClaimingItsOwnTask) {
  EXPECT_TRUE(is_rejection(decide(given(open_task()), claim("emp"), at_s(0)), Rejection::own_task));
}

TEST(ClaimSlot, RejectsAWorkerFromAnotherCountry) {
  PartitionState state = given(open_task({.countries = {"ID", "PH"}}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1", {"US"}), at_s(0)), Rejection::not_qualified));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1", {""}), at_s(0)), Rejection::not_qualified));
  EXPECT_NE(event_of(decide(state, claim("w1", {"PH"}), at_s(0))), nullptr);
}

TEST(ClaimSlot, RejectsAWorkerBelowTheApprovalRate) {
  PartitionState state = given(open_task({.min_approval_rate_bp = 9000}));
  EXPECT_TRUE(
      is_rejection(decide(state, claim("w1", {"ID", 8, 2}), at_s(0)), Rejection::not_qualified));
  EXPECT_TRUE(
      is_rejection(decide(state, claim("w1", {"ID", 0, 1}), at_s(0)), Rejection::not_qualified));
  // Exactly 90 % qualifies.
  EXPECT_NE(event_of(decide(state, claim("w1", {"ID", 9, 1}), at_s(0))), nullptr);
}

// A worker without reviews has no rate yet; min_approved is how a task keeps newcomers out.
TEST(ClaimSlot, LetsANewcomerPassTheApprovalRate) {
  PartitionState state = given(open_task({.min_approval_rate_bp = 10'000}));
  EXPECT_NE(event_of(decide(state, claim("w1", {"ID", 0, 0}), at_s(0))), nullptr);
}

TEST(ClaimSlot, RejectsAWorkerBelowMinApproved) {
  PartitionState state = given(open_task({.min_approved = 5}));
  EXPECT_TRUE(
      is_rejection(decide(state, claim("w1", {"ID", 4, 0}), at_s(0)), Rejection::not_qualified));
  EXPECT_NE(event_of(decide(state, claim("w1", {"ID", 5, 0}), at_s(0))), nullptr);
}

TEST(ClaimSlot, RejectsAWorkerWhoAlreadyHoldsAClaim) {
  PartitionState state = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(0)), Rejection::already_claimed));
}

TEST(ClaimSlot, RejectsAWorkerWhoUsedUpMaxPerWorker) {
  PartitionState state =
      given(with(open_task({.slots = 3}), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                           proof_submitted("emp.1.1", "w1", at_s(10))}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(20)), Rejection::max_per_worker));
}

TEST(ClaimSlot, LetsAWorkerClaimAgainBelowMaxPerWorker) {
  PartitionState state = given(with(
      open_task({.slots = 3, .max_per_worker = 2}),
      {slot_claimed("emp.1.1", "w1", at_s(3600)), proof_submitted("emp.1.1", "w1", at_s(10))}));
  EXPECT_TRUE(
      is_event(decide(state, claim("w1"), at_s(20)),
               SlotClaimed{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w1"}, at_s(20 + 3600), {}}));
}

// An abandoned or expired claim made no submission, so the worker may claim again.
TEST(ClaimSlot, LetsAWorkerClaimAgainAfterAbandoningOrExpiring) {
  PartitionState abandoned = given(with(
      open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)), claim_abandoned("emp.1.1", "w1")}));
  EXPECT_NE(event_of(decide(abandoned, claim("w1"), at_s(0))), nullptr);
  PartitionState expired = given(with(
      open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)), claim_expired("emp.1.1", "w1")}));
  EXPECT_NE(event_of(decide(expired, claim("w1"), at_s(4000))), nullptr);
}

TEST(ClaimSlot, RejectsWhenNoFreeSlot) {
  PartitionState state =
      given(with(open_task({.slots = 2}), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                           slot_claimed("emp.1.2", "w2", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w3"), at_s(0)), Rejection::no_free_slot));
}

// Submitted and approved claims hold their slots too.
TEST(ClaimSlot, CountsSubmittedAndApprovedClaimsAsTaken) {
  PartitionState state = given(
      with(open_task({.slots = 3}),
           {slot_claimed("emp.1.1", "w1", at_s(3600)), slot_claimed("emp.1.2", "w2", at_s(3600)),
            proof_submitted("emp.1.2", "w2", at_s(1)), slot_claimed("emp.1.3", "w3", at_s(3600)),
            proof_submitted("emp.1.3", "w3", at_s(1)), submission_approved("emp.1.3", "w3")}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w4"), at_s(2)), Rejection::no_free_slot));
}

// ---- The order of the rules, where two apply at once (the enum order is the contract). ----

TEST(ClaimSlot, TaskNotOpenComesBeforeOwnTask) {
  PartitionState state = given(open_task({.expires_at = at_s(10)}));
  EXPECT_TRUE(is_rejection(decide(state, claim("emp"), at_s(10)), Rejection::task_not_open));
}

TEST(ClaimSlot, OwnTaskComesBeforeNotQualified) {
  PartitionState state = given(open_task({.countries = {"PH"}}));
  EXPECT_TRUE(is_rejection(decide(state, claim("emp", {"US"}), at_s(0)), Rejection::own_task));
}

TEST(ClaimSlot, NotQualifiedComesBeforeAlreadyClaimed) {
  PartitionState state =
      given(with(open_task({.min_approved = 1}), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(
      is_rejection(decide(state, claim("w1", {"ID", 0, 0}), at_s(0)), Rejection::not_qualified));
}

TEST(ClaimSlot, AlreadyClaimedComesBeforeNoFreeSlot) {
  PartitionState state =
      given(with(open_task({.slots = 1}), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(0)), Rejection::already_claimed));
}

TEST(ClaimSlot, MaxPerWorkerComesBeforeNoFreeSlot) {
  PartitionState state =
      given(with(open_task({.slots = 1}), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                           proof_submitted("emp.1.1", "w1", at_s(1))}));
  EXPECT_TRUE(is_rejection(decide(state, claim("w1"), at_s(2)), Rejection::max_per_worker));
}

}  // namespace
}  // namespace microjobs
