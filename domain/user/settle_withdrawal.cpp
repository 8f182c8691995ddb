#include "domain/user/settle_withdrawal.h"

#include "domain/events.h"

namespace microjobs {
namespace {

std::string stream_of_withdrawal(const WithdrawalId& id) {
  auto owner = owner_of_withdrawal(id.value);
  return owner ? owner->value : std::string();
}

// The pending withdrawal a report is about, or why it cannot be settled: `repeat` is the status
// that makes the report a repeat (exists), any other settled status is wrong_state.
std::variant<const WithdrawalState*, Rejection> pending_withdrawal(const PartitionState& state,
                                                                   const WithdrawalId& id,
                                                                   WithdrawalStatus repeat) {
  auto owner = owner_of_withdrawal(id.value);
  const UserState* user = owner ? state.find_user(*owner) : nullptr;
  if (user == nullptr) return Rejection::withdrawal_not_found;
  auto it = user->extras->withdrawals.find(id);
  if (it == user->extras->withdrawals.end()) return Rejection::withdrawal_not_found;
  if (it->second.status == repeat) return Rejection::exists;
  if (it->second.status != WithdrawalStatus::pending) return Rejection::wrong_state;
  return &it->second;
}

}  // namespace

std::string CompleteWithdrawal::stream() const { return stream_of_withdrawal(withdrawal_id); }
std::string FailWithdrawal::stream() const { return stream_of_withdrawal(withdrawal_id); }

Decision decide_one(const PartitionState& state, const CompleteWithdrawal& command, UnixMs,
                    const Policy&) {
  auto found = pending_withdrawal(state, command.withdrawal_id, WithdrawalStatus::completed);
  if (const auto* rejection = std::get_if<Rejection>(&found)) return *rejection;
  const WithdrawalState& withdrawal = *std::get<const WithdrawalState*>(found);
  UserId user = *owner_of_withdrawal(command.withdrawal_id.value);
  return WithdrawalCompleted{command.withdrawal_id,
                             user,
                             withdrawal.amount,
                             {{accounts::pending_withdrawal(user),
                               std::string(accounts::kWorldWithdrawals), withdrawal.amount}}};
}

Decision decide_one(const PartitionState& state, const FailWithdrawal& command, UnixMs,
                    const Policy&) {
  if (!valid_reason(command.reason)) return Rejection::reason_required;
  auto found = pending_withdrawal(state, command.withdrawal_id, WithdrawalStatus::failed);
  if (const auto* rejection = std::get_if<Rejection>(&found)) return *rejection;
  const WithdrawalState& withdrawal = *std::get<const WithdrawalState*>(found);
  UserId user = *owner_of_withdrawal(command.withdrawal_id.value);
  return WithdrawalFailed{command.withdrawal_id,
                          user,
                          withdrawal.amount,
                          command.reason,
                          {{accounts::pending_withdrawal(user), accounts::available(user),
                            withdrawal.amount}}};
}

void evolve_one(PartitionState& state, const WithdrawalCompleted& e) {
  state.users[e.user_id].extras.write().withdrawals[e.withdrawal_id].status = WithdrawalStatus::completed;
  apply_transfers(state, e.transfers);
}

void evolve_one(PartitionState& state, const WithdrawalFailed& e) {
  state.users[e.user_id].extras.write().withdrawals[e.withdrawal_id].status = WithdrawalStatus::failed;
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
