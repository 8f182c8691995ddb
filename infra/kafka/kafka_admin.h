#pragma once
// Setting up and checking microjobs' topics on a real Kafka cluster, through its Admin API.
//
// The events topic is the source of truth, so it must never drop a record: kept forever
// (retention.ms = retention.bytes = -1), deleted never compacted (compaction keeps only the last
// record per key), no unclean leader election (a lagging replica elected leader truncates
// acknowledged records), and with 3 or more replicas min.insync.replicas >= 2 (so acks=all means
// two copies). The commands and replies topics are transient: Kafka's defaults are fine. The
// keys topic (the vault's, one partition) is compacted, never deleted by time.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "infra/kafka/kafka_topics.h"

namespace microjobs {

struct TopicLayout {
  std::int32_t partitions = 8;
  int replication = 3;
  std::chrono::milliseconds timeout{30'000};
};

// Creates the four topics with the settings above (topics that exist are left as they are), then
// checks them: every setting of the events topic that would lose events, and a partition count or
// replication factor other than asked, makes it an error naming each, and how to mend it. When the
// Admin API cannot answer (no rights, librdkafka's mock cluster, which has no controller), the
// error gives the kafka-topics.sh lines to run instead.
Status setup_topics(const KafkaTopics& topics, const TopicLayout& layout);

// What is wrong with the events topic as the cluster has it, one line per problem (empty: safe).
Result<std::vector<std::string>> event_topic_problems(const KafkaTopics& topics, const TopicLayout& layout);

}  // namespace microjobs
