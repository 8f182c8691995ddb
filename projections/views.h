#pragma once
// The read models' records. Each lists its fields in visit() for the binary codec; a field added
// later goes at the end with a default.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/ids.h"
#include "domain/ledger.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs {

struct TaskView {
  TaskId task_id;
  UserId employer_id;
  std::string title;
  std::string instructions;
  std::string category;
  Micros reward;
  Micros fee;
  std::int64_t slots = 0;
  std::string status = "open";
  std::int64_t claimed = 0;    // claims held now
  std::int64_t submitted = 0;  // submissions waiting for review now
  std::int64_t approved = 0;
  std::int64_t rejected = 0;
  std::int64_t abandoned = 0;
  std::int64_t expired = 0;
  UnixMs posted_at;
  UnixMs expires_at;
  std::vector<std::string> countries;
  std::int64_t min_approval_rate_bp = 0;
  std::int64_t min_approved = 0;
  std::int64_t max_per_worker = 1;
  std::string proof_type;
  std::int64_t claim_timeout_s = 0;
  std::int64_t auto_approve_after_s = 0;
  std::int64_t approved_beyond_slots = 0;  // overrides paid from available, not a slot's escrow
  std::int64_t refunded_slots = 0;         // refunded when the task was cancelled or expired
  bool per_item = false;
  std::int64_t items = 0;             // per_item: items added
  std::int64_t unassigned_items = 0;  // per_item: items no claim holds
  std::int64_t slots_approved() const { return approved - approved_beyond_slots; }
  std::int64_t free_slots() const {
    return slots - refunded_slots - claimed - submitted - slots_approved();
  }
  // What a claim can take now: a free slot, and on a per_item task an item for it.
  std::int64_t claimable_slots() const {
    return per_item ? std::min(free_slots(), unassigned_items) : free_slots();
  }
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("title", title);
    v("instructions", instructions); v("category", category); v("reward", reward); v("fee", fee);
    v("slots", slots); v("status", status); v("claimed", claimed); v("submitted", submitted);
    v("approved", approved); v("rejected", rejected); v("abandoned", abandoned);
    v("expired", expired); v("posted_at", posted_at); v("expires_at", expires_at);
    v("countries", countries); v("min_approval_rate_bp", min_approval_rate_bp);
    v("min_approved", min_approved); v("max_per_worker", max_per_worker);
    v("proof_type", proof_type); v("claim_timeout_s", claim_timeout_s);
    v("auto_approve_after_s", auto_approve_after_s); v("approved_beyond_slots", approved_beyond_slots);
    v("refunded_slots", refunded_slots); v("per_item", per_item); v("items", items);
    v("unassigned_items", unassigned_items);
  }
};

struct ClaimView {
  ClaimId claim_id;
  TaskId task_id;
  UserId worker_id;
  std::string status;
  UnixMs claimed_at;
  UnixMs expires_at;
  std::string proof;
  std::string reason;
  UnixMs submitted_at;   // 0 until a proof is submitted
  UnixMs reviewed_at;    // 0 until approved or rejected
  UnixMs status_since;   // when the claim entered `status`: its place in the review queue
  std::int64_t item = 0;  // the item it works on (per_item tasks), 0: none
  template <class V> void visit(V& v) {
    v("claim_id", claim_id); v("task_id", task_id); v("worker_id", worker_id); v("status", status);
    v("claimed_at", claimed_at); v("expires_at", expires_at); v("proof", proof); v("reason", reason);
    v("submitted_at", submitted_at); v("reviewed_at", reviewed_at);
    v("status_since", status_since); v("item", item);
  }
};

// An item of a per_item task (key: item/{task}/{number}). status is "unassigned" while no claim
// holds it, else its claim's status (claimed, submitted, revision_requested, approved); an item
// whose claim was rejected, abandoned or expired is unassigned again, with that as last_outcome.
struct ItemView {
  TaskId task_id;
  std::int64_t number = 0;
  std::string ref;
  JsonText data;
  std::string status = "unassigned";
  ClaimId claim_id;  // the last claim that took it; empty if none yet
  UserId worker_id;
  std::string last_outcome;  // of an earlier claim that gave it back: rejected, abandoned, expired
  std::int64_t claims = 0;   // claims that took it
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("number", number); v("ref", ref); v("data", data); v("status", status);
    v("claim_id", claim_id); v("worker_id", worker_id); v("last_outcome", last_outcome);
    v("claims", claims);
  }
};

struct ItemPage {
  std::vector<ItemView> items;
  std::string next_cursor;  // empty at the end
};

// A worker an employer blocked (key: block/{employer}/{worker}).
struct BlockView {
  UserId worker_id;
  std::string reason;
  UnixMs since;
  template <class V> void visit(V& v) { v("worker_id", worker_id); v("reason", reason); v("since", since); }
};

// A withdrawal (key: wdr/{id}): what the payment provider needs to pay it out, and how it ended.
struct WithdrawalView {
  WithdrawalId withdrawal_id;
  UserId user_id;
  Micros amount;
  std::string destination;  // sealed (domain/personal_data.h): the API opens it
  std::string status;       // pending, completed, failed
  UnixMs requested_at;
  UnixMs settled_at;        // 0 while pending
  std::string reason;       // a failure's
  template <class V> void visit(V& v) {
    v("withdrawal_id", withdrawal_id); v("user_id", user_id); v("amount", amount);
    v("destination", destination); v("status", status); v("requested_at", requested_at);
    v("settled_at", settled_at); v("reason", reason);
  }
};

struct UserView {
  UserId user_id;
  std::string country;
  std::string display_name;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("country", country); v("display_name", display_name);
  }
};

struct AccountView {
  UserId user_id;
  Micros available;
  Micros escrow;
  Micros pending_withdrawal;
  Micros& balance(accounts::Bucket bucket) { return accounts::bucket_of(*this, bucket); }
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("available", available); v("escrow", escrow);
    v("pending_withdrawal", pending_withdrawal);
  }
};

// One ledger transfer that touched one of a user's buckets (key: stmt/{user}/{offset}{leg}): a
// user's transfers are all in its own partition, so offset order is log order.
struct StatementLine {
  std::string position;  // "partition:offset" of the event
  UnixMs time;
  std::string event_id;
  std::string event_type;
  std::string bucket;    // available, escrow or pending_withdrawal
  Micros amount;         // signed: what the bucket gained (negative: lost)
  Micros balance;        // the bucket's balance after it
  std::string ref;       // what the event is about: a task, claim, deposit or withdrawal id
  template <class V> void visit(V& v) {
    v("position", position); v("time", time); v("event_id", event_id); v("event_type", event_type);
    v("bucket", bucket); v("amount", amount); v("balance", balance); v("ref", ref);
  }
};

struct StatementPage {
  std::vector<StatementLine> items;
  std::string next_cursor;  // empty at the end
};

struct ReputationView {
  UserId user_id;
  std::int64_t submitted = 0;  // submissions ever made
  std::int64_t approved = 0;
  std::int64_t rejected = 0;
  // As an employer: final reviews given (approvals and rejections; revisions are not final).
  // Their review times are counted per second under keys::review_time, for an exact median.
  std::int64_t reviews_given = 0;
  std::int64_t approvals_given = 0;
  std::int64_t rejections_given = 0;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("submitted", submitted); v("approved", approved);
    v("rejected", rejected); v("reviews_given", reviews_given);
    v("approvals_given", approvals_given); v("rejections_given", rejections_given);
  }
};

struct FeedQuery {
  std::string category;       // empty: any
  std::string country;        // empty: any; else tasks open to this country
  Micros min_reward;          // 0: any
  bool sort_by_reward = false;  // else newest first
  std::size_t limit = 20;     // 1..100
  std::string cursor;         // opaque, from next_cursor
  UnixMs now;                 // tasks whose expires_at has passed are hidden; 0: no filter
  // A worker's own feed: only what it may claim. Its country replaces `country`; tasks whose
  // min_approved / min_approval_rate it does not meet, and its blockers' tasks, are hidden.
  struct Worker {
    UserId id;
    std::int64_t approved = 0;
    std::int64_t rejected = 0;
  };
  std::optional<Worker> worker;
};

// A task's claims in one status, oldest in that status first (for `submitted`: the oldest
// submission first, the order an employer reviews in).
struct ReviewQueueQuery {
  TaskId task_id;
  std::string status = "submitted";
  std::size_t limit = 50;  // 1..500
  std::string cursor;      // opaque, from next_cursor
};

struct BlockPage {
  std::vector<BlockView> items;
  std::string next_cursor;  // empty at the end
};

struct ClaimPage {
  std::vector<ClaimView> items;
  std::string next_cursor;  // empty at the end
};

struct FeedPage {
  std::vector<TaskView> items;
  std::string next_cursor;  // empty at the end
};

}  // namespace microjobs
