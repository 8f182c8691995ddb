#pragma once
// RejectSubmission: the task's owner refuses a submission, with a reason; the slot returns to the
// pool. It can be overridden within 30 days (override_rejection.h). Stream: the employer.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct RejectSubmission {
  static constexpr std::string_view kName = "RejectSubmission";
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

struct SubmissionRejected {
  static constexpr std::string_view kType = "submission.rejected.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  std::string reason;
  std::int64_t review_s = 0;
  // On an ended task, the slot's refund (escrow -> the employer's available); else empty.
  std::vector<Transfer> transfers;
  bool operator==(const SubmissionRejected&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("reason", reason); v("review_s", review_s);
    v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const RejectSubmission& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const SubmissionRejected& event);

}  // namespace microjobs
