// Given-When-Then tests of per-slot items: AddItems and how claims take items. Task emp.1
// (test_support) posted with per_item and 3 slots at 0.50 + 0.10 fee; "emp" deposited 100.00.
#include <gtest/gtest.h>

#include <string>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

const TaskId kTask{"emp.1"};
const UserId kEmp{"emp"};

Item item(const std::string& ref) { return Item{ref, JsonText{R"({"row":")" + ref + R"("})"}}; }

std::vector<Item> items(std::initializer_list<const char*> refs) {
  std::vector<Item> out;
  for (const char* ref : refs) out.push_back(item(ref));
  return out;
}

ItemsAdded items_added(std::int64_t first, std::initializer_list<const char*> refs) {
  std::vector<Item> added = items(refs);
  return ItemsAdded{kTask, kEmp, first, first + static_cast<std::int64_t>(added.size()) - 1, added};
}

std::vector<Event> per_item_task(std::initializer_list<Event> more = {}) {
  return with(open_task({.slots = 3, .per_item = true}), more);
}

ClaimSlot claim_by(const std::string& worker) { return ClaimSlot{kTask, UserId{worker}, {"US", 0, 0}}; }

// The item the worker's claim would be given now.
std::int64_t next_item_for(const PartitionState& state, const std::string& worker) {
  const Decision decision = decide(state, claim_by(worker), at_s(10));
  const Event* event = event_of(decision);
  if (event == nullptr) return -1;
  return std::get<SlotClaimed>(*event).item.value;
}

// ---- AddItems ----

TEST(AddItems, NumbersTheItemsInTheOrderGiven) {
  PartitionState state = given(per_item_task());
  EXPECT_TRUE(is_event(decide(state, AddItems{kTask, kEmp, items({"a", "b"})}, at_s(10)),
                       items_added(1, {"a", "b"})));
  evolve(state, items_added(1, {"a", "b"}));
  EXPECT_TRUE(is_event(decide(state, AddItems{kTask, kEmp, items({"c"})}, at_s(10)),
                       items_added(3, {"c"})));
  EXPECT_EQ(state.find_task(kTask)->unassigned_items(), 2);
  EXPECT_EQ(check_invariants(state), "");
}

TEST(AddItems, RefusesAPlainTaskAnotherEmployerAndAnEndedTask) {
  PartitionState plain = given(open_task());
  EXPECT_TRUE(is_rejection(decide(plain, AddItems{kTask, kEmp, items({"a"})}, at_s(10)),
                           Rejection::not_per_item));
  PartitionState state = given(per_item_task());
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, UserId{"other"}, items({"a"})}, at_s(10)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(state, AddItems{TaskId{"emp.9"}, kEmp, items({"a"})}, at_s(10)),
                           Rejection::task_not_found));
  PartitionState cancelled = given(per_item_task(
      {TaskCancelled{kTask, kEmp, 3, money("1.80"),
                     {{"user:emp:escrow", "user:emp:available", money("1.80")}}}}));
  EXPECT_TRUE(is_rejection(decide(cancelled, AddItems{kTask, kEmp, items({"a"})}, at_s(10)),
                           Rejection::task_not_open));
}

TEST(AddItems, RefusesMoreItemsThanSlots) {
  PartitionState state = given(per_item_task({items_added(1, {"a", "b"})}));
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, items({"c", "d"})}, at_s(10)),
                           Rejection::too_many_items));
  EXPECT_NE(event_of(decide(state, AddItems{kTask, kEmp, items({"c"})}, at_s(10))), nullptr);
}

TEST(AddItems, RefusesADuplicateRefInTheCallOrInTheTask) {
  PartitionState state = given(per_item_task({items_added(1, {"a"})}));
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, items({"b", "b"})}, at_s(10)),
                           Rejection::duplicate_ref));
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, items({"b", "a"})}, at_s(10)),
                           Rejection::duplicate_ref));
}

TEST(AddItems, RefusesAnEmptyCallAnEmptyRefAndAnItemOver4KiB) {
  PartitionState state = given(per_item_task());
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, {}}, at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, items({""})}, at_s(10)),
                           Rejection::invalid_argument));
  Item big{"big", JsonText{'"' + std::string(4095, 'x') + '"'}};
  EXPECT_TRUE(is_rejection(decide(state, AddItems{kTask, kEmp, {big}}, at_s(10)),
                           Rejection::invalid_argument));
  big.data.text.resize(4096);
  big.data.text.back() = '"';
  EXPECT_NE(event_of(decide(state, AddItems{kTask, kEmp, {big}}, at_s(10))), nullptr)
      << "4096 bytes is the limit, inclusive";
  std::vector<Item> too_many(1001, item("x"));
  EXPECT_TRUE(is_rejection(decide(given(open_task({.slots = 2000, .per_item = true})),
                                  AddItems{kTask, kEmp, too_many}, at_s(10)),
                           Rejection::invalid_argument));
}

// ---- Claims on a per_item task ----

TEST(PerItemClaims, EachClaimTakesTheOldestItemNoClaimHolds) {
  PartitionState state = given(per_item_task({items_added(1, {"a", "b"})}));
  EXPECT_EQ(next_item_for(state, "w1"), 1);
  evolve(state, SlotClaimed{kTask, ClaimId{"emp.1.1"}, UserId{"w1"}, at_s(3600), ItemNumber{1}});
  EXPECT_EQ(next_item_for(state, "w2"), 2);
  evolve(state, SlotClaimed{kTask, ClaimId{"emp.1.2"}, UserId{"w2"}, at_s(3600), ItemNumber{2}});
  EXPECT_TRUE(is_rejection(decide(state, claim_by("w3"), at_s(10)), Rejection::no_free_slot))
      << "a free slot without an item takes no claim";
  EXPECT_EQ(check_invariants(state), "");
}

TEST(PerItemClaims, AReturnedItemGoesBackInFrontLowestFirst) {
  PartitionState state = given(per_item_task(
      {items_added(1, {"a", "b", "c"}),
       SlotClaimed{kTask, ClaimId{"emp.1.1"}, UserId{"w1"}, at_s(3600), ItemNumber{1}},
       SlotClaimed{kTask, ClaimId{"emp.1.2"}, UserId{"w2"}, at_s(3600), ItemNumber{2}},
       claim_abandoned("emp.1.2", "w2"), proof_submitted("emp.1.1", "w1", at_s(100)),
       submission_rejected("emp.1.1", "w1")}));
  EXPECT_EQ(state.find_task(kTask)->unassigned_items(), 3);
  EXPECT_EQ(next_item_for(state, "w3"), 1) << "the rejected item 1 before the abandoned 2";
  evolve(state, SlotClaimed{kTask, ClaimId{"emp.1.3"}, UserId{"w3"}, at_s(3600), ItemNumber{1}});
  EXPECT_EQ(next_item_for(state, "w4"), 2);
  evolve(state, SlotClaimed{kTask, ClaimId{"emp.1.4"}, UserId{"w4"}, at_s(3600), ItemNumber{2}});
  evolve(state, claim_expired("emp.1.3", "w3"));
  EXPECT_EQ(next_item_for(state, "w5"), 1) << "an expired claim's item comes back too";
  EXPECT_EQ(check_invariants(state), "");
}

TEST(PerItemClaims, AnOverriddenRejectionTakesItsItemOutOfTheQueue) {
  PartitionState state = given(per_item_task(
      {items_added(1, {"a", "b"}),
       SlotClaimed{kTask, ClaimId{"emp.1.1"}, UserId{"w1"}, at_s(3600), ItemNumber{1}},
       proof_submitted("emp.1.1", "w1", at_s(100)), submission_rejected("emp.1.1", "w1")}));
  ASSERT_EQ(next_item_for(state, "w2"), 1);
  Decision override_decision = decide(state, OverrideRejection{ClaimId{"emp.1.1"}, kEmp}, at_s(200));
  ASSERT_NE(event_of(override_decision), nullptr);
  evolve(state, *event_of(override_decision));
  EXPECT_EQ(next_item_for(state, "w2"), 2) << "item 1's work was accepted";
  EXPECT_EQ(check_invariants(state), "");
}

// A slot goes with an item: an override that cannot take a free slot (the task is paused) is paid
// from the employer's available balance and leaves the item in the queue for another claim.
TEST(PerItemClaims, AnOverrideWithoutAFreeSlotLeavesTheItemInTheQueue) {
  PartitionState state = given(per_item_task(
      {items_added(1, {"a", "b"}),
       SlotClaimed{kTask, ClaimId{"emp.1.1"}, UserId{"w1"}, at_s(3600), ItemNumber{1}},
       proof_submitted("emp.1.1", "w1", at_s(100)), submission_rejected("emp.1.1", "w1"),
       TaskPaused{kTask, kEmp}}));
  Decision override_decision = decide(state, OverrideRejection{ClaimId{"emp.1.1"}, kEmp}, at_s(200));
  ASSERT_NE(event_of(override_decision), nullptr);
  EXPECT_FALSE(std::get<RejectionOverridden>(*event_of(override_decision)).from_escrow);
  evolve(state, *event_of(override_decision));
  evolve(state, TaskResumed{kTask, kEmp});
  EXPECT_EQ(next_item_for(state, "w2"), 1) << "the item still waits for a claim, with its slot";
  EXPECT_EQ(check_invariants(state), "");
}

TEST(PerItemClaims, ThePlainTaskClaimHasNoItem) {
  PartitionState state = given(open_task());
  EXPECT_EQ(next_item_for(state, "w1"), 0);
}

}  // namespace
}  // namespace microjobs
