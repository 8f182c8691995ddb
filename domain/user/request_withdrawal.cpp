#include "domain/user/request_withdrawal.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const RequestWithdrawal& command, UnixMs,
                    const Policy& policy) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros ||
      command.destination.empty() || !valid_text(command.destination, 200)) {
    return Rejection::invalid_argument;
  }
  const UserState* user = state.find_user(command.user_id);
  if (user == nullptr || !user->registered) return Rejection::user_not_found;
  if (command.amount < policy.min_withdrawal) return Rejection::below_minimum;
  if (user->available < command.amount) return Rejection::insufficient_funds;
  return WithdrawalRequested{make_withdrawal_id(command.user_id, user->extras->next_withdrawal_number),
                             command.user_id,
                             command.amount,
                             command.destination,
                             {{accounts::available(command.user_id),
                               accounts::pending_withdrawal(command.user_id), command.amount}}};
}

void evolve_one(PartitionState& state, const WithdrawalRequested& e) {
  UserState& user = state.users[e.user_id];
  UserExtras& extras = user.extras.write();
  extras.next_withdrawal_number += 1;
  extras.withdrawals[e.withdrawal_id] = WithdrawalState{e.amount, WithdrawalStatus::pending};
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
