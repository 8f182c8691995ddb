#pragma once
// The EventLog port: an append-only log of records in P partitions. Owned here, by its users;
// adapters live in infra/ (infra/rocksdb: the embedded default; infra/kafka later).
//
// Thread-safety: append() for one partition is called by that partition's single writer only;
// read(), end() and wait_for_append() may be called from any thread.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"

namespace microjobs {

struct RecordView {
  std::string_view key;    // the stream key (user id)
  std::string_view value;  // the envelope bytes
  std::string_view hash = {};  // hex SHA-256 of value if the writer has it already (else empty)
};

struct LogRecord {
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  // Where reading goes on after this record, when the log knows it is not offset + 1: on Kafka
  // with fenced writers each transaction's commit marker takes an offset no record has.
  std::int64_t next = 0;
  std::int64_t after() const { return next > offset ? next : offset + 1; }
};

class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual std::int32_t partitions() const = 0;
  // Appends all records to the partition as one atomic, durable unit and returns the offset of
  // the first. Either all of them are durable when it returns ok, or none is visible.
  virtual Result<std::int64_t> append(std::int32_t partition, std::span<const RecordView> records) = 0;
  // Up to max_records records with offset >= from, in offset order.
  virtual Result<std::vector<LogRecord>> read(std::int32_t partition, std::int64_t from,
                                              std::size_t max_records) = 0;
  // The offset the next appended record will get.
  virtual std::int64_t end(std::int32_t partition) = 0;
  // end() of every partition, in partition order, asked at once where the log can: readers that
  // look at all partitions each step ask this (on Kafka one request, not one per partition).
  virtual std::vector<std::int64_t> ends() {
    std::vector<std::int64_t> all;
    for (std::int32_t p = 0; p < partitions(); ++p) all.push_back(end(p));
    return all;
  }
  // A counter that grows with every append; wait_for_append() returns when it differs from
  // `seen` or when the timeout passes, so readers sleep instead of spinning.
  virtual std::uint64_t append_count() const = 0;
  virtual void wait_for_append(std::uint64_t seen, std::chrono::milliseconds timeout) = 0;
  // While on, read(), end() and ends() answer at once with what they have (an error, or 0) instead of
  // waiting on a remote log: a stopping node turns it on before it joins its readers, so a broker
  // that is gone does not hold the stop for its timeouts, and off after. Appends are not
  // affected. The local log never waits: nothing to do.
  virtual void set_reads_interrupted(bool /*on*/) {}

  // Called by a partition's new single writer before it reads the partition to rebuild. Where
  // the log can, it fences every earlier writer of the partition: once this returns, none of
  // their appends can become visible (Kafka transactions). The local log has one process.
  virtual Status become_writer(std::int32_t /*partition*/) { return ok_status(); }
  // Offsets an append takes beyond its records: 1 where each append is a Kafka transaction,
  // whose commit marker takes an offset; so the writer knows where its next append lands.
  virtual std::int64_t marker_offsets_per_append() const { return 0; }
};

// A small durable key-value store for the write side's own bookkeeping: snapshots and the
// credit process manager's cursors.
enum class Durability : std::uint8_t {
  synced,   // on disk when put() returns
  unsynced  // survives the process ending, maybe not the machine: for what is safe to redo
};
class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual Result<std::string> get(std::string_view key) = 0;  // empty string when absent
  virtual Status put(std::string_view key, std::string_view value, Durability durability = Durability::synced) = 0;
};

}  // namespace microjobs
