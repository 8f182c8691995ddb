#pragma once
// The vault's keys on a Kafka cluster: the compacted topic `{prefix}.keys` (one partition),
// record key "<owner>:<key id>", value the wrapped key, and a tombstone (null value) for each key
// erasure destroys. Every process of a deployment that seals or opens keeps the whole topic in
// memory through a reader thread, so an erasure reaches them all within moments; the broker
// drops the key's bytes when it compacts the topic (kafka-setup sets segment.ms to an hour).
//
// A key asked for that this process has not seen yet (the processor that made it is another
// process) waits, up to `catch_up_timeout`, until the reader has read as far as the topic went.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "infra/kafka/kafka_topics.h"
#include "infra/vault/vault.h"

namespace microjobs {

class KafkaKeyStore final : public KeyStore {
 public:
  static Result<std::unique_ptr<KafkaKeyStore>> open(const KafkaTopics& topics,
                                                     std::chrono::milliseconds catch_up_timeout =
                                                         std::chrono::seconds(10));
  ~KafkaKeyStore() override;

  Result<std::optional<StoredKey>> any_key(const UserId& owner) override;
  Result<std::optional<std::string>> wrapped_key(const UserId& owner, std::string_view id) override;
  Status put(const UserId& owner, const StoredKey& key) override;
  Status sync() override;
  Status erase(const UserId& owner, UnixMs erased_at) override;

 private:
  struct Handles;
 public:
  struct Delivery;  // the delivery reports' record of a send (kafka_key_store.cpp)

 private:
  KafkaKeyStore(std::string topic, std::chrono::milliseconds catch_up_timeout);
  void read(std::stop_token stop);
  // Returns once the reader has read every record the topic held when called.
  Status catch_up();
  // Produces the records (a null value: a tombstone) and waits until the cluster has them all.
  Status produce(const std::vector<std::pair<std::string, std::optional<std::string>>>& records);
  // Produces them, counted in `delivery`, without waiting.
  void send(const std::vector<std::pair<std::string, std::optional<std::string>>>& records, Delivery& delivery);

  const std::string topic_;
  const std::chrono::milliseconds catch_up_timeout_;
  std::unique_ptr<Delivery> puts_;           // every put's, until sync() checks them (outlives handles_)
  std::unique_ptr<Handles> handles_;
  std::vector<std::string> unsynced_;        // keys put since the last sync (guarded by mutex_)
  std::mutex mutex_;
  std::condition_variable advanced_;
  std::map<std::string, std::string> keys_;  // "<owner>:<id>" -> wrapped
  std::set<std::string> erased_;             // tombstoned, or not found after catching up
  std::int64_t next_offset_ = 0;             // what the reader has read up to
  std::string reader_error_;
  std::jthread reader_;
};

}  // namespace microjobs
