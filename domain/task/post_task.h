#pragma once
// PostTask: an employer posts a task of many paid slots; their escrow is taken at once.
// Stream: the employer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

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
  bool per_item = false;  // each slot takes its own item (AddItems)
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
    v("per_item", per_item);
  }
  const std::string& stream() const { return employer_id.value; }
};

// The employer's available -> its escrow: slots x (reward + fee).
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
  bool per_item = false;
  Micros escrow;  // slots x (reward + fee)
  std::vector<Transfer> transfers;
  bool operator==(const TaskPosted&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("title", title);
    v("instructions", instructions); v("category", category); v("reward", reward); v("fee", fee);
    v("slots", slots); v("proof_type", proof_type); v("claim_timeout_s", claim_timeout_s);
    v("auto_approve_after_s", auto_approve_after_s); v("expires_at", expires_at);
    v("countries", countries); v("min_approval_rate_bp", min_approval_rate_bp);
    v("min_approved", min_approved); v("max_per_worker", max_per_worker); v("per_item", per_item);
    v("escrow", escrow);
    v("transfers", transfers);
  }
  // The instructions may name people (a contact, a customer): sealed under the employer's key.
  template <class F> void personal(F&& f) { f(employer_id, instructions); }
};

Decision decide_one(const PartitionState& state, const PostTask& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const TaskPosted& event);

}  // namespace microjobs
