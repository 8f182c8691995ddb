#pragma once
// OverrideRejection: the task's owner turns a rejection into an approval within 30 days of it, and
// pays the worker as for an approval. The rejected slot went back to the pool; the payment comes
// from a free slot's escrow while the open task has one (the override takes that slot), else
// from the employer's available balance (the campaign pays one result more than its slots).
// Stream: the employer.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct OverrideRejection {
  static constexpr std::string_view kName = "OverrideRejection";
  ClaimId claim_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("employer_id", employer_id);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

// Reward -> clearing:payouts and fee -> platform:fees, from the employer's escrow when
// `from_escrow`, else from its available balance.
struct RejectionOverridden {
  static constexpr std::string_view kType = "submission.rejection_overridden.v1";
  static constexpr bool kPaysWorker = true;  // the credit process pays it to the worker
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  Micros paid;
  Micros fee;
  bool from_escrow = false;
  std::vector<Transfer> transfers;
  bool operator==(const RejectionOverridden&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("paid", paid); v("fee", fee);
    v("from_escrow", from_escrow); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const OverrideRejection& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const RejectionOverridden& event);

}  // namespace microjobs
