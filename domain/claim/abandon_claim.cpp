#include "domain/claim/abandon_claim.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const AbandonClaim& command, UnixMs,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->worker_id != command.worker_id) return Rejection::forbidden;
  if (claim->status != ClaimStatus::claimed) return Rejection::wrong_state;
  return ClaimAbandoned{task_id_of(command.claim_id), command.claim_id, claim->worker_id,
                        slot_refund(*task, task_ended(*task) ? 1 : 0)};
}

void evolve_one(PartitionState& state, const ClaimAbandoned& e) {
  end_claim(state, e.task_id, e.claim_id, ClaimStatus::abandoned);
  TaskState& task = state.tasks[e.task_id];
  return_slot(state, task, task.claims[e.claim_id], e.transfers);
}

}  // namespace microjobs
