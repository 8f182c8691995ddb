#include "domain/user/deposit_funds.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const DepositFunds& command, UnixMs,
                    const Policy&) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros ||
      command.reference.empty() || !valid_text(command.reference, 128)) {
    return Rejection::invalid_argument;
  }
  const UserState* user = state.find_user(command.account);
  if (user == nullptr || !user->registered) return Rejection::user_not_found;
  if (auto it = user->extras->deposit_references.find(command.reference);
      it != user->extras->deposit_references.end()) {
    return it->second == command.amount ? Rejection::exists
                                        : Rejection::exists_with_different_amount;
  }
  if (user->available.value + command.amount.value > kMaxMoneyMicros) {
    return Rejection::invalid_argument;
  }
  FundsDeposited event;
  // A user id has no '.', so the first '.' after "dep." ends the account: ids cannot collide.
  event.deposit_id = "dep." + command.account.value + "." + command.reference;
  event.account = command.account;
  event.amount = command.amount;
  event.reference = command.reference;
  event.transfers.push_back(
      {std::string(accounts::kWorldDeposits), accounts::available(command.account), command.amount});
  return event;
}

void evolve_one(PartitionState& state, const FundsDeposited& e) {
  state.users[e.account].extras.write().deposit_references[e.reference] = e.amount;
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
