#pragma once
// Where microjobs lives on a Kafka cluster: the bootstrap list and the prefix of its topics.
// `kafka://host:port[,host:port][/prefix]`; the prefix defaults to "microjobs", which gives the
// contract's topic names (microjobs.events, .commands, .replies). Another prefix lets several
// deployments (staging beside production, or one test per prefix) share a cluster.
#include <string>
#include <string_view>

#include "domain/result.h"

namespace microjobs {

class KafkaTopics {
 public:
  static constexpr std::string_view kDefaultPrefix = "microjobs";

  KafkaTopics() = default;
  KafkaTopics(std::string bootstrap, std::string prefix = std::string(kDefaultPrefix))
      : bootstrap_(std::move(bootstrap)), prefix_(std::move(prefix)) {}

  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& prefix() const { return prefix_; }
  std::string events() const { return prefix_ + ".events"; }
  std::string commands() const { return prefix_ + ".commands"; }
  std::string replies() const { return prefix_ + ".replies"; }
  // The vault's keys (infra/kafka/kafka_key_store.h): compacted, one partition.
  std::string keys() const { return prefix_ + ".keys"; }
  // The consumer group of the processors: whoever is in it shares the partitions.
  std::string processor_group() const { return prefix_ + "-processors"; }
  std::string url() const { return "kafka://" + bootstrap_ + (prefix_ == kDefaultPrefix ? "" : "/" + prefix_); }

 private:
  std::string bootstrap_;
  std::string prefix_{kDefaultPrefix};
};

// Parses "kafka://host:port[,host:port][/prefix]". The prefix is 1 to 200 of [A-Za-z0-9._-].
Result<KafkaTopics> parse_kafka_url(std::string_view url);

}  // namespace microjobs
