#pragma once
// Internal to infra/kafka: the librdkafka chores both the log and the bus need. Includes
// librdkafka: include it from infra/kafka .cpp files only.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace microjobs::kafka {

using Settings = std::vector<std::pair<std::string, std::string>>;

// A configuration with every setting applied, or which setting was refused and why.
inline Result<rd_kafka_conf_t*> make_conf(const Settings& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error{"kafka config " + name + ": " + error};
    }
  }
  return conf;
}

// The partition count of `topic` from the cluster's metadata.
inline Result<std::int32_t> topic_partitions(rd_kafka_t* client, const std::string& topic_name,
                                            int timeout_ms) {
  rd_kafka_topic_t* topic = rd_kafka_topic_new(client, topic_name.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, topic, &metadata, timeout_ms);
  rd_kafka_topic_destroy(topic);
  if (err || metadata->topic_cnt != 1 || metadata->topics[0].err) {
    std::string why = err ? rd_kafka_err2str(err) : rd_kafka_err2str(metadata->topics[0].err);
    if (metadata) rd_kafka_metadata_destroy(metadata);
    return Error{"kafka topic " + topic_name + ": " + why};
  }
  std::int32_t count = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);
  return count;
}

// One offset of each of `partitions`: where its records begin (RD_KAFKA_OFFSET_BEGINNING) or end
// (RD_KAFKA_OFFSET_END), as the broker's ListOffsets answers, in one request per leader; the
// answers go to `offsets`, in the order of `partitions`. Asked with rd_kafka_offsets_for_times,
// which gives up at its timeout: librdkafka 2.0's rd_kafka_query_watermark_offsets() does not, it
// retries for as long as a down broker keeps changing state (a CI run hung 900 s in it). Errors
// that pass by themselves (a topic just created whose leader is not elected yet, a leader moving
// to another broker) are asked again, every 100 ms, until `timeout_ms`; any other error, or the
// last one, is returned. With `interrupted`, the question is asked in slices of at most 200 ms and
// gives up with RD_KAFKA_RESP_ERR__INTR once it is set: a stopping process does not wait out the
// timeout of a broker that is gone.
inline rd_kafka_resp_err_t query_offsets(rd_kafka_t* client, const std::string& topic,
                                         const std::vector<std::int32_t>& partitions, std::int64_t which,
                                         std::vector<std::int64_t>& offsets, int timeout_ms,
                                         const std::atomic<bool>* interrupted = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const int slice_ms = interrupted ? std::min(timeout_ms, 200) : timeout_ms;
  while (true) {
    if (interrupted && interrupted->load()) return RD_KAFKA_RESP_ERR__INTR;
    auto* question = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (std::int32_t partition : partitions) rd_kafka_topic_partition_list_add(question, topic.c_str(), partition)->offset = which;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(client, question, slice_ms);
    for (int i = 0; !err && i < question->cnt; ++i) err = question->elems[i].err;
    if (!err) {
      offsets.resize(partitions.size());
      for (std::size_t i = 0; i < partitions.size(); ++i) {
        offsets[i] = rd_kafka_topic_partition_list_find(question, topic.c_str(), partitions[i])->offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(question);
    if (interrupted && err == RD_KAFKA_RESP_ERR__TIMED_OUT && std::chrono::steady_clock::now() < deadline) continue;
    const bool passing = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                         err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR;
    if (!passing || std::chrono::steady_clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a retry's back-off
  }
}

// One partition's offset, asked as query_offsets does.
inline rd_kafka_resp_err_t query_offset(rd_kafka_t* client, const std::string& topic, std::int32_t partition,
                                        std::int64_t which, std::int64_t* offset, int timeout_ms,
                                        const std::atomic<bool>* interrupted = nullptr) {
  std::vector<std::int64_t> answer;
  rd_kafka_resp_err_t err = query_offsets(client, topic, {partition}, which, answer, timeout_ms, interrupted);
  if (!err) *offset = answer.front();
  return err;
}

// Where a partition's records begin (`low`) and end (`high`), each asked as query_offset does.
inline rd_kafka_resp_err_t query_watermarks(rd_kafka_t* client, const std::string& topic, std::int32_t partition,
                                            std::int64_t* low, std::int64_t* high, int timeout_ms) {
  if (auto err = query_offset(client, topic, partition, RD_KAFKA_OFFSET_BEGINNING, low, timeout_ms)) return err;
  return query_offset(client, topic, partition, RD_KAFKA_OFFSET_END, high, timeout_ms);
}

// Flushes (bounded) and destroys a producer; closes and destroys a consumer. Null is fine.
inline void close_producer(rd_kafka_t* producer, int flush_ms) {
  if (!producer) return;
  rd_kafka_flush(producer, flush_ms);
  rd_kafka_destroy(producer);
}

inline void close_consumer(rd_kafka_t* consumer) {
  if (!consumer) return;
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
}

}  // namespace microjobs::kafka
