#pragma once
// The EventLog port over Apache Kafka (librdkafka): topic `microjobs.events`, one Kafka partition
// per log partition, key = stream key, explicit partition (murmur2, as the processors compute),
// an idempotent producer with acks=all, and the CloudEvents Kafka-binding headers ce_specversion,
// ce_id, ce_type, ce_source and content-type, plus mj_hash (hex SHA-256 of the value). The value
// bytes are exactly the local log's.
//
// append() is a conditional append: it waits for every record's delivery report and fails unless
// the records landed at consecutive offsets (with fenced writers, each append is also one Kafka
// transaction of the partition's own transactional producer: see KafkaConfig); the processor compares the first offset with the one
// it expected, so a foreign record at its offset is detected and its own batch is void (readers
// keep the first record of each seq). Readers use assign() at explicit offsets, never a group.
//
// Thread-safety: append() from any number of threads (one per partition); read() and end() from
// any thread (reads are serialized on one consumer).
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "commands/event_log.h"
#include "infra/kafka/kafka_topics.h"

namespace microjobs {

struct KafkaConfig {
  std::string bootstrap;                     // "host:port,host:port"
  std::string topic = "microjobs.events";
  std::int32_t partitions = 0;               // expected count; 0: whatever the topic has
  std::chrono::milliseconds timeout{30'000};  // delivery, metadata and read deadline
  // Non-empty: fenced writers. become_writer(p) starts a transactional producer with the id
  // "{prefix}-{p}", which fences every earlier one of that id, and each append is one
  // transaction. Needs a real cluster: librdkafka's mock does not fence (README, On Kafka).
  std::string transactional_id_prefix{};
};


class KafkaEventLog final : public EventLog {
 public:
  static Result<std::unique_ptr<KafkaEventLog>> open(KafkaConfig config);
  ~KafkaEventLog() override;

  std::int32_t partitions() const override { return partitions_; }
  Result<std::int64_t> append(std::int32_t partition, std::span<const RecordView> records) override;
  Result<std::vector<LogRecord>> read(std::int32_t partition, std::int64_t from,
                                      std::size_t max_records) override;
  std::int64_t end(std::int32_t partition) override;
  std::vector<std::int64_t> ends() override;  // one ListOffsets request per leader
  std::uint64_t append_count() const override { return append_count_.load(); }
  // Appends by other processes are not signalled: this waits at most 20 ms, so readers poll.
  void wait_for_append(std::uint64_t seen, std::chrono::milliseconds timeout) override;
  void set_reads_interrupted(bool on) override { reads_interrupted_ = on; }
  Status become_writer(std::int32_t partition) override;
  std::int64_t marker_offsets_per_append() const override { return transactional() ? 1 : 0; }
  bool transactional() const { return !config_.transactional_id_prefix.empty(); }

  const KafkaConfig& config() const { return config_; }
  // How many producers this log has made: 1, plus one after each failed append.
  std::uint64_t producers_created() const;

 private:
  struct Handles;
  explicit KafkaEventLog(KafkaConfig config);
  Result<std::int64_t> append_in_transaction(std::int32_t partition, std::span<const RecordView> records);
  void note_append();  // counts an append and wakes wait_for_append()
  std::vector<std::int64_t> ends_of(const std::vector<std::int32_t>& partitions);  // end() and ends()

  KafkaConfig config_;
  std::int32_t partitions_ = 0;
  std::unique_ptr<Handles> handles_;
  std::atomic<std::uint64_t> append_count_{0};
  std::atomic<bool> reads_interrupted_{false};
  // Where each partition was last seen to end (ends_of()); read() asks again only at or past it.
  std::unique_ptr<std::atomic<std::int64_t>[]> known_ends_;
  std::mutex wait_mutex_;
  std::condition_variable appended_;
};

// Creates the topics on a librdkafka mock cluster (tests and `microjobs dev-kafka`); a real
// cluster's topics are created by its operators (see infra/README.md).
struct MockKafka {
  static Result<std::unique_ptr<MockKafka>> start(int brokers, std::int32_t partitions);
  ~MockKafka();
  std::string bootstrap() const;
  // The librdkafka mock cluster, for error injection in tests (rd_kafka_mock_cluster_t*).
  void* cluster() const;

 private:
  MockKafka() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace microjobs
