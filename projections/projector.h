#pragma once
// The Projector folds the event log into the read models. It reads every partition from its
// stored position, applies each event exactly once (by seq and hash chain, domain/codec/chain.h: a
// repeat is skipped, a fork is reported and skipped, a gap stops the partition), and writes the models together with the new
// positions in one atomic batch. Rebuilding is the same code starting from empty.
//
// Lifecycle: construct, then run() on one thread (or call step() yourself in tests); applied()
// and wait_for() may be called from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "commands/command_bus.h"
#include "commands/event_log.h"
#include "commands/personal_data_vault.h"
#include "projections/progress.h"
#include "projections/read_store.h"

namespace microjobs {

struct ChainPosition {
  std::int64_t next_offset = 0;  // the next log offset to read
  std::int64_t seq = 0;          // the last applied seq
  std::string hash;              // the last applied record's hash (64 zeros before seq 1)
  template <class V> void visit(V& v) { v("next_offset", next_offset); v("seq", seq); v("hash", hash); }
};

class Projector final : public ProjectionProgress {
 public:
  // `vault`: where folding `user.erased.v1` destroys the user's keys (nullptr: nowhere, as in
  // `rebuild`, which folds what a running node folded before).
  Projector(EventLog& log, ReadStore& store, PersonalDataVault* vault = nullptr);

  // Reads up to `max_per_partition` records of each partition, applies them in one batch.
  // Returns the number of events applied, or an error (a fork or a gap in the chain, a decode or
  // store failure, a read included: ReadStoreError), after which the partition stays where it was.
  static constexpr std::size_t kStep = 2048;  // records per partition per step, caught up
  // At most, while behind (a restart, a burst): with 8 partitions 2^18 events a step, as
  // `rebuild` takes. Folding 2,000,000 events from scratch in `serve`: 52 s at kStep only,
  // 38 s up to 16,384, 29 s up to 32,768 (peak RSS 0.77, 0.92, 1.03 GB).
  static constexpr std::size_t kCatchUpStep = 32'768;
  Result<std::size_t> step(std::size_t max_per_partition = kStep);
  // Steps until stopped; waits on the log when there is nothing new. Logs errors and retries.
  // While behind (a step applied at least its per-partition limit, all partitions together) each
  // step doubles, up to kCatchUpStep: a view folds more of its events in memory and is written
  // once for them. Otherwise steps are kStep again, so a fresh write waits for a small batch.
  void run(std::stop_token stop);

  // True when the event at `position` is reflected in the read models.
  std::int64_t applied_end(std::int32_t partition) const override;
  // Waits until applied(position) or the timeout passes.
  bool wait_for(Position position, std::chrono::milliseconds timeout);
  std::uint64_t add_listener(std::function<void()> listener) override;
  void remove_listener(std::uint64_t id) override;
  ChainPosition chain_position(std::int32_t partition) const;
  // The last error the run loop met (empty if none), for /healthz.
  std::string last_error() const;
  // Records skipped as forks (a second writer's records), since this projector started.
  std::uint64_t forks() const { return forks_.load(); }

 private:
  // step() without the guard that turns a failed read of the store into an error.
  Result<std::size_t> fold_step(std::size_t max_per_partition);
  EventLog& log_;
  ReadStore& store_;
  PersonalDataVault* vault_;
  std::vector<ChainPosition> chain_;  // touched by the stepping thread only
  std::unique_ptr<std::atomic<std::int64_t>[]> applied_end_;
  mutable std::mutex mutex_;
  std::condition_variable advanced_;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;  // under mutex_
  std::uint64_t last_listener_id_ = 0;                                        // under mutex_
  std::string last_error_;
  std::atomic<std::uint64_t> forks_{0};
};

}  // namespace microjobs
