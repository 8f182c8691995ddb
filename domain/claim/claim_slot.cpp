#include "domain/claim/claim_slot.h"

#include <algorithm>

#include "domain/assert.h"
#include "domain/events.h"

namespace microjobs {
namespace {

bool qualified(const TaskState& task, const WorkerProfile& profile) {
  if (!task.countries.empty() &&
      std::find(task.countries.begin(), task.countries.end(), profile.country) ==
          task.countries.end()) {
    return false;
  }
  if (profile.approved < task.min_approved) return false;
  if (task.min_approval_rate_bp > 0) {
    std::int64_t reviewed = profile.approved + profile.rejected;
    // A worker with no reviews yet has no rate; the task's min_approved decides for newcomers.
    if (reviewed > 0 && profile.approved * 10'000 < task.min_approval_rate_bp * reviewed) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string ClaimSlot::stream() const { return stream_of_task(task_id); }

Decision decide_one(const PartitionState& state, const ClaimSlot& command, UnixMs now,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->status != TaskStatus::open || now >= task->expires_at) return Rejection::task_not_open;
  if (command.worker_id == task->employer_id) return Rejection::own_task;
  if (const UserState* employer = state.find_user(task->employer_id);
      employer != nullptr && employer->extras->blocked.contains(command.worker_id)) {
    return Rejection::blocked;
  }
  if (!qualified(*task, command.profile)) return Rejection::not_qualified;
  if (auto it = task->workers.find(command.worker_id); it != task->workers.end()) {
    if (it->second.active_claims > 0) return Rejection::already_claimed;
    if (it->second.submissions >= task->max_per_worker) return Rejection::max_per_worker;
  }
  if (task->free_slots() <= 0) return Rejection::no_free_slot;
  ItemNumber item;
  if (task->per_item) {
    if (task->unassigned_items() <= 0) return Rejection::no_free_slot;
    item.value = task->returned_items.empty() ? task->next_item : *task->returned_items.begin();
  }
  return SlotClaimed{command.task_id, make_claim_id(command.task_id, task->next_claim_number),
                     command.worker_id, UnixMs{now.value + task->claim_timeout_s * 1000}, item};
}

void evolve_one(PartitionState& state, const SlotClaimed& e) {
  TaskState& task = state.tasks[e.task_id];
  task.next_claim_number += 1;
  task.claimed += 1;
  task.workers[e.worker_id].active_claims += 1;
  ClaimState& claim = task.claims[e.claim_id];
  claim.worker_id = e.worker_id;
  claim.status = ClaimStatus::claimed;
  claim.expires_at = e.expires_at;
  claim.item = e.item.value;
  if (e.item.value > 0 && task.returned_items.erase(e.item.value) == 0) {
    MJ_ASSERT(e.item.value == task.next_item);
    task.next_item += 1;
  }
  state.claim_deadlines.emplace(e.expires_at, e.claim_id);
}

}  // namespace microjobs
