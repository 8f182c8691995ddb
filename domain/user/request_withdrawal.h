#pragma once
// RequestWithdrawal: a worker asks for money out of its available balance, to a destination the
// payment provider understands (an e-wallet, a bank account). The amount waits in the worker's
// pending_withdrawal until the provider completes or fails it (settle_withdrawal.h). Stream: the
// worker.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct RequestWithdrawal {
  static constexpr std::string_view kName = "RequestWithdrawal";
  UserId user_id;
  Micros amount;
  std::string destination;  // 1 to 200 bytes of UTF-8
  template <class V> void visit(V& v) {
    v("user_id", user_id);
    v("amount", amount);
    v("destination", destination);
  }
  const std::string& stream() const { return user_id.value; }
};

// The user's available -> its pending_withdrawal.
struct WithdrawalRequested {
  static constexpr std::string_view kType = "withdrawal.requested.v1";
  WithdrawalId withdrawal_id;
  UserId user_id;
  Micros amount;
  std::string destination;
  std::vector<Transfer> transfers;
  bool operator==(const WithdrawalRequested&) const = default;
  template <class V> void visit(V& v) {
    v("withdrawal_id", withdrawal_id); v("user_id", user_id); v("amount", amount);
    v("destination", destination); v("transfers", transfers);
  }
  template <class F> void personal(F&& f) { f(user_id, destination); }
};

Decision decide_one(const PartitionState& state, const RequestWithdrawal& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const WithdrawalRequested& event);

}  // namespace microjobs
