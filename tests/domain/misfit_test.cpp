// misfit(): what evolve() takes for granted of an event, checked before folding an event that a
// forger may have written (the audit, a processor's replay). It holds for whatever the rules
// decide (here, and after every decision of the simulation) and names each broken assumption.
#include <gtest/gtest.h>

#include "domain/decider.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// The task emp.1 with claim emp.1.1 held by w1.
PartitionState with_a_claim(const TaskSpec& spec = {}) {
  return given(with(open_task(spec), {slot_claimed("emp.1.1", "w1", at_s(3600))}));
}

TEST(Misfit, HoldsForWhatTheRulesDecide) {
  PartitionState state = given(open_task());
  for (const Command& command : std::vector<Command>{
           ClaimSlot{TaskId{"emp.1"}, UserId{"w1"}, {"US", 0, 0}},
           SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "done"},
           ApproveSubmission{ClaimId{"emp.1.1"}, UserId{"emp"}},
           CancelTask{TaskId{"emp.1"}, UserId{"emp"}}}) {
    const Decision decision = decide(state, command, at_s(10));
    const Event* event = event_of(decision);
    ASSERT_NE(event, nullptr) << describe(decision);
    EXPECT_EQ(misfit(state, *event), "") << describe(*event);
    evolve(state, *event);
  }
}

TEST(Misfit, NamesAClaimIdNotInTheFormOfItsTask) {
  PartitionState state = with_a_claim();
  EXPECT_EQ(misfit(state, proof_submitted("emp.1.01", "w1", at_s(5))), "'emp.1.01' is no claim id of task emp.1");
  ProofSubmitted elsewhere = proof_submitted("emp.1.1", "w1", at_s(5));
  elsewhere.claim_id = ClaimId{"emp.2.1"};  // number 1, but of another task
  EXPECT_EQ(misfit(state, elsewhere), "'emp.2.1' is no claim id of task emp.1");
  SlotClaimed odd = slot_claimed("emp.1.2", "w2", at_s(3600));
  odd.claim_id = ClaimId{"emp.1.x"};
  EXPECT_EQ(misfit(state, odd), "'emp.1.x' is no claim id of task emp.1");
}

TEST(Misfit, NamesAClaimThatDoesNotExistOrExistsAlready) {
  PartitionState state = with_a_claim();
  EXPECT_EQ(misfit(state, submission_approved("emp.1.2", "w2")), "claim emp.1.2 does not exist");
  EXPECT_EQ(misfit(state, slot_claimed("emp.1.1", "w2", at_s(3600))), "claim emp.1.1 exists already");
  EXPECT_EQ(misfit(state, slot_claimed("emp.9.1", "w2", at_s(3600))), "task emp.9 does not exist");
}

TEST(Misfit, NamesARefundOfOtherThanOneSlot) {
  PartitionState state = with_a_claim();
  ClaimAbandoned abandoned = claim_abandoned("emp.1.1", "w1");
  abandoned.transfers = {Transfer{"escrow:emp", "user:emp:available", money("0.61")}};
  EXPECT_EQ(misfit(state, abandoned), "its refund is not one slot's escrow of 0.60");
  abandoned.transfers[0].amount = money("0.60");
  EXPECT_EQ(misfit(state, abandoned), "");
}

TEST(Misfit, NamesATaskThatEndsTwiceOrRefundsMoreThanItsFreeSlots) {
  PartitionState state = with_a_claim();
  TaskCancelled cancelled{TaskId{"emp.1"}, UserId{"emp"}, 2, money("1.20"), {}};
  EXPECT_EQ(misfit(state, cancelled), "it refunds 2 slots of 1 free");
  cancelled.refunded_slots = 1;
  EXPECT_EQ(misfit(state, cancelled), "");
  evolve(state, cancelled);
  cancelled.refunded_slots = 0;
  EXPECT_EQ(misfit(state, cancelled), "task emp.1 has ended already");
}

TEST(Misfit, NamesItemsThatDoNotNumberOn) {
  PartitionState state = given(open_task({.per_item = true}));
  ItemsAdded added{TaskId{"emp.1"}, UserId{"emp"}, 2, 2, {{"a", JsonText{"1"}}, {"b", JsonText{"2"}}}};
  EXPECT_EQ(misfit(state, added), "its first item is 2, not 1");
  added.first = 1;
  EXPECT_EQ(misfit(state, added), "");
  evolve(state, added);
  SlotClaimed claimed = slot_claimed("emp.1.1", "w1", at_s(3600));
  claimed.item = ItemNumber{2};
  EXPECT_EQ(misfit(state, claimed), "item 2 is neither the next nor one that came back");
  claimed.item = ItemNumber{1};
  EXPECT_EQ(misfit(state, claimed), "");
}

}  // namespace
}  // namespace microjobs
