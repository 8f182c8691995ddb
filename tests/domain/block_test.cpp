// Given-When-Then tests of BlockWorker / UnblockWorker: an employer keeps a worker off all its
// tasks, and lets it back.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

const UserId kEmp{"emp"};
const UserId kW1{"w1"};

ClaimSlot claim_by(const UserId& worker) { return ClaimSlot{TaskId{"emp.1"}, worker, {"US", 0, 0}}; }

TEST(BlockWorker, ABlockedWorkerCannotClaimAnyOfTheEmployersTasks) {
  PartitionState state = given(open_task());
  Decision blocked = decide(state, BlockWorker{kEmp, kW1, "copied proofs"}, at_s(10));
  ASSERT_TRUE(is_event(blocked, WorkerBlocked{kEmp, kW1, "copied proofs"})) << describe(blocked);
  evolve(state, *event_of(blocked));
  EXPECT_TRUE(is_rejection(decide(state, claim_by(kW1), at_s(20)), Rejection::blocked));
  EXPECT_NE(event_of(decide(state, claim_by(UserId{"w2"}), at_s(20))), nullptr) << "others may";
}

TEST(BlockWorker, UnblockLetsTheWorkerBack) {
  PartitionState state = given(with(open_task(), {WorkerBlocked{kEmp, kW1, "r"}}));
  EXPECT_TRUE(is_event(decide(state, UnblockWorker{kEmp, kW1}, at_s(10)), WorkerUnblocked{kEmp, kW1}));
  evolve(state, WorkerUnblocked{kEmp, kW1});
  EXPECT_NE(event_of(decide(state, claim_by(kW1), at_s(20))), nullptr);
  EXPECT_TRUE(is_rejection(decide(state, UnblockWorker{kEmp, kW1}, at_s(30)),
                           Rejection::block_not_found));
}

TEST(BlockWorker, RefusesARepeatABadIdAReasonlessBlockAndAnUnknownEmployer) {
  PartitionState state = given(with(open_task(), {WorkerBlocked{kEmp, kW1, "r"}}));
  EXPECT_TRUE(is_rejection(decide(state, BlockWorker{kEmp, kW1, "again"}, at_s(10)), Rejection::exists));
  EXPECT_TRUE(is_rejection(decide(state, BlockWorker{kEmp, UserId{"bad/id"}, "r"}, at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, BlockWorker{kEmp, kEmp, "r"}, at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, BlockWorker{kEmp, UserId{"w2"}, ""}, at_s(10)),
                           Rejection::reason_required));
  EXPECT_TRUE(is_rejection(decide(state, BlockWorker{UserId{"ghost"}, kW1, "r"}, at_s(10)),
                           Rejection::user_not_found));
}

}  // namespace
}  // namespace microjobs
