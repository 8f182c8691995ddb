#include "domain/task/add_slots.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const AddSlots& command, UnixMs now,
                    const Policy& policy) {
  if (command.add < 1 || command.add > policy.max_slots) return Rejection::invalid_argument;
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (task_ended(*task) || now >= task->expires_at) return Rejection::task_not_open;
  if (task->slots + command.add > policy.max_slots) return Rejection::invalid_argument;
  auto escrow = multiply_money(task->reward + task->fee, command.add);
  if (!escrow) return Rejection::invalid_argument;
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || employer->available < *escrow) return Rejection::insufficient_funds;
  return SlotsAdded{command.task_id,
                    command.employer_id,
                    command.add,
                    task->slots + command.add,
                    *escrow,
                    {{accounts::available(command.employer_id),
                      accounts::escrow(command.employer_id), *escrow}}};
}

// A completed task runs again with its new slots.
void evolve_one(PartitionState& state, const SlotsAdded& e) {
  TaskState& task = state.tasks[e.task_id];
  task.slots = e.slots;
  task.escrow += e.escrow;
  if (task.status == TaskStatus::completed) {
    task.status = TaskStatus::open;
    state.task_deadlines.emplace(task.expires_at, e.task_id);
  }
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
