#include "tools/node.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "infra/kafka/kafka_key_store.h"
#include "infra/vault/rocks_key_store.h"

namespace microjobs {

Result<std::unique_ptr<EmbeddedNode>> EmbeddedNode::open(NodeConfig config) {
  std::unique_ptr<EmbeddedNode> node(new EmbeddedNode(std::move(config)));
  const std::string& dir = node->config_.data_dir;
  node->clock_ = node->config_.clock ? node->config_.clock : &node->system_clock_;
  set_memtable_budget(node->config_.memtable_budget_mb << 20);
  auto log = open_event_log(node->config_);
  if (!log.ok()) return log.error();
  node->log_ = std::move(*log);
  spdlog::info("event log: {}", node->config_.event_log.empty() ? dir + "/log (local, synced WAL)"
                                                                : node->config_.event_log);
  auto state = RocksStateStore::open(dir + "/state");
  if (!state.ok()) return state.error();
  node->state_ = std::move(*state);
  const bool kafka = !node->config_.event_log.empty() && node->config_.event_log != "local";
  if (!kafka && !(node->config_.api_role && node->config_.processor_role && node->config_.projector_role &&
                  node->config_.webhooks_role)) {
    return Error{"with the local log a node has every role; roles apply to --event-log kafka://"};
  }
  MJ_RETURN_IF_ERROR(node->open_vault(kafka));
  if (!kafka) {
    node->local_bus_ = std::make_unique<InProcessCommandBus>(*node->log_, *node->state_, *node->clock_,
                                                             node->config_.processor);
    node->api_bus_ = node->local_bus_.get();
  } else if (node->config_.api_role || node->config_.processor_role) {
    // The API's commands, and the credit manager's, travel over Kafka to whichever process owns
    // the partition.
    auto bus = KafkaCommandBus::open(
        KafkaBusConfig{*parse_kafka_url(node->config_.event_log), node->config_.node_id});  // checked by open_event_log
    if (!bus.ok()) return bus.error();
    node->kafka_bus_ = std::move(*bus);
    node->api_bus_ = node->kafka_bus_.get();
  }
  if (node->config_.processor_role) {
    node->credits_ = std::make_unique<CreditManager>(*node->log_, *node->api_bus_, *node->state_);
  }
  MJ_RETURN_IF_ERROR(node->open_read_side());
  return node;
}

Status EmbeddedNode::open_vault(bool kafka) {
  if (kafka) {
    auto store = KafkaKeyStore::open(*parse_kafka_url(config_.event_log));  // checked by open_event_log
    if (!store.ok()) return store.error();
    key_store_ = std::move(*store);
  } else {
    auto store = RocksKeyStore::open(config_.data_dir + "/keys");
    if (!store.ok()) return store.error();
    key_store_ = std::move(*store);
  }
  vault_ = std::make_unique<Vault>(*key_store_, config_.data_key, *clock_);
  config_.processor.vault = vault_.get();
  return ok_status();
}

namespace {

// An api process may start before the projector it follows has created its read models (the
// README starts the three processes at once): it waits for them, for a minute at most.
Status wait_for_read_models(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool said = false;
  while (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error{"no read models at " + path + " after 60 s: is a projector running with --data-dir " +
                   std::filesystem::path(path).parent_path().string() + "?"};
    }
    if (!said) spdlog::info("api: waiting for the projector's read models at {}", path);
    said = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ok_status();
}

}  // namespace

// The projector's read models and the webhook deliverer's store, or for an api alone the ones a
// projector process on this machine writes (followed as RocksDB secondaries).
Status EmbeddedNode::open_read_side() {
  const std::string& dir = config_.data_dir;
  if (config_.projector_role) {
    auto read_store = RocksReadStore::open(dir + "/read");
    if (!read_store.ok()) return read_store.error();
    read_store_ = std::move(*read_store);
    projector_ = std::make_unique<Projector>(*log_, *read_store_, vault_.get());
    reads_ = std::make_unique<ReadModels>(*read_store_);
  } else if (config_.api_role) {
    MJ_RETURN_IF_ERROR(wait_for_read_models(config_.read_from + "/read"));
    auto followed = RocksReadStore::open_secondary(config_.read_from + "/read", dir + "/read-follower");
    if (!followed.ok()) return followed.error();
    followed_store_ = std::move(*followed);
    reads_ = std::make_unique<ReadModels>(*followed_store_);
    stored_progress_ = std::make_unique<StoredProgress>(*followed_store_, log_->partitions());
    spdlog::info("api: serves the read models of the projector at {}", config_.read_from);
  }
  if (config_.webhooks_role) {
    auto webhook_store = RocksReadStore::open(dir + "/webhooks");
    if (!webhook_store.ok()) return webhook_store.error();
    webhook_store_ = std::move(*webhook_store);
    webhooks_ = std::make_unique<WebhookDeliverer>(*log_, *webhook_store_, *clock_, config_.webhooks);
  } else if (config_.api_role && !config_.read_from.empty()) {
    // Opened once: a deliverer that starts later is seen after this process restarts.
    auto webhooks = RocksReadStore::open_secondary(config_.read_from + "/webhooks", dir + "/webhooks-follower");
    if (webhooks.ok()) followed_webhooks_ = std::move(*webhooks);
  }
  return ok_status();
}

EmbeddedNode::~EmbeddedNode() { stop(); }

Status EmbeddedNode::start() {
  if (local_bus_) MJ_RETURN_IF_ERROR(local_bus_->start());
  if (kafka_bus_ && config_.processor_role) {
    ProcessorHostConfig host;
    host.topics = *parse_kafka_url(config_.event_log);
    host.group = config_.processor_group;
    host.processor = config_.processor;
    auto opened = KafkaProcessorHost::open(host, *log_, *state_, *clock_);
    if (!opened.ok()) return opened.error();
    host_ = std::move(*opened);
    spdlog::info("processor: consumer group {} on {}; writes {} ({})",
                 host.group.empty() ? host.topics.processor_group() : host.group, host.topics.commands(),
                 host.topics.events(), config_.kafka_transactions ? "fenced: a transaction per append" : "not fenced");
  }
  if (credits_) {
    MJ_RETURN_IF_ERROR(credits_->start());
    credit_thread_ = std::jthread([this](std::stop_token stop) { credits_->run(stop); });
  }
  if (projector_) {
    projector_thread_ = std::jthread([this](std::stop_token stop) { projector_->run(stop); });
    spdlog::info("projector: reads the event log from stored positions; writes {}/read", config_.data_dir);
  }
  if (webhooks_) {
    webhook_thread_ = std::jthread([this](std::stop_token stop) { webhooks_->run(stop); });
  }
  return ok_status();
}

void EmbeddedNode::stop() {
  // Reads answer at once from here on: the credit manager, projector and deliverer would each wait
  // out the log's timeouts, once per partition, when the brokers are gone. Appends still wait.
  for (std::jthread* thread : {&credit_thread_, &projector_thread_, &webhook_thread_}) thread->request_stop();
  if (log_) log_->set_reads_interrupted(true);
  // The credit manager waits on the processors' replies, so it stops first.
  if (credit_thread_.joinable()) credit_thread_.join();
  host_.reset();  // leaves the group: its processors stop
  if (local_bus_) local_bus_->stop();
  for (std::jthread* reader : {&projector_thread_, &webhook_thread_}) {
    if (reader->joinable()) reader->join();
  }
  if (log_) log_->set_reads_interrupted(false);  // the log stays readable (tests, tools)
}

void stop_within(const sigset_t& signals, std::chrono::milliseconds limit, const std::function<void()>& stop,
                 const std::function<void(const std::string& why)>& overrun) {
  std::atomic<bool> finished{false};
  std::thread watchdog([&] {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const timespec slice{0, 50'000'000};  // 50 ms: how soon the watchdog notices the stop finished
    while (!finished.load()) {
      const int received = sigtimedwait(&signals, nullptr, &slice);
      if (received > 0) {
        overrun("signal " + std::to_string(received) + " while stopping");
        return;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        overrun("the stop took longer than " + std::to_string(limit.count()) + " ms");
        return;
      }
    }
  });
  stop();
  finished = true;
  watchdog.join();
}

Status parse_roles(std::string_view roles, NodeConfig& config) {
  if (roles == "all") {
    config.api_role = config.processor_role = config.projector_role = config.webhooks_role = true;
    return ok_status();
  }
  config.api_role = config.processor_role = config.projector_role = config.webhooks_role = false;
  while (!roles.empty()) {
    auto comma = roles.find(',');
    std::string_view role = roles.substr(0, comma);
    if (role == "api") config.api_role = true;
    else if (role == "processor") config.processor_role = true;
    else if (role == "projector") config.projector_role = true;
    else if (role == "webhooks") config.webhooks_role = true;
    else return Error{"unknown role '" + std::string(role) + "' (api, processor, projector, webhooks or all)"};
    roles = comma == std::string_view::npos ? std::string_view() : roles.substr(comma + 1);
  }
  if (config.api_role && !config.projector_role && config.read_from.empty()) {
    return Error{"an api without a projector needs --read-from: the data dir of a projector process"};
  }
  if (!config.api_role && !config.processor_role && !config.projector_role && !config.webhooks_role) {
    return Error{"no role"};
  }
  return ok_status();
}

Result<std::unique_ptr<EventLog>> open_event_log(const NodeConfig& config) {
  if (config.event_log.empty() || config.event_log == "local") {
    auto log = LocalEventLog::open(config.data_dir + "/log", config.partitions);
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
  auto topics = parse_kafka_url(config.event_log);
  if (!topics.ok()) return Error{"--event-log is empty, local, or kafka://…: " + topics.error().message};
  KafkaConfig kafka{topics->bootstrap(), topics->events(), config.partitions};
  if (config.processor_role && config.kafka_transactions) kafka.transactional_id_prefix = topics->prefix() + ".writer";
  auto log = KafkaEventLog::open(std::move(kafka));
  if (!log.ok()) return log.error();
  return std::unique_ptr<EventLog>(std::move(*log));
}

Result<std::size_t> rebuild_read_models(const std::string& data_dir, std::int32_t partitions,
                                        std::size_t events_per_step) {
  auto log = LocalEventLog::open(data_dir + "/log", partitions);
  if (!log.ok()) return log.error();
  MJ_RETURN_IF_ERROR(destroy_store(data_dir + "/read"));
  auto store = RocksReadStore::open_to_rebuild(data_dir + "/read");
  if (!store.ok()) return store.error();
  Projector projector(**log, **store);
  // The larger the step, the more of a claim's life (claimed, submitted, reviewed) folds into
  // one write of its view.
  const std::size_t per_partition =
      std::max<std::size_t>(1, events_per_step / static_cast<std::size_t>((*log)->partitions()));
  std::size_t total = 0;
  auto caught_up = [&] {
    for (std::int32_t p = 0; p < (*log)->partitions(); ++p) {
      if (projector.chain_position(p).next_offset < (*log)->end(p)) return false;
    }
    return true;
  };
  while (!caught_up()) {
    auto applied = projector.step(per_partition);
    if (!applied.ok()) return applied.error();
    total += *applied;
  }
  MJ_RETURN_IF_ERROR((*store)->finish_rebuild());
  return total;
}

}  // namespace microjobs
