#pragma once
// CreditWorker: the process manager (commands/credit_manager.h) pays a worker what an approval,
// an override or a bonus on another partition moved to clearing:payouts. Stream: the worker.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

// One approval on another partition. `previous_source_seq` is the seq of the last credit from the
// same source partition to this destination partition (0 for the first), so credits apply in
// order and never skip one.
struct CreditWorker {
  static constexpr std::string_view kName = "CreditWorker";
  UserId worker_id;
  Micros amount;
  ClaimId claim_id;
  std::string source_event_id;
  std::int64_t source_partition = 0;
  std::int64_t source_seq = 0;
  std::int64_t previous_source_seq = 0;
  template <class V> void visit(V& v) {
    v("worker_id", worker_id);
    v("amount", amount);
    v("claim_id", claim_id);
    v("source_event_id", source_event_id);
    v("source_partition", source_partition);
    v("source_seq", source_seq);
    v("previous_source_seq", previous_source_seq);
  }
  const std::string& stream() const { return worker_id.value; }
};

// clearing:payouts -> worker, on the worker's partition, once per source approval. The source is
// named by its partition and seq; credits from one source partition arrive in seq order.
struct WorkerCredited {
  static constexpr std::string_view kType = "worker.credited.v1";
  UserId worker_id;
  Micros amount;
  std::string source_event_id;
  std::int64_t source_partition = 0;
  std::int64_t source_seq = 0;
  ClaimId claim_id;
  std::vector<Transfer> transfers;
  bool operator==(const WorkerCredited&) const = default;
  template <class V> void visit(V& v) {
    v("worker_id", worker_id); v("amount", amount); v("source_event_id", source_event_id);
    v("source_partition", source_partition); v("source_seq", source_seq); v("claim_id", claim_id);
    v("transfers", transfers);
  }
};

Decision decide_one(const PartitionState& state, const CreditWorker& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const WorkerCredited& event);

}  // namespace microjobs
