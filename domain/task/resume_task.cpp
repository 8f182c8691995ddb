#include "domain/task/resume_task.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const ResumeTask& command, UnixMs now,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (task->status == TaskStatus::open) return Rejection::exists;
  if (task->status != TaskStatus::paused || now >= task->expires_at) return Rejection::task_not_open;
  return TaskResumed{command.task_id, command.employer_id};
}

void evolve_one(PartitionState& state, const TaskResumed& e) {
  state.tasks[e.task_id].status = TaskStatus::open;
  complete_if_done(state, e.task_id);
}

}  // namespace microjobs
