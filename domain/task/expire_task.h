#pragma once
// ExpireTask: the partition's scheduler ends a running task at its expires_at, with the same
// refunds as CancelTask. Stream: the employer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct ExpireTask {
  static constexpr std::string_view kName = "ExpireTask";
  TaskId task_id;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

// The free slots' escrow -> the employer's available balance (no transfer when none was free).
struct TaskExpired {
  static constexpr std::string_view kType = "task.expired.v1";
  TaskId task_id;
  UserId employer_id;
  std::int64_t refunded_slots = 0;
  Micros refunded;
  std::vector<Transfer> transfers;
  bool operator==(const TaskExpired&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("refunded_slots", refunded_slots);
    v("refunded", refunded); v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const ExpireTask& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const TaskExpired& event);

}  // namespace microjobs
