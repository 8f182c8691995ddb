// Given-When-Then tests of CreditWorker (the cross-partition payout), plus the contract of the
// rejection codes and of check_invariants(), which the simulation relies on to find bugs.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

CreditWorker credit(std::int64_t source_seq, std::int64_t previous_source_seq,
                    std::int64_t source_partition = 2, std::string_view amount = "0.50") {
  return CreditWorker{
      UserId{"w1"},       money(amount),
      ClaimId{"emp.1.1"}, std::to_string(source_partition) + "-" + std::to_string(source_seq),
      source_partition,   source_seq,
      previous_source_seq};
}

TEST(CreditWorker, CreditsTheFirstApprovalFromClearing) {
  Decision decision = decide(given({user_registered("w1", "ID")}), credit(5, 0), at_s(0));
  EXPECT_TRUE(is_event(decision, worker_credited("w1", "0.50", 2, 5)));
}

TEST(CreditWorker, EvolvePaysTheWorkerAndRemembersTheSeq) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_EQ(state.find_user(UserId{"w1"})->available, money("0.50"));
  EXPECT_EQ(state.shared_accounts.at("clearing:payouts"), Micros{-500'000});
  EXPECT_EQ(state.last_credit_seq.at(2), 5);
}

TEST(CreditWorker, AppliesCreditsInOrder) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_TRUE(is_event(decide(state, credit(9, 5), at_s(0)), worker_credited("w1", "0.50", 2, 9)));
}

TEST(CreditWorker, RejectsASeqAlreadyCreditedAsExists) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_TRUE(is_rejection(decide(state, credit(5, 0), at_s(0)), Rejection::exists));
  EXPECT_TRUE(is_rejection(decide(state, credit(3, 0), at_s(0)), Rejection::exists));
}

TEST(CreditWorker, RejectsACreditWhosePredecessorIsMissing) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_TRUE(is_rejection(decide(state, credit(9, 7), at_s(0)), Rejection::out_of_order));
  EXPECT_TRUE(is_rejection(decide(state, credit(9, 0), at_s(0)), Rejection::out_of_order));
  EXPECT_TRUE(is_rejection(decide(given({}), credit(9, 7), at_s(0)), Rejection::out_of_order));
}

TEST(CreditWorker, KeepsOneSequencePerSourcePartition) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_NE(event_of(decide(state, credit(3, 0, 1), at_s(0))), nullptr);
  EXPECT_TRUE(is_rejection(decide(state, credit(3, 2, 1), at_s(0)), Rejection::out_of_order));
}

TEST(CreditWorker, RejectsANonPositiveAmountOrSeq) {
  PartitionState state = given({user_registered("w1", "ID")});
  EXPECT_TRUE(
      is_rejection(decide(state, credit(1, 0, 2, "0"), at_s(0)), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, credit(0, 0), at_s(0)), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, credit(-1, -2), at_s(0)), Rejection::invalid_argument));
}

TEST(CreditWorker, InvalidArgumentComesBeforeExists) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5)});
  EXPECT_TRUE(
      is_rejection(decide(state, credit(5, 0, 2, "0"), at_s(0)), Rejection::invalid_argument));
}

// A producer retry of an applied credit is harmless (exists) even though its predecessor field
// no longer matches.
TEST(CreditWorker, ExistsComesBeforeOutOfOrder) {
  PartitionState state = given({user_registered("w1", "ID"), worker_credited("w1", "0.50", 2, 5),
                                worker_credited("w1", "0.50", 2, 9)});
  EXPECT_TRUE(is_rejection(decide(state, credit(5, 0), at_s(0)), Rejection::exists));
}

TEST(RejectionCodes, AreInTheDocumentedOrder) {
  const std::vector<std::string_view> expected = {
      "invalid_argument",   "reason_required", "user_not_found", "task_not_found",
      "claim_not_found",    "forbidden",       "exists",         "exists_with_different_amount",
      "insufficient_funds", "task_not_open",   "own_task",       "blocked",        "not_qualified",
      "already_claimed",    "max_per_worker",  "no_free_slot",   "wrong_state",
      "claim_expired",      "out_of_order",    "revision_limit",
      "review_window_closed", "override_window_closed", "block_not_found", "not_per_item", "too_many_items", "duplicate_ref",
      "below_minimum",      "withdrawal_not_found",   "too_many_webhooks", "proof_not_url",
      "idempotency_key_reused"};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(rejection_code(static_cast<Rejection>(i)), expected[i]) << "value " << i;
  }
  EXPECT_EQ(rejection_code(static_cast<Rejection>(expected.size())), "unknown");
}

TEST(RejectionCodes, MapToHttpStatuses) {
  EXPECT_EQ(rejection_http_status(Rejection::invalid_argument), 400);
  EXPECT_EQ(rejection_http_status(Rejection::reason_required), 400);
  EXPECT_EQ(rejection_http_status(Rejection::forbidden), 403);
  EXPECT_EQ(rejection_http_status(Rejection::user_not_found), 404);
  EXPECT_EQ(rejection_http_status(Rejection::task_not_found), 404);
  EXPECT_EQ(rejection_http_status(Rejection::claim_not_found), 404);
  for (Rejection r : {Rejection::exists, Rejection::no_free_slot, Rejection::insufficient_funds,
                      Rejection::out_of_order, Rejection::claim_expired,
                      Rejection::override_window_closed}) {
    EXPECT_EQ(rejection_http_status(r), 409) << rejection_code(r);
  }
  EXPECT_EQ(rejection_http_status(Rejection::idempotency_key_reused), 422);
}

// A state where every invariant holds: a funded employer, a task with one approved slot, one
// claimed slot, and the worker credited.
PartitionState healthy_state() {
  return given(
      with(open_task(),
           {slot_claimed("emp.1.1", "w1", at_s(3600)), proof_submitted("emp.1.1", "w1", at_s(10)),
            submission_approved("emp.1.1", "w1"), slot_claimed("emp.1.2", "w2", at_s(3600)),
            worker_credited("w1", "0.50", 0, 6)}));
}

TEST(CheckInvariants, HoldForAHealthyState) { EXPECT_EQ(check_invariants(healthy_state()), ""); }

TEST(CheckInvariants, FindANegativeBalance) {
  PartitionState state = healthy_state();
  state.users[UserId{"w1"}].available = Micros{-1};
  EXPECT_NE(check_invariants(state), "");
}

TEST(CheckInvariants, FindATaskEscrowThatDiffersFromWhatItOwes) {
  PartitionState state = healthy_state();
  state.tasks[TaskId{"emp.1"}].escrow += Micros{1};
  state.users[UserId{"emp"}].escrow += Micros{1};
  EXPECT_NE(check_invariants(state), "");
}

TEST(CheckInvariants, FindAUserEscrowThatDiffersFromItsTasks) {
  PartitionState state = healthy_state();
  state.users[UserId{"emp"}].escrow += Micros{1};
  state.users[UserId{"emp"}].available -= Micros{1};
  EXPECT_NE(check_invariants(state), "");
}

TEST(CheckInvariants, FindAnOversoldTask) {
  PartitionState state = healthy_state();
  state.tasks[TaskId{"emp.1"}].claimed += 1;
  EXPECT_NE(check_invariants(state), "");
}

TEST(CheckInvariants, FindANegativeCounter) {
  PartitionState state = healthy_state();
  state.tasks[TaskId{"emp.1"}].claimed -= 2;
  EXPECT_NE(check_invariants(state), "");
}

}  // namespace
}  // namespace microjobs
