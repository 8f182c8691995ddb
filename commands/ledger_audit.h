#pragma once
// The auditor's fold of a log: one pass over every partition (on several threads) that checks
// what DESIGN's audit promises and nothing is trusted but the bytes.
// - The chain: each record continues its partition's seq and SHA-256 hash chain (chain.h). A
//   producer retry's duplicate is skipped and counted; a gap, a fork (a record whose prev_hash is
//   not the hash of the record before: changed, inserted or forged bytes) or an undecodable record
//   is a violation named by partition, seq and offset, and the partition is not followed further.
// - The ledger: every transfer moves a positive amount; no user bucket is negative after any
//   event (a user's buckets are moved only in its own partition, so this is exact per partition);
//   at the end all accounts of all partitions sum to zero.
// - The domain: while a partition's chain is intact its events are folded with evolve(), and at
//   its end check_invariants() must hold (each task's escrow equals what it can still owe).
// - The payouts: every approval or bonus owes a credit; a credit without its payout is a
//   violation, a payout not credited yet is listed as in flight.
// The audit tool (`microjobs audit`) and the tests' ledger check both use it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/event_log.h"
#include "domain/state.h"
#include "domain/time.h"

namespace microjobs {

struct AuditViolation {
  std::int32_t partition = 0;
  std::int64_t seq = 0;     // of the record where it was found (0: at the end of the log)
  std::int64_t offset = -1;
  std::string what;
};

// One ledger leg on one of a user's buckets, as the statement lists it.
struct AuditLine {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  UnixMs time;
  std::string event_id;
  std::string event_type;
  std::string bucket;
  std::int64_t amount = 0;   // micros, signed
  std::int64_t balance = 0;  // the bucket's balance after it
  std::string ref;
};

struct AuditOptions {
  int threads = 2;
  // The cut: records up to `until` (0: all), and partition `cut_partition` (if >= 0) up to and
  // including `cut_offset`.
  UnixMs until;
  std::int32_t cut_partition = -1;
  std::int64_t cut_offset = -1;
  std::string statement_user;  // non-empty: collect this user's statement lines
  bool for_diff = false;       // collect every task's state and every user's reputation (--diff)
  std::function<void(std::int64_t records_done)> progress;  // called now and then, any thread
};

// A user's reputation as the log says it, for --diff against GET /v1/users/{id}/reputation:
// submissions made, reviews received and (as an employer) final reviews given.
struct AuditReputation {
  std::int64_t submitted = 0, approved = 0, rejected = 0;
  std::int64_t reviews_given = 0, approvals_given = 0, rejections_given = 0;
  AuditReputation& operator+=(const AuditReputation& other);
};

struct AuditReport {
  std::vector<AuditViolation> violations;
  std::map<std::string, std::int64_t> balances;  // every account, summed over partitions
  std::int64_t records = 0;                       // records read
  std::int64_t events = 0;                        // applied
  std::int64_t skipped = 0;                       // duplicates
  std::vector<std::string> payouts_in_flight;     // event ids of payouts not credited yet
  std::vector<AuditLine> statement;               // options.statement_user's lines, log order
  // With options.for_diff: every task as the domain's fold left it (partitions without
  // violations), and every user a review or submission concerns.
  std::map<TaskId, TaskState> tasks;
  std::map<UserId, AuditReputation> reputations;
  bool ok() const { return violations.empty(); }
};

// Reads and checks the whole log (or up to the cut). Read errors are violations too.
AuditReport audit_log(EventLog& log, const AuditOptions& options);

// The time of the record at `offset` in `partition`, for a cut given as a position.
std::optional<UnixMs> record_time(EventLog& log, std::int32_t partition, std::int64_t offset);

}  // namespace microjobs
