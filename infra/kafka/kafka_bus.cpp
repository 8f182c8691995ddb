#include "infra/kafka/kafka_bus.h"

#include <librdkafka/rdkafka.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "domain/codec/command_codec.h"
#include "domain/codec/json_writer.h"
#include "domain/partitioner.h"
#include "infra/kafka/rdkafka_util.h"

namespace microjobs {
namespace {

Result<rd_kafka_t*> make_client(rd_kafka_type_t type, const kafka::Settings& settings,
                                void (*configure)(rd_kafka_conf_t*) = nullptr, void* opaque = nullptr) {
  auto conf = kafka::make_conf(settings);
  if (!conf.ok()) return conf.error();
  if (configure) configure(*conf);
  if (opaque) rd_kafka_conf_set_opaque(*conf, opaque);
  char error[512];
  rd_kafka_t* client = rd_kafka_new(type, *conf, error, sizeof error);
  if (!client) return Error{std::string("kafka client: ") + error};
  return client;
}

std::string random_id() {
  std::random_device random;
  char buffer[33];
  std::snprintf(buffer, sizeof buffer, "%08x%08x%08x%08x", random(), random(), random(), random());
  return buffer;
}

std::string_view kind_name(CommandOutcome::Kind kind) {
  switch (kind) {
    case CommandOutcome::Kind::accepted: return "accepted";
    case CommandOutcome::Kind::rejected: return "rejected";
    case CommandOutcome::Kind::overloaded: return "overloaded";
    case CommandOutcome::Kind::unavailable: return "unavailable";
  }
  return "unavailable";
}

std::string encode_reply(const std::string& request_id, const CommandOutcome& outcome) {
  std::string out;
  JsonWriter json(out);
  json.begin_object()
      .field("request_id", request_id)
      .field("kind", kind_name(outcome.kind))
      .field("rejection", rejection_code(outcome.rejection))
      .field("partition", outcome.position.partition)
      .field("offset", outcome.position.offset)
      .field("time", outcome.time.value)
      .key("repeated").boolean(outcome.repeated)
      .field("detail", outcome.detail);
  if (outcome.kind == CommandOutcome::Kind::accepted) json.key("event").raw(encode_event_object(outcome.event));
  json.end_object();
  return out;
}

std::optional<std::pair<std::string, CommandOutcome>> decode_reply(std::string_view bytes) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(bytes);
  simdjson::ondemand::document document;
  simdjson::ondemand::object root;
  if (parser.iterate(padded).get(document) || document.get_object().get(root)) return std::nullopt;
  std::string_view request_id, kind, rejection, detail;
  std::int64_t partition = 0, offset = 0, time = 0;
  bool repeated = false;
  if (root["request_id"].get_string().get(request_id) || root["kind"].get_string().get(kind) ||
      root["rejection"].get_string().get(rejection) || root["partition"].get_int64().get(partition) ||
      root["offset"].get_int64().get(offset) || root["time"].get_int64().get(time) ||
      root["repeated"].get_bool().get(repeated) || root["detail"].get_string().get(detail)) {
    return std::nullopt;
  }
  CommandOutcome outcome;
  outcome.kind = kind == "accepted"     ? CommandOutcome::Kind::accepted
                 : kind == "rejected"   ? CommandOutcome::Kind::rejected
                 : kind == "overloaded" ? CommandOutcome::Kind::overloaded
                                        : CommandOutcome::Kind::unavailable;
  for (int r = 0; r <= static_cast<int>(Rejection::out_of_order); ++r) {
    if (rejection_code(static_cast<Rejection>(r)) == rejection) outcome.rejection = static_cast<Rejection>(r);
  }
  outcome.position = {static_cast<std::int32_t>(partition), offset};
  outcome.time = UnixMs{time};
  outcome.repeated = repeated;
  outcome.detail.assign(detail);
  std::string id(request_id);
  if (outcome.kind == CommandOutcome::Kind::accepted) {
    std::string_view raw;
    simdjson::ondemand::object event_object;
    if (root["event"].get_object().get(event_object) || event_object.raw_json().get(raw)) {
      return std::nullopt;
    }
    auto event = decode_event_object(raw);
    if (!event) return std::nullopt;
    outcome.event = std::move(*event);
  }
  return std::make_pair(std::move(id), std::move(outcome));
}

}  // namespace

// ---- KafkaCommandBus ----

struct KafkaCommandBus::Impl {
  KafkaBusConfig config;
  std::string commands;  // topic names, from config.topics
  std::string replies;
  std::int32_t partitions = 0;
  rd_kafka_t* producer = nullptr;
  rd_kafka_t* consumer = nullptr;
  std::mutex mutex;
  struct Pending {
    ReplyFn reply;
    std::chrono::steady_clock::time_point deadline;
  };
  std::unordered_map<std::string, Pending> pending;
  std::atomic<bool> stopping{false};
  std::thread poller;

  // Completes a pending request once; later duplicates of its reply find nothing.
  void complete(const std::string& request_id, CommandOutcome outcome) {
    ReplyFn reply;
    {
      std::lock_guard lock(mutex);
      auto it = pending.find(request_id);
      if (it == pending.end()) return;
      reply = std::move(it->second.reply);
      pending.erase(it);
    }
    reply(std::move(outcome));
  }

  void poll_replies() {
    while (!stopping.load()) {
      rd_kafka_poll(producer, 0);
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 20);
      if (message != nullptr) {
        std::string_view key(static_cast<const char*>(message->key), message->key_len);
        if (!message->err && key == config.node_id) {
          auto reply = decode_reply({static_cast<const char*>(message->payload), message->len});
          if (reply) complete(reply->first, std::move(reply->second));
        }
        rd_kafka_message_destroy(message);
      }
      expire_overdue();
    }
  }

  void expire_overdue() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::string> overdue;
    {
      std::lock_guard lock(mutex);
      for (const auto& [id, entry] : pending) {
        if (entry.deadline <= now) overdue.push_back(id);
      }
    }
    for (const auto& id : overdue) {
      CommandOutcome outcome;
      outcome.kind = CommandOutcome::Kind::unavailable;
      outcome.detail = "no reply from the partition's processor in time";
      complete(id, std::move(outcome));
    }
  }

  ~Impl() {
    stopping = true;
    if (poller.joinable()) poller.join();
    kafka::close_producer(producer, 5'000);
    kafka::close_consumer(consumer);
  }
};

namespace {

void on_command_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* impl = static_cast<KafkaCommandBus::Impl*>(opaque);
  std::unique_ptr<std::string> request_id(static_cast<std::string*>(message->_private));
  if (!message->err) return;
  CommandOutcome outcome;
  outcome.kind = CommandOutcome::Kind::unavailable;
  outcome.detail = std::string("command not delivered: ") + rd_kafka_err2str(message->err);
  impl->complete(*request_id, std::move(outcome));
}

}  // namespace

KafkaCommandBus::KafkaCommandBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaCommandBus::~KafkaCommandBus() = default;

Result<std::unique_ptr<KafkaCommandBus>> KafkaCommandBus::open(KafkaBusConfig config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->commands = impl->config.topics.commands();
  impl->replies = impl->config.topics.replies();
  if (impl->config.node_id.empty()) impl->config.node_id = "node-" + random_id();
  auto producer = make_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", impl->config.topics.bootstrap()}, {"enable.idempotence", "true"}, {"linger.ms", "1"}},
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_dr_msg_cb(conf, on_command_delivery); }, impl.get());
  if (!producer.ok()) return producer.error();
  impl->producer = *producer;
  auto partitions = kafka::topic_partitions(impl->producer, impl->commands, 10'000);
  if (!partitions.ok()) return partitions.error();
  impl->partitions = *partitions;
  auto consumer = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", impl->config.topics.bootstrap()},
                                                   {"group.id", "microjobs-replies-" + impl->config.node_id},
                                                   {"enable.auto.commit", "false"},
                                                   {"fetch.wait.max.ms", "5"}});
  if (!consumer.ok()) return consumer.error();
  impl->consumer = *consumer;
  // Read our reply partition from its current end, fixed now: every reply to a command sent after
  // open() returns lands at or after this offset.
  const std::int32_t reply_partition = partition_for(impl->config.node_id, impl->partitions);
  std::int64_t high = 0;
  if (auto err = kafka::query_offset(impl->producer, impl->replies, reply_partition, RD_KAFKA_OFFSET_END, &high, 10'000)) {
    return Error{"kafka topic " + impl->replies + ": " + rd_kafka_err2str(err)};
  }
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, impl->replies.c_str(), reply_partition)->offset = high;
  rd_kafka_assign(impl->consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] { raw->poll_replies(); });
  return std::unique_ptr<KafkaCommandBus>(new KafkaCommandBus(std::move(impl)));
}

std::int32_t KafkaCommandBus::partitions() const { return impl_->partitions; }

void KafkaCommandBus::send(CommandId command_id, Command command, ReplyFn reply) {
  std::string stream = stream_of(command);
  if (stream.empty()) {
    CommandOutcome outcome;
    outcome.kind = CommandOutcome::Kind::rejected;
    outcome.rejection = Rejection::invalid_argument;
    reply(std::move(outcome));
    return;
  }
  CommandMessage message{std::move(command_id), impl_->config.node_id, random_id(), std::move(command)};
  std::string value = encode_command_message(message);
  {
    std::lock_guard lock(impl_->mutex);
    impl_->pending[message.request_id] =
        Impl::Pending{std::move(reply), std::chrono::steady_clock::now() + impl_->config.reply_timeout};
  }
  auto* tag = new std::string(message.request_id);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      impl_->producer, RD_KAFKA_V_TOPIC(impl_->commands.c_str()),
      RD_KAFKA_V_PARTITION(partition_for(stream, impl_->partitions)),
      RD_KAFKA_V_KEY(stream.data(), stream.size()), RD_KAFKA_V_VALUE(value.data(), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(tag), RD_KAFKA_V_END);
  if (err) {
    delete tag;
    CommandOutcome outcome;
    outcome.kind = err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? CommandOutcome::Kind::overloaded
                                                        : CommandOutcome::Kind::unavailable;
    outcome.detail = rd_kafka_err2str(err);
    impl_->complete(message.request_id, std::move(outcome));
  }
}

// ---- KafkaProcessorHost ----

struct KafkaProcessorHost::Impl {
  ProcessorHostConfig config;
  std::string commands;  // topic names, from config.topics
  std::string replies;
  EventLog* log = nullptr;
  StateStore* store = nullptr;
  const Clock* clock = nullptr;
  std::int32_t reply_partitions = 0;
  rd_kafka_t* consumer = nullptr;
  rd_kafka_t* producer = nullptr;
  mutable std::mutex mutex;
  std::map<std::int32_t, std::unique_ptr<PartitionProcessor>> processors;
  std::atomic<bool> stopping{false};
  std::thread poller;

  void on_assign(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions) {
    for (int i = 0; i < partitions->cnt; ++i) {
      std::int32_t p = partitions->elems[i].partition;
      auto processor = std::make_unique<PartitionProcessor>(p, *log, *store, *clock, config.processor);
      if (auto status = processor->start(); !status.ok()) {
        spdlog::error("processor host: partition {} cannot start: {}", p, status.error().message);
        continue;
      }
      spdlog::info("processor host: now the writer of partition {} (rebuilt to seq {})", p, processor->last_seq());
      std::lock_guard lock(mutex);
      processors[p] = std::move(processor);
    }
    rd_kafka_assign(rk, partitions);
  }

  void on_revoke(rd_kafka_t* rk) {
    std::map<std::int32_t, std::unique_ptr<PartitionProcessor>> stopped;
    {
      std::lock_guard lock(mutex);
      stopped.swap(processors);
    }
    for (auto& [p, processor] : stopped) {
      processor->stop();
      spdlog::info("processor host: gave up partition {}", p);
    }
    rd_kafka_assign(rk, nullptr);
  }

  void reply(const std::string& reply_to, const std::string& request_id, const CommandOutcome& outcome) {
    std::string value = encode_reply(request_id, outcome);
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(replies.c_str()),
                      RD_KAFKA_V_PARTITION(partition_for(reply_to, reply_partitions)),
                      RD_KAFKA_V_KEY(reply_to.data(), reply_to.size()),
                      RD_KAFKA_V_VALUE(value.data(), value.size()),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  }

  void handle(const rd_kafka_message_t* message) {
    std::string error;
    auto command = decode_command_message({static_cast<const char*>(message->payload), message->len}, &error);
    if (!command) {
      spdlog::warn("processor host: undecodable command at {}:{}: {}", message->partition, message->offset, error);
      return;
    }
    PartitionProcessor* processor = nullptr;
    {
      std::lock_guard lock(mutex);
      auto it = processors.find(message->partition);
      if (it != processors.end()) processor = it->second.get();
    }
    std::string reply_to = command->reply_to, request_id = command->request_id;
    if (processor == nullptr) {
      CommandOutcome outcome;
      outcome.kind = CommandOutcome::Kind::unavailable;
      outcome.detail = "the partition's processor is not running here";
      reply(reply_to, request_id, outcome);
      return;
    }
    processor->submit(PendingCommand{std::move(command->command_id), std::move(command->command),
                                     [this, reply_to, request_id](CommandOutcome outcome) {
                                       reply(reply_to, request_id, outcome);
                                     }},
                      /*wait=*/true);
  }

  // Commands are taken at most once from the topic: a batch's offsets are committed (synchronously)
  // before any of it is decided. A command that a crash loses was never decided, or was decided and
  // its event is in the log: either way its client got "outcome unknown" and a retry with the same
  // command id is answered right. Committing after deciding instead would let a processor that
  // restarts decide again a command whose rejection its client already has: with the state moved
  // on, it could now succeed behind the client's back.
  void poll() {
    std::vector<rd_kafka_message_t*> batch;
    while (!stopping.load()) {
      rd_kafka_poll(producer, 0);
      batch.clear();
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 50);
      while (message != nullptr) {
        if (message->err) {
          rd_kafka_message_destroy(message);
        } else {
          batch.push_back(message);
        }
        if (batch.size() >= 1024) break;
        message = rd_kafka_consumer_poll(consumer, 0);
      }
      if (batch.empty()) continue;
      bool committed = commit(batch);
      for (rd_kafka_message_t* taken : batch) {
        if (committed) {
          handle(taken);
        } else {
          refuse(taken, "the command's offset could not be committed (a rebalance?)");
        }
        rd_kafka_message_destroy(taken);
      }
    }
  }

  bool commit(const std::vector<rd_kafka_message_t*>& batch) {
    std::map<std::int32_t, std::int64_t> next;
    for (const rd_kafka_message_t* message : batch) next[message->partition] = message->offset + 1;
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (const auto& [partition, offset] : next) {
      rd_kafka_topic_partition_list_add(offsets, commands.c_str(), partition)->offset = offset;
    }
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets, /*async=*/0);
    rd_kafka_topic_partition_list_destroy(offsets);
    if (err) spdlog::warn("processor host: commit failed: {}", rd_kafka_err2str(err));
    return !err;
  }

  void refuse(const rd_kafka_message_t* message, const char* why) {
    auto command = decode_command_message({static_cast<const char*>(message->payload), message->len});
    if (!command) return;
    CommandOutcome outcome;
    outcome.kind = CommandOutcome::Kind::unavailable;
    outcome.detail = why;
    reply(command->reply_to, command->request_id, outcome);
  }

  ~Impl() {
    stopping = true;
    if (poller.joinable()) poller.join();
    if (consumer) {
      rd_kafka_consumer_close(consumer);  // revokes: stops the processors
      rd_kafka_destroy(consumer);
    }
    {
      std::lock_guard lock(mutex);
      processors.clear();
    }
    if (producer) {
      rd_kafka_flush(producer, 5'000);
      rd_kafka_destroy(producer);
    }
  }
};

namespace {

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                  void* opaque) {
  auto* impl = static_cast<KafkaProcessorHost::Impl*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    impl->on_assign(rk, partitions);
  } else {
    impl->on_revoke(rk);
  }
}

}  // namespace

KafkaProcessorHost::KafkaProcessorHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaProcessorHost::~KafkaProcessorHost() = default;

Result<std::unique_ptr<KafkaProcessorHost>> KafkaProcessorHost::open(ProcessorHostConfig config,
                                                                     EventLog& log, StateStore& store,
                                                                     const Clock& clock) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->commands = impl->config.topics.commands();
  impl->replies = impl->config.topics.replies();
  if (impl->config.group.empty()) impl->config.group = impl->config.topics.processor_group();
  impl->log = &log;
  impl->store = &store;
  impl->clock = &clock;
  auto producer = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", impl->config.topics.bootstrap()},
                                                  {"linger.ms", "1"}});
  if (!producer.ok()) return producer.error();
  impl->producer = *producer;
  auto reply_partitions = kafka::topic_partitions(impl->producer, impl->replies, 10'000);
  if (!reply_partitions.ok()) return reply_partitions.error();
  impl->reply_partitions = *reply_partitions;
  const std::string session = std::to_string(impl->config.session_timeout.count());
  auto consumer = make_client(
      RD_KAFKA_CONSUMER,
      {{"bootstrap.servers", impl->config.topics.bootstrap()}, {"group.id", impl->config.group},
       {"session.timeout.ms", session}, {"heartbeat.interval.ms", "500"},
       {"enable.auto.commit", "false"}, {"auto.offset.reset", "earliest"}, {"fetch.wait.max.ms", "5"}},
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_rebalance_cb(conf, on_rebalance); }, impl.get());
  if (!consumer.ok()) return consumer.error();
  impl->consumer = *consumer;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, impl->commands.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(impl->consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) return Error{std::string("kafka subscribe: ") + rd_kafka_err2str(err)};
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] { raw->poll(); });
  return std::unique_ptr<KafkaProcessorHost>(new KafkaProcessorHost(std::move(impl)));
}

std::vector<std::int32_t> KafkaProcessorHost::owned() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::int32_t> out;
  for (const auto& [p, processor] : impl_->processors) out.push_back(p);
  return out;
}

}  // namespace microjobs
