#pragma once
// ClaimSlot: a worker takes one free slot of a task, checked against the task's targeting; on a
// per_item task, with the slot, the oldest item no claim holds (O(1): see TaskState).
// Stream: the task's employer.
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

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
  std::string stream() const;
};

struct SlotClaimed {
  static constexpr std::string_view kType = "slot.claimed.v1";
  TaskId task_id;
  ClaimId claim_id;
  UserId worker_id;
  UnixMs expires_at;
  ItemNumber item;  // the item it works on, on a per_item task: the lowest returned, else the next
  bool operator==(const SlotClaimed&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("claim_id", claim_id); v("worker_id", worker_id);
    v("expires_at", expires_at); v("item", item);
  }
};

Decision decide_one(const PartitionState& state, const ClaimSlot& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const SlotClaimed& event);

}  // namespace microjobs
