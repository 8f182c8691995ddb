// Given-When-Then tests of RegisterUser and DepositFunds.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

TEST(RegisterUser, RegistersANewUser) {
  Decision decision = decide(given({}), RegisterUser{UserId{"w1"}, "ID", "Wayan"}, at_s(0));
  EXPECT_TRUE(is_event(decision, UserRegistered{UserId{"w1"}, "ID", "Wayan"}));
}

TEST(RegisterUser, RejectsAnIdenticalRepeatAsExists) {
  PartitionState state = given({user_registered("w1", "ID", "Wayan")});
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "ID", "Wayan"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::exists));
}

TEST(RegisterUser, UpdatesTheProfileWhenCountryChanges) {
  PartitionState state = given({user_registered("w1", "ID", "Wayan")});
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "MY", "Wayan"}, at_s(0));
  EXPECT_TRUE(is_event(decision, UserProfileUpdated{UserId{"w1"}, "MY", "Wayan"}));
}

TEST(RegisterUser, UpdatesTheProfileWhenDisplayNameChanges) {
  PartitionState state = given({user_registered("w1", "ID", "Wayan")});
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "ID", "Wayan S."}, at_s(0));
  EXPECT_TRUE(is_event(decision, UserProfileUpdated{UserId{"w1"}, "ID", "Wayan S."}));
}

TEST(RegisterUser, ProfileUpdateIsAppliedByEvolve) {
  PartitionState state =
      given({user_registered("w1", "ID", "Wayan"), UserProfileUpdated{UserId{"w1"}, "MY", "W"}});
  const UserState* user = state.find_user(UserId{"w1"});
  ASSERT_NE(user, nullptr);
  EXPECT_TRUE(user->registered);
  EXPECT_EQ(user->country, "MY");
  EXPECT_EQ(user->display_name, "W");
  EXPECT_TRUE(is_rejection(decide(state, RegisterUser{UserId{"w1"}, "MY", "W"}, at_s(0)),
                           Rejection::exists));
}

TEST(RegisterUser, RejectsABadCountry) {
  for (const char* country : {"", "id", "IDN", "I", "I1", "1D", "Id"}) {
    SCOPED_TRACE(country);
    Decision decision = decide(given({}), RegisterUser{UserId{"w1"}, country, ""}, at_s(0));
    EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
  }
}

TEST(RegisterUser, RejectsABadUserId) {
  for (const std::string& id : {std::string(), std::string("a.b"), std::string("a b"),
                                std::string("a:b"), std::string("é"), std::string(65, 'a')}) {
    SCOPED_TRACE(id);
    Decision decision = decide(given({}), RegisterUser{UserId{id}, "ID", ""}, at_s(0));
    EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
  }
}

TEST(RegisterUser, AcceptsTheLongestAndOddestValidId) {
  std::string id = std::string(62, 'a') + "_-";
  Decision decision = decide(given({}), RegisterUser{UserId{id}, "ID", ""}, at_s(0));
  EXPECT_TRUE(is_event(decision, UserRegistered{UserId{id}, "ID", ""}));
}

TEST(RegisterUser, RejectsADisplayNameOver200Bytes) {
  PartitionState state;
  EXPECT_TRUE(
      is_rejection(decide(state, RegisterUser{UserId{"w1"}, "ID", std::string(201, 'x')}, at_s(0)),
                   Rejection::invalid_argument));
  EXPECT_NE(
      event_of(decide(state, RegisterUser{UserId{"w1"}, "ID", std::string(200, 'x')}, at_s(0))),
      nullptr);
}

// An invalid profile change of an existing user is invalid_argument, not exists: validation
// comes first in the enum's order.
TEST(RegisterUser, ValidationComesBeforeExists) {
  PartitionState state = given({user_registered("w1", "ID", "")});
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "id", ""}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
}

TEST(DepositFunds, CreditsTheAccountFromTheWorld) {
  PartitionState state = given({user_registered("emp")});
  Decision decision = decide(state, DepositFunds{UserId{"emp"}, money("25.50"), "bank-1"}, at_s(0));
  FundsDeposited expected;
  expected.deposit_id = "dep.emp.bank-1";
  expected.account = UserId{"emp"};
  expected.amount = Micros{25'500'000};
  expected.reference = "bank-1";
  expected.transfers = {{"world:deposits", "user:emp:available", Micros{25'500'000}}};
  EXPECT_TRUE(is_event(decision, expected));
}

TEST(DepositFunds, EvolveRaisesTheAvailableBalance) {
  PartitionState state = given({user_registered("emp"), funds_deposited("emp", "25.50", "a"),
                                funds_deposited("emp", "0.000001", "b")});
  EXPECT_EQ(state.find_user(UserId{"emp"})->available, Micros{25'500'001});
  EXPECT_EQ(state.shared_accounts.at("world:deposits"), Micros{-25'500'001});
}

TEST(DepositFunds, RejectsAnUnregisteredAccount) {
  Decision decision = decide(given({}), DepositFunds{UserId{"emp"}, money("1"), "r"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::user_not_found));
}

// A credit from another partition creates an unregistered entry for the worker; it still may
// not receive deposits before it registers.
TEST(DepositFunds, RejectsAUserKnownOnlyFromACredit) {
  PartitionState state = given({worker_credited("w1", "0.50", 1, 1)});
  Decision decision = decide(state, DepositFunds{UserId{"w1"}, money("1"), "r"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::user_not_found));
}

TEST(DepositFunds, RejectsZeroAndNegativeAmounts) {
  PartitionState state = given({user_registered("emp")});
  for (std::int64_t micros : {0LL, -1LL, -1'000'000LL}) {
    SCOPED_TRACE(micros);
    Decision decision = decide(state, DepositFunds{UserId{"emp"}, Micros{micros}, "r"}, at_s(0));
    EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
  }
}

TEST(DepositFunds, RejectsAnEmptyOrOverlongReference) {
  PartitionState state = given({user_registered("emp")});
  EXPECT_TRUE(is_rejection(decide(state, DepositFunds{UserId{"emp"}, money("1"), ""}, at_s(0)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(
      decide(state, DepositFunds{UserId{"emp"}, money("1"), std::string(129, 'r')}, at_s(0)),
      Rejection::invalid_argument));
  EXPECT_NE(event_of(decide(state, DepositFunds{UserId{"emp"}, money("1"), std::string(128, 'r')},
                            at_s(0))),
            nullptr);
}

TEST(DepositFunds, RejectsAnAmountAboveTheMaximum) {
  PartitionState state = given({user_registered("emp")});
  Decision decision =
      decide(state, DepositFunds{UserId{"emp"}, Micros{kMaxMoneyMicros + 1}, "r"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
}

TEST(DepositFunds, RejectsADepositThatWouldTakeTheBalanceAboveTheMaximum) {
  PartitionState state = given({user_registered("emp")});
  evolve(state, funds_deposited("emp", "999999999", "a"));
  EXPECT_NE(event_of(decide(state, DepositFunds{UserId{"emp"}, money("1"), "b"}, at_s(0))),
            nullptr);
  EXPECT_TRUE(
      is_rejection(decide(state, DepositFunds{UserId{"emp"}, money("1.000001"), "b"}, at_s(0)),
                   Rejection::invalid_argument));
}

TEST(DepositFunds, RejectsTheSameReferenceAndAmountAsExists) {
  PartitionState state = given({user_registered("emp"), funds_deposited("emp", "10", "bank-1")});
  Decision decision = decide(state, DepositFunds{UserId{"emp"}, money("10.00"), "bank-1"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::exists));
}

TEST(DepositFunds, RejectsTheSameReferenceWithAnotherAmount) {
  PartitionState state = given({user_registered("emp"), funds_deposited("emp", "10", "bank-1")});
  Decision decision = decide(state, DepositFunds{UserId{"emp"}, money("10.01"), "bank-1"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::exists_with_different_amount));
}

// References are per account: another account may use the same provider reference.
TEST(DepositFunds, AcceptsTheSameReferenceOnAnotherAccount) {
  PartitionState state =
      given({user_registered("a"), user_registered("b"), funds_deposited("a", "10", "bank-1")});
  Decision decision = decide(state, DepositFunds{UserId{"b"}, money("10"), "bank-1"}, at_s(0));
  EXPECT_NE(event_of(decision), nullptr) << describe(decision);
}

TEST(DepositFunds, ValidationComesBeforeUserNotFound) {
  Decision decision = decide(given({}), DepositFunds{UserId{"nobody"}, Micros{0}, "r"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::invalid_argument));
}

TEST(DepositFunds, ExistsComesBeforeTheBalanceLimit) {
  PartitionState state = given({user_registered("emp"), funds_deposited("emp", "999999999", "a")});
  Decision decision = decide(state, DepositFunds{UserId{"emp"}, money("999999999"), "a"}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::exists));
}

// The deposit id is the API's answer to a deposit and the event's CloudEvents subject, so it must
// name one deposit only.
TEST(DepositFunds, GivesDepositsOfDifferentAccountsDifferentIds) {
  PartitionState state = given({user_registered("acme"), user_registered("acme-eu")});
  Decision first = decide(state, DepositFunds{UserId{"acme"}, money("1"), "eu-1"}, at_s(0));
  Decision second = decide(state, DepositFunds{UserId{"acme-eu"}, money("1"), "1"}, at_s(0));
  ASSERT_NE(event_of(first), nullptr);
  ASSERT_NE(event_of(second), nullptr);
  EXPECT_NE(std::get<FundsDeposited>(*event_of(first)).deposit_id,
            std::get<FundsDeposited>(*event_of(second)).deposit_id);
}

}  // namespace
}  // namespace microjobs
