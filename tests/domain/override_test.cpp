// Given-When-Then tests of OverrideRejection: a rejection turned into an approval within 30 days,
// paid from a free slot's escrow while the open task has one, else from the employer's available
// balance. Task emp.1 (test_support): 0.50 reward + 0.10 fee per slot.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

constexpr std::int64_t kThirtyDaysS = 30 * 86400;

// w1 submitted claim emp.1.1 at at_s(100) and was rejected 200 s later, at at_s(300).
std::vector<Event> rejected_w1(const TaskSpec& spec = {}) {
  return with(open_task(spec), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                proof_submitted("emp.1.1", "w1", at_s(100)),
                                submission_rejected("emp.1.1", "w1", "blurry", 200)});
}

OverrideRejection override_of(const std::string& claim = "emp.1.1",
                              const std::string& employer = "emp") {
  return OverrideRejection{ClaimId{claim}, UserId{employer}};
}

RejectionOverridden overridden(bool from_escrow) {
  std::string source = from_escrow ? "user:emp:escrow" : "user:emp:available";
  return RejectionOverridden{TaskId{"emp.1"}, ClaimId{"emp.1.1"}, UserId{"w1"}, UserId{"emp"},
                             money("0.50"), money("0.10"), from_escrow,
                             {{source, "clearing:payouts", money("0.50")},
                              {source, "platform:fees", money("0.10")}}};
}

TEST(OverrideRejection, PaysFromAFreeSlotsEscrowWhileTheOpenTaskHasOne) {
  EXPECT_TRUE(is_event(decide(given(rejected_w1()), override_of(), at_s(400)), overridden(true)));
}

TEST(OverrideRejection, EvolveApprovesTheClaimAndTakesTheSlot) {
  PartitionState state = given(with(rejected_w1(), {overridden(true)}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  const ClaimState& claim = task->claims.at(ClaimId{"emp.1.1"});
  EXPECT_EQ(claim.status, ClaimStatus::approved);
  EXPECT_TRUE(claim.overridden);
  EXPECT_EQ(task->approved, 1);
  EXPECT_EQ(task->rejected, 0);
  EXPECT_EQ(task->free_slots(), 1);
  EXPECT_EQ(task->escrow, money("0.60"));
  EXPECT_EQ(state.shared_accounts.at("clearing:payouts"), money("0.50"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(OverrideRejection, TakingTheLastFreeSlotCompletesTheTask) {
  PartitionState state = given(with(rejected_w1({.slots = 1}), {overridden(true)}));
  EXPECT_EQ(state.find_task(TaskId{"emp.1"})->status, TaskStatus::completed);
  EXPECT_EQ(state.find_task(TaskId{"emp.1"})->escrow, Micros{});
  EXPECT_EQ(check_invariants(state), "");
}

// Both slots went to w2 and w3 after w1's rejection: the slot's escrow is theirs now.
std::vector<Event> rejected_w1_and_slots_taken() {
  return with(rejected_w1(), {slot_claimed("emp.1.2", "w2", at_s(3600)),
                              slot_claimed("emp.1.3", "w3", at_s(3600))});
}

TEST(OverrideRejection, PaysFromAvailableWhenNoSlotIsFree) {
  EXPECT_TRUE(is_event(decide(given(rejected_w1_and_slots_taken()), override_of(), at_s(400)),
                       overridden(false)));
}

TEST(OverrideRejection, EvolveFromAvailableKeepsTheSlotsAndTheirEscrow) {
  PartitionState state = given(with(rejected_w1_and_slots_taken(), {overridden(false)}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->approved, 1);
  EXPECT_EQ(task->approved_beyond_slots, 1);
  EXPECT_EQ(task->escrow, money("1.20")) << "both slots can still be paid";
  EXPECT_EQ(task->claimed, 2);
  EXPECT_EQ(state.find_user(UserId{"emp"})->available, money("98.20"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(OverrideRejection, FromAvailableNeedsTheFunds) {
  std::vector<Event> events = {user_registered("emp"), funds_deposited("emp", "1.20"),
                               task_posted({}), slot_claimed("emp.1.1", "w1", at_s(3600)),
                               proof_submitted("emp.1.1", "w1", at_s(100)),
                               submission_rejected("emp.1.1", "w1", "blurry", 200),
                               slot_claimed("emp.1.2", "w2", at_s(3600)),
                               slot_claimed("emp.1.3", "w3", at_s(3600))};
  EXPECT_TRUE(is_rejection(decide(given(events), override_of(), at_s(400)),
                           Rejection::insufficient_funds));
}

TEST(OverrideRejection, IsAllowedForThirtyDaysAfterTheRejection) {
  PartitionState state = given(rejected_w1());
  EXPECT_NE(event_of(decide(state, override_of(), at_s(300 + kThirtyDaysS))), nullptr);
  UnixMs just_after{at_s(300 + kThirtyDaysS).value + 1};
  EXPECT_TRUE(is_rejection(decide(state, override_of(), just_after),
                           Rejection::override_window_closed));
}

TEST(OverrideRejection, ARepeatAfterTheOverrideIsExists) {
  PartitionState state = given(with(rejected_w1(), {overridden(true)}));
  EXPECT_TRUE(is_rejection(decide(state, override_of(), at_s(500)), Rejection::exists));
}

TEST(OverrideRejection, OnlyARejectedClaimCanBeOverridden) {
  std::vector<Event> submitted = with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                    proof_submitted("emp.1.1", "w1", at_s(100))});
  EXPECT_TRUE(is_rejection(decide(given(submitted), override_of(), at_s(400)),
                           Rejection::wrong_state));
  PartitionState approved = given(with(submitted, {submission_approved("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(approved, override_of(), at_s(400)), Rejection::wrong_state))
      << "an approval that was never a rejection is not an override's repeat";
}

TEST(OverrideRejection, OnlyTheTaskOwnerMayOverride) {
  PartitionState state = given(rejected_w1());
  EXPECT_TRUE(is_rejection(decide(state, override_of("emp.1.1", "other"), at_s(400)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(state, override_of("emp.1.9"), at_s(400)),
                           Rejection::claim_not_found));
}

TEST(OverrideRejection, ItsPayoutIsCreditedToTheWorker) {
  auto payout = payout_of(Event{overridden(false)});
  ASSERT_TRUE(payout.has_value());
  EXPECT_EQ(payout->worker_id, UserId{"w1"});
  EXPECT_EQ(payout->amount, money("0.50"));
  EXPECT_TRUE(pays_worker(RejectionOverridden::kType));
  EXPECT_FALSE(pays_worker(SubmissionRejected::kType));
}

}  // namespace
}  // namespace microjobs
