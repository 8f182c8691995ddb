// Given-When-Then tests of campaign control: AddSlots, PauseTask, ResumeTask, CancelTask and the
// scheduler's ExpireTask, with the escrow invariant after every event. Task emp.1 (test_support):
// 2 slots at 0.50 + 0.10 fee, expires at at_s(7 days); "emp" deposited 100.00.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

const TaskId kTask{"emp.1"};
const UserId kEmp{"emp"};
const UnixMs kExpiry = at_s(7 * 86400);

SlotsAdded slots_added(std::int64_t added, std::int64_t slots) {
  Micros escrow{added * 600'000};
  return SlotsAdded{kTask, kEmp, added, slots, escrow,
                    {{"user:emp:available", "user:emp:escrow", escrow}}};
}

TaskCancelled cancelled(std::int64_t free_slots) {
  Micros refund{free_slots * 600'000};
  std::vector<Transfer> transfers;
  if (free_slots > 0) transfers.push_back({"user:emp:escrow", "user:emp:available", refund});
  return TaskCancelled{kTask, kEmp, free_slots, refund, transfers};
}

// ---- AddSlots ----

TEST(AddSlots, TakesTheNewSlotsEscrowAtOnce) {
  EXPECT_TRUE(is_event(decide(given(open_task()), AddSlots{kTask, kEmp, 3}, at_s(10)),
                       slots_added(3, 5)));
  PartitionState state = given(with(open_task(), {slots_added(3, 5)}));
  EXPECT_EQ(state.find_task(kTask)->free_slots(), 5);
  EXPECT_EQ(state.find_user(kEmp)->available, money("97.00"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(AddSlots, NeedsTheFundsTheOwnerAndARunningTask) {
  PartitionState state = given(open_task());
  EXPECT_TRUE(is_rejection(decide(state, AddSlots{kTask, kEmp, 200}, at_s(10)),
                           Rejection::insufficient_funds));
  EXPECT_TRUE(is_rejection(decide(state, AddSlots{kTask, UserId{"other"}, 1}, at_s(10)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(state, AddSlots{TaskId{"emp.9"}, kEmp, 1}, at_s(10)),
                           Rejection::task_not_found));
  EXPECT_TRUE(is_rejection(decide(state, AddSlots{kTask, kEmp, 0}, at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, AddSlots{kTask, kEmp, 1}, kExpiry), Rejection::task_not_open));
  PartitionState ended = given(with(open_task(), {cancelled(2)}));
  EXPECT_TRUE(is_rejection(decide(ended, AddSlots{kTask, kEmp, 1}, at_s(10)), Rejection::task_not_open));
}

TEST(AddSlots, ReopensACompletedTask) {
  PartitionState state = given(with(open_task({.slots = 1}),
                                    {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                     proof_submitted("emp.1.1", "w1", at_s(100)),
                                     submission_approved("emp.1.1", "w1")}));
  ASSERT_EQ(state.find_task(kTask)->status, TaskStatus::completed);
  EXPECT_TRUE(state.task_deadlines.empty()) << "a completed task does not expire";
  evolve(state, slots_added(1, 2));
  EXPECT_EQ(state.find_task(kTask)->status, TaskStatus::open);
  EXPECT_TRUE(state.task_deadlines.contains({kExpiry, kTask}));
  EXPECT_EQ(check_invariants(state), "");
}

// ---- PauseTask / ResumeTask ----

TEST(PauseTask, APausedTaskTakesNoClaimUntilResumed) {
  PartitionState state = given(with(open_task(), {TaskPaused{kTask, kEmp}}));
  EXPECT_TRUE(is_rejection(
      decide(state, ClaimSlot{kTask, UserId{"w1"}, {"US", 0, 0}}, at_s(10)), Rejection::task_not_open));
  EXPECT_TRUE(is_rejection(decide(state, PauseTask{kTask, kEmp}, at_s(10)), Rejection::exists));
  EXPECT_TRUE(is_event(decide(state, ResumeTask{kTask, kEmp}, at_s(10)), TaskResumed{kTask, kEmp}));
  evolve(state, TaskResumed{kTask, kEmp});
  EXPECT_NE(event_of(decide(state, ClaimSlot{kTask, UserId{"w1"}, {"US", 0, 0}}, at_s(10))), nullptr);
}

TEST(PauseTask, OnlyTheOwnerPausesARunningTask) {
  PartitionState state = given(open_task());
  EXPECT_TRUE(is_event(decide(state, PauseTask{kTask, kEmp}, at_s(10)), TaskPaused{kTask, kEmp}));
  EXPECT_TRUE(is_rejection(decide(state, PauseTask{kTask, UserId{"other"}}, at_s(10)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(state, PauseTask{kTask, kEmp}, kExpiry), Rejection::task_not_open));
  EXPECT_TRUE(is_rejection(decide(state, ResumeTask{kTask, kEmp}, at_s(10)), Rejection::exists));
  PartitionState ended = given(with(open_task(), {cancelled(2)}));
  EXPECT_TRUE(is_rejection(decide(ended, PauseTask{kTask, kEmp}, at_s(10)), Rejection::task_not_open));
  EXPECT_TRUE(is_rejection(decide(ended, ResumeTask{kTask, kEmp}, at_s(10)), Rejection::task_not_open));
}

// ---- CancelTask / ExpireTask ----

TEST(CancelTask, RefundsTheFreeSlotsAtOnce) {
  std::vector<Event> one_held = with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))});
  EXPECT_TRUE(is_event(decide(given(one_held), CancelTask{kTask, kEmp}, at_s(10)), cancelled(1)));
  PartitionState state = given(with(one_held, {cancelled(1)}));
  const TaskState* task = state.find_task(kTask);
  EXPECT_EQ(task->status, TaskStatus::cancelled);
  EXPECT_EQ(task->escrow, money("0.60")) << "the held claim's slot";
  EXPECT_EQ(task->free_slots(), 0);
  EXPECT_EQ(state.find_user(kEmp)->available, money("99.40"));
  EXPECT_TRUE(state.task_deadlines.empty());
  EXPECT_EQ(check_invariants(state), "");
}

TEST(CancelTask, AClaimInFlightMayFinishAndIsPaid) {
  PartitionState state = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                  cancelled(1)}));
  Decision submitted = decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "done"}, at_s(20));
  ASSERT_NE(event_of(submitted), nullptr) << describe(submitted);
  evolve(state, *event_of(submitted));
  Decision approved = decide(state, ApproveSubmission{ClaimId{"emp.1.1"}, kEmp}, at_s(30));
  ASSERT_NE(event_of(approved), nullptr) << describe(approved);
  evolve(state, *event_of(approved));
  EXPECT_EQ(state.find_task(kTask)->status, TaskStatus::cancelled) << "not completed";
  EXPECT_EQ(state.find_task(kTask)->escrow, Micros{});
  EXPECT_EQ(check_invariants(state), "");
}

TEST(CancelTask, ASlotThatComesBackAfterwardsIsRefundedAsItEnds) {
  PartitionState state = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                  slot_claimed("emp.1.2", "w2", at_s(3600)),
                                                  proof_submitted("emp.1.2", "w2", at_s(50)),
                                                  cancelled(0)}));
  Decision abandoned = decide(state, AbandonClaim{ClaimId{"emp.1.1"}, UserId{"w1"}}, at_s(60));
  ASSERT_TRUE(is_event(abandoned, ClaimAbandoned{kTask, ClaimId{"emp.1.1"}, UserId{"w1"},
                                                 {{"user:emp:escrow", "user:emp:available",
                                                   money("0.60")}}}))
      << describe(abandoned);
  evolve(state, *event_of(abandoned));
  Decision rejected = decide(state, RejectSubmission{ClaimId{"emp.1.2"}, kEmp, "no"}, at_s(70));
  ASSERT_NE(event_of(rejected), nullptr);
  EXPECT_EQ(std::get<SubmissionRejected>(*event_of(rejected)).transfers.size(), 1u);
  evolve(state, *event_of(rejected));
  EXPECT_EQ(state.find_task(kTask)->escrow, Micros{});
  EXPECT_EQ(state.find_task(kTask)->refunded_slots, 2);
  EXPECT_EQ(state.find_user(kEmp)->available, money("100.00"));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(CancelTask, RefusesARepeatAnotherEmployerAndAnEndedTask) {
  PartitionState state = given(open_task());
  EXPECT_TRUE(is_rejection(decide(state, CancelTask{kTask, UserId{"other"}}, at_s(10)),
                           Rejection::forbidden));
  evolve(state, cancelled(2));
  EXPECT_TRUE(is_rejection(decide(state, CancelTask{kTask, kEmp}, at_s(10)), Rejection::exists));
  PartitionState expired = given(with(open_task(), {TaskExpired{kTask, kEmp, 2, money("1.20"),
      {{"user:emp:escrow", "user:emp:available", money("1.20")}}}}));
  EXPECT_TRUE(is_rejection(decide(expired, CancelTask{kTask, kEmp}, at_s(10)),
                           Rejection::task_not_open));
}

TEST(ExpireTask, TheSchedulerExpiresARunningTaskAtItsExpiry) {
  PartitionState state = given(with(open_task(), {TaskPaused{kTask, kEmp}}));
  EXPECT_TRUE(due_tasks(state, UnixMs{kExpiry.value - 1}, 10).empty());
  EXPECT_EQ(due_tasks(state, kExpiry, 10), std::vector<TaskId>{kTask}) << "paused tasks expire too";
  EXPECT_TRUE(is_rejection(decide(state, ExpireTask{kTask}, UnixMs{kExpiry.value - 1}),
                           Rejection::wrong_state));
  Decision expired = decide(state, ExpireTask{kTask}, kExpiry);
  ASSERT_TRUE(is_event(expired, TaskExpired{kTask, kEmp, 2, money("1.20"),
                                            {{"user:emp:escrow", "user:emp:available",
                                              money("1.20")}}}))
      << describe(expired);
  evolve(state, *event_of(expired));
  EXPECT_EQ(state.find_task(kTask)->status, TaskStatus::expired);
  EXPECT_TRUE(due_tasks(state, kExpiry, 10).empty());
  EXPECT_TRUE(is_rejection(decide(state, ExpireTask{kTask}, kExpiry), Rejection::wrong_state));
  EXPECT_EQ(check_invariants(state), "");
}

TEST(ExpireTask, AnOverrideOnAnEndedTaskIsPaidFromAvailable) {
  PartitionState state = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                  proof_submitted("emp.1.1", "w1", at_s(100)),
                                                  submission_rejected("emp.1.1", "w1"),
                                                  cancelled(2)}));
  Decision overridden = decide(state, OverrideRejection{ClaimId{"emp.1.1"}, kEmp}, at_s(200));
  ASSERT_NE(event_of(overridden), nullptr) << describe(overridden);
  EXPECT_FALSE(std::get<RejectionOverridden>(*event_of(overridden)).from_escrow);
  evolve(state, *event_of(overridden));
  EXPECT_EQ(check_invariants(state), "");
}

}  // namespace
}  // namespace microjobs
