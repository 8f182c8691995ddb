#pragma once
// Events: past tense, versioned at the type level, immutable once published. Each event lists its
// fields once, in visit(); the JSON codec (domain/codec) and the snapshot writer walk that list,
// so a field is named in exactly one place. A field added later must have a default here, and the
// decoder keeps the default when an old event lacks it.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/ids.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs {

// One leg of double entry: `amount` leaves `debit` and arrives in `credit`. An account's balance
// is what it was credited minus what it was debited, so the sum over all accounts is always zero.
struct Transfer {
  std::string debit;
  std::string credit;
  Micros amount;
  bool operator==(const Transfer&) const = default;
  template <class V> void visit(V& v) { v("debit", debit); v("credit", credit); v("amount", amount); }
};

namespace accounts {
inline std::string available(const UserId& user) { return "user:" + user.value + ":available"; }
inline std::string escrow(const UserId& user) { return "user:" + user.value + ":escrow"; }
inline constexpr std::string_view kPlatformFees = "platform:fees";
inline constexpr std::string_view kClearingPayouts = "clearing:payouts";
inline constexpr std::string_view kWorldDeposits = "world:deposits";
inline constexpr std::string_view kWorldWithdrawals = "world:withdrawals";
}  // namespace accounts

struct UserRegistered {
  static constexpr std::string_view kType = "user.registered.v1";
  UserId user_id;
  std::string country;
  std::string display_name;
  bool operator==(const UserRegistered&) const = default;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("country", country); v("display_name", display_name);
  }
};

struct UserProfileUpdated {
  static constexpr std::string_view kType = "user.profile_updated.v1";
  UserId user_id;
  std::string country;
  std::string display_name;
  bool operator==(const UserProfileUpdated&) const = default;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("country", country); v("display_name", display_name);
  }
};

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

struct TaskPosted {
  static constexpr std::string_view kType = "task.posted.v1";
  TaskId task_id;
  UserId employer_id;
  std::string title;
  std::string instructions;
  std::string category;
  Micros reward;
  Micros fee;  // platform fee per slot
  std::int64_t slots = 0;
  std::string proof_type;
  std::int64_t claim_timeout_s = 0;
  std::int64_t auto_approve_after_s = 0;
  UnixMs expires_at;
  std::vector<std::string> countries;       // empty: everyone
  std::int64_t min_approval_rate_bp = 0;    // basis points, 0..10000
  std::int64_t min_approved = 0;
  std::int64_t max_per_worker = 1;
  Micros escrow;  // slots x (reward + fee)
  std::vector<Transfer> transfers;
  bool operator==(const TaskPosted&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("title", title);
    v("instructions", instructions); v("category", category); v("reward", reward); v("fee", fee);
    v("slots", slots); v("proof_type", proof_type); v("claim_timeout_s", claim_timeout_s);
    v("auto_approve_after_s", auto_approve_after_s); v("expires_at", expires_at);
    v("countries", countries); v("min_approval_rate_bp", min_approval_rate_bp);
    v("min_approved", min_approved); v("max_per_worker", max_per_worker); v("escrow", escrow);
    v("transfers", transfers);
  }
};

struct SlotClaimed {
  static constexpr std::string_view kType = "slot.claimed.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UnixMs expires_at;
  bool operator==(const SlotClaimed&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("expires_at", expires_at);
  }
};

// The same shape for a claim that ends without a submission: abandoned or expired.
struct ClaimAbandoned {
  static constexpr std::string_view kType = "claim.abandoned.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  bool operator==(const ClaimAbandoned&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
  }
};

struct ClaimExpired {
  static constexpr std::string_view kType = "claim.expired.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  bool operator==(const ClaimExpired&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
  }
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
};

// Approval on the employer's partition: reward escrow -> clearing:payouts, fee escrow ->
// platform:fees. The worker is credited by WorkerCredited on the worker's own partition.
struct SubmissionApproved {
  static constexpr std::string_view kType = "submission.approved.v1";
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

struct SubmissionRejected {
  static constexpr std::string_view kType = "submission.rejected.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UserId employer_id;
  std::string reason;
  std::int64_t review_s = 0;
  bool operator==(const SubmissionRejected&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("employer_id", employer_id); v("reason", reason); v("review_s", review_s);
  }
};

// A submission sent back to its worker once; the slot stays held until `resubmit_by`.
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

// A bonus on an approved claim: amount employer available -> clearing:payouts (credited to the
// worker by WorkerCredited, as an approval's reward is), fee available -> platform:fees.
struct BonusPaid {
  static constexpr std::string_view kType = "bonus.paid.v1";
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

// clearing:payouts -> worker, on the worker's partition, once per source approval. The source is
// named by its partition and seq; credits from one source partition arrive in seq order.
struct WorkerCredited {
  static constexpr std::string_view kType = "worker.credited.v1";
  UserId worker_id;
  Micros amount;
  std::string source_event_id;
  std::int64_t source_partition = 0;
  std::int64_t source_seq = 0;
  ClaimId claim_id;
  std::vector<Transfer> transfers;
  bool operator==(const WorkerCredited&) const = default;
  template <class V> void visit(V& v) {
    v("worker_id", worker_id); v("amount", amount); v("source_event_id", source_event_id);
    v("source_partition", source_partition); v("source_seq", source_seq); v("claim_id", claim_id);
    v("transfers", transfers);
  }
};

using Event = std::variant<UserRegistered, UserProfileUpdated, FundsDeposited, TaskPosted,
                           SlotClaimed, ClaimAbandoned, ClaimExpired, ProofSubmitted,
                           SubmissionApproved, SubmissionRejected, WorkerCredited,
                           RevisionRequested, BonusPaid>;

std::string_view event_type(const Event& event);
// The CloudEvents subject: the entity the event is about (task, claim or user id).
std::string event_subject(const Event& event);
// The transfers an event carries (empty for events that move no money).
const std::vector<Transfer>* event_transfers(const Event& event);

}  // namespace microjobs
