#pragma once
// BlockWorker / UnblockWorker: an employer keeps a worker off all its tasks (a claim is then 409
// `blocked`), or lets it back. Stream: the employer, where its tasks' claims are decided.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct BlockWorker {
  static constexpr std::string_view kName = "BlockWorker";
  static constexpr std::string_view kActor = "employer_id";  // the token's user; the rest: body
  UserId employer_id;
  UserId worker_id;
  std::string reason;
  template <class V> void visit(V& v) {
    v("employer_id", employer_id);
    v("worker_id", worker_id);
    v("reason", reason);
  }
  const std::string& stream() const { return employer_id.value; }
};

struct UnblockWorker {
  static constexpr std::string_view kName = "UnblockWorker";
  static constexpr std::string_view kActor = "employer_id";
  UserId employer_id;
  UserId worker_id;
  template <class V> void visit(V& v) {
    v("employer_id", employer_id);
    v("worker_id", worker_id);
  }
  const std::string& stream() const { return employer_id.value; }
};

struct WorkerBlocked {
  static constexpr std::string_view kType = "worker.blocked.v1";
  UserId employer_id;
  UserId worker_id;
  std::string reason;
  bool operator==(const WorkerBlocked&) const = default;
  template <class V> void visit(V& v) {
    v("employer_id", employer_id); v("worker_id", worker_id); v("reason", reason);
  }
};

struct WorkerUnblocked {
  static constexpr std::string_view kType = "worker.unblocked.v1";
  UserId employer_id;
  UserId worker_id;
  bool operator==(const WorkerUnblocked&) const = default;
  template <class V> void visit(V& v) { v("employer_id", employer_id); v("worker_id", worker_id); }
};

Decision decide_one(const PartitionState& state, const BlockWorker& command, UnixMs now,
                    const Policy& policy);
Decision decide_one(const PartitionState& state, const UnblockWorker& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const WorkerBlocked& event);
void evolve_one(PartitionState& state, const WorkerUnblocked& event);

}  // namespace microjobs
