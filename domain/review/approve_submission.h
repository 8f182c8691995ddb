#pragma once
// ApproveSubmission: the task's owner accepts a submission and pays it from the task's escrow.
// AutoApprove: the partition's scheduler does the same when the review window passed unreviewed.
// Stream: the employer. The worker is paid by CreditWorker on its own partition.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct ApproveSubmission {
  static constexpr std::string_view kName = "ApproveSubmission";
  ClaimId claim_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("employer_id", employer_id);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

struct AutoApprove {
  static constexpr std::string_view kName = "AutoApprove";
  ClaimId claim_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
  }
  std::string stream() const { return stream_of_claim(claim_id); }
};

// Reward escrow -> clearing:payouts, fee escrow -> platform:fees.
struct SubmissionApproved {
  static constexpr std::string_view kType = "submission.approved.v1";
  static constexpr bool kPaysWorker = true;  // the credit process pays it to the worker
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  Micros paid;
  Micros fee;
  std::int64_t review_s = 0;  // seconds from submission to review
  std::vector<Transfer> transfers;
  // Approved by the scheduler when the review window passed without a review (absent: false).
  bool auto_approved = false;
  bool operator==(const SubmissionApproved&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("paid", paid); v("fee", fee); v("review_s", review_s);
    v("transfers", transfers); v("auto", auto_approved);
  }
};

Decision decide_one(const PartitionState& state, const ApproveSubmission& command, UnixMs now,
                    const Policy& policy);
Decision decide_one(const PartitionState& state, const AutoApprove& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const SubmissionApproved& event);

}  // namespace microjobs
