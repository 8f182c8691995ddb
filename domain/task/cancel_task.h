#pragma once
// CancelTask: the task's owner ends a running task. Its free slots' escrow goes back to the
// employer's available balance at once; claims in flight may still be submitted and reviewed, and
// each one's escrow comes back as it ends without an approval. Stream: the employer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct CancelTask {
  static constexpr std::string_view kName = "CancelTask";
  TaskId task_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("employer_id", employer_id);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

// The free slots' escrow -> the employer's available balance (no transfer when none was free).
struct TaskCancelled {
  static constexpr std::string_view kType = "task.cancelled.v1";
  TaskId task_id;
  UserId employer_id;
  std::int64_t refunded_slots = 0;
  Micros refunded;
  std::vector<Transfer> transfers;
  bool operator==(const TaskCancelled&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("refunded_slots", refunded_slots);
    v("refunded", refunded); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const CancelTask& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const TaskCancelled& event);

}  // namespace microjobs
