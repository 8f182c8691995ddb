#pragma once
// SubmitProof: the worker hands in its proof before the claim's deadline; the review window
// (the task's auto_approve_after_s) starts. Stream: the employer.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct SubmitProof {
  static constexpr std::string_view kName = "SubmitProof";
  ClaimId claim_id;
  UserId worker_id;
  std::string proof;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("worker_id", worker_id);
    v("proof", proof);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

struct ProofSubmitted {
  static constexpr std::string_view kType = "proof.submitted.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  std::string proof;
  UnixMs submitted_at;
  bool operator==(const ProofSubmitted&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id); v("proof", proof);
    v("submitted_at", submitted_at);
  }
  // Personal data (domain/personal_data.h): sealed under the worker's key in the log.
  template <class F> void personal(F&& f) { f(worker_id, proof); }
};

Decision decide_one(const PartitionState& state, const SubmitProof& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const ProofSubmitted& event);

}  // namespace microjobs
