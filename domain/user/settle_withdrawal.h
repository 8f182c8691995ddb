#pragma once
// CompleteWithdrawal / FailWithdrawal: the payment provider reports how a pending withdrawal
// ended: paid out (the money leaves for world:withdrawals) or failed (it goes back to the
// worker's available balance, with the reason). A repeat of the same report is 409 `exists`; the
// other report after one is 409 `wrong_state`. Stream: the withdrawal's worker.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct CompleteWithdrawal {
  static constexpr std::string_view kName = "CompleteWithdrawal";
  WithdrawalId withdrawal_id;
  template <class V> void visit(V& v) { v("withdrawal_id", withdrawal_id); }
  std::string stream() const;
};

struct FailWithdrawal {
  static constexpr std::string_view kName = "FailWithdrawal";
  WithdrawalId withdrawal_id;
  std::string reason;  // 1 to 1000 bytes, shown to the worker
  template <class V> void visit(V& v) {
    v("withdrawal_id", withdrawal_id);
    v("reason", reason);
  }
  std::string stream() const;
};

// The user's pending_withdrawal -> world:withdrawals.
struct WithdrawalCompleted {
  static constexpr std::string_view kType = "withdrawal.completed.v1";
  WithdrawalId withdrawal_id;
  UserId user_id;
  Micros amount;
  std::vector<Transfer> transfers;
  bool operator==(const WithdrawalCompleted&) const = default;
  template <class V> void visit(V& v) {
    v("withdrawal_id", withdrawal_id); v("user_id", user_id); v("amount", amount);
    v("transfers", transfers);
  }
};

// The user's pending_withdrawal -> its available balance.
struct WithdrawalFailed {
  static constexpr std::string_view kType = "withdrawal.failed.v1";
  WithdrawalId withdrawal_id;
  UserId user_id;
  Micros amount;
  std::string reason;
  std::vector<Transfer> transfers;
  bool operator==(const WithdrawalFailed&) const = default;
  template <class V> void visit(V& v) {
    v("withdrawal_id", withdrawal_id); v("user_id", user_id); v("amount", amount);
    v("reason", reason); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const CompleteWithdrawal& command, UnixMs now,
                    const Policy& policy);
Decision decide_one(const PartitionState& state, const FailWithdrawal& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const WithdrawalCompleted& event);
void evolve_one(PartitionState& state, const WithdrawalFailed& event);

}  // namespace microjobs
