#pragma once
// AddSlots: the task's owner adds slots to a running (or completed) task; their escrow is taken
// at once. Stream: the employer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct AddSlots {
  static constexpr std::string_view kName = "AddSlots";
  TaskId task_id;
  UserId employer_id;
  std::int64_t add = 0;  // how many slots to add
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("employer_id", employer_id);
    v("add", add);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

// The employer's available -> its escrow: added x (reward + fee).
struct SlotsAdded {
  static constexpr std::string_view kType = "task.slots_added.v1";
  TaskId task_id;
  UserId employer_id;
  std::int64_t added = 0;
  std::int64_t slots = 0;  // the task's slots after
  Micros escrow;           // the escrow taken for the added slots
  std::vector<Transfer> transfers;
  bool operator==(const SlotsAdded&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("added", added); v("slots", slots);
    v("escrow", escrow); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const AddSlots& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const SlotsAdded& event);

}  // namespace microjobs
