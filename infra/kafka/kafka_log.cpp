#include "infra/kafka/kafka_log.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

#include <map>
#include <random>
#include <shared_mutex>
#include <thread>

#include "domain/assert.h"
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

// Produces every record to `partition` with the stream contract's headers. On a produce error
// the records not produced are taken off `pending` (no report will come for them).
void produce_records(rd_kafka_t* producer, const std::string& topic, std::int32_t partition,
                     std::span<const RecordView> records, PendingAppend& pending, std::vector<MessageTag>& tags) {
  pending.outstanding.store(records.size());
  pending.offsets.assign(records.size(), -1);
  tags.resize(records.size());
  for (std::size_t produced = 0; produced < records.size(); ++produced) {
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
        producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(&tags[produced]), RD_KAFKA_V_END);
    if (err) {
      rd_kafka_headers_destroy(headers);
      std::lock_guard lock(pending.mutex);
      pending.error = std::string("produce: ") + rd_kafka_err2str(err);
      pending.outstanding.fetch_sub(records.size() - produced);  // never produced: no report comes
      return;
    }
  }
}

// The first offset, or why the append failed: a delivery error, or records that did not land
// together (a foreign record between them).
Result<std::int64_t> appended_at(const PendingAppend& pending) {
  if (!pending.error.empty()) return Error{"kafka append: " + pending.error};
  for (std::size_t i = 1; i < pending.offsets.size(); ++i) {
    if (pending.offsets[i] != pending.offsets[0] + static_cast<std::int64_t>(i)) {
      return Error{"kafka append: records did not land at consecutive offsets"};
    }
  }
  return pending.offsets[0];
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
  // Fenced writers: the transactional producer of each partition this log writes. One thread
  // appends to a partition at a time (its processor); the map itself is under writers_mutex.
  struct Writer {
    rd_kafka_t* producer = nullptr;
    bool fenced = false;  // a fatal error (another writer took over): only become_writer() mends it
    ~Writer() { kafka::close_producer(producer, 1'000); }
  };
  std::mutex writers_mutex;
  std::map<std::int32_t, std::unique_ptr<Writer>> writers;
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

  Writer* writer_of(std::int32_t partition) {
    std::lock_guard lock(writers_mutex);
    auto found = writers.find(partition);
    return found == writers.end() ? nullptr : found->second.get();
  }

  ~Handles() {
    writers.clear();
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
                                  // A fenced writer's aborted records are never read.
                                  {"isolation.level", "read_committed"},
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
  log->known_ends_ = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(log->partitions_));
  if (log->config_.partitions != 0 && log->config_.partitions != log->partitions_) {
    return Error{"kafka topic " + log->config_.topic + " has " + std::to_string(log->partitions_) +
                 " partitions, not " + std::to_string(log->config_.partitions)};
  }
  Handles* handles = log->handles_.get();
  handles->poller = std::thread([handles] {
    while (!handles->stopping.load()) {
      {
        // Served even after a failed append: appends of other partitions wait for their reports.
        std::shared_lock lock(handles->producer_mutex);
        rd_kafka_poll(handles->producer, 10);
      }
      // Off the lock a moment, so that the append renewing the producer gets it.
      if (handles->producer_failed.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  return log;
}

Result<std::int64_t> KafkaEventLog::append(std::int32_t partition, std::span<const RecordView> records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  if (records.empty()) return end(partition);
  if (transactional()) return append_in_transaction(partition, records);
  MJ_RETURN_IF_ERROR(handles_->renew_producer_if_failed());
  std::shared_lock producer_lock(handles_->producer_mutex);
  PendingAppend pending;
  std::vector<MessageTag> tags;
  produce_records(handles_->producer, config_.topic, partition, records, pending, tags);
  std::unique_lock lock(pending.mutex);
  // The producer's delivery.timeout.ms bounds this wait: every produced record gets a report.
  pending.done.wait(lock, [&] { return pending.outstanding.load() == 0; });
  auto first = appended_at(pending);
  if (!first.ok()) {
    handles_->producer_failed.store(true);
    return first;
  }
  note_append();
  return first;
}

Result<std::vector<LogRecord>> KafkaEventLog::read(std::int32_t partition, std::int64_t from,
                                                   std::size_t max_records) {
  if (partition < 0 || partition >= partitions_) return Error{"no such partition"};
  // An error, not an empty read: a writer rebuilding from an empty read would think it was at the end.
  if (reads_interrupted_.load()) return Error{"kafka read: interrupted (the process is stopping)"};
  std::vector<LogRecord> records;
  // A partition's end only grows: below where it was last seen to end (the projector's ends()
  // of the same step, most often) there are records to read without asking the broker again.
  std::int64_t high = known_ends_[static_cast<std::size_t>(partition)].load();
  if (from >= high) high = end(partition);
  if (from >= high || max_records == 0) return records;
  std::lock_guard lock(handles_->consumer_mutex);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, config_.topic.c_str(), partition)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(handles_->consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err) return Error{std::string("kafka assign: ") + rd_kafka_err2str(err)};
  const auto deadline = Clock::now() + config_.timeout;
  std::int64_t next = from;
  while (true) {
    // At `high` the read is done, unless the end has moved on since: more records, or a commit
    // marker after the last one, which the reader must learn of (LogRecord::next) from the
    // consumer's end-of-partition.
    if (next >= high && (high = end(partition)) <= next) break;
    if (Clock::now() > deadline) return Error{"kafka read: timed out"};
    if (reads_interrupted_.load()) return Error{"kafka read: interrupted (the process is stopping)"};
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handles_->consumer, 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end, past any transaction markers after the last record.
      if (!records.empty() && message->offset > records.back().offset) records.back().next = message->offset;
      rd_kafka_message_destroy(message);
      break;
    }
    if (message->err) {
      std::string why = rd_kafka_message_errstr(message);
      rd_kafka_message_destroy(message);
      return Error{"kafka read: " + why};
    }
    if (message->partition == partition && message->offset >= next) {
      if (!records.empty()) records.back().next = message->offset;  // a marker may lie between
      if (records.size() == max_records) {  // read only to learn where the last one's successor is
        rd_kafka_message_destroy(message);
        break;
      }
      records.push_back(LogRecord{message->offset,
                                  std::string(static_cast<const char*>(message->key), message->key_len),
                                  padded_copy({static_cast<const char*>(message->payload), message->len})});
      next = message->offset + 1;
    }
    rd_kafka_message_destroy(message);
  }
  return records;
}

void KafkaEventLog::note_append() {
  {
    std::lock_guard wait_lock(wait_mutex_);
    append_count_.fetch_add(1);
  }
  appended_.notify_all();
}

Status KafkaEventLog::become_writer(std::int32_t partition) {
  if (!transactional()) return ok_status();
  const std::string id = config_.transactional_id_prefix + "-" + std::to_string(partition);
  auto conf = make_conf({{"bootstrap.servers", config_.bootstrap},
                         {"transactional.id", id},
                         {"acks", "all"},
                         {"linger.ms", "1"},
                         {"max.in.flight.requests.per.connection", "1"},
                         {"transaction.timeout.ms", std::to_string(std::max<std::int64_t>(config_.timeout.count(), 60'000))},
                         // Every record gets its report within this, so an append's wait ends.
                         {"delivery.timeout.ms", std::to_string(config_.timeout.count())},
                         {"client.id", "microjobs-writer-" + std::to_string(partition)}});
  if (!conf.ok()) return conf.error();
  rd_kafka_conf_set_dr_msg_cb(*conf, on_delivery);
  char error[512];
  auto writer = std::make_unique<Handles::Writer>();
  writer->producer = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, error, sizeof error);
  if (!writer->producer) return Error{std::string("kafka transactional producer: ") + error};
  // Fences every earlier producer of this id, and aborts (or completes) its open transaction.
  rd_kafka_error_t* failed = nullptr;
  for (const auto deadline = Clock::now() + 2 * config_.timeout;;) {  // a coordinator may still be loading
    failed = rd_kafka_init_transactions(writer->producer, static_cast<int>(config_.timeout.count()));
    if (failed == nullptr || !rd_kafka_error_is_retriable(failed) || Clock::now() >= deadline) break;
    rd_kafka_error_destroy(failed);
  }
  if (failed) {
    std::string why = rd_kafka_error_string(failed);
    rd_kafka_error_destroy(failed);
    return Error{"kafka: cannot become the fenced writer " + id + ": " + why +
                 " (librdkafka's mock cluster and dev-kafka do not fence: serve with --kafka-transactions off there)"};
  }
  std::lock_guard lock(handles_->writers_mutex);
  handles_->writers[partition] = std::move(writer);
  spdlog::info("kafka: the fenced writer of partition {} is {}", partition, id);
  return ok_status();
}

namespace {

// Serves delivery reports until every produced record has one. delivery.timeout.ms bounds it;
// past twice that the tags would outlive `pending`, so it stops the process rather than return.
void drain_reports(rd_kafka_t* producer, PendingAppend& pending, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + 2 * timeout;
  while (pending.outstanding.load() != 0 && Clock::now() < deadline) rd_kafka_poll(producer, 10);
  MJ_ASSERT(pending.outstanding.load() == 0);
}

// Commits, asking again while the error says a retry may succeed (a coordinator moving).
rd_kafka_error_t* commit_with_retries(rd_kafka_t* producer, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + 2 * timeout;
  while (true) {
    rd_kafka_error_t* error = rd_kafka_commit_transaction(producer, static_cast<int>(timeout.count()));
    if (error == nullptr || !rd_kafka_error_is_retriable(error) || Clock::now() >= deadline) return error;
    rd_kafka_error_destroy(error);
  }
}

}  // namespace

// One transaction per append. An error that needs an abort aborts (the records never become
// visible: the batch did not happen). Being fenced, any other fatal error, or a commit in doubt
// leaves this writer dead: every later append fails until the consumer group gives this process
// the partition again (become_writer), so a zombie never takes the partition back from its new
// owner by re-initialising.
Result<std::int64_t> KafkaEventLog::append_in_transaction(std::int32_t partition, std::span<const RecordView> records) {
  Handles::Writer* writer = handles_->writer_of(partition);
  if (writer == nullptr || writer->fenced) {
    return Error{"kafka append: this process is not the writer of partition " + std::to_string(partition) +
                 (writer ? " any more: another writer fenced it" : "")};
  }
  auto failure = [&](rd_kafka_error_t* error, const char* step) -> Error {
    std::string why = std::string("kafka transaction ") + step + ": " + rd_kafka_error_string(error);
    if (rd_kafka_error_txn_requires_abort(error) && !rd_kafka_error_is_fatal(error)) {
      if (rd_kafka_error_t* aborted = rd_kafka_abort_transaction(writer->producer, static_cast<int>(config_.timeout.count()))) {
        why += std::string("; abort: ") + rd_kafka_error_string(aborted);
        rd_kafka_error_destroy(aborted);
        writer->fenced = true;  // in doubt: stop writing
      }
    } else {
      writer->fenced = true;  // fenced, fatal, or a commit in doubt: stop writing
    }
    rd_kafka_error_destroy(error);
    return Error{why};
  };
  if (rd_kafka_error_t* error = rd_kafka_begin_transaction(writer->producer)) return failure(error, "begin");
  PendingAppend pending;
  std::vector<MessageTag> tags;
  produce_records(writer->producer, config_.topic, partition, records, pending, tags);
  if (!pending.error.empty()) {
    rd_kafka_error_t* aborted = rd_kafka_abort_transaction(writer->producer, static_cast<int>(config_.timeout.count()));
    drain_reports(writer->producer, pending, config_.timeout);
    if (aborted) return failure(aborted, "abort after a produce error");
    return Error{"kafka append: " + pending.error};
  }
  // Commit flushes: every delivery report is served before it returns.
  if (rd_kafka_error_t* error = commit_with_retries(writer->producer, config_.timeout)) {
    drain_reports(writer->producer, pending, config_.timeout);
    return failure(error, "commit");
  }
  drain_reports(writer->producer, pending, config_.timeout);
  auto first = appended_at(pending);
  if (first.ok()) note_append();
  return first;
}

std::uint64_t KafkaEventLog::producers_created() const { return handles_->producers_created.load(); }

std::int64_t KafkaEventLog::end(std::int32_t partition) { return ends_of({partition}).front(); }

std::vector<std::int64_t> KafkaEventLog::ends() {
  std::vector<std::int32_t> all(static_cast<std::size_t>(partitions_));
  for (std::int32_t p = 0; p < partitions_; ++p) all[static_cast<std::size_t>(p)] = p;
  return ends_of(all);
}

// One ListOffsets request per leader. On an error, 0 for each: nothing to read now.
std::vector<std::int64_t> KafkaEventLog::ends_of(const std::vector<std::int32_t>& partitions) {
  std::shared_lock producer_lock(handles_->producer_mutex);
  std::vector<std::int64_t> highs;
  rd_kafka_resp_err_t err = kafka::query_offsets(handles_->producer, config_.topic, partitions, RD_KAFKA_OFFSET_END,
                                                 highs, static_cast<int>(config_.timeout.count()), &reads_interrupted_);
  if (err && err != RD_KAFKA_RESP_ERR__INTR) {
    spdlog::warn("kafka: where {} of {}'s partitions end (first {}): {}", partitions.size(), config_.topic,
                 partitions.front(), rd_kafka_err2str(err));
  }
  if (err) return std::vector<std::int64_t>(partitions.size(), 0);
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    std::atomic<std::int64_t>& known = known_ends_[static_cast<std::size_t>(partitions[i])];
    for (std::int64_t seen = known.load(); seen < highs[i] && !known.compare_exchange_weak(seen, highs[i]);) {
    }
  }
  return highs;
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
  for (const char* topic : {"microjobs.events", "microjobs.commands", "microjobs.replies", "microjobs.keys"}) {
    const std::int32_t count = std::string_view(topic) == "microjobs.keys" ? 1 : partitions;
    if (auto err = rd_kafka_mock_topic_create(mock->impl_->cluster, topic, count, replication)) {
      return Error{std::string("mock kafka: topic ") + topic + ": " + rd_kafka_err2str(err)};
    }
  }
  return mock;
}

MockKafka::~MockKafka() = default;

std::string MockKafka::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

void* MockKafka::cluster() const { return impl_->cluster; }

}  // namespace microjobs
