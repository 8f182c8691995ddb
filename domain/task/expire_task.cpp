#include "domain/task/expire_task.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const ExpireTask& command, UnixMs now,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (!task_runs(*task) || now < task->expires_at) return Rejection::wrong_state;
  const std::int64_t free = task->free_slots();
  return TaskExpired{command.task_id, task->employer_id, free, escrow_of_slots(*task, free),
                     slot_refund(*task, free)};
}

void evolve_one(PartitionState& state, const TaskExpired& e) {
  end_task(state, e.task_id, TaskStatus::expired, e.refunded_slots, e.transfers);
}

}  // namespace microjobs
