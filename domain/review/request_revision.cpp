#include "domain/review/request_revision.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const RequestRevision& command, UnixMs now,
                    const Policy&) {
  if (!valid_reason(command.reason)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::revision_requested) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  if (claim->revisions >= 1) return Rejection::revision_limit;
  if (now.value > claim->submitted_at.value + task->auto_approve_after_s * 1000) {
    return Rejection::review_window_closed;
  }
  return RevisionRequested{task_id_of(command.claim_id), command.claim_id, claim->worker_id,
                           task->employer_id, command.reason, review_seconds(*claim, now),
                           UnixMs{now.value + task->claim_timeout_s * 1000}};
}

// Back to the worker: the slot is held as a claim again, with a new deadline, and the
// submission no longer counts towards max_per_worker until it is made again.
void evolve_one(PartitionState& state, const RevisionRequested& e) {
  TaskState& task = state.tasks[e.task_id];
  end_review(state, task, e.claim_id);
  ClaimState& claim = task.claims[e.claim_id];
  claim.status = ClaimStatus::revision_requested;
  claim.revisions += 1;
  claim.expires_at = e.resubmit_by;
  state.claim_deadlines.emplace(claim.expires_at, e.claim_id);
  task.submitted -= 1;
  task.claimed += 1;
  WorkerOnTask& worker = task.workers[e.worker_id];
  worker.active_claims += 1;
  worker.submissions -= 1;
}

}  // namespace microjobs
