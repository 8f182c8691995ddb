// `microjobs dev-kafka` (a throwaway Kafka on loopback for development and demos) and
// `microjobs export` (copy a local log into Kafka unchanged).
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "infra/kafka/kafka_admin.h"
#include "infra/kafka/kafka_key_store.h"
#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "infra/vault/rocks_key_store.h"
#include "tools/subcommands.h"

namespace microjobs {
namespace {

int dev_kafka(int brokers, std::int32_t partitions, const std::string& bootstrap_file) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto mock = MockKafka::start(brokers, partitions);
  if (!mock.ok()) {
    spdlog::error("{}", mock.error().message);
    return 1;
  }
  const std::string bootstrap = (*mock)->bootstrap();
  if (!bootstrap_file.empty()) std::ofstream(bootstrap_file) << bootstrap << "\n";
  std::printf(
      "microjobs dev-kafka: librdkafka's mock cluster, %d brokers, on loopback\n"
      "  bootstrap   %s\n"
      "  topics      microjobs.events, microjobs.commands, microjobs.replies (%d partitions)\n\n"
      "WARNING: this cluster keeps NOTHING: it lives in this process's memory, keeps at most\n"
      "5 MiB per partition, and is gone when this process stops. For tests and demos only.\n\n"
      "Use it:\n"
      "  build/tools/microjobs serve --event-log kafka://%s --data-dir ./data-kafka --kafka-transactions off\n"
      "  kcat -b %s -C -t microjobs.events -f '%%p %%o %%k %%h %%s\\n'\n\n"
      "Stop with Ctrl-C.\n",
      brokers, bootstrap.c_str(), partitions, bootstrap.c_str(), bootstrap.c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}

// Copies the vault's keys (data_dir/keys) to the keys topic, so that the Kafka deployment opens
// the sealed texts of the exported records. Returns how many.
Result<std::int64_t> export_keys(const std::string& data_dir, const KafkaTopics& topics) {
  if (!std::filesystem::exists(data_dir + "/keys")) return std::int64_t{0};
  auto local = RocksKeyStore::open_read_only(data_dir + "/keys");
  if (!local.ok()) return local.error();
  auto kafka = KafkaKeyStore::open(topics);
  if (!kafka.ok()) return kafka.error();
  std::int64_t copied = 0;
  MJ_RETURN_IF_ERROR((*local)->for_each_key([&](const UserId& owner, const KeyStore::StoredKey& key) {
    ++copied;
    return (*kafka)->put(owner, key);
  }));
  MJ_RETURN_IF_ERROR((*kafka)->sync());
  return copied;
}

// Copies every partition of a local log to Kafka: the same bytes at the same offsets of the same
// partitions. Refuses a non-empty Kafka partition, so nothing is ever copied twice.
int export_log(const std::string& data_dir, const std::string& url, int timeout_s) {
  auto local = LocalEventLog::open_read_only(data_dir + "/log");
  if (!local.ok()) {
    spdlog::error("{}", local.error().message);
    return 1;
  }
  auto topics = parse_kafka_url(url);
  if (!topics.ok()) {
    spdlog::error("--to: {}", topics.error().message);
    return 2;
  }
  KafkaConfig config{topics->bootstrap(), topics->events(), (*local)->partitions()};
  config.timeout = std::chrono::seconds(timeout_s);
  auto kafka = KafkaEventLog::open(config);
  if (!kafka.ok()) {
    spdlog::error("{}", kafka.error().message);
    return 1;
  }
  for (std::int32_t p = 0; p < (*local)->partitions(); ++p) {
    if ((*kafka)->end(p) != 0) {
      spdlog::error("kafka partition {} is not empty; export copies into an empty topic only", p);
      return 1;
    }
  }
  std::int64_t copied = 0;
  for (std::int32_t p = 0; p < (*local)->partitions(); ++p) {
    for (std::int64_t offset = 0; offset < (*local)->end(p);) {
      auto records = (*local)->read(p, offset, 1000);
      if (!records.ok() || records->empty()) {
        spdlog::error("reading partition {}: {}", p, records.ok() ? "no records" : records.error().message);
        return 1;
      }
      std::vector<RecordView> views;
      for (const auto& record : *records) views.push_back({record.key, record.value});
      auto first = (*kafka)->append(p, views);
      if (!first.ok() || *first != offset) {
        spdlog::error("partition {}: {}", p, first.ok() ? "landed at another offset" : first.error().message);
        return 1;
      }
      offset += static_cast<std::int64_t>(records->size());
      copied += static_cast<std::int64_t>(records->size());
    }
  }
  auto keys = export_keys(data_dir, *topics);
  if (!keys.ok()) {
    spdlog::error("the records are exported, the vault's keys not: {}", keys.error().message);
    return 1;
  }
  std::printf("exported %lld records in %d partitions to %s (topic %s) and %lld keys (topic %s)\n",
              static_cast<long long>(copied), (*local)->partitions(), topics->bootstrap().c_str(),
              topics->events().c_str(), static_cast<long long>(*keys), topics->keys().c_str());
  return 0;
}

}  // namespace

void add_kafka_commands(CLI::App& app, SubcommandRunners& runners) {
  struct DevOptions {
    int brokers = 3;
    std::int32_t partitions = 8;
    std::string bootstrap_file;
  };
  auto dev = std::make_shared<DevOptions>();
  CLI::App* dev_cmd = app.add_subcommand("dev-kafka", "start a throwaway Kafka (librdkafka mock cluster) on loopback");
  dev_cmd->add_option("--brokers", dev->brokers, "brokers")->capture_default_str()->check(CLI::Range(1, 9));
  dev_cmd->add_option("--partitions", dev->partitions, "partitions per topic")->capture_default_str()->check(CLI::Range(1, 1024));
  dev_cmd->add_option("--bootstrap-file", dev->bootstrap_file, "write the bootstrap string to this file");
  runners.push_back([dev_cmd, dev] {
    return *dev_cmd ? dev_kafka(dev->brokers, dev->partitions, dev->bootstrap_file) : -1;
  });

  struct SetupOptions {
    std::string bootstrap;
    std::string prefix{KafkaTopics::kDefaultPrefix};
    std::int32_t partitions = 8;
    int replication = 3;
    int timeout_s = 30;
  };
  auto setup = std::make_shared<SetupOptions>();
  CLI::App* setup_cmd = app.add_subcommand(
      "kafka-setup", "create the microjobs topics on a Kafka cluster (Admin API) and check they keep every event");
  setup_cmd->add_option("--bootstrap", setup->bootstrap, "host:port[,host:port]")->required();
  setup_cmd->add_option("--prefix", setup->prefix, "topic prefix: PREFIX.events, .commands, .replies")->capture_default_str();
  setup_cmd->add_option("--partitions", setup->partitions, "partitions per topic")->capture_default_str()->check(CLI::Range(1, 1024));
  setup_cmd->add_option("--replication", setup->replication, "replication factor")->capture_default_str()->check(CLI::Range(1, 7));
  setup_cmd->add_option("--timeout", setup->timeout_s, "seconds to wait for the cluster")->capture_default_str()->check(CLI::Range(1, 600));
  runners.push_back([setup_cmd, setup] {
    if (!*setup_cmd) return -1;
    auto topics = parse_kafka_url("kafka://" + setup->bootstrap + "/" + setup->prefix);
    if (!topics.ok()) {
      std::fprintf(stderr, "%s\n", topics.error().message.c_str());
      return 2;
    }
    Status status = setup_topics(*topics, TopicLayout{setup->partitions, setup->replication,
                                                      std::chrono::seconds(setup->timeout_s)});
    if (!status.ok()) {
      std::fprintf(stderr, "%s", status.error().message.c_str());
      return 1;
    }
    std::printf("topics %s, %s, %s: %d partitions, replication %d; %s keeps every event; %s (1 partition, "
                "compacted) keeps the vault's keys\n",
                topics->events().c_str(), topics->commands().c_str(), topics->replies().c_str(), setup->partitions,
                setup->replication, topics->events().c_str(), topics->keys().c_str());
    return 0;
  });

  struct ExportOptions {
    std::string data_dir = "./data";
    std::string to;
    int timeout_s = 30;
  };
  auto exp = std::make_shared<ExportOptions>();
  CLI::App* export_cmd = app.add_subcommand("export", "copy a local log into Kafka unchanged (same bytes, same partitions)");
  export_cmd->add_option("--data-dir", exp->data_dir, "the node's data directory")->capture_default_str();
  export_cmd->add_option("--to", exp->to, "kafka://host:port")->required();
  export_cmd->add_option("--timeout", exp->timeout_s, "seconds to wait for the broker's answers (metadata, each delivery)")
      ->capture_default_str()->check(CLI::Range(1, 600));
  runners.push_back([export_cmd, exp] {
    return *export_cmd ? export_log(exp->data_dir, exp->to, exp->timeout_s) : -1;
  });
}

}  // namespace microjobs
