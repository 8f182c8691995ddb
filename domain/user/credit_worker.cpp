#include "domain/user/credit_worker.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const CreditWorker& command, UnixMs,
                    const Policy&) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros ||
      command.source_seq <= 0) {
    return Rejection::invalid_argument;
  }
  std::int64_t last = 0;
  if (auto it = state.last_credit_seq.find(command.source_partition);
      it != state.last_credit_seq.end()) {
    last = it->second;
  }
  if (command.source_seq <= last) return Rejection::exists;
  if (command.previous_source_seq != last) return Rejection::out_of_order;
  WorkerCredited event;
  event.worker_id = command.worker_id;
  event.amount = command.amount;
  event.source_event_id = command.source_event_id;
  event.source_partition = command.source_partition;
  event.source_seq = command.source_seq;
  event.claim_id = command.claim_id;
  event.transfers.push_back({std::string(accounts::kClearingPayouts),
                             accounts::available(command.worker_id), command.amount});
  return event;
}

void evolve_one(PartitionState& state, const WorkerCredited& e) {
  state.last_credit_seq[e.source_partition] = e.source_seq;
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
