#include "infra/kafka/kafka_admin.h"

#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "domain/assert.h"
#include "infra/kafka/rdkafka_util.h"

namespace microjobs {
namespace {

using Configs = std::map<std::string, std::string>;

struct Admin {
  rd_kafka_t* client = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  ~Admin() {
    if (queue) rd_kafka_queue_destroy(queue);
    if (client) rd_kafka_destroy(client);
  }
};

using EventPtr = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

// The events topic's settings: nothing is ever deleted, and acks=all means two copies on 3 nodes.
Configs event_topic_configs(int replication) {
  return {{"retention.ms", "-1"},
          {"retention.bytes", "-1"},
          {"cleanup.policy", "delete"},
          {"unclean.leader.election.enable", "false"},
          {"min.insync.replicas", replication >= 3 ? "2" : "1"}};
}

// The vault's keys: the last record per key is all that matters, and an erased key's tombstone
// must let the cleaner drop its bytes soon (segments roll hourly; tombstones stay an hour for
// readers that lag).
Configs key_topic_configs(int replication) {
  return {{"cleanup.policy", "compact"},
          {"segment.ms", "3600000"},
          {"min.compaction.lag.ms", "0"},
          {"delete.retention.ms", "3600000"},
          {"min.cleanable.dirty.ratio", "0.01"},
          {"unclean.leader.election.enable", "false"},
          {"min.insync.replicas", replication >= 3 ? "2" : "1"}};
}

struct TopicSpec {
  std::string name;
  std::int32_t partitions;
  Configs configs;
};

// The four topics as kafka-setup creates them. Commands carry personal data in the clear (the
// processor seals it into the events only): kept a day, in hourly segments so that the day is
// what the broker keeps (it deletes whole segments). Replies keep Kafka's defaults.
std::vector<TopicSpec> topic_specs(const KafkaTopics& topics, const TopicLayout& layout) {
  return {{topics.events(), layout.partitions, event_topic_configs(layout.replication)},
          {topics.commands(), layout.partitions, {{"retention.ms", "86400000"}, {"segment.ms", "3600000"}}},
          {topics.replies(), layout.partitions, {}},
          {topics.keys(), 1, key_topic_configs(layout.replication)}};
}

std::string manual_lines(const KafkaTopics& topics, const TopicLayout& layout) {
  std::string out = "Create them by hand, for example:\n";
  for (const TopicSpec& spec : topic_specs(topics, layout)) {
    out += "  kafka-topics.sh --bootstrap-server " + topics.bootstrap() + " --create --if-not-exists --topic " +
           spec.name + " --partitions " + std::to_string(spec.partitions) + " --replication-factor " +
           std::to_string(layout.replication);
    for (const auto& [name, value] : spec.configs) out += " --config " + name + "=" + value;
    out += "\n";
  }
  return out;
}

Result<std::unique_ptr<Admin>> open_admin(const std::string& bootstrap) {
  auto conf = kafka::make_conf({{"bootstrap.servers", bootstrap}, {"client.id", "microjobs-admin"}});
  if (!conf.ok()) return conf.error();
  char error[512];
  auto admin = std::make_unique<Admin>();
  admin->client = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof error);
  if (!admin->client) return Error{std::string("kafka admin client: ") + error};
  admin->queue = rd_kafka_queue_new(admin->client);
  return admin;
}

OptionsPtr admin_options(Admin& admin, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout) {
  OptionsPtr options(rd_kafka_AdminOptions_new(admin.client, op), rd_kafka_AdminOptions_destroy);
  char error[512];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error, sizeof error);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS) {
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()), error,
                                                sizeof error);
  }
  return options;
}

// The answer to the last admin request, or why there is none. The request's own timeout bounds
// the wait; the margin covers the client's bookkeeping.
Result<EventPtr> await_answer(Admin& admin, std::chrono::milliseconds timeout) {
  EventPtr event(rd_kafka_queue_poll(admin.queue, static_cast<int>(timeout.count()) + 2'000),
                 rd_kafka_event_destroy);
  if (!event) return Error{"no answer from the Admin API"};
  if (rd_kafka_event_error(event.get())) return Error{rd_kafka_event_error_string(event.get())};
  return event;
}

Status create(Admin& admin, const KafkaTopics& topics, const TopicLayout& layout) {
  std::vector<rd_kafka_NewTopic_t*> requests;
  char error[512];
  for (const TopicSpec& spec : topic_specs(topics, layout)) {
    requests.push_back(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, layout.replication, error, sizeof error));
    MJ_ASSERT(requests.back() != nullptr);
    for (const auto& [name, value] : spec.configs) rd_kafka_NewTopic_set_config(requests.back(), name.c_str(), value.c_str());
  }
  OptionsPtr options = admin_options(admin, RD_KAFKA_ADMIN_OP_CREATETOPICS, layout.timeout);
  rd_kafka_CreateTopics(admin.client, requests.data(), requests.size(), options.get(), admin.queue);
  for (auto* request : requests) rd_kafka_NewTopic_destroy(request);
  auto answer = await_answer(admin, layout.timeout);
  if (!answer.ok()) return answer.error();
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(answer->get()), &count);
  std::string failure;
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      failure += std::string(rd_kafka_topic_result_name(results[i])) + ": " + rd_kafka_err2str(err) + "; ";
    }
  }
  if (!failure.empty()) return Error{failure};
  return ok_status();
}

Result<Configs> describe_topic(Admin& admin, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  OptionsPtr options = admin_options(admin, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout);
  rd_kafka_DescribeConfigs(admin.client, &resource, 1, options.get(), admin.queue);
  rd_kafka_ConfigResource_destroy(resource);
  auto answer = await_answer(admin, timeout);
  if (!answer.ok()) return answer.error();
  size_t count = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(answer->get()), &count);
  if (count != 1) return Error{"the Admin API described no topic " + topic};
  if (rd_kafka_ConfigResource_error(resources[0])) {
    return Error{topic + ": " + rd_kafka_ConfigResource_error_string(resources[0])};
  }
  Configs configs;
  size_t entries = 0;
  const rd_kafka_ConfigEntry_t** list = rd_kafka_ConfigResource_configs(resources[0], &entries);
  for (size_t i = 0; i < entries; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(list[i]);
    configs[rd_kafka_ConfigEntry_name(list[i])] = value ? value : "";
  }
  return configs;
}

struct TopicShape {
  std::int32_t partitions = 0;
  int replication = 0;
};

Result<TopicShape> shape_once(Admin& admin, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(admin.client, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(admin.client, 0, handle, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err) return Error{"kafka topic " + topic + ": " + rd_kafka_err2str(err)};
  TopicShape shape;
  if (metadata->topic_cnt == 1 && !metadata->topics[0].err && metadata->topics[0].partition_cnt > 0) {
    const rd_kafka_metadata_topic_t& found = metadata->topics[0];
    shape.partitions = found.partition_cnt;
    shape.replication = found.partitions[0].replica_cnt;
    for (int i = 0; i < found.partition_cnt; ++i) {
      if (found.partitions[i].err || found.partitions[i].leader < 0) err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    }
  } else {
    err = metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  }
  rd_kafka_metadata_destroy(metadata);
  if (err) return Error{"kafka topic " + topic + ": " + rd_kafka_err2str(err)};
  return shape;
}

// A topic just created reaches every broker's metadata, and every partition a leader, a moment
// later: ask until the deadline.
Result<TopicShape> shape_of(Admin& admin, const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto shape = shape_once(admin, topic, timeout);
    if (shape.ok() || std::chrono::steady_clock::now() >= deadline) return shape;
    rd_kafka_poll(admin.client, 100);  // waits 100 ms, serving the client's callbacks
  }
}

std::vector<std::string> problems_of(const std::string& topic, const TopicShape& shape, const Configs& configs,
                                     const TopicLayout& layout) {
  std::vector<std::string> problems;
  if (shape.partitions != layout.partitions) {
    problems.push_back(topic + " has " + std::to_string(shape.partitions) + " partitions, not " +
                       std::to_string(layout.partitions) + " (a partition count never changes: events are placed by it)");
  }
  if (shape.replication < layout.replication) {
    problems.push_back(topic + " has " + std::to_string(shape.replication) + " replicas, fewer than " +
                       std::to_string(layout.replication));
  }
  for (const auto& [name, wanted] : event_topic_configs(shape.replication)) {
    auto found = configs.find(name);
    const std::string have = found == configs.end() ? "(unknown)" : found->second;
    const bool fine = name == "min.insync.replicas" ? std::atoi(have.c_str()) >= std::atoi(wanted.c_str())
                                                     : have == wanted;
    if (!fine) {
      problems.push_back(topic + " has " + name + "=" + have + ", which can lose events; it needs " + name +
                         (name == "min.insync.replicas" ? ">=" : "=") + wanted +
                         " (kafka-configs.sh --alter --entity-type topics --entity-name " + topic +
                         " --add-config " + name + "=" + wanted + ")");
    }
  }
  return problems;
}

}  // namespace

Result<std::vector<std::string>> event_topic_problems(const KafkaTopics& topics, const TopicLayout& layout) {
  auto admin = open_admin(topics.bootstrap());
  if (!admin.ok()) return admin.error();
  auto shape = shape_of(**admin, topics.events(), layout.timeout);
  if (!shape.ok()) return shape.error();
  auto configs = describe_topic(**admin, topics.events(), layout.timeout);
  if (!configs.ok()) return configs.error();
  return problems_of(topics.events(), *shape, *configs, layout);
}

Status setup_topics(const KafkaTopics& topics, const TopicLayout& layout) {
  auto admin = open_admin(topics.bootstrap());
  if (!admin.ok()) return Error{admin.error().message + "\n" + manual_lines(topics, layout)};
  if (Status created = create(**admin, topics, layout); !created.ok()) {
    return Error{"the Admin API could not create the topics (" + created.error().message + ").\n" +
                 manual_lines(topics, layout)};
  }
  auto commands = shape_of(**admin, topics.commands(), layout.timeout);
  if (!commands.ok()) return commands.error();
  if (auto replies = shape_of(**admin, topics.replies(), layout.timeout); !replies.ok()) return replies.error();
  if (auto keys = shape_of(**admin, topics.keys(), layout.timeout); !keys.ok()) return keys.error();
  auto key_configs = describe_topic(**admin, topics.keys(), layout.timeout);
  if (!key_configs.ok()) return key_configs.error();
  admin->reset();
  auto problems = event_topic_problems(topics, layout);
  if (!problems.ok()) return problems.error();
  if (commands->partitions != layout.partitions) {
    // Commands are routed by the commands topic's count: another one would send a stream's
    // commands to another partition's processor than the one that writes its events.
    problems->push_back(topics.commands() + " has " + std::to_string(commands->partitions) + " partitions, not " +
                        std::to_string(layout.partitions) + ": commands would reach another processor than the writer");
  }
  if ((*key_configs)["cleanup.policy"] != "compact") {
    // Deleted by time, the keys would take every sealed text with them: a silent erasure of all.
    problems->push_back(topics.keys() + " has cleanup.policy=" + (*key_configs)["cleanup.policy"] +
                        "; the vault's keys need cleanup.policy=compact (kafka-configs.sh --alter --entity-type "
                        "topics --entity-name " + topics.keys() + " --add-config cleanup.policy=compact)");
  }
  if (problems->empty()) return ok_status();
  std::string message = "refusing to use " + topics.events() + " as it is:\n";
  for (const std::string& problem : *problems) message += "  - " + problem + "\n";
  return Error{message};
}

}  // namespace microjobs
