#pragma once
// Commands: the write side's whole vocabulary (the part built so far). Every command carries the
// time it is decided at (`now`), stamped by the partition processor from its Clock, and the user
// who asks (`actor`), already authenticated by the API; decide() checks what that user may do.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/ids.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs {

struct RegisterUser {
  UserId user_id;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string display_name;
};

struct DepositFunds {
  UserId account;
  Micros amount;
  std::string reference;  // the payment provider's reference; a repeat is a duplicate
};

struct PostTask {
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
};

// The worker's profile and reputation as last projected, looked up by the API, so that targeting
// is checked inside decide() without reading another partition.
struct WorkerProfile {
  std::string country;
  std::int64_t approved = 0;
  std::int64_t rejected = 0;
};

struct ClaimSlot {
  TaskId task_id;
  UserId worker_id;
  WorkerProfile profile;
};

struct AbandonClaim {
  ClaimId claim_id;
  UserId worker_id;
};

struct SubmitProof {
  ClaimId claim_id;
  UserId worker_id;
  std::string proof;
};

struct ApproveSubmission {
  ClaimId claim_id;
  UserId employer_id;
};

struct RejectSubmission {
  ClaimId claim_id;
  UserId employer_id;
  std::string reason;
};

// System command from the partition's scheduler when a claim's deadline has passed.
struct ExpireClaim {
  ClaimId claim_id;
};

// Process-manager command on the worker's partition for one approval on another partition.
// `previous_source_seq` is the seq of the last credit from the same source partition to this
// destination partition (0 for the first), so credits apply in order and never skip one.
struct CreditWorker {
  UserId worker_id;
  Micros amount;
  ClaimId claim_id;
  std::string source_event_id;
  std::int64_t source_partition = 0;
  std::int64_t source_seq = 0;
  std::int64_t previous_source_seq = 0;
};

using Command = std::variant<RegisterUser, DepositFunds, PostTask, ClaimSlot, AbandonClaim,
                             SubmitProof, ApproveSubmission, RejectSubmission, ExpireClaim,
                             CreditWorker>;

// The stream (user id) a command belongs to: its partition is partition_for(stream, P).
// Empty when an id inside the command is malformed (the API rejects such input before).
std::string stream_of(const Command& command);
std::string_view command_name(const Command& command);

}  // namespace microjobs
