#include "domain/user/block_worker.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const BlockWorker& command, UnixMs,
                    const Policy&) {
  if (!valid_user_id(command.worker_id.value) || command.worker_id == command.employer_id) {
    return Rejection::invalid_argument;
  }
  if (!valid_reason(command.reason)) return Rejection::reason_required;
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || !employer->registered) return Rejection::user_not_found;
  if (employer->extras->blocked.contains(command.worker_id)) return Rejection::exists;
  return WorkerBlocked{command.employer_id, command.worker_id, command.reason};
}

Decision decide_one(const PartitionState& state, const UnblockWorker& command, UnixMs,
                    const Policy&) {
  if (!valid_user_id(command.worker_id.value)) return Rejection::invalid_argument;
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || !employer->extras->blocked.contains(command.worker_id)) {
    return Rejection::block_not_found;
  }
  return WorkerUnblocked{command.employer_id, command.worker_id};
}

void evolve_one(PartitionState& state, const WorkerBlocked& e) {
  state.users[e.employer_id].extras.write().blocked[e.worker_id] = e.reason;
}

void evolve_one(PartitionState& state, const WorkerUnblocked& e) {
  state.users[e.employer_id].extras.write().blocked.erase(e.worker_id);
}

}  // namespace microjobs
