#include "domain/review/override_rejection.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const OverrideRejection& command, UnixMs now,
                    const Policy& policy) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::approved && claim->overridden) return Rejection::exists;
  if (claim->status != ClaimStatus::rejected) return Rejection::wrong_state;
  if (now.value > claim->rejected_at.value + policy.override_window_s * 1000) {
    return Rejection::override_window_closed;
  }
  RejectionOverridden event;
  event.task_id = task_id_of(command.claim_id);
  event.claim_id = command.claim_id;
  event.worker_id = claim->worker_id;
  event.employer_id = task->employer_id;
  event.paid = task->reward;
  event.fee = task->fee;
  // On a per_item task a slot goes with an item: the override takes a free slot's escrow only
  // when its own item is still back in the queue (and settles it), else it pays from available.
  event.from_escrow = task->status == TaskStatus::open && task->free_slots() > 0 &&
                      (!task->per_item || task->returned_items.contains(claim->item));
  if (!event.from_escrow) {
    const UserState* employer = state.find_user(task->employer_id);
    if (employer == nullptr || employer->available < task->reward + task->fee) {
      return Rejection::insufficient_funds;
    }
  }
  const std::string source = event.from_escrow ? accounts::escrow(task->employer_id)
                                               : accounts::available(task->employer_id);
  event.transfers.push_back({source, std::string(accounts::kClearingPayouts), task->reward});
  event.transfers.push_back({source, std::string(accounts::kPlatformFees), task->fee});
  return event;
}

void evolve_one(PartitionState& state, const RejectionOverridden& e) {
  TaskState& task = state.tasks[e.task_id];
  ClaimState& claim = task.claims[e.claim_id];
  claim.status = ClaimStatus::approved;
  claim.overridden = true;
  task.rejected -= 1;
  task.approved += 1;
  if (e.from_escrow) {
    task.escrow -= e.paid + e.fee;
    task.returned_items.erase(claim.item);  // its work is accepted: the item is done
  } else {
    task.approved_beyond_slots += 1;
  }
  complete_if_done(state, e.task_id);
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
