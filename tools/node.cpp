#include "tools/node.h"

#include <spdlog/spdlog.h>

namespace microjobs {

Result<std::unique_ptr<EmbeddedNode>> EmbeddedNode::open(NodeConfig config) {
  std::unique_ptr<EmbeddedNode> node(new EmbeddedNode(std::move(config)));
  const std::string& dir = node->config_.data_dir;
  node->clock_ = node->config_.clock ? node->config_.clock : &node->system_clock_;
  auto log = open_event_log(node->config_);
  if (!log.ok()) return log.error();
  node->log_ = std::move(*log);
  spdlog::info("event log: {}", node->config_.event_log.empty() ? dir + "/log (local, synced WAL)"
                                                                : node->config_.event_log);
  auto state = RocksStateStore::open(dir + "/state");
  if (!state.ok()) return state.error();
  node->state_ = std::move(*state);
  auto read_store = RocksReadStore::open(dir + "/read");
  if (!read_store.ok()) return read_store.error();
  node->read_store_ = std::move(*read_store);
  node->bus_ = std::make_unique<InProcessCommandBus>(*node->log_, *node->state_, *node->clock_,
                                                     node->config_.processor);
  node->credits_ = std::make_unique<CreditManager>(*node->log_, *node->bus_, *node->state_);
  node->projector_ = std::make_unique<Projector>(*node->log_, *node->read_store_);
  node->reads_ = std::make_unique<ReadModels>(*node->read_store_);
  return node;
}

EmbeddedNode::~EmbeddedNode() { stop(); }

Status EmbeddedNode::start() {
  MJ_RETURN_IF_ERROR(bus_->start());
  MJ_RETURN_IF_ERROR(credits_->start());
  credit_thread_ = std::jthread([this](std::stop_token stop) { credits_->run(stop); });
  projector_thread_ = std::jthread([this](std::stop_token stop) { projector_->run(stop); });
  return ok_status();
}

void EmbeddedNode::stop() {
  // The credit manager waits on the processors' replies, so it stops first.
  if (credit_thread_.joinable()) {
    credit_thread_.request_stop();
    credit_thread_.join();
  }
  if (bus_) bus_->stop();
  if (projector_thread_.joinable()) {
    projector_thread_.request_stop();
    projector_thread_.join();
  }
}

Result<std::unique_ptr<EventLog>> open_event_log(const NodeConfig& config) {
  if (config.event_log.empty() || config.event_log == "local") {
    auto log = LocalEventLog::open(config.data_dir + "/log", config.partitions);
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
  auto bootstrap = parse_kafka_url(config.event_log);
  if (!bootstrap) return Error{"--event-log must be empty, local, or kafka://host:port"};
  auto log = KafkaEventLog::open(KafkaConfig{*bootstrap, "microjobs.events", config.partitions});
  if (!log.ok()) return log.error();
  return std::unique_ptr<EventLog>(std::move(*log));
}

Result<std::size_t> rebuild_read_models(const std::string& data_dir, std::int32_t partitions) {
  auto log = LocalEventLog::open(data_dir + "/log", partitions);
  if (!log.ok()) return log.error();
  MJ_RETURN_IF_ERROR(destroy_store(data_dir + "/read"));
  auto store = RocksReadStore::open(data_dir + "/read");
  if (!store.ok()) return store.error();
  Projector projector(**log, **store);
  std::size_t total = 0;
  auto caught_up = [&] {
    for (std::int32_t p = 0; p < (*log)->partitions(); ++p) {
      if (projector.chain_position(p).next_offset < (*log)->end(p)) return false;
    }
    return true;
  };
  while (!caught_up()) {
    auto applied = projector.step(8192);
    if (!applied.ok()) return applied.error();
    total += *applied;
  }
  return total;
}

}  // namespace microjobs
