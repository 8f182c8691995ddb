#pragma once
// A partition processor: the single writer of one partition. Commands wait in a bounded queue;
// the processor's thread takes a batch, decides each command against the in-memory state,
// appends all resulting events in one durable append (group commit), and only then replies.
// It also runs the partition's scheduler (claim deadlines, from the injected Clock) and
// remembers the ids of accepted commands for 24 h so that a repeat gets the first answer, across
// restarts (the rule is in domain/idempotency.h).
//
// Lifecycle: construct, start() (rebuilds state from the snapshot plus the log's tail), submit()
// from any thread, stop() (drains, snapshots, joins). Not copyable.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands/clock.h"
#include "commands/command_bus.h"
#include "commands/event_log.h"
#include "commands/personal_data_vault.h"
#include "domain/command_id.h"
#include "domain/decider.h"
#include "domain/idempotency.h"
#include "domain/state.h"

namespace microjobs {

struct ProcessorConfig {
  std::size_t queue_limit = 16'384;     // commands waiting; beyond it submit() says overloaded
  std::size_t max_batch = 1024;         // commands decided per append
  std::int64_t idempotency_window_ms = 24LL * 3600 * 1000;
  std::int64_t snapshot_every_events = 100'000;
  std::int64_t scheduler_interval_ms = 50;  // how often an idle processor checks deadlines
  std::size_t expirations_per_batch = 256;
  Policy policy;
  // Seals the personal fields of every event before it is appended (domain/personal_data.h).
  // nullptr: they go to the log in the clear (tests of the write side alone).
  PersonalDataVault* vault = nullptr;
};

struct PendingCommand {
  CommandId command_id;
  Command command;
  ReplyFn reply;  // empty for the scheduler's own commands
};

class PartitionProcessor {
 public:
  PartitionProcessor(std::int32_t partition, EventLog& log, StateStore& store, const Clock& clock,
                     ProcessorConfig config = {});
  ~PartitionProcessor();
  PartitionProcessor(const PartitionProcessor&) = delete;
  PartitionProcessor& operator=(const PartitionProcessor&) = delete;

  Status start();
  void stop();
  // Queues the command; replies `overloaded` at once when the queue is full, or, when `wait` is
  // set, blocks until there is room (for internal producers that must not drop a command).
  void submit(PendingCommand command, bool wait = false);
  // Wakes the scheduler now (tests move a ManualClock and call this).
  void wake();

  // A copy of the state, taken between batches (tests and the simulation compare it).
  PartitionState state_copy();
  std::int64_t last_seq();

 private:
  struct Decided;
  struct Batch;

  void run();
  Status rebuild();
  Status replay_from(std::int64_t offset);
  void process(std::vector<PendingCommand>& commands);
  void decide_into(PendingCommand& command, UnixMs now, Batch& batch);
  bool append_batch(Batch& batch);
  void schedule_due(std::vector<PendingCommand>& batch, UnixMs now);
  void answer_repeat(PendingCommand& command, std::int64_t offset);
  // Encodes the state on this thread (it must hold still) and hands the bytes to a writer of
  // their own. Does nothing while the previous snapshot is still being written: the events since
  // the last one stay counted, so the next batch tries again.
  void start_snapshot();
  // Waits for the snapshot being written, if one is, and logs its failure.
  void finish_snapshot_write();

  const std::int32_t partition_;
  EventLog& log_;
  StateStore& store_;
  const Clock& clock_;
  const ProcessorConfig config_;

  std::mutex mutex_;  // guards queue_ and stopping_
  std::mutex state_mutex_;  // held while a batch changes the state; state_copy() takes it
  std::condition_variable queue_changed_;
  std::condition_variable room_;
  std::deque<PendingCommand> queue_;
  bool stopping_ = false;
  std::thread thread_;

  // Owned by the processor thread (and read under state_mutex_ by state_copy()).
  PartitionState state_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_;
  std::int64_t next_offset_ = 0;
  std::int64_t events_since_snapshot_ = 0;
  IdempotencyTable idempotency_;
  std::string encode_buffer_;
  std::future<Status> snapshot_write_;  // the durable put of the last snapshot, off this thread
  std::size_t last_snapshot_size_ = 0;
};

}  // namespace microjobs
