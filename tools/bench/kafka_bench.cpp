// Throughput of the Kafka EventLog adapter against librdkafka producing the very same records raw
// (same topic layout, same partitions, same acks=all idempotent producer), in the same run, on a
// librdkafka mock cluster of 3 brokers, or on a real cluster given its bootstrap (topics made
// through the Admin API); there the adapter also runs fenced (a Kafka transaction per append, as
// the processors do by default), which gives the transaction's cost per batch. Records are real
// envelopes made through the domain.
//
//   build/tools/bench/kafka_bench [records per round] [batch] [rounds] [bootstrap]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "infra/kafka/kafka_admin.h"
#include "infra/kafka/kafka_log.h"

using namespace microjobs;

namespace {

constexpr std::int32_t kPartitions = 8;

// One partition's records: deposits for one user, chained as a processor writes them.
std::vector<std::string> make_records(std::int32_t partition, std::int64_t count) {
  std::vector<std::string> values;
  std::string prev = kZeroHash;
  for (std::int64_t seq = 1; seq <= count; ++seq) {
    FundsDeposited event;
    event.account = UserId{"user-" + std::to_string(partition)};
    event.amount = Micros{1'000'000};
    event.reference = "ref-" + std::to_string(seq);
    event.deposit_id = "dep." + event.account.value + "." + event.reference;
    event.transfers.push_back({"world:deposits", "user:" + event.account.value + ":available", event.amount});
    EnvelopeMeta meta{event_id(partition, seq), event_source(partition), UnixMs{1'795'000'000'000},
                      event.account.value, seq, "cmd-" + std::to_string(seq), prev};
    values.push_back(encode_envelope(meta, event));
    prev = sha256_hex(values.back());
  }
  return values;
}

// `fenced`: a transactional writer per partition, one transaction per append.
double adapter_run(const std::string& bootstrap, const std::string& topic,
                   const std::vector<std::vector<std::string>>& data, std::size_t batch,
                   bool fenced = false) {
  KafkaConfig config{bootstrap, topic, kPartitions};
  if (fenced) config.transactional_id_prefix = topic + ".writer";
  auto log = KafkaEventLog::open(config);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.error().message.c_str());
    std::exit(1);
  }
  for (std::int32_t p = 0; fenced && p < kPartitions; ++p) {
    if (!(*log)->become_writer(p).ok()) std::exit(1);
  }
  // The processor has each record's hash already (it chains them) and passes it along, so the
  // hashes are made before the clock starts.
  std::vector<std::vector<std::string>> all_hashes(kPartitions);
  for (std::int32_t p = 0; p < kPartitions; ++p) {
    for (const auto& value : data[p]) all_hashes[p].push_back(sha256_hex(value));
  }
  std::vector<std::thread> writers;  // one single writer per partition, as the processors run
  auto start = std::chrono::steady_clock::now();
  for (std::int32_t p = 0; p < kPartitions; ++p) {
    writers.emplace_back([&, p] {
      const auto& values = data[p];
      const auto& hashes = all_hashes[p];
      std::string key = "user-" + std::to_string(p);
      for (std::size_t at = 0; at < values.size(); at += batch) {
        std::vector<RecordView> views;
        for (std::size_t i = at; i < std::min(values.size(), at + batch); ++i) {
          views.push_back({key, values[i], hashes[i]});
        }
        if (!(*log)->append(p, views).ok()) std::exit(1);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::atomic<std::int64_t> delivered{0};
void count_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  if (!message->err) delivered.fetch_add(1);
}

double raw_run(const std::string& bootstrap, const std::string& topic,
               const std::vector<std::vector<std::string>>& data) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", error, sizeof error);
  rd_kafka_conf_set(conf, "linger.ms", "1", error, sizeof error);
  rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  std::int64_t total = 0;
  for (const auto& values : data) total += static_cast<std::int64_t>(values.size());
  delivered = 0;
  auto start = std::chrono::steady_clock::now();
  for (std::int32_t p = 0; p < kPartitions; ++p) {
    std::string key = "user-" + std::to_string(p);
    for (const auto& value : data[p]) {
      while (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
                               RD_KAFKA_V_KEY(key.data(), key.size()),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) ==
             RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer, 1);
      }
      rd_kafka_poll(producer, 0);
    }
  }
  rd_kafka_flush(producer, 60'000);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rd_kafka_destroy(producer);
  if (delivered.load() != total) std::fprintf(stderr, "raw: %lld of %lld delivered\n",
                                              static_cast<long long>(delivered.load()), static_cast<long long>(total));
  return seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// A fresh events topic of kPartitions on a real cluster, made through the Admin API.
std::string real_topic(const std::string& bootstrap, const std::string& prefix) {
  KafkaTopics topics(bootstrap, prefix);
  if (auto made = setup_topics(topics, TopicLayout{kPartitions, 1, std::chrono::seconds(60)}); !made.ok()) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    std::exit(1);
  }
  return topics.events();
}

// What a reader (projector, webhook deliverer, credit manager) asks each step to learn which
// partitions have new records: ends() in one request, against end() of each partition in turn.
void reader_look(const std::string& bootstrap, const std::string& topic) {
  auto log = KafkaEventLog::open(KafkaConfig{bootstrap, topic, kPartitions});
  if (!log.ok()) return;
  constexpr int kLooks = 200;
  std::vector<double> at_once, one_by_one;
  for (int look = 0; look < kLooks; ++look) {
    auto start = std::chrono::steady_clock::now();
    (*log)->ends();
    at_once.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    start = std::chrono::steady_clock::now();
    for (std::int32_t p = 0; p < kPartitions; ++p) (*log)->end(p);
    one_by_one.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("  a reader's look at the %d partitions' ends, median of %d: ends() %.0f us, end(p) for each %.0f us\n",
              kPartitions, kLooks, median(at_once), median(one_by_one));
  std::printf("RESULT name=kafka.reader_look at_once_us=%.0f one_by_one_us=%.0f\n", median(at_once), median(one_by_one));
}

// Raw, adapter and fenced adapter, interleaved on fresh topics of a real cluster.
int real_cluster(const std::string& bootstrap, const std::vector<std::vector<std::string>>& data,
                 std::size_t batch, int rounds) {
  const double total = static_cast<double>(data[0].size() * kPartitions);
  std::vector<double> raw_rates, adapter_rates, fenced_rates;
  const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  for (int round = 0; round < rounds; ++round) {
    const std::string name = "kb" + run + "-" + std::to_string(round);
    raw_rates.push_back(total / raw_run(bootstrap, real_topic(bootstrap, name + "-raw"), data));
    adapter_rates.push_back(total / adapter_run(bootstrap, real_topic(bootstrap, name + "-adapter"), data, batch));
    fenced_rates.push_back(total / adapter_run(bootstrap, real_topic(bootstrap, name + "-fenced"), data, batch, true));
  }
  std::printf("kafka %s (8 partitions, %zu-byte envelopes, acks=all idempotent), median of %d "
              "interleaved rounds of %.0f records, batches of %zu:\n",
              bootstrap.c_str(), data[0][0].size(), rounds, total, batch);
  std::printf("  raw librdkafka producer          %10.0f records/s\n", median(raw_rates));
  std::printf("  KafkaEventLog::append            %10.0f records/s\n", median(adapter_rates));
  std::printf("  KafkaEventLog::append, fenced    %10.0f records/s (a transaction per batch)\n", median(fenced_rates));
  std::printf("RESULT name=kafka_real.raw rate=%.0f\nRESULT name=kafka_real.adapter rate=%.0f batch=%zu\n"
              "RESULT name=kafka_real.fenced rate=%.0f batch=%zu\n",
              median(raw_rates), median(adapter_rates), batch, median(fenced_rates), batch);
  reader_look(bootstrap, real_topic(bootstrap, "kb" + run + "-look"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t records = argc > 1 ? std::atoll(argv[1]) : 40'000;
  const std::size_t batch = argc > 2 ? static_cast<std::size_t>(std::atoll(argv[2])) : 1024;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  std::vector<std::vector<std::string>> data;
  for (std::int32_t p = 0; p < kPartitions; ++p) data.push_back(make_records(p, records / kPartitions));
  if (argc > 4) return real_cluster(argv[4], data, batch, rounds);
  auto mock = MockKafka::start(3, kPartitions);
  if (!mock.ok()) return 1;
  auto cluster = static_cast<rd_kafka_mock_cluster_t*>((*mock)->cluster());
  const double total = static_cast<double>(records / kPartitions * kPartitions);
  // Interleaved rounds on fresh topics (the mock keeps at most 5 MiB per partition); the medians
  // are reported, since the two cores are shared with everything else on the machine.
  std::vector<double> raw_rates, adapter_rates, ratios;
  for (int round = 0; round < rounds; ++round) {
    std::string raw_topic = "bench.raw." + std::to_string(round);
    std::string adapter_topic = "bench.adapter." + std::to_string(round);
    rd_kafka_mock_topic_create(cluster, raw_topic.c_str(), kPartitions, 3);
    rd_kafka_mock_topic_create(cluster, adapter_topic.c_str(), kPartitions, 3);
    const double raw = raw_run((*mock)->bootstrap(), raw_topic, data);
    const double adapter = adapter_run((*mock)->bootstrap(), adapter_topic, data, batch);
    raw_rates.push_back(total / raw);
    adapter_rates.push_back(total / adapter);
    ratios.push_back(raw / adapter);
  }
  std::printf("kafka mock (3 brokers, 8 partitions, %zu-byte envelopes, acks=all idempotent), "
              "median of %d interleaved rounds of %.0f records:\n", data[0][0].size(), rounds, total);
  std::printf("  raw librdkafka producer   %10.0f records/s\n", median(raw_rates));
  std::printf("  KafkaEventLog::append     %10.0f records/s (batches of %zu, one writer per partition)\n",
              median(adapter_rates), batch);
  std::printf("  ratio adapter/raw         %10.2f (per round:", median(ratios));
  for (double ratio : ratios) std::printf(" %.2f", ratio);
  std::printf(")\n");
  return 0;
}
