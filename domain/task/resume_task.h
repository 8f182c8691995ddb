#pragma once
// ResumeTask: the task's owner resumes a paused task.
// Stream: the employer.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct ResumeTask {
  static constexpr std::string_view kName = "ResumeTask";
  TaskId task_id;
  UserId employer_id;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("employer_id", employer_id);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

struct TaskResumed {
  static constexpr std::string_view kType = "task.resumed.v1";
  TaskId task_id;
  UserId employer_id;
  bool operator==(const TaskResumed&) const = default;
  template <class V> void visit(V& v) { v("task_id", task_id); v("employer_id", employer_id); }
};

Decision decide_one(const PartitionState& state, const ResumeTask& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const TaskResumed& event);

}  // namespace microjobs
