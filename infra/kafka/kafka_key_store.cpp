#include "infra/kafka/kafka_key_store.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <random>

#include "infra/kafka/rdkafka_util.h"

namespace microjobs {
namespace {

std::string owner_prefix(const UserId& owner) { return owner.value + ":"; }

}  // namespace

// How the records of a produce() fared: counted down by the delivery reports, with the keys of
// the records that failed.
struct KafkaKeyStore::Delivery {
  std::atomic<std::size_t> outstanding{0};
  std::mutex mutex;
  std::string error;
  std::set<std::string> failed;
};

namespace {

void on_key_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* delivery = static_cast<KafkaKeyStore::Delivery*>(message->_private);
  if (message->err) {
    std::lock_guard lock(delivery->mutex);
    if (delivery->error.empty()) delivery->error = rd_kafka_err2str(message->err);
    delivery->failed.emplace(static_cast<const char*>(message->key), message->key_len);
  }
  delivery->outstanding.fetch_sub(1);
}

}  // namespace

struct KafkaKeyStore::Handles {
  rd_kafka_t* producer = nullptr;
  rd_kafka_t* consumer = nullptr;
  ~Handles() {
    kafka::close_producer(producer, 5'000);
    kafka::close_consumer(consumer);
  }
};

KafkaKeyStore::KafkaKeyStore(std::string topic, std::chrono::milliseconds catch_up_timeout)
    : topic_(std::move(topic)), catch_up_timeout_(catch_up_timeout), puts_(std::make_unique<Delivery>()),
      handles_(std::make_unique<Handles>()) {}

KafkaKeyStore::~KafkaKeyStore() {
  reader_.request_stop();
  if (reader_.joinable()) reader_.join();
}

Result<std::unique_ptr<KafkaKeyStore>> KafkaKeyStore::open(const KafkaTopics& topics,
                                                           std::chrono::milliseconds catch_up_timeout) {
  std::unique_ptr<KafkaKeyStore> store(new KafkaKeyStore(topics.keys(), catch_up_timeout));
  char error[512];
  auto producer_conf = kafka::make_conf({{"bootstrap.servers", topics.bootstrap()},
                                         {"acks", "all"},
                                         {"enable.idempotence", "true"},
                                         {"linger.ms", "0"},
                                         // at least as long as an event's append waits (30 s), not 5 minutes
                                         {"delivery.timeout.ms", std::to_string(std::max<std::int64_t>(
                                                                     catch_up_timeout.count(), 30'000))},
                                         {"client.id", "microjobs-keys"}});
  if (!producer_conf.ok()) return producer_conf.error();
  rd_kafka_conf_set_dr_msg_cb(*producer_conf, on_key_delivery);
  store->handles_->producer = rd_kafka_new(RD_KAFKA_PRODUCER, *producer_conf, error, sizeof error);
  if (!store->handles_->producer) return Error{std::string("kafka key store producer: ") + error};
  std::random_device random;
  auto consumer_conf = kafka::make_conf({{"bootstrap.servers", topics.bootstrap()},
                                         {"group.id", "microjobs-keys-" + std::to_string(random())},
                                         {"enable.auto.commit", "false"},
                                         {"fetch.wait.max.ms", "50"},
                                         {"client.id", "microjobs-keys"}});
  if (!consumer_conf.ok()) return consumer_conf.error();
  store->handles_->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, *consumer_conf, error, sizeof error);
  if (!store->handles_->consumer) return Error{std::string("kafka key store consumer: ") + error};
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, store->topic_.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t err = rd_kafka_assign(store->handles_->consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (err) return Error{std::string("kafka key store assign: ") + rd_kafka_err2str(err)};
  store->reader_ = std::jthread([raw = store.get()](std::stop_token stop) { raw->read(stop); });
  // Every key made before this process started, so that a user's first key is not made twice.
  MJ_RETURN_IF_ERROR(store->catch_up());
  return store;
}

void KafkaKeyStore::read(std::stop_token stop) {
  while (!stop.stop_requested()) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handles_->consumer, 100);
    if (message == nullptr) continue;
    std::unique_lock lock(mutex_);
    if (message->err) {
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) reader_error_ = rd_kafka_message_errstr(message);
    } else {
      std::string key(static_cast<const char*>(message->key), message->key_len);
      if (message->payload == nullptr) {
        keys_.erase(key);
        erased_.insert(std::move(key));
      } else {
        keys_[key] = std::string(static_cast<const char*>(message->payload), message->len);
      }
      next_offset_ = message->offset + 1;
    }
    lock.unlock();
    rd_kafka_message_destroy(message);
    advanced_.notify_all();
  }
}

Status KafkaKeyStore::catch_up() {
  std::int64_t low = 0, high = 0;
  const int timeout_ms = static_cast<int>(catch_up_timeout_.count());
  if (auto err = kafka::query_watermarks(handles_->producer, topic_, 0, &low, &high, timeout_ms)) {
    return Error{"kafka key store " + topic_ + ": " + rd_kafka_err2str(err)};
  }
  if (high <= low) return ok_status();  // nothing on the topic to read
  std::unique_lock lock(mutex_);
  if (!advanced_.wait_for(lock, catch_up_timeout_, [&] { return next_offset_ >= high; })) {
    return Error{"kafka key store " + topic_ + ": not read up to offset " + std::to_string(high) + " in time" +
                 (reader_error_.empty() ? "" : " (" + reader_error_ + ")")};
  }
  return ok_status();
}

Status KafkaKeyStore::produce(const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
  Delivery delivery;
  send(records, delivery);
  // Every record gets a report within delivery.timeout.ms (set at open).
  while (delivery.outstanding.load() > 0) rd_kafka_flush(handles_->producer, 100);
  std::lock_guard lock(delivery.mutex);
  if (!delivery.error.empty()) return Error{"kafka key store " + topic_ + ": " + delivery.error};
  return ok_status();
}

void KafkaKeyStore::send(const std::vector<std::pair<std::string, std::optional<std::string>>>& records,
                         Delivery& delivery) {
  delivery.outstanding.fetch_add(records.size());
  for (const auto& [key, value] : records) {
    char* payload = value ? const_cast<char*>(value->data()) : nullptr;  // null: a tombstone
    const std::size_t size = value ? value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        handles_->producer, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(0),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(payload, size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
    if (err) {
      std::lock_guard lock(delivery.mutex);
      if (delivery.error.empty()) delivery.error = rd_kafka_err2str(err);
      delivery.failed.insert(key);
      delivery.outstanding.fetch_sub(1);
    }
  }
}

Result<std::optional<KeyStore::StoredKey>> KafkaKeyStore::any_key(const UserId& owner) {
  const std::string prefix = owner_prefix(owner);
  std::lock_guard lock(mutex_);
  auto found = keys_.lower_bound(prefix);
  if (found == keys_.end() || !found->first.starts_with(prefix)) return std::optional<StoredKey>();
  return std::optional<StoredKey>(StoredKey{found->first.substr(prefix.size()), found->second});
}

Result<std::optional<std::string>> KafkaKeyStore::wrapped_key(const UserId& owner, std::string_view id) {
  const std::string key = owner_prefix(owner) + std::string(id);
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::lock_guard lock(mutex_);
      if (auto found = keys_.find(key); found != keys_.end()) return std::optional<std::string>(found->second);
      if (erased_.contains(key)) return std::optional<std::string>();
    }
    if (attempt == 0) MJ_RETURN_IF_ERROR(catch_up());  // made by another process a moment ago?
  }
  // Not there after catching up: erased (its tombstone compacted away) or never made, for good,
  // since a key is on the topic before any text is sealed under it. Asked again, no round trip.
  std::lock_guard lock(mutex_);
  erased_.insert(key);
  return std::optional<std::string>();
}

// Sent at once, acknowledged by sync(): one round trip per batch, not per new user.
Status KafkaKeyStore::put(const UserId& owner, const StoredKey& key) {
  const std::string name = owner_prefix(owner) + key.id;
  {
    std::lock_guard lock(mutex_);
    keys_[name] = key.wrapped;
    unsynced_.push_back(name);
  }
  send({{name, key.wrapped}}, *puts_);
  return ok_status();
}

Status KafkaKeyStore::sync() {
  std::vector<std::string> mine;
  {
    std::lock_guard lock(mutex_);
    mine.swap(unsynced_);
  }
  if (mine.empty()) return ok_status();
  while (puts_->outstanding.load() > 0) rd_kafka_flush(handles_->producer, 100);
  std::vector<std::string> lost;
  {
    std::lock_guard lock(puts_->mutex);
    for (const std::string& name : mine) {
      if (puts_->failed.erase(name) > 0) lost.push_back(name);
    }
  }
  if (lost.empty()) return ok_status();
  std::lock_guard lock(mutex_);
  for (const std::string& name : lost) keys_.erase(name);  // never on the topic: make another
  return Error{"kafka key store " + topic_ + ": " + std::to_string(lost.size()) + " key(s) not acknowledged"};
}

Status KafkaKeyStore::erase(const UserId& owner, UnixMs erased_at) {
  MJ_RETURN_IF_ERROR(catch_up());  // every key of the owner, whoever made it
  const std::string prefix = owner_prefix(owner);
  std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
  {
    std::lock_guard lock(mutex_);
    for (auto it = keys_.lower_bound(prefix); it != keys_.end() && it->first.starts_with(prefix); ++it) {
      if (erased_by(std::string_view(it->first).substr(prefix.size()), erased_at)) {
        tombstones.emplace_back(it->first, std::nullopt);
      }
    }
  }
  MJ_RETURN_IF_ERROR(produce(tombstones));
  std::lock_guard lock(mutex_);
  for (const auto& [name, value] : tombstones) {
    keys_.erase(name);
    erased_.insert(name);
  }
  spdlog::info("key store {}: {} key(s) of {} destroyed", topic_, tombstones.size(), owner.value);
  return ok_status();
}

}  // namespace microjobs
