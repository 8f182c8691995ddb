#include "domain/review/reject_submission.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const RejectSubmission& command, UnixMs now,
                    const Policy&) {
  if (!valid_reason(command.reason)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::rejected) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  return SubmissionRejected{task_id_of(command.claim_id), command.claim_id, claim->worker_id,
                            task->employer_id, command.reason, review_seconds(*claim, now),
                            slot_refund(*task, task_ended(*task) ? 1 : 0)};
}

// The rejection's time is the submission's plus the review's seconds: an override counts its
// 30 days from it.
void evolve_one(PartitionState& state, const SubmissionRejected& e) {
  TaskState& task = state.tasks[e.task_id];
  end_review(state, task, e.claim_id);
  ClaimState& claim = task.claims[e.claim_id];
  claim.status = ClaimStatus::rejected;
  claim.rejected_at = UnixMs{claim.submitted_at.value + e.review_s * 1000};
  task.submitted -= 1;
  task.rejected += 1;
  return_slot(state, task, claim, e.transfers);
}

}  // namespace microjobs
