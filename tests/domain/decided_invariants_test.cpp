// check_decided: the invariants the processor asserts after every decision (in release builds
// too). It must pass on what the rules decide and fail on what a broken rule would decide.
#include <gtest/gtest.h>

#include "domain/decider.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

TEST(CheckDecided, HoldsForWhatTheRulesDecide) {
  PartitionState state = given(open_task());
  const Decision decision = decide(state, ClaimSlot{TaskId{"emp.1"}, UserId{"w1"}, {"US", 0, 0}}, at_s(1));
  const Event* event = event_of(decision);
  ASSERT_NE(event, nullptr) << describe(decision);
  evolve(state, *event);
  EXPECT_EQ(check_decided(state, *event), "");
}

// A rule that claimed a slot the task no longer had.
TEST(CheckDecided, FindsAnOversoldTask) {
  const SlotClaimed third = slot_claimed("emp.1.3", "w3", at_s(3600));
  PartitionState state = given(with(open_task({.slots = 2}), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                               slot_claimed("emp.1.2", "w2", at_s(3600)), third}));
  EXPECT_NE(check_decided(state, third).find("task emp.1 is oversold"), std::string::npos);
}

// A rule that paid out more than an account held, or moved nothing.
TEST(CheckDecided, FindsANegativeAccountAndATransferOfNothing) {
  FundsDeposited deposit = funds_deposited("emp", "1.00");
  PartitionState state = given({user_registered("emp"), deposit});
  Event overdraw = FundsDeposited{"d2", UserId{"emp"}, money("2.00"), "r2",
                                  {Transfer{"user:emp:available", "world:deposits", money("2.00")}}};
  evolve(state, overdraw);
  EXPECT_EQ(check_decided(state, overdraw), "user:emp:available is negative");
  Event nothing = FundsDeposited{"d3", UserId{"emp"}, money("0"), "r3",
                                 {Transfer{"world:deposits", "user:emp:available", money("0")}}};
  EXPECT_NE(check_decided(state, nothing).find("moves nothing"), std::string::npos);
}

}  // namespace
}  // namespace microjobs
