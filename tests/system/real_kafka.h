#pragma once
// The real Apache Kafka broker of the integration suite. CTest's fixture `real_kafka` starts it
// (`tools/kafka/broker start`, jars from Maven Central) before the tests that need it and stops it
// after them. Every test takes topics of its own under a fresh prefix, so tests share the broker
// without meeting. Tests that use it are registered with `microjobs_test(... REAL_KAFKA)`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>

#include "infra/kafka/kafka_admin.h"
#include "run_command.h"

namespace microjobs::testing {

inline std::string real_kafka_bootstrap() {
  std::ifstream in(std::string(MICROJOBS_REAL_KAFKA_DIR) + "/bootstrap");
  std::string bootstrap;
  std::getline(in, bootstrap);
  return bootstrap;
}

// "t<pid>-<n>-<random>": unique among the tests of one run and across runs on one broker.
inline std::string fresh_prefix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(random() % 100000);
}

// A fresh prefix's three topics, created on the real broker as `microjobs kafka-setup` creates
// them; nullopt (and a test failure) when there is no broker or it refuses.
inline std::optional<KafkaTopics> real_kafka_topics(std::int32_t partitions) {
  const std::string bootstrap = real_kafka_bootstrap();
  if (bootstrap.empty()) {
    ADD_FAILURE() << "no real Kafka broker: ctest starts one (fixture real_kafka); by hand, "
                     "tools/kafka/broker start " MICROJOBS_REAL_KAFKA_DIR;
    return std::nullopt;
  }
  KafkaTopics topics(bootstrap, fresh_prefix());
  Status created = setup_topics(topics, TopicLayout{partitions, 1, std::chrono::seconds(30)});
  if (!created.ok()) {
    ADD_FAILURE() << created.error().message;
    return std::nullopt;
  }
  return topics;
}

// The outside readers of tools/examples/, as analytics teams run them: Python (confluent-kafka,
// jsonschema; tools/install-test-deps puts them in build/venv) and Java (kafka-clients, networknt's
// validator; its class path in build/examples-java.classpath). Each prints a JSON summary last.
inline Ran run_python_consumer(const KafkaTopics& topics, const std::string& schemas_url) {
  return run_command(std::string(MICROJOBS_BUILD_DIR) + "/venv/bin/python " MICROJOBS_SOURCE_DIR
                     "/tools/examples/python/verify_stream.py --bootstrap " + topics.bootstrap() + " --topic " +
                     topics.events() + " --schemas " + schemas_url);
}

inline Ran run_java_consumer(const KafkaTopics& topics, const std::string& schemas_url) {
  return run_command("java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp \"$(cat " MICROJOBS_BUILD_DIR
                     "/examples-java.classpath)\" " MICROJOBS_SOURCE_DIR "/tools/examples/java/VerifyStream.java"
                     " --bootstrap " + topics.bootstrap() + " --topic " + topics.events() + " --schemas " +
                     schemas_url);
}

}  // namespace microjobs::testing
