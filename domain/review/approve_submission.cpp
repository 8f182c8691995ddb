#include "domain/review/approve_submission.h"

#include "domain/events.h"

namespace microjobs {
namespace {

SubmissionApproved approval_of(const TaskState& task, const ClaimState& claim,
                               const ClaimId& claim_id, UnixMs now) {
  SubmissionApproved event;
  event.task_id = task_id_of(claim_id);
  event.claim_id = claim_id;
  event.worker_id = claim.worker_id;
  event.employer_id = task.employer_id;
  event.paid = task.reward;
  event.fee = task.fee;
  event.review_s = review_seconds(claim, now);
  std::string escrow = accounts::escrow(task.employer_id);
  event.transfers.push_back({escrow, std::string(accounts::kClearingPayouts), task.reward});
  event.transfers.push_back({escrow, std::string(accounts::kPlatformFees), task.fee});
  return event;
}

}  // namespace

Decision decide_one(const PartitionState& state, const ApproveSubmission& command, UnixMs now,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::approved) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  return approval_of(*task, *claim, command.claim_id, now);
}

Decision decide_one(const PartitionState& state, const AutoApprove& command, UnixMs now,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->status != ClaimStatus::submitted || now < review_deadline(*task, *claim)) {
    return Rejection::wrong_state;
  }
  SubmissionApproved event = approval_of(*task, *claim, command.claim_id, now);
  event.auto_approved = true;
  return event;
}

void evolve_one(PartitionState& state, const SubmissionApproved& e) {
  TaskState& task = state.tasks[e.task_id];
  end_review(state, task, e.claim_id);
  task.claims[e.claim_id].status = ClaimStatus::approved;
  task.submitted -= 1;
  task.approved += 1;
  task.escrow -= e.paid + e.fee;
  complete_if_done(state, e.task_id);
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
