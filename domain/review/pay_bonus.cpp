#include "domain/review/pay_bonus.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const PayBonus& command, UnixMs,
                    const Policy& policy) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros) {
    return Rejection::invalid_argument;
  }
  if (!valid_reason(command.reason)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status != ClaimStatus::approved) return Rejection::wrong_state;
  const Micros fee = fee_per_slot(command.amount, policy);
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || employer->available < command.amount + fee) {
    return Rejection::insufficient_funds;
  }
  BonusPaid event;
  event.task_id = task_id_of(command.claim_id);
  event.claim_id = command.claim_id;
  event.worker_id = claim->worker_id;
  event.employer_id = command.employer_id;
  event.bonus_id = command.claim_id.value + ".b" + std::to_string(claim->bonuses + 1);
  event.amount = command.amount;
  event.fee = fee;
  event.reason = command.reason;
  const std::string available = accounts::available(command.employer_id);
  event.transfers.push_back({available, std::string(accounts::kClearingPayouts), command.amount});
  event.transfers.push_back({available, std::string(accounts::kPlatformFees), fee});
  return event;
}

void evolve_one(PartitionState& state, const BonusPaid& e) {
  state.tasks[e.task_id].claims[e.claim_id].bonuses += 1;
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
