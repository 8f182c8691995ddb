#pragma once
// RequestRevision: the task's owner sends a submission back once, within its review window, with
// what to fix; the worker holds the slot again for the task's claim timeout and submits again.
// Stream: the employer.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct RequestRevision {
  static constexpr std::string_view kName = "RequestRevision";
  ClaimId claim_id;
  UserId employer_id;
  std::string reason;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("employer_id", employer_id);
    v("reason", reason);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

// The slot stays held until `resubmit_by`.
struct RevisionRequested {
  static constexpr std::string_view kType = "submission.revision_requested.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  std::string reason;
  std::int64_t review_s = 0;
  UnixMs resubmit_by;
  bool operator==(const RevisionRequested&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("reason", reason); v("review_s", review_s);
    v("resubmit_by", resubmit_by);
  }
};

Decision decide_one(const PartitionState& state, const RequestRevision& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const RevisionRequested& event);

}  // namespace microjobs
