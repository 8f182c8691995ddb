#pragma once
// PauseTask: the task's owner pauses a running task: it leaves the feed and takes no claim (409
// task_not_open); claims in flight go on. Stream: the employer.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct PauseTask {
  static constexpr std::string_view kName = "PauseTask";
  TaskId task_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("employer_id", employer_id);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

struct TaskPaused {
  static constexpr std::string_view kType = "task.paused.v1";
  TaskId task_id;
  UserId employer_id;
  bool operator==(const TaskPaused&) const = default;
  template <class V> void visit(V& v) { v("task_id", task_id); v("employer_id", employer_id); }
};

Decision decide_one(const PartitionState& state, const PauseTask& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const TaskPaused& event);

}  // namespace microjobs
