// Given-When-Then tests of a claim's life before review: AbandonClaim, ExpireClaim with the
// scheduler's due_claims(), and SubmitProof.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// Task emp.1 (two slots) with claim emp.1.1 held by w1 until at_s(3600).
std::vector<Event> claimed_by_w1() {
  return with(open_task(), {slot_claimed("emp.1.1", "w1", at_s(3600))});
}

TEST(AbandonClaim, AbandonsTheWorkersClaim) {
  Decision decision =
      decide(given(claimed_by_w1()), AbandonClaim{ClaimId{"emp.1.1"}, UserId{"w1"}}, at_s(10));
  EXPECT_TRUE(is_event(decision, claim_abandoned("emp.1.1", "w1")));
}

TEST(AbandonClaim, ReturnsTheSlotToThePool) {
  PartitionState state = given(with(claimed_by_w1(), {claim_abandoned("emp.1.1", "w1")}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->claimed, 0);
  EXPECT_EQ(task->free_slots(), 2);
  EXPECT_EQ(task->claims.at(ClaimId{"emp.1.1"}).status, ClaimStatus::abandoned);
  EXPECT_TRUE(state.claim_deadlines.empty());
  EXPECT_TRUE(due_claims(state, at_s(99'999), 10).empty());
  EXPECT_EQ(check_invariants(state), "");
}

TEST(AbandonClaim, RejectsAnUnknownOrMalformedClaim) {
  PartitionState state = given(claimed_by_w1());
  for (const char* id : {"emp.1.2", "emp.2.1", "emp.1", "emp", "", "emp.1.x", "other.1.1"}) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(is_rejection(decide(state, AbandonClaim{ClaimId{id}, UserId{"w1"}}, at_s(0)),
                             Rejection::claim_not_found));
  }
}

TEST(AbandonClaim, RejectsAnotherWorker) {
  Decision decision =
      decide(given(claimed_by_w1()), AbandonClaim{ClaimId{"emp.1.1"}, UserId{"w2"}}, at_s(0));
  EXPECT_TRUE(is_rejection(decision, Rejection::forbidden));
}

TEST(AbandonClaim, RejectsAClaimNoLongerHeld) {
  for (const Event& end :
       {Event{proof_submitted("emp.1.1", "w1", at_s(1))}, Event{claim_abandoned("emp.1.1", "w1")},
        Event{claim_expired("emp.1.1", "w1")}}) {
    SCOPED_TRACE(describe(end));
    PartitionState state = given(with(claimed_by_w1(), {end}));
    EXPECT_TRUE(is_rejection(decide(state, AbandonClaim{ClaimId{"emp.1.1"}, UserId{"w1"}}, at_s(2)),
                             Rejection::wrong_state));
  }
}

TEST(AbandonClaim, ForbiddenComesBeforeWrongState) {
  PartitionState state = given(with(claimed_by_w1(), {claim_abandoned("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(state, AbandonClaim{ClaimId{"emp.1.1"}, UserId{"w2"}}, at_s(0)),
                           Rejection::forbidden));
}

TEST(ExpireClaim, RejectsBeforeTheDeadline) {
  Decision decision =
      decide(given(claimed_by_w1()), ExpireClaim{ClaimId{"emp.1.1"}}, UnixMs{at_s(3600).value - 1});
  EXPECT_TRUE(is_rejection(decision, Rejection::wrong_state));
}

TEST(ExpireClaim, ExpiresAtAndAfterTheDeadline) {
  PartitionState state = given(claimed_by_w1());
  EXPECT_TRUE(is_event(decide(state, ExpireClaim{ClaimId{"emp.1.1"}}, at_s(3600)),
                       claim_expired("emp.1.1", "w1")));
  EXPECT_TRUE(is_event(decide(state, ExpireClaim{ClaimId{"emp.1.1"}}, at_s(9000)),
                       claim_expired("emp.1.1", "w1")));
}

TEST(ExpireClaim, ReturnsTheSlotToThePool) {
  PartitionState state = given(with(claimed_by_w1(), {claim_expired("emp.1.1", "w1")}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->claimed, 0);
  EXPECT_EQ(task->free_slots(), 2);
  EXPECT_EQ(task->claims.at(ClaimId{"emp.1.1"}).status, ClaimStatus::expired);
  EXPECT_EQ(task->workers.at(UserId{"w1"}).active_claims, 0);
  EXPECT_TRUE(state.claim_deadlines.empty());
}

// A submission after the scheduler expired the claim says the claim expired, not a bare
// wrong_state: the worker learns why.
TEST(SubmitProof, OnAnExpiredClaimSaysItExpired) {
  PartitionState state = given(with(claimed_by_w1(), {claim_expired("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "late"}, at_s(4000)),
                           Rejection::claim_expired));
  PartitionState abandoned = given(with(claimed_by_w1(), {claim_abandoned("emp.1.1", "w1")}));
  EXPECT_TRUE(is_rejection(decide(abandoned, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "late"}, at_s(4000)),
                           Rejection::wrong_state));
}

TEST(ExpireClaim, RejectsAClaimNotInClaimedState) {
  for (const Event& end :
       {Event{proof_submitted("emp.1.1", "w1", at_s(1))}, Event{claim_abandoned("emp.1.1", "w1")},
        Event{claim_expired("emp.1.1", "w1")}}) {
    SCOPED_TRACE(describe(end));
    PartitionState state = given(with(claimed_by_w1(), {end}));
    EXPECT_TRUE(is_rejection(decide(state, ExpireClaim{ClaimId{"emp.1.1"}}, at_s(9000)),
                             Rejection::wrong_state));
  }
}

TEST(ExpireClaim, RejectsAnUnknownClaim) {
  EXPECT_TRUE(
      is_rejection(decide(given(claimed_by_w1()), ExpireClaim{ClaimId{"emp.1.9"}}, at_s(9000)),
                   Rejection::claim_not_found));
}

// Three claims with deadlines 100 s, 200 s and 300 s after kT0, given out of deadline order.
PartitionState three_claims() {
  return given(
      with(open_task({.slots = 4, .claim_timeout_s = 60}),
           {slot_claimed("emp.1.1", "w1", at_s(300)), slot_claimed("emp.1.2", "w2", at_s(100)),
            slot_claimed("emp.1.3", "w3", at_s(200))}));
}

std::vector<ClaimId> claim_ids(std::initializer_list<const char*> ids) {
  std::vector<ClaimId> out;
  for (const char* id : ids) out.push_back(ClaimId{id});
  return out;
}

TEST(DueClaims, ListsClaimsAtOrPastTheirDeadlineOldestFirst) {
  PartitionState state = three_claims();
  EXPECT_EQ(due_claims(state, UnixMs{at_s(100).value - 1}, 10), claim_ids({}));
  EXPECT_EQ(due_claims(state, at_s(100), 10), claim_ids({"emp.1.2"}));
  EXPECT_EQ(due_claims(state, at_s(250), 10), claim_ids({"emp.1.2", "emp.1.3"}));
  EXPECT_EQ(due_claims(state, at_s(300), 10), claim_ids({"emp.1.2", "emp.1.3", "emp.1.1"}));
}

TEST(DueClaims, StopsAtTheLimit) {
  PartitionState state = three_claims();
  EXPECT_EQ(due_claims(state, at_s(999), 2), claim_ids({"emp.1.2", "emp.1.3"}));
  EXPECT_EQ(due_claims(state, at_s(999), 0), claim_ids({}));
}

TEST(DueClaims, LeavesOutSubmittedAndEndedClaims) {
  PartitionState state = three_claims();
  evolve(state, proof_submitted("emp.1.2", "w2", at_s(50)));
  evolve(state, claim_abandoned("emp.1.3", "w3"));
  EXPECT_EQ(due_claims(state, at_s(999), 10), claim_ids({"emp.1.1"}));
  evolve(state, claim_expired("emp.1.1", "w1"));
  EXPECT_EQ(due_claims(state, at_s(999), 10), claim_ids({}));
}

TEST(SubmitProof, SubmitsTheProofStampedWithNow) {
  Decision decision = decide(given(claimed_by_w1()),
                             SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "@wayan"}, at_s(30));
  EXPECT_TRUE(is_event(decision, proof_submitted("emp.1.1", "w1", at_s(30), "@wayan")));
}

TEST(SubmitProof, ATaskThatAsksForAUrlTakesOnlyAUrl) {
  std::vector<Event> events = open_task();
  std::get<TaskPosted>(events.back()).proof_type = "url";
  PartitionState state = given(with(events, {slot_claimed("emp.1.1", "w1", at_s(3600))}));
  auto submit = [&](std::string proof) {
    return decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, std::move(proof)}, at_s(30));
  };
  for (const char* not_url : {"@wayan", "example.com/review", "https://", "https://exa mple.com",
                              "javascript:alert(1)", "https://\u00e9xample.com", "https://#x", "http://@"}) {
    EXPECT_TRUE(is_rejection(submit(not_url), Rejection::proof_not_url)) << not_url;
  }
  EXPECT_TRUE(is_event(submit("https://play.example.com/review/123?lang=en"),
                       proof_submitted("emp.1.1", "w1", at_s(30), "https://play.example.com/review/123?lang=en")));
  EXPECT_TRUE(is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w2"}, "x"}, at_s(30)),
                           Rejection::forbidden))
      << "another worker's claim is forbidden before its proof is read";
}

TEST(SubmitProof, EvolveMovesTheClaimToSubmitted) {
  PartitionState state = given(with(claimed_by_w1(), {proof_submitted("emp.1.1", "w1", at_s(30))}));
  const TaskState* task = state.find_task(TaskId{"emp.1"});
  EXPECT_EQ(task->claimed, 0);
  EXPECT_EQ(task->submitted, 1);
  EXPECT_EQ(task->free_slots(), 1);
  EXPECT_EQ(task->claims.at(ClaimId{"emp.1.1"}).submitted_at, at_s(30));
  EXPECT_EQ(task->workers.at(UserId{"w1"}).submissions, 1);
  EXPECT_TRUE(state.claim_deadlines.empty());
}

TEST(SubmitProof, RejectsAnotherWorker) {
  Decision decision =
      decide(given(claimed_by_w1()), SubmitProof{ClaimId{"emp.1.1"}, UserId{"w2"}, "x"}, at_s(30));
  EXPECT_TRUE(is_rejection(decision, Rejection::forbidden));
}

TEST(SubmitProof, RejectsAClaimNotInClaimedState) {
  for (const Event& end :
       {Event{proof_submitted("emp.1.1", "w1", at_s(1))}, Event{claim_abandoned("emp.1.1", "w1")}}) {
    SCOPED_TRACE(describe(end));
    PartitionState state = given(with(claimed_by_w1(), {end}));
    EXPECT_TRUE(
        is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "x"}, at_s(2)),
                     Rejection::wrong_state));
  }
}

TEST(SubmitProof, RejectsAtAndAfterTheDeadline) {
  PartitionState state = given(claimed_by_w1());
  SubmitProof command{ClaimId{"emp.1.1"}, UserId{"w1"}, "x"};
  EXPECT_NE(event_of(decide(state, command, UnixMs{at_s(3600).value - 1})), nullptr);
  EXPECT_TRUE(is_rejection(decide(state, command, at_s(3600)), Rejection::claim_expired));
  EXPECT_TRUE(is_rejection(decide(state, command, at_s(7200)), Rejection::claim_expired));
}

TEST(SubmitProof, RejectsAnEmptyOrOverlongProof) {
  PartitionState state = given(claimed_by_w1());
  EXPECT_TRUE(
      is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, ""}, at_s(1)),
                   Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(
      decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, std::string(10'001, 'p')},
             at_s(1)),
      Rejection::invalid_argument));
  EXPECT_NE(
      event_of(decide(
          state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, std::string(10'000, 'p')}, at_s(1))),
      nullptr);
}

TEST(SubmitProof, RejectsAnUnknownClaim) {
  EXPECT_TRUE(is_rejection(
      decide(given(claimed_by_w1()), SubmitProof{ClaimId{"emp.1.2"}, UserId{"w1"}, "x"}, at_s(1)),
      Rejection::claim_not_found));
}

TEST(SubmitProof, InvalidArgumentComesBeforeClaimNotFoundAndForbidden) {
  PartitionState state = given(claimed_by_w1());
  EXPECT_TRUE(
      is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.9"}, UserId{"w1"}, ""}, at_s(1)),
                   Rejection::invalid_argument));
  EXPECT_TRUE(
      is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w2"}, ""}, at_s(1)),
                   Rejection::invalid_argument));
}

TEST(SubmitProof, ForbiddenComesBeforeClaimExpired) {
  Decision decision = decide(given(claimed_by_w1()),
                             SubmitProof{ClaimId{"emp.1.1"}, UserId{"w2"}, "x"}, at_s(9000));
  EXPECT_TRUE(is_rejection(decision, Rejection::forbidden));
}

// An expired claim is claim_expired whether ExpireClaim has run or not: the worker learns why.
TEST(SubmitProof, AnExpiredClaimIsClaimExpiredBeforeAndAfterTheScheduler) {
  EXPECT_TRUE(is_rejection(
      decide(given(claimed_by_w1()), SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "x"}, at_s(9000)),
      Rejection::claim_expired));
  PartitionState state = given(with(claimed_by_w1(), {claim_expired("emp.1.1", "w1")}));
  EXPECT_TRUE(
      is_rejection(decide(state, SubmitProof{ClaimId{"emp.1.1"}, UserId{"w1"}, "x"}, at_s(9000)),
                   Rejection::claim_expired));
}

}  // namespace
}  // namespace microjobs
