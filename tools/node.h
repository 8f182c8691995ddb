#pragma once
// An embedded node: the local RocksDB log, the partition processors behind an in-process
// CommandBus, the credit process manager and the projector, all in one process, with data under
// one directory (log/, state/, read/). `microjobs serve` puts the HTTP API in front of it; tests
// use it directly.
//
// Lifecycle: open(), start(), use, stop() (or destroy). Not copyable.
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "commands/clock.h"
#include "commands/credit_manager.h"
#include "commands/in_process_bus.h"
#include "infra/kafka/kafka_bus.h"
#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "infra/vault/vault.h"
#include "infra/webhook/deliverer.h"
#include "projections/projector.h"
#include "projections/read_models.h"

namespace microjobs {

struct NodeConfig {
  std::string data_dir = "./data";
  // Where the event log lives: "" for the local RocksDB log under data_dir/log (the embedded
  // default), or "kafka://host:port[,host:port][/prefix]" for topic microjobs.events (or
  // prefix.events) on a Kafka cluster.
  // Snapshots, cursors and read models stay in data_dir either way.
  std::string event_log;
  std::int32_t partitions = 8;
  // What all RocksDB stores of the process may hold in memtables together (infra/rocksdb/stores.h).
  std::size_t memtable_budget_mb = kDefaultMemtableBudget >> 20;
  ProcessorConfig processor;
  const Clock* clock = nullptr;  // nullptr: the system clock
  // What this process does. With the local log a node is always all three. With Kafka any mix:
  // `processor` (the partitions the consumer group gives it, and the credit process manager),
  // `api` (sends commands over Kafka; needs `projector` beside it for its reads), `projector`
  // (folds the topic into the read models under data_dir/read). An `api` without `projector`
  // serves the read models of a projector process on the same machine (read_from).
  bool processor_role = true;
  bool api_role = true;
  bool projector_role = true;
  std::string node_id;  // Kafka: the key replies to this node's commands come back with
  // Kafka, api without projector: the data dir of a projector node on this machine whose read
  // models this node serves (followed as a RocksDB secondary instance).
  std::string read_from;
  // Kafka, processor: fenced writers (a Kafka transaction per append; see KafkaConfig). Off for
  // librdkafka's mock cluster, which does not fence.
  bool kafka_transactions = true;
  // Kafka, processor: the consumer group whose members share the partitions (default:
  // "{prefix}-processors"). Two groups on one topic both own every partition: only for tests.
  std::string processor_group;
  // `webhooks`: the webhook deliverer (its store: data_dir/webhooks). Exactly one process of a
  // deployment should have it, or receivers get every event once per deliverer; an `api` alone
  // shows the deliveries of the one in its read_from process.
  bool webhooks_role = true;
  WebhookConfig webhooks;
  // The vault's master key (infra/vault): every process of a deployment needs the same one.
  // `serve` takes MICROJOBS_DATA_KEY, or derives one from the JWT secret; this default is for
  // tests and tools that open a node themselves.
  std::string data_key = "microjobs development data key";
};

// Parses "all" or a comma-separated list of api, processor, projector into `config`.
Status parse_roles(std::string_view roles, NodeConfig& config);

class EmbeddedNode {
 public:
  static Result<std::unique_ptr<EmbeddedNode>> open(NodeConfig config);
  ~EmbeddedNode();

  Status start();
  void stop();

  // The bus the API sends commands through (in-process, or Kafka). Needs the api role.
  CommandBus& bus() { return *api_bus_; }
  // The local processors (embedded mode only).
  InProcessCommandBus& processors() { return *local_bus_; }
  ReadModels& reads() { return *reads_; }
  Projector& projector() { return *projector_; }
  // What X-Min-Position waits on: the projector here, or the positions the followed one stored.
  ProjectionProgress& progress() { return projector_ ? static_cast<ProjectionProgress&>(*projector_) : *stored_progress_; }
  EventLog& log() { return *log_; }
  CreditManager& credits() { return *credits_; }
  const Clock& clock() const { return *clock_; }
  // The webhook deliverer's store (its own, or the followed projector's); nullptr when this
  // process has none.
  ReadStore* webhook_store() {
    return webhook_store_ ? static_cast<ReadStore*>(webhook_store_.get()) : followed_webhooks_.get();
  }
  const NodeConfig& config() const { return config_; }
  // Seals personal data (processors) and opens it (the API); its keys: data_dir/keys, or the
  // {prefix}.keys topic on Kafka.
  PersonalDataVault& vault() { return *vault_; }

 private:
  explicit EmbeddedNode(NodeConfig config) : config_(std::move(config)) {}

  NodeConfig config_;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<RocksStateStore> state_;
  std::unique_ptr<KeyStore> key_store_;
  std::unique_ptr<Vault> vault_;
  std::unique_ptr<RocksReadStore> read_store_;
  std::unique_ptr<InProcessCommandBus> local_bus_;
  std::unique_ptr<KafkaCommandBus> kafka_bus_;
  std::unique_ptr<KafkaProcessorHost> host_;
  CommandBus* api_bus_ = nullptr;
  std::unique_ptr<CreditManager> credits_;
  std::unique_ptr<Projector> projector_;
  std::unique_ptr<ReadModels> reads_;
  std::unique_ptr<RocksReadStore> followed_store_;
  std::unique_ptr<StoredProgress> stored_progress_;
  std::unique_ptr<RocksReadStore> webhook_store_;
  std::unique_ptr<RocksReadStore> followed_webhooks_;
  std::unique_ptr<WebhookDeliverer> webhooks_;
  std::jthread credit_thread_;
  std::jthread projector_thread_;
  std::jthread webhook_thread_;

  Status open_read_side();
  Status open_vault(bool kafka);
};

// Opens the event log a NodeConfig names (local or Kafka).
Result<std::unique_ptr<EventLog>> open_event_log(const NodeConfig& config);

// Runs `stop` and returns once it has finished. Meanwhile, if a signal of `signals` arrives (they
// must be blocked in every thread, as `serve` blocks SIGINT and SIGTERM) or `limit` passes first,
// `overrun` is called once, from another thread, with why. `serve`'s overrun ends the process at
// once (`--stop-timeout`; a second Ctrl-C): a stop must not hang on a broker or disk that is
// gone. The logs are durable, so what such an exit loses a restart recovers, as after a crash.
void stop_within(const sigset_t& signals, std::chrono::milliseconds limit, const std::function<void()>& stop,
                 const std::function<void(const std::string& why)>& overrun);

// Drops the read models under `data_dir` and folds the whole log into new ones with the same
// Projector code. Returns the number of events applied. The node must not be running (the log's
// lock says so). `partitions` 0: as the log has. It folds `events_per_step` events (over all
// partitions) in a step, each view loaded and written once a step: 2^18 halve the keys written
// against 2^16 (4.4 -> 2.4 per event on the replay benchmark's log), for a peak of about 0.6 GB.
constexpr std::size_t kRebuildEventsPerStep = std::size_t{1} << 18;
Result<std::size_t> rebuild_read_models(const std::string& data_dir, std::int32_t partitions,
                                        std::size_t events_per_step = kRebuildEventsPerStep);

}  // namespace microjobs
