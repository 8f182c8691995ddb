#include "domain/task/cancel_task.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const CancelTask& command, UnixMs,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (task->status == TaskStatus::cancelled) return Rejection::exists;
  if (!task_runs(*task)) return Rejection::task_not_open;  // completed or expired
  const std::int64_t free = task->free_slots();
  return TaskCancelled{command.task_id, task->employer_id, free, escrow_of_slots(*task, free),
                       slot_refund(*task, free)};
}

void evolve_one(PartitionState& state, const TaskCancelled& e) {
  end_task(state, e.task_id, TaskStatus::cancelled, e.refunded_slots, e.transfers);
}

}  // namespace microjobs
