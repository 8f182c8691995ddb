#include "domain/task/pause_task.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const PauseTask& command, UnixMs now,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (task->status == TaskStatus::paused) return Rejection::exists;
  if (task->status != TaskStatus::open || now >= task->expires_at) return Rejection::task_not_open;
  return TaskPaused{command.task_id, command.employer_id};
}

void evolve_one(PartitionState& state, const TaskPaused& e) {
  state.tasks[e.task_id].status = TaskStatus::paused;
}

}  // namespace microjobs
