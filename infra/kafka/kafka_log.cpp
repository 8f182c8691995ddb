#include "infra/kafka/kafka_log.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

#include <random>
#include <shared_mutex>
#include <thread>

#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "infra/kafka/rdkafka_util.h"

namespace microjobs {
namespace {

using kafka::make_conf;

using Clock = std::chrono::steady_clock;

// Delivery reports of one append, filled in by the poll thread's callback.
struct PendingAppend {
  std::mutex mutex;  // guards error and the wake-up; offsets[i] is written by report i only
  std::condition_variable done;
  std::atomic<std::size_t> outstanding{0};
  std::vector<std::int64_t> offsets;
  std::string error;
};

struct MessageTag {
  PendingAppend* append;
  std::size_t index;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* tag = static_cast<MessageTag*>(message->_private);
  PendingAppend& append = *tag->append;
  if (message->err) {
    std::lock_guard lock(append.mutex);
    if (append.error.empty()) append.error = rd_kafka_err2str(message->err);
  } else {
    append.offsets[tag->index] = message->offset;
  }
  if (append.outstanding.fetch_sub(1) == 1) {
    std::lock_guard lock(append.mutex);  // the waiter checks `outstanding` under this lock
    append.done.notify_all();
  }
}

std::string random_suffix() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random());
}

}  // namespace

Result<KafkaTopics> parse_kafka_url(std::string_view url) {
  constexpr std::string_view kScheme = "kafka://";
  const std::string usage = "an event log on Kafka is kafka://host:port[,host:port][/topic-prefix]";
  if (!url.starts_with(kScheme)) return Error{usage};
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view bootstrap = rest.substr(0, slash);
  if (bootstrap.empty()) return Error{usage + ": the host is missing"};
  if (slash == std::string_view::npos) return KafkaTopics(std::string(bootstrap));
  std::string_view prefix = rest.substr(slash + 1);
  const bool valid = !prefix.empty() && prefix.size() <= 200 &&
                     prefix.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789._-") == std::string_view::npos;
  if (!valid) return Error{usage + ": the topic prefix is 1 to 200 of A-Z a-z 0-9 . _ -"};
  return KafkaTopics(std::string(bootstrap), std::string(prefix));
}

struct KafkaEventLog::Handles {
  // Appends, the poll thread and watermark queries use the producer under a shared lock. After
  // any failed append the producer is replaced (under the exclusive lock, so with no append in
  // flight): an indefinite error may leave an idempotent producer in a state nobody can reason
  // about, and a fresh one starts a fresh producer id and sequence.
  std::shared_mutex producer_mutex;
  rd_kafka_t* producer = nullptr;
  std::atomic<bool> producer_failed{false};
  std::atomic<std::uint64_t> producers_created{0};
  std::vector<std::pair<std::string, std::string>> producer_settings;
  rd_kafka_t* consumer = nullptr;
  std::mutex consumer_mutex;
  std::atomic<bool> stopping{false};
  std::thread poller;

  Status make_producer() {
    auto conf = make_conf(producer_settings);
    if (!conf.ok()) return conf.error();
    rd_kafka_conf_set_dr_msg_cb(*conf, on_delivery);
    char error[512];
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof error);
    if (!producer) return Error{std::string("kafka producer: ") + error};
    producers_created.fetch_add(1);
    return ok_status();
  }

  // Called with no lock held; replaces the producer if the last append failed.
  Status renew_producer_if_failed() {
    if (!producer_failed.load()) return ok_status();
    std::unique_lock lock(producer_mutex);
    if (!producer_failed.load()) return ok_status();
    spdlog::warn("kafka: re-creating the producer after a failed append");
    rd_kafka_flush(producer, 1'000);  // nothing of ours is in flight: appends hold the shared lock
    rd_kafka_destroy(producer);
    producer = nullptr;
    MJ_RETURN_IF_ERROR(make_producer());
    producer_failed.store(false);
    return ok_status();
  }

  ~Handles() {
    stopping = true;
    if (poller.joinable()) poller.join();
    kafka::close_producer(producer, 10'000);
    kafka::close_consumer(consumer);
  }
};

KafkaEventLog::KafkaEventLog(KafkaConfig config) : config_(std::move(config)) {}

KafkaEventLog::~KafkaEventLog() = default;

Result<std::unique_ptr<KafkaEventLog>> KafkaEventLog::open(KafkaConfig config) {
  std::unique_ptr<KafkaEventLog> log(new KafkaEventLog(std::move(config)));
  log->handles_ = std::make_unique<Handles>();
  const std::string timeout = std::to_string(log->config_.timeout.count());
  log->handles_->producer_settings = {{"bootstrap.servers", log->config_.bootstrap},
                                      {"enable.idempotence", "true"},
                                      {"acks", "all"},
                                      {"linger.ms", "1"},
                                      // One request in flight per broker: a retried batch goes
                                      // out before the next, so a batch's records land together
                                      // and in order even where the broker does not enforce the
                                      // idempotent producer's sequence (librdkafka's mock did
                                      // not, under injected Produce errors: a gap in a chain).
                                      {"max.in.flight.requests.per.connection", "1"},
                                      {"delivery.timeout.ms", timeout},
                                      {"client.id", "microjobs-writer"}};
  MJ_RETURN_IF_ERROR(log->handles_->make_producer());
  char error[512];

  auto consumer_conf = make_conf({{"bootstrap.servers", log->config_.bootstrap},
                                  {"group.id", "microjobs-reader-" + random_suffix()},
                                  {"enable.auto.commit", "false"},
                                  {"enable.partition.eof", "true"},
                                  {"auto.offset.reset", "earliest"},
                                  {"fetch.wait.max.ms", "10"},
                                  {"client.id", "microjobs-reader"}});
  if (!consumer_conf.ok()) return consumer_conf.error();
  log->handles_->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, *consumer_conf, error, sizeof error);
  if (!log->handles_->consumer) return Error{std::string("kafka consumer: ") + error};

  auto partitions = kafka::topic_partitions(log->handles_->producer, log->config_.topic,
                                            static_cast<int>(log->config_.timeout.count()));
  if (!partitions.ok()) {
    // No broker answered at all: say that, not how to create topics on it.
    if (partitions.error().message.find("transport failure") != std::string::npos ||
        partitions.error().message.find("timed out") != std::string::npos) {
      return Error{"no Kafka broker answered at " + log->config_.bootstrap + " within " +
                   std::to_string(log->config_.timeout.count() / 1000) +
                   " s (" + partitions.error().message + "): is a broker running there? "
                   "`microjobs dev-kafka` starts a throwaway development cluster."};
    }
    return Error{partitions.error().message + " (at " + log->config_.bootstrap +
                 "). Create the topics with `microjobs kafka-setup --bootstrap " + log->config_.bootstrap +
                 "` (or kafka-topics.sh --create --topic " + log->config_.topic +
                 " --partitions 8 --replication-factor 3), or run `microjobs dev-kafka` for a "
                 "throwaway development cluster."};
  }
  log->partitions_ = *partitions;
  if (log->config_.partitions != 0 && log->config_.partitions != log->partitions_) {
    return Error{"kafka topic " + log->config_.topic + " has " + std::to_string(log->partitions_) +
                 " partitions, not " + std::to_string(log->config_.partitions)};
  }
  Handles* handles = log->handles_.get();
  handles->poller = std::thread([handles] {
    while (!handles->stopping.load()) {
      if (handles->producer_failed.load()) {
        // Stay off the lock so that the append renewing the producer gets it.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      std::shared_lock lock(handles->producer_mutex);
      rd_kafka_poll(handles->producer, 10);
    }
  });
  return log;
}

Result<std::int64_t> KafkaEventLog::append(std::int32_t partition, std::span<const RecordView> records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  if (records.empty()) return end(partition);
  MJ_RETURN_IF_ERROR(handles_->renew_producer_if_failed());
  std::shared_lock producer_lock(handles_->producer_mutex);
  PendingAppend pending;
  pending.outstanding.store(records.size());
  pending.offsets.assign(records.size(), -1);
  std::vector<MessageTag> tags(records.size());
  std::size_t produced = 0;
  for (; produced < records.size(); ++produced) {
    const RecordView& record = records[produced];
    tags[produced] = MessageTag{&pending, produced};
    auto envelope_type = peek_type(record.value);
    std::string hash = record.hash.empty() ? sha256_hex(record.value) : std::string(record.hash);
    rd_kafka_headers_t* headers = rd_kafka_headers_new(6);
    rd_kafka_header_add(headers, "ce_specversion", -1, "1.0", 3);
    rd_kafka_header_add(headers, "ce_type", -1, envelope_type.data(), envelope_type.size());
    rd_kafka_header_add(headers, "content-type", -1, "application/json", 16);
    rd_kafka_header_add(headers, "mj_hash", -1, hash.data(), hash.size());
    std::string_view id = peek_attribute(record.value, "id");
    std::string_view source = peek_attribute(record.value, "source");
    rd_kafka_header_add(headers, "ce_id", -1, id.data(), id.size());
    rd_kafka_header_add(headers, "ce_source", -1, source.data(), source.size());
    rd_kafka_resp_err_t err = rd_kafka_producev(
        handles_->producer, RD_KAFKA_V_TOPIC(config_.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(&tags[produced]), RD_KAFKA_V_END);
    if (err) {
      rd_kafka_headers_destroy(headers);
      std::lock_guard lock(pending.mutex);
      pending.error = std::string("produce: ") + rd_kafka_err2str(err);
      pending.outstanding.fetch_sub(records.size() - produced);  // never produced: no report comes
      break;
    }
  }
  std::unique_lock lock(pending.mutex);
  // The producer's delivery.timeout.ms bounds this wait: every produced record gets a report.
  pending.done.wait(lock, [&] { return pending.outstanding.load() == 0; });
  if (!pending.error.empty()) {
    handles_->producer_failed.store(true);
    return Error{"kafka append: " + pending.error};
  }
  for (std::size_t i = 1; i < pending.offsets.size(); ++i) {
    if (pending.offsets[i] != pending.offsets[0] + static_cast<std::int64_t>(i)) {
      handles_->producer_failed.store(true);
      return Error{"kafka append: records did not land at consecutive offsets"};
    }
  }
  {
    std::lock_guard wait_lock(wait_mutex_);
    append_count_.fetch_add(1);
  }
  appended_.notify_all();
  return pending.offsets[0];
}

Result<std::vector<LogRecord>> KafkaEventLog::read(std::int32_t partition, std::int64_t from,
                                                   std::size_t max_records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  std::vector<LogRecord> records;
  const std::int64_t high = end(partition);
  if (from >= high || max_records == 0) return records;
  std::lock_guard lock(handles_->consumer_mutex);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, config_.topic.c_str(), partition)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(handles_->consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err) return Error{std::string("kafka assign: ") + rd_kafka_err2str(err)};
  const auto deadline = Clock::now() + config_.timeout;
  std::int64_t next = from;
  while (records.size() < max_records && next < high) {
    if (Clock::now() > deadline) return Error{"kafka read: timed out"};
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handles_->consumer, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(message);
      break;
    }
    if (message->err) {
      std::string why = rd_kafka_message_errstr(message);
      rd_kafka_message_destroy(message);
      return Error{"kafka read: " + why};
    }
    if (message->partition == partition && message->offset >= next) {
      records.push_back(LogRecord{message->offset,
                                  std::string(static_cast<const char*>(message->key), message->key_len),
                                  std::string(static_cast<const char*>(message->payload), message->len)});
      next = message->offset + 1;
    }
    rd_kafka_message_destroy(message);
  }
  return records;
}

std::uint64_t KafkaEventLog::producers_created() const { return handles_->producers_created.load(); }

std::int64_t KafkaEventLog::end(std::int32_t partition) {
  std::shared_lock producer_lock(handles_->producer_mutex);
  std::int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err = kafka::query_watermarks(handles_->producer, config_.topic, partition, &low, &high,
                                                    static_cast<int>(config_.timeout.count()));
  if (err) {
    spdlog::warn("kafka: watermarks of partition {}: {}", partition, rd_kafka_err2str(err));
    return 0;
  }
  return high;
}

void KafkaEventLog::wait_for_append(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(wait_mutex_);
  appended_.wait_for(lock, std::min(timeout, std::chrono::milliseconds(20)),
                     [&] { return append_count_.load() != seen; });
}

// ---- MockKafka ----

struct MockKafka::Impl {
  rd_kafka_t* handle = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Impl() {
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (handle) rd_kafka_destroy(handle);
  }
};

Result<std::unique_ptr<MockKafka>> MockKafka::start(int brokers, std::int32_t partitions) {
  std::unique_ptr<MockKafka> mock(new MockKafka());
  mock->impl_ = std::make_unique<Impl>();
  auto conf = make_conf({{"client.id", "microjobs-mock-holder"}, {"log_level", "3"}});
  if (!conf.ok()) return conf.error();
  char error[512];
  mock->impl_->handle = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof error);
  if (!mock->impl_->handle) return Error{std::string("mock kafka: ") + error};
  mock->impl_->cluster = rd_kafka_mock_cluster_new(mock->impl_->handle, brokers);
  if (!mock->impl_->cluster) return Error{"mock kafka: cannot start the cluster"};
  const int replication = std::min(brokers, 3);
  for (const char* topic : {"microjobs.events", "microjobs.commands", "microjobs.replies"}) {
    if (auto err = rd_kafka_mock_topic_create(mock->impl_->cluster, topic, partitions, replication)) {
      return Error{std::string("mock kafka: topic ") + topic + ": " + rd_kafka_err2str(err)};
    }
  }
  return mock;
}

MockKafka::~MockKafka() = default;

std::string MockKafka::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

void* MockKafka::cluster() const { return impl_->cluster; }

}  // namespace microjobs
