#include "domain/claim/submit_proof.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const SubmitProof& command, UnixMs now,
                    const Policy&) {
  if (command.proof.empty() || !valid_text(command.proof, 10'000)) return Rejection::invalid_argument;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->worker_id != command.worker_id) return Rejection::forbidden;
  // A claim the scheduler already expired says so, like one whose deadline just passed.
  if (claim->status == ClaimStatus::expired) return Rejection::claim_expired;
  if (!claim->held()) return Rejection::wrong_state;
  if (now >= claim->expires_at) return Rejection::claim_expired;
  if (task->proof_type == "url" && !valid_http_url(command.proof)) return Rejection::proof_not_url;
  return ProofSubmitted{task_id_of(command.claim_id), command.claim_id, claim->worker_id,
                        command.proof, now};
}

void evolve_one(PartitionState& state, const ProofSubmitted& e) {
  TaskState& task = state.tasks[e.task_id];
  ClaimState& claim = task.claims[e.claim_id];
  state.claim_deadlines.erase({claim.expires_at, e.claim_id});
  claim.status = ClaimStatus::submitted;
  task.claimed -= 1;
  task.submitted += 1;
  WorkerOnTask& worker = task.workers[e.worker_id];
  worker.active_claims -= 1;
  worker.submissions += 1;
  claim.submitted_at = e.submitted_at;
  state.review_deadlines.emplace(review_deadline(task, claim), e.claim_id);
}

}  // namespace microjobs
