#pragma once
// The write side's state of one partition: the users whose stream lives here, their tasks, and
// the claims on those tasks. Built only by evolve(); decide() only reads it.
//
// Each struct lists its fields once, in visit(), as commands and events do: the snapshot
// (domain/snapshot.cpp) and the tests' state comparison walk that list, so a field added here is
// saved, restored and compared by adding it to visit() and nothing else.
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/assert.h"
#include "domain/ids.h"
#include "domain/ledger.h"
#include "domain/money.h"
#include "domain/out_of_line.h"
#include "domain/time.h"

namespace microjobs {

// revision_requested: sent back to the worker once, who holds the slot again until it resubmits
// or its new deadline passes (then it expires like a claim).
enum class ClaimStatus : std::uint8_t {
  claimed, submitted, approved, rejected, abandoned, expired, revision_requested
};
enum class TaskStatus : std::uint8_t { open, paused, completed, cancelled, expired };

std::string_view claim_status_name(ClaimStatus status);
std::string_view task_status_name(TaskStatus status);

struct ClaimState {
  UserId worker_id;
  ClaimStatus status = ClaimStatus::claimed;
  UnixMs expires_at;
  UnixMs submitted_at;
  std::int64_t revisions = 0;  // revisions requested so far (at most one)
  std::int64_t bonuses = 0;    // bonuses paid on it; the next one's id ends in .b{bonuses + 1}
  UnixMs rejected_at;          // when it was rejected: an override is allowed for 30 days
  bool overridden = false;     // approved by overriding its rejection
  std::int64_t item = 0;       // the item it works on (per_item tasks), 0: none
  template <class V> void visit(V& v) {
    v("worker_id", worker_id); v("status", status); v("expires_at", expires_at);
    v("submitted_at", submitted_at); v("revisions", revisions); v("bonuses", bonuses);
    v("rejected_at", rejected_at); v("overridden", overridden); v("item", item);
  }
  // Whether the worker holds it and its deadline runs: claimed, or sent back for a revision.
  bool held() const {
    return status == ClaimStatus::claimed || status == ClaimStatus::revision_requested;
  }
};

// The claims on one task, by number: claim "emp.7.3" is number 3 of task "emp.7" (make_claim_id).
// Kept by the number, not by the id's text, so that a claim costs no string to store, hash and
// compare: 128 bytes with its map entry instead of 160, and a lookup hashes one integer.
class TaskClaims {
 public:
  using Numbered = std::unordered_map<std::int64_t, ClaimState>;
  // The claim `id` names, made if new: `id` is a claim id of this task, as events carry them.
  ClaimState& operator[](const ClaimId& id) { return numbered_[number_of(id)]; }
  ClaimState& at(const ClaimId& id) { return numbered_.at(number_of(id)); }
  const ClaimState& at(const ClaimId& id) const { return numbered_.at(number_of(id)); }
  // The claim `id` names, or null when there is none or `id` is no claim id.
  const ClaimState* find(const ClaimId& id) const {
    auto number = claim_number(id.value);
    if (!number) return nullptr;
    auto it = numbered_.find(*number);
    return it == numbered_.end() ? nullptr : &it->second;
  }
  std::size_t size() const { return numbered_.size(); }
  // By number: what the snapshot saves and rebuild_deadlines() walks.
  Numbered& numbered() { return numbered_; }
  const Numbered& numbered() const { return numbered_; }

 private:
  static std::int64_t number_of(const ClaimId& id) {
    auto number = claim_number(id.value);
    MJ_ASSERT(number.has_value());
    return *number;
  }
  Numbered numbered_;
};

// Per worker on one task: whether the worker holds a claim now, and how many submissions it made.
struct WorkerOnTask {
  std::int64_t active_claims = 0;
  std::int64_t submissions = 0;
  template <class V> void visit(V& v) {
    v("active_claims", active_claims); v("submissions", submissions);
  }
};

struct TaskState {
  UserId employer_id;
  TaskStatus status = TaskStatus::open;
  Micros reward;
  Micros fee;
  std::int64_t slots = 0;
  std::int64_t claim_timeout_s = 0;
  std::int64_t auto_approve_after_s = 0;  // the review window of each submission
  UnixMs expires_at;
  std::vector<std::string> countries;
  std::int64_t min_approval_rate_bp = 0;
  std::int64_t min_approved = 0;
  std::int64_t max_per_worker = 1;
  // Counters. claimed and submitted count claims in that state now; approved and rejected count
  // every review ever made.
  std::int64_t claimed = 0;
  std::int64_t submitted = 0;
  std::int64_t approved = 0;
  std::int64_t rejected = 0;
  // Overrides paid from the employer's available balance: approvals beyond the slots' escrow.
  std::int64_t approved_beyond_slots = 0;
  // Slots refunded to the employer when the task ended (cancelled, expired), at once for the free
  // ones and as each claim in flight ends without an approval.
  std::int64_t refunded_slots = 0;
  std::int64_t next_claim_number = 1;
  // Per-slot items (a per_item task), numbered 1.. in the order added; their refs and data live
  // in the log (task.items_added) and the read models, not here. Items below next_item were
  // handed out once; returned_items are those that came back (rejected, abandoned, expired) and
  // go first, lowest number first. item_ref_hashes, sorted, keeps refs unique (ref_hash()): 8
  // bytes per item is all the memory an item costs.
  bool per_item = false;
  std::string proof_type = "text";  // "url": a submission's proof must be an http(s) URL
  std::int64_t items = 0;
  std::int64_t next_item = 1;
  std::set<std::int64_t> returned_items;
  std::vector<std::uint64_t> item_ref_hashes;
  // What the task can still owe: (slots - refunded_slots - slots_approved()) x (reward + fee).
  Micros escrow;
  TaskClaims claims;
  std::unordered_map<UserId, WorkerOnTask> workers;
  template <class V> void visit(V& v) {
    v("employer_id", employer_id); v("status", status); v("reward", reward); v("fee", fee);
    v("slots", slots); v("claim_timeout_s", claim_timeout_s);
    v("auto_approve_after_s", auto_approve_after_s); v("expires_at", expires_at);
    v("countries", countries); v("min_approval_rate_bp", min_approval_rate_bp);
    v("min_approved", min_approved); v("max_per_worker", max_per_worker); v("claimed", claimed);
    v("submitted", submitted); v("approved", approved); v("rejected", rejected);
    v("approved_beyond_slots", approved_beyond_slots); v("refunded_slots", refunded_slots);
    v("next_claim_number", next_claim_number); v("per_item", per_item); v("items", items);
    v("next_item", next_item); v("returned_items", returned_items);
    v("item_ref_hashes", item_ref_hashes); v("escrow", escrow); v("claims", claims.numbered()); v("workers", workers);
    v("proof_type", proof_type);
  }

  // Approvals paid from the slots' escrow.
  std::int64_t slots_approved() const { return approved - approved_beyond_slots; }
  std::int64_t free_slots() const {
    return slots - refunded_slots - claimed - submitted - slots_approved();
  }
  // Items no claim holds: never handed out, or returned.
  std::int64_t unassigned_items() const {
    return items - next_item + 1 + static_cast<std::int64_t>(returned_items.size());
  }
};

// Whether the task still runs to its expires_at: open or paused (not completed, cancelled or
// expired). Such a task is in PartitionState::task_deadlines.
inline bool task_runs(const TaskState& task) {
  return task.status == TaskStatus::open || task.status == TaskStatus::paused;
}

// When a submitted claim's review window ends.
inline UnixMs review_deadline(const TaskState& task, const ClaimState& claim) {
  return UnixMs{claim.submitted_at.value + task.auto_approve_after_s * 1000};
}

enum class WithdrawalStatus : std::uint8_t { pending, completed, failed };
std::string_view withdrawal_status_name(WithdrawalStatus status);

struct WithdrawalState {
  Micros amount;
  WithdrawalStatus status = WithdrawalStatus::pending;
  template <class V> void visit(V& v) { v("amount", amount); v("status", status); }
  bool operator==(const WithdrawalState&) const = default;
};

// What only some users ever have: an employer's deposits, blocked workers and webhooks, a
// worker's withdrawals. Out of line (UserState::extras), so that a worker who only claims and
// submits costs UserState's own fields alone: 160 bytes with its map entry instead of 336.
struct UserExtras {
  std::unordered_map<std::string, Micros> deposit_references;
  std::map<UserId, std::string> blocked;  // workers this employer keeps off its tasks: the reason
  Micros pending_withdrawal;  // requested, not yet completed or failed by the payment provider
  std::int64_t next_withdrawal_number = 1;
  std::map<WithdrawalId, WithdrawalState> withdrawals;
  std::int64_t next_webhook_number = 1;
  template <class V> void visit(V& v) {
    v("deposit_references", deposit_references); v("blocked", blocked);
    v("pending_withdrawal", pending_withdrawal);
    v("next_withdrawal_number", next_withdrawal_number); v("withdrawals", withdrawals);
    v("next_webhook_number", next_webhook_number);
  }
  bool operator==(const UserExtras&) const = default;
};

struct UserState {
  bool registered = false;
  std::string country;
  std::string display_name;
  Micros available;
  Micros escrow;
  std::int64_t next_task_number = 1;
  OutOfLine<UserExtras> extras;
  // The extras' fields follow the others in the same order as when they stood inline, so a
  // snapshot's bytes did not change with them.
  template <class V> void visit(V& v) {
    v("registered", registered); v("country", country); v("display_name", display_name);
    v("available", available); v("escrow", escrow); v("next_task_number", next_task_number);
    extras.visit(v);
  }
  Micros& balance(accounts::Bucket bucket) {
    switch (bucket) {
      case accounts::Bucket::escrow: return escrow;
      case accounts::Bucket::pending_withdrawal: return extras.write().pending_withdrawal;
      case accounts::Bucket::available: break;
    }
    return available;
  }
  Micros balance(accounts::Bucket bucket) const {
    switch (bucket) {
      case accounts::Bucket::escrow: return escrow;
      case accounts::Bucket::pending_withdrawal: return extras->pending_withdrawal;
      case accounts::Bucket::available: break;
    }
    return available;
  }
};

// The partition's own view of the accounts it moves money in and out of. platform:fees,
// clearing:payouts and world:* are shared by all partitions; here they hold this partition's
// contribution only, and the sum over all partitions is the real balance.
struct PartitionState {
  std::unordered_map<UserId, UserState> users;
  std::unordered_map<TaskId, TaskState> tasks;
  // Deadlines of claims in state `claimed`, in time order, for the scheduler.
  std::set<std::pair<UnixMs, ClaimId>> claim_deadlines;
  // Review windows of submitted claims (submitted_at + auto_approve_after_s), in time order: the
  // scheduler approves a submission whose window passed unreviewed.
  std::set<std::pair<UnixMs, ClaimId>> review_deadlines;
  // expires_at of tasks still open or paused, in time order: the scheduler expires them.
  std::set<std::pair<UnixMs, TaskId>> task_deadlines;
  // For each source partition: the seq of the last approval credited here from it.
  std::map<std::int64_t, std::int64_t> last_credit_seq;
  std::map<std::string, Micros, std::less<>> shared_accounts;
  // The saved fields; the deadline indexes are derived from the claims (rebuild_deadlines()).
  template <class V> void visit(V& v) {
    v("users", users); v("tasks", tasks); v("last_credit_seq", last_credit_seq);
    v("shared_accounts", shared_accounts);
  }
  // Rebuilds claim_deadlines, review_deadlines and task_deadlines from the tasks and claims.
  void rebuild_deadlines();

  const UserState* find_user(const UserId& id) const;
  const TaskState* find_task(const TaskId& id) const;
};

}  // namespace microjobs
