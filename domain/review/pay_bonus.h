#pragma once
// PayBonus: the task's owner pays the worker of an approved claim a bonus from its available
// balance; the fee applies as to a reward, and the worker is credited as for an approval.
// Stream: the employer.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct PayBonus {
  static constexpr std::string_view kName = "PayBonus";
  ClaimId claim_id;
  UserId employer_id;
  Micros amount;
  std::string reason;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("employer_id", employer_id);
    v("amount", amount);
    v("reason", reason);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

// Amount: employer available -> clearing:payouts (credited to the worker by WorkerCredited),
// fee: available -> platform:fees.
struct BonusPaid {
  static constexpr std::string_view kType = "bonus.paid.v1";
  static constexpr bool kPaysWorker = true;  // the credit process pays it to the worker
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  std::string bonus_id;  // "{claim_id}.b{n}", n from 1 per claim
  Micros amount;
  Micros fee;
  std::string reason;
  std::vector<Transfer> transfers;
  bool operator==(const BonusPaid&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("bonus_id", bonus_id); v("amount", amount); v("fee", fee);
    v("reason", reason); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const PayBonus& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const BonusPaid& event);

}  // namespace microjobs
