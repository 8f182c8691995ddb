#pragma once
// AbandonClaim: the worker gives a claimed slot back before submitting. Stream: the employer.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct AbandonClaim {
  static constexpr std::string_view kName = "AbandonClaim";
  ClaimId claim_id;
  UserId worker_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("worker_id", worker_id);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

// The slot returns to the pool (or, on an ended task, is refunded).
struct ClaimAbandoned {
  static constexpr std::string_view kType = "claim.abandoned.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  // On an ended task, the slot's refund (escrow -> the employer's available); else empty.
  std::vector<Transfer> transfers;
  bool operator==(const ClaimAbandoned&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const AbandonClaim& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const ClaimAbandoned& event);

}  // namespace microjobs
