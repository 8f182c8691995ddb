#pragma once
// DepositFunds: the payment provider (or an admin) puts money on a user's available balance.
// Stream: the account.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct DepositFunds {
  static constexpr std::string_view kName = "DepositFunds";
  UserId account;
  Micros amount;
  std::string reference;  // the payment provider's reference; a repeat is a duplicate
  template <class V> void visit(V& v) {
    v("account", account);
    v("amount", amount);
    v("reference", reference);
  }
  const std::string& stream() const { return account.value; }
};

// world:deposits -> the account's available balance.
struct FundsDeposited {
  static constexpr std::string_view kType = "funds.deposited.v1";
  std::string deposit_id;
  UserId account;
  Micros amount;
  std::string reference;
  std::vector<Transfer> transfers;
  bool operator==(const FundsDeposited&) const = default;
  template <class V> void visit(V& v) {
    v("deposit_id", deposit_id); v("account", account); v("amount", amount);
    v("reference", reference); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const DepositFunds& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const FundsDeposited& event);

}  // namespace microjobs
