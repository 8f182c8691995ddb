#pragma once
// Commands: the write side's whole vocabulary (the part built so far). Each lists its fields once,
// in visit(), for the command codec (domain/codec/command_codec.h) of the Kafka CommandBus.
// A command names the user who asks (worker_id, employer_id…), already authenticated by the API;
// decide() checks what that user may do. The time it is decided at is not in the command: the
// partition processor passes it to decide() from its Clock.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/ids.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs {

struct RegisterUser {
  static constexpr std::string_view kName = "RegisterUser";
  UserId user_id;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string display_name;
  template <class V> void visit(V& v) {
    v("user_id", user_id);
    v("country", country);
    v("display_name", display_name);
  }
};

struct DepositFunds {
  static constexpr std::string_view kName = "DepositFunds";
  UserId account;
  Micros amount;
  std::string reference;  // the payment provider's reference; a repeat is a duplicate
  template <class V> void visit(V& v) {
    v("account", account);
    v("amount", amount);
    v("reference", reference);
  }
};

struct PostTask {
  static constexpr std::string_view kName = "PostTask";
  UserId employer_id;
  std::string title;
  std::string instructions;
  std::string category;
  Micros reward;
  std::int64_t slots = 0;
  std::string proof_type = "text";
  std::int64_t claim_timeout_s = 3600;
  std::int64_t auto_approve_after_s = 259200;
  UnixMs expires_at;  // 0: defaults to now + 30 days
  std::vector<std::string> countries;
  std::int64_t min_approval_rate_bp = 0;
  std::int64_t min_approved = 0;
  std::int64_t max_per_worker = 1;
  template <class V> void visit(V& v) {
    v("employer_id", employer_id);
    v("title", title);
    v("instructions", instructions);
    v("category", category);
    v("reward", reward);
    v("slots", slots);
    v("proof_type", proof_type);
    v("claim_timeout_s", claim_timeout_s);
    v("auto_approve_after_s", auto_approve_after_s);
    v("expires_at", expires_at);
    v("countries", countries);
    v("min_approval_rate_bp", min_approval_rate_bp);
    v("min_approved", min_approved);
    v("max_per_worker", max_per_worker);
  }
};

// The worker's profile and reputation as last projected, looked up by the API, so that targeting
// is checked inside decide() without reading another partition.
struct WorkerProfile {
  std::string country;
  std::int64_t approved = 0;
  std::int64_t rejected = 0;
  template <class V> void visit(V& v) {
    v("country", country);
    v("approved", approved);
    v("rejected", rejected);
  }
};

struct ClaimSlot {
  static constexpr std::string_view kName = "ClaimSlot";
  TaskId task_id;
  UserId worker_id;
  WorkerProfile profile;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("worker_id", worker_id);
    v("profile", profile);
  }
};

struct AbandonClaim {
  static constexpr std::string_view kName = "AbandonClaim";
  ClaimId claim_id;
  UserId worker_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("worker_id", worker_id);
  }
};

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
};

struct ApproveSubmission {
  static constexpr std::string_view kName = "ApproveSubmission";
  ClaimId claim_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
    v("employer_id", employer_id);
  }
};

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
};

// The task's owner sends a submission back once, within its review window, with what to fix; the
// worker has the task's claim timeout again to resubmit.
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
};

// The task's owner pays the worker of an approved claim a bonus from its available balance; the
// fee applies as to a reward, and the worker is credited like for an approval.
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
};

// System command from the partition's scheduler when a submission's review window has passed
// unreviewed: it is approved as the employer would have.
struct AutoApprove {
  static constexpr std::string_view kName = "AutoApprove";
  ClaimId claim_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
  }
};

// System command from the partition's scheduler when a claim's deadline has passed.
struct ExpireClaim {
  static constexpr std::string_view kName = "ExpireClaim";
  ClaimId claim_id;
  template <class V> void visit(V& v) {
    v("claim_id", claim_id);
  }
};

// Process-manager command on the worker's partition for one approval on another partition.
// `previous_source_seq` is the seq of the last credit from the same source partition to this
// destination partition (0 for the first), so credits apply in order and never skip one.
struct CreditWorker {
  static constexpr std::string_view kName = "CreditWorker";
  UserId worker_id;
  Micros amount;
  ClaimId claim_id;
  std::string source_event_id;
  std::int64_t source_partition = 0;
  std::int64_t source_seq = 0;
  std::int64_t previous_source_seq = 0;
  template <class V> void visit(V& v) {
    v("worker_id", worker_id);
    v("amount", amount);
    v("claim_id", claim_id);
    v("source_event_id", source_event_id);
    v("source_partition", source_partition);
    v("source_seq", source_seq);
    v("previous_source_seq", previous_source_seq);
  }
};

using Command = std::variant<RegisterUser, DepositFunds, PostTask, ClaimSlot, AbandonClaim,
                             SubmitProof, ApproveSubmission, RejectSubmission, RequestRevision,
                             PayBonus, AutoApprove, ExpireClaim,
                             CreditWorker>;

// The stream (user id) a command belongs to: its partition is partition_for(stream, P).
// Empty when an id inside the command is malformed (the API rejects such input before).
std::string stream_of(const Command& command);
std::string_view command_name(const Command& command);

}  // namespace microjobs
