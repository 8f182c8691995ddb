#pragma once
// The CommandBus over Kafka: any API node sends a command to topic
// {prefix}.commands (partition = the stream's partition, key = stream key); the processor that
// the consumer group gave that partition decides it and answers on {prefix}.replies, keyed by
// the asking node, whose bus matches the reply to its pending request. Partition ownership
// follows the consumer group: KafkaProcessorHost starts a PartitionProcessor (rebuilt from the
// event log) for each partition assigned to it and stops it when the partition is revoked.
//
// Thread-safety: send() from any thread; replies arrive on the bus's own consumer thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/clock.h"
#include "commands/command_bus.h"
#include "commands/processor.h"
#include "infra/kafka/kafka_topics.h"

namespace microjobs {

struct KafkaBusConfig {
  KafkaTopics topics;
  std::string node_id;                          // unique per process: replies come back keyed by it
  std::chrono::milliseconds reply_timeout{10'000};  // no reply by then: outcome unknown (503)
};

class KafkaCommandBus final : public CommandBus {
 public:
  static Result<std::unique_ptr<KafkaCommandBus>> open(KafkaBusConfig config);
  ~KafkaCommandBus() override;
  void send(CommandId command_id, Command command, ReplyFn reply) override;
  std::int32_t partitions() const override;

  struct Impl;

 private:
  explicit KafkaCommandBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ProcessorHostConfig {
  KafkaTopics topics;
  std::string group;  // empty: topics.processor_group()
  std::chrono::milliseconds session_timeout{6000};
  ProcessorConfig processor;
};

class KafkaProcessorHost {
 public:
  static Result<std::unique_ptr<KafkaProcessorHost>> open(ProcessorHostConfig config, EventLog& log,
                                                          StateStore& store, const Clock& clock);
  ~KafkaProcessorHost();
  // The partitions whose processors run here now.
  std::vector<std::int32_t> owned() const;

  struct Impl;

 private:
  explicit KafkaProcessorHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace microjobs
