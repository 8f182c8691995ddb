// Given-When-Then tests of PayBonus: a bonus on an approved claim, from the employer's available
// balance, with the fee of a reward, on its way to the worker through clearing:payouts.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// Task emp.1 (reward 0.50; the employer deposited 100.00) with w1's claim emp.1.1 approved.
std::vector<Event> approved_w1() {
  return with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                            proof_submitted("emp.1.1", "w1", at_s(100)),
                            submission_approved("emp.1.1", "w1")});
}

PayBonus bonus(std::string_view amount = "0.25", const std::string& claim = "emp.1.1",
               const std::string& employer = "emp", const std::string& reason = "great") {
  return PayBonus{ClaimId{claim}, UserId{employer}, money(amount), reason};
}

TEST(PayBonus, PaysFromAvailableWithTheFeeOfAReward) {
  Decision decision = decide(given(approved_w1()), bonus("0.25"), at_s(500));
  const auto* event = event_of(decision);
  ASSERT_NE(event, nullptr) << describe(decision);
  const auto& paid = std::get<BonusPaid>(*event);
  EXPECT_EQ(paid.bonus_id, "emp.1.1.b1");
  EXPECT_EQ(paid.worker_id, UserId{"w1"});
  EXPECT_EQ(paid.amount, money("0.25"));
  EXPECT_EQ(paid.fee, money("0.05"));  // 20 %
  EXPECT_EQ(paid.transfers,
            (std::vector<Transfer>{{"user:emp:available", "clearing:payouts", money("0.25")},
                                   {"user:emp:available", "platform:fees", money("0.05")}}));
}

TEST(PayBonus, TheFeeHasTheFloorOfAReward) {
  Decision decision = decide(given(approved_w1()), bonus("0.01"), at_s(500));
  ASSERT_NE(event_of(decision), nullptr);
  EXPECT_EQ(std::get<BonusPaid>(*event_of(decision)).fee, money("0.01"));
}

TEST(PayBonus, EvolveMovesTheMoneyAndNumbersTheNextBonus) {
  PartitionState state = given(approved_w1());
  const Micros before = state.find_user(UserId{"emp"})->available;
  Decision first = decide(state, bonus("0.25"), at_s(500));
  evolve(state, *event_of(first));
  EXPECT_EQ(state.find_user(UserId{"emp"})->available, before - money("0.30"));
  EXPECT_EQ(state.shared_accounts.at("clearing:payouts"), money("0.75"));  // reward + bonus
  EXPECT_EQ(check_invariants(state), "");
  Decision second = decide(state, bonus("0.10"), at_s(600));
  ASSERT_NE(event_of(second), nullptr);
  EXPECT_EQ(std::get<BonusPaid>(*event_of(second)).bonus_id, "emp.1.1.b2");
}

TEST(PayBonus, NeedsTheFunds) {
  PartitionState state = given(approved_w1());
  const Micros available = state.find_user(UserId{"emp"})->available;
  // amount + 20 % fee must fit: the largest bonus that does, and one micro more than that.
  Micros fits{available.value * 10 / 12};
  EXPECT_NE(event_of(decide(state, PayBonus{ClaimId{"emp.1.1"}, UserId{"emp"}, fits, "r"}, at_s(1))),
            nullptr);
  EXPECT_TRUE(is_rejection(decide(state, PayBonus{ClaimId{"emp.1.1"}, UserId{"emp"}, available, "r"},
                                  at_s(1)),
                           Rejection::insufficient_funds));
}

TEST(PayBonus, OnlyOnAnApprovedClaimOfTheOwnersTask) {
  EXPECT_TRUE(is_rejection(decide(given(approved_w1()), bonus("0.25", "emp.1.1", "emp2"), at_s(1)),
                           Rejection::forbidden));
  EXPECT_TRUE(is_rejection(decide(given(approved_w1()), bonus("0.25", "emp.1.7"), at_s(1)),
                           Rejection::claim_not_found));
  PartitionState submitted = given(with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600)),
                                                      proof_submitted("emp.1.1", "w1", at_s(100))}));
  EXPECT_TRUE(is_rejection(decide(submitted, bonus(), at_s(1)), Rejection::wrong_state));
}

TEST(PayBonus, RefusesABadAmountOrNoReason) {
  PartitionState state = given(approved_w1());
  EXPECT_TRUE(is_rejection(decide(state, PayBonus{ClaimId{"emp.1.1"}, UserId{"emp"}, Micros{0}, "r"},
                                  at_s(1)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, bonus("0.25", "emp.1.1", "emp", ""), at_s(1)),
                           Rejection::reason_required));
}

}  // namespace
}  // namespace microjobs
