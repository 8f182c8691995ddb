// Given-When-Then tests of withdrawals: RequestWithdrawal (worker), CompleteWithdrawal and
// FailWithdrawal (the payment provider), with the ledger after each. Worker "w1" registered with
// 10.00 on its available balance; the minimum withdrawal is the Policy's 1.00.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

const UserId kWorker{"w1"};
const WithdrawalId kFirst{"w1.w1"};

std::vector<Event> funded(std::initializer_list<Event> more = {}) {
  return with({user_registered("w1", "ID"), funds_deposited("w1", "10.00")}, more);
}

WithdrawalRequested requested(std::string_view amount, const std::string& id = "w1.w1") {
  return WithdrawalRequested{WithdrawalId{id}, kWorker, money(amount), "ewallet:0812",
                             {{"user:w1:available", "user:w1:pending_withdrawal", money(amount)}}};
}

WithdrawalCompleted completed(std::string_view amount) {
  return WithdrawalCompleted{kFirst, kWorker, money(amount),
                             {{"user:w1:pending_withdrawal", "world:withdrawals", money(amount)}}};
}

WithdrawalFailed failed(std::string_view amount) {
  return WithdrawalFailed{kFirst, kWorker, money(amount), "account closed",
                          {{"user:w1:pending_withdrawal", "user:w1:available", money(amount)}}};
}

TEST(RequestWithdrawal, MovesTheAmountFromAvailableToPending) {
  EXPECT_TRUE(is_event(decide(given(funded()), RequestWithdrawal{kWorker, money("4.00"), "ewallet:0812"},
                              at_s(10)),
                       requested("4.00")));
  PartitionState state = given(funded({requested("4.00")}));
  EXPECT_EQ(state.find_user(kWorker)->available, money("6.00"));
  EXPECT_EQ(state.find_user(kWorker)->extras->pending_withdrawal, money("4.00"));
  EXPECT_EQ(check_invariants(state), "");
  EXPECT_TRUE(is_event(decide(state, RequestWithdrawal{kWorker, money("1.00"), "ewallet:0812"}, at_s(10)),
                       requested("1.00", "w1.w2")))
      << "ids count up per user";
}

TEST(RequestWithdrawal, RefusesBelowTheMinimumBeyondTheBalanceAndBadInput) {
  PartitionState state = given(funded());
  auto request = [&](std::string_view amount, std::string destination = "ewallet:0812",
                     std::string user = "w1") {
    return decide(state, RequestWithdrawal{UserId{user}, money(amount), destination}, at_s(10));
  };
  EXPECT_TRUE(is_rejection(request("0.99"), Rejection::below_minimum));
  EXPECT_TRUE(is_rejection(request("10.01"), Rejection::insufficient_funds));
  EXPECT_TRUE(is_rejection(request("1.00", ""), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(request("1.00", std::string(201, 'x')), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(request("1.00", "ewallet", "nobody"), Rejection::user_not_found));
  EXPECT_TRUE(is_rejection(decide(state, RequestWithdrawal{kWorker, Micros{0}, "x"}, at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_NE(event_of(request("10.00")), nullptr) << "the whole balance may go";
}

TEST(CompleteWithdrawal, PaysThePendingAmountOutToTheWorld) {
  PartitionState state = given(funded({requested("4.00")}));
  EXPECT_TRUE(is_event(decide(state, CompleteWithdrawal{kFirst}, at_s(20)), completed("4.00")));
  evolve(state, completed("4.00"));
  EXPECT_EQ(state.find_user(kWorker)->extras->pending_withdrawal, Micros{0});
  EXPECT_EQ(state.shared_accounts.at("world:withdrawals"), money("4.00"));
  EXPECT_EQ(check_invariants(state), "");
  EXPECT_TRUE(is_rejection(decide(state, CompleteWithdrawal{kFirst}, at_s(30)), Rejection::exists));
  EXPECT_TRUE(is_rejection(decide(state, FailWithdrawal{kFirst, "late"}, at_s(30)),
                           Rejection::wrong_state));
}

TEST(FailWithdrawal, GivesTheAmountBackWithTheReason) {
  PartitionState state = given(funded({requested("4.00")}));
  EXPECT_TRUE(is_rejection(decide(state, FailWithdrawal{kFirst, ""}, at_s(20)), Rejection::reason_required));
  EXPECT_TRUE(is_event(decide(state, FailWithdrawal{kFirst, "account closed"}, at_s(20)), failed("4.00")));
  evolve(state, failed("4.00"));
  EXPECT_EQ(state.find_user(kWorker)->available, money("10.00"));
  EXPECT_EQ(check_invariants(state), "");
  EXPECT_TRUE(is_rejection(decide(state, FailWithdrawal{kFirst, "again"}, at_s(30)), Rejection::exists));
  EXPECT_TRUE(is_rejection(decide(state, CompleteWithdrawal{kFirst}, at_s(30)), Rejection::wrong_state));
}

TEST(SettleWithdrawal, AnUnknownOrMalformedIdIsNotFound) {
  PartitionState state = given(funded({requested("4.00")}));
  for (const char* id : {"w1.w2", "w2.w1", "w1", "w1.w", "w1.wx", ""}) {
    EXPECT_TRUE(is_rejection(decide(state, CompleteWithdrawal{WithdrawalId{id}}, at_s(20)),
                             Rejection::withdrawal_not_found))
        << id;
  }
}

}  // namespace
}  // namespace microjobs
