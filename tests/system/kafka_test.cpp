// The same node on Kafka: the campaign through the processors with the event log on a librdkafka
// mock cluster gives exactly the embedded results; kcat, an outside Kafka client, reads every
// event as a valid envelope whose headers match; `export` copies a local log byte for byte.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>

#include "campaign.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "infra/kafka/kafka_key_store.h"
#include "infra/kafka/kafka_log.h"
#include "ledger_check.h"
#include "real_kafka.h"

namespace microjobs {
namespace {

using testing::TempDir;

constexpr UnixMs kStart{1'795'000'000'000};

std::unique_ptr<EmbeddedNode> open_node(const std::string& dir, const std::string& event_log,
                                        const Clock& clock) {
  NodeConfig config;
  config.data_dir = dir;
  config.partitions = 8;
  config.event_log = event_log;
  config.clock = &clock;
  // Fenced writers on a real broker; librdkafka's mock cannot fence.
  config.kafka_transactions = event_log.find('/', std::string_view("kafka://").size()) != std::string::npos;
  auto node = EmbeddedNode::open(config);
  EXPECT_TRUE(node.ok()) << node.error().message;
  if (!node.ok()) return nullptr;
  EXPECT_TRUE((*node)->start().ok());
  return std::move(*node);
}

// Runs a command and returns what it printed on stdout.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[65536];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::map<std::string, std::string> headers_of(const boost::json::object& message) {
  std::map<std::string, std::string> headers;
  auto it = message.find("headers");
  if (it == message.end() || !it->value().is_array()) return headers;
  const auto& list = it->value().as_array();
  for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
    headers[std::string(list[i].as_string())] = std::string(list[i + 1].as_string());
  }
  return headers;
}

void play_campaign_and_read_with_kcat(const KafkaTopics& topics) {
  TempDir dir;
  ManualClock clock(kStart);
  auto node = open_node(dir.str(), topics.url(), clock);
  ASSERT_TRUE(node);
  testing::Campaign campaign = testing::play_campaign(*node);
  testing::settle(*node);
  testing::expect_campaign_results(*node, campaign);
  testing::LedgerFold fold = testing::expect_ledger_sound(node->log());
  EXPECT_GT(fold.events, 70u);

  // kcat, as an outside process, reads the whole topic.
  std::string out = run("kcat -b " + topics.bootstrap() + " -C -t " + topics.events() + " -e -q -J 2>/dev/null");
  std::size_t seen = 0;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    boost::json::error_code ec;
    boost::json::value message = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    const auto& object = message.as_object();
    std::string payload(object.at("payload").as_string());
    auto envelope = decode_envelope(payload);
    ASSERT_TRUE(envelope.has_value()) << payload;
    auto headers = headers_of(object);
    EXPECT_EQ(headers["ce_type"], event_type(envelope->event));
    EXPECT_EQ(headers["ce_id"], envelope->meta.id);
    EXPECT_EQ(headers["ce_specversion"], "1.0");
    EXPECT_EQ(headers["mj_hash"], sha256_hex(payload));
    EXPECT_EQ(std::string(object.at("key").as_string()), envelope->meta.stream);
    EXPECT_EQ(object.at("partition").as_int64(), partition_for(envelope->meta.stream, 8));
    ++seen;
  }
  EXPECT_EQ(seen, fold.events);
  node->stop();
}

TEST(KafkaNode, PlaysTheCampaignWithTheEmbeddedResultsAndKcatReadsEveryEvent) {
  auto mock = MockKafka::start(3, 8);
  ASSERT_TRUE(mock.ok()) << mock.error().message;
  play_campaign_and_read_with_kcat(KafkaTopics((*mock)->bootstrap()));
}

TEST(KafkaNode, PlaysTheCampaignOnARealBrokerWithTheEmbeddedResultsAndKcatReadsEveryEvent) {
  auto topics = testing::real_kafka_topics(8);
  ASSERT_TRUE(topics);
  play_campaign_and_read_with_kcat(*topics);
}

// Exports a campaign's local log to `topics`, compares it record by record, audits both.
void export_compare_and_audit(const KafkaTopics& topics) {
  TempDir dir;
  ManualClock clock(kStart);
  {
    auto node = open_node(dir.str(), "", clock);
    ASSERT_TRUE(node);
    testing::play_campaign(*node);
    node->stop();
  }
  std::string command = std::string(MICROJOBS_BINARY) + " export --data-dir " + dir.str() +
                        " --to " + topics.url() + " 2>&1";
  std::string printed = run(command);
  EXPECT_NE(printed.find("exported"), std::string::npos) << printed;
  auto local = LocalEventLog::open_read_only(dir.str() + "/log");
  auto kafka = KafkaEventLog::open(KafkaConfig{topics.bootstrap(), topics.events(), 8});
  ASSERT_TRUE(local.ok() && kafka.ok());
  std::size_t compared = 0;
  for (std::int32_t p = 0; p < 8; ++p) {
    auto ours = (*local)->read(p, 0, 100'000);
    auto theirs = (*kafka)->read(p, 0, 100'000);
    ASSERT_TRUE(ours.ok() && theirs.ok());
    ASSERT_EQ(ours->size(), theirs->size()) << "partition " << p;
    for (std::size_t i = 0; i < ours->size(); ++i) {
      EXPECT_EQ((*ours)[i].value, (*theirs)[i].value);
      EXPECT_EQ((*ours)[i].key, (*theirs)[i].key);
      EXPECT_EQ((*ours)[i].offset, (*theirs)[i].offset);
      ++compared;
    }
  }
  EXPECT_GT(compared, 70u);
  // The vault's keys went along: a sealed text of the log opens through the keys topic.
  EXPECT_NE(printed.find(" keys (topic " + topics.keys() + ")"), std::string::npos) << printed;
  auto first = (*local)->read(partition_for("emp", 8), 0, 1);
  ASSERT_TRUE(first.ok() && first->size() == 1);
  const std::string& bytes = (*first)[0].value;
  const auto at = bytes.find("mj-sealed:v1:emp:");
  ASSERT_NE(at, std::string::npos) << "the employer's display name is not sealed: " << bytes;
  auto keys = KafkaKeyStore::open(topics);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  const NodeConfig defaults;  // named: a temporary's members trip GCC 12's -Wmaybe-uninitialized at -O3
  Vault vault(**keys, defaults.data_key, clock);
  auto opened = vault.open(bytes.substr(at, bytes.find('"', at) - at));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, std::optional<std::string>("Employer"));
  // The auditor's check reads the topic as it reads the local log, and finds the same.
  auto summary_of = [&](const std::string& source) {
    std::string out = run(std::string(MICROJOBS_BINARY) + " audit " + source + " 2>/dev/null; echo exit=$?");
    EXPECT_NE(out.find("exit=0"), std::string::npos) << out;
    std::size_t start = out.rfind("{\"ok\"");
    return start == std::string::npos ? std::string() : out.substr(start, out.find('}', start) + 1 - start);
  };
  std::string from_kafka = summary_of("--event-log " + topics.url());
  std::string from_disk = summary_of("--data-dir " + dir.str());
  EXPECT_NE(from_kafka.find("\"ok\":true"), std::string::npos) << from_kafka;
  auto counts = [](const std::string& summary) { return summary.substr(0, summary.find(",\"seconds\"")); };
  EXPECT_EQ(counts(from_kafka), counts(from_disk));
  // A second export would copy twice: it is refused.
  EXPECT_NE(run(command).find("not empty"), std::string::npos);
}

TEST(KafkaExport, CopiesALocalLogByteForByteIntoTheSamePartitions) {
  auto mock = MockKafka::start(3, 8);
  ASSERT_TRUE(mock.ok());
  export_compare_and_audit(KafkaTopics((*mock)->bootstrap()));
}

TEST(KafkaExport, CopiesALocalLogByteForByteIntoARealBroker) {
  auto topics = testing::real_kafka_topics(8);
  ASSERT_TRUE(topics);
  export_compare_and_audit(*topics);
}

// The mock cluster has no controller, so the Admin API cannot create topics there: the command
// must fail within its timeout and say exactly what to run instead.
TEST(KafkaSetup, SaysWhatToRunWhenTheAdminApiCannotCreateTheTopics) {
  auto mock = MockKafka::start(1, 2);
  ASSERT_TRUE(mock.ok());
  std::string printed = run(std::string(MICROJOBS_BINARY) + " kafka-setup --bootstrap " +
                            (*mock)->bootstrap() + " --partitions 4 --replication 1 --timeout 2 2>&1; echo exit=$?");
  EXPECT_NE(printed.find("kafka-topics.sh --bootstrap-server"), std::string::npos) << printed;
  EXPECT_NE(printed.find("--topic microjobs.events --partitions 4"), std::string::npos) << printed;
  EXPECT_NE(printed.find("exit=1"), std::string::npos) << printed;
}

// Two logs that both become the writer of partition 0 on a real broker: the later one fences the
// earlier, whose append then fails; nothing of the fenced writer reaches a reader; the new
// writer's records land where it expects them (after the commit markers).
TEST(KafkaFencing, ALaterWriterFencesTheEarlierOne) {
  auto topics = testing::real_kafka_topics(1);
  ASSERT_TRUE(topics);
  KafkaConfig config{topics->bootstrap(), topics->events(), 1};
  config.transactional_id_prefix = topics->prefix() + ".writer";
  auto first = KafkaEventLog::open(config);
  auto second = KafkaEventLog::open(config);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)->marker_offsets_per_append(), 1);
  const std::string a = "first writer's record", b = "second writer's record", c = "zombie's record";
  EXPECT_FALSE((*first)->append(0, std::vector<RecordView>{{"k", a}}).ok()) << "appended before becoming the writer";
  ASSERT_TRUE((*first)->become_writer(0).ok());
  auto at = (*first)->append(0, std::vector<RecordView>{{"k", a}, {"k", a}});
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_EQ(*at, 0);
  ASSERT_TRUE((*second)->become_writer(0).ok());
  auto zombie = (*first)->append(0, std::vector<RecordView>{{"k", c}});
  ASSERT_FALSE(zombie.ok());
  EXPECT_NE(zombie.error().message.find("fenced"), std::string::npos) << zombie.error().message;
  EXPECT_FALSE((*first)->append(0, std::vector<RecordView>{{"k", c}}).ok()) << "a fenced writer stays fenced";
  const std::int64_t end = (*second)->end(0);
  EXPECT_EQ(end, 3) << "two records and the commit marker";
  auto landed = (*second)->append(0, std::vector<RecordView>{{"k", b}});
  ASSERT_TRUE(landed.ok()) << landed.error().message;
  EXPECT_EQ(*landed, end);
  auto records = (*second)->read(0, 0, 100);
  ASSERT_TRUE(records.ok());
  std::vector<std::string> values;
  for (const auto& record : *records) values.push_back(record.value);
  EXPECT_EQ(values, (std::vector<std::string>{a, a, b}));
  // A reader knows where the records end: past the commit markers, at the log's end.
  EXPECT_EQ((*records)[1].after(), 3);
  EXPECT_EQ(records->back().after(), (*second)->end(0));
  // kcat, reading committed records only, sees the same.
  std::string seen = run("kcat -b " + topics->bootstrap() + " -C -t " + topics->events() +
                         " -X isolation.level=read_committed -e -q -f '%s\\n' 2>&1");
  EXPECT_EQ(seen, a + "\n" + a + "\n" + b + "\n");
}

TEST(KafkaUrl, NamesTheBootstrapAndTheTopicPrefix) {
  auto plain = parse_kafka_url("kafka://a:9092,b:9092");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->bootstrap(), "a:9092,b:9092");
  EXPECT_EQ(plain->events(), "microjobs.events");
  EXPECT_EQ(plain->processor_group(), "microjobs-processors");
  EXPECT_EQ(plain->url(), "kafka://a:9092,b:9092");
  auto staged = parse_kafka_url("kafka://a:9092/staging.mj");
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(staged->commands(), "staging.mj.commands");
  EXPECT_EQ(staged->url(), "kafka://a:9092/staging.mj");
  for (const char* bad : {"kafka://", "kafka:///x", "kafka://a:1/", "kafka://a:1/x/y", "kafka://a:1/x y", "http://a:1"}) {
    EXPECT_FALSE(parse_kafka_url(bad).ok()) << bad;
  }
}

// Kafka's own kafka-configs (kafka.admin.ConfigCommand, from the broker's jars), an outside tool.
// Of the events topic, or of `topic`.
std::string kafka_configs(const KafkaTopics& topics, const std::string& arguments, const std::string& topic = "") {
  return run("java -cp \"$(cat " MICROJOBS_REAL_KAFKA_DIR "/classpath)\" kafka.admin.ConfigCommand --bootstrap-server " +
             topics.bootstrap() + " --entity-type topics --entity-name " + (topic.empty() ? topics.events() : topic) +
             " " + arguments + " 2>&1");
}

// On a real broker the Admin API creates the topics, and the events topic keeps every event, as
// Kafka's own kafka-configs reports it.
TEST(KafkaSetup, CreatesTopicsThatKeepEveryEventOnARealBroker) {
  const std::string bootstrap = testing::real_kafka_bootstrap();
  ASSERT_FALSE(bootstrap.empty()) << "no real Kafka broker (ctest fixture real_kafka)";
  KafkaTopics topics(bootstrap, testing::fresh_prefix());
  std::string printed = run(std::string(MICROJOBS_BINARY) + " kafka-setup --bootstrap " + bootstrap + " --prefix " +
                            topics.prefix() + " --partitions 4 --replication 1 2>&1; echo exit=$?");
  EXPECT_NE(printed.find(topics.events() + " keeps every event"), std::string::npos) << printed;
  EXPECT_NE(printed.find("exit=0"), std::string::npos) << printed;
  std::string described = kafka_configs(topics, "--describe");  // the topic's own settings only
  for (const char* setting : {"retention.ms=-1", "retention.bytes=-1", "cleanup.policy=delete",
                              "unclean.leader.election.enable=false", "min.insync.replicas=1"}) {
    EXPECT_NE(described.find(std::string(setting) + " "), std::string::npos) << setting << "\n" << described;
  }
  std::string metadata = run("kcat -b " + bootstrap + " -L -t " + topics.commands() + " 2>&1");
  EXPECT_NE(metadata.find("with 4 partitions"), std::string::npos) << metadata;
  // The vault's keys: one partition, compacted (never deleted by time), a day of commands.
  std::string keys = kafka_configs(topics, "--describe", topics.keys());
  EXPECT_NE(keys.find("cleanup.policy=compact "), std::string::npos) << keys;
  EXPECT_NE(run("kcat -b " + bootstrap + " -L -t " + topics.keys() + " 2>&1").find("with 1 partitions"),
            std::string::npos);
  EXPECT_NE(kafka_configs(topics, "--describe", topics.commands()).find("retention.ms=86400000 "), std::string::npos);
  // Running it again is fine: the topics are there and right.
  printed = run(std::string(MICROJOBS_BINARY) + " kafka-setup --bootstrap " + bootstrap + " --prefix " +
                topics.prefix() + " --partitions 4 --replication 1 2>&1; echo exit=$?");
  EXPECT_NE(printed.find("exit=0"), std::string::npos) << printed;
}

// An events topic that would lose events (deleted after a day, compacted) or that places events
// by another partition count is refused, with each problem named.
TEST(KafkaSetup, RefusesAnEventsTopicThatWouldLoseEvents) {
  auto topics = testing::real_kafka_topics(4);
  ASSERT_TRUE(topics);
  std::string altered = kafka_configs(*topics, "--alter --add-config retention.ms=86400000,cleanup.policy=compact");
  ASSERT_NE(altered.find("Completed"), std::string::npos) << altered;
  std::string printed = run(std::string(MICROJOBS_BINARY) + " kafka-setup --bootstrap " + topics->bootstrap() +
                            " --prefix " + topics->prefix() + " --partitions 8 --replication 1 2>&1; echo exit=$?");
  EXPECT_NE(printed.find("refusing to use " + topics->events()), std::string::npos) << printed;
  EXPECT_NE(printed.find("retention.ms=86400000"), std::string::npos) << printed;
  EXPECT_NE(printed.find("cleanup.policy=compact"), std::string::npos) << printed;
  EXPECT_NE(printed.find("4 partitions, not 8"), std::string::npos) << printed;
  EXPECT_NE(printed.find("exit=1"), std::string::npos) << printed;
}

// A keys topic deleted by time would take every sealed text with it: refused.
TEST(KafkaSetup, RefusesAKeysTopicThatIsNotCompacted) {
  auto topics = testing::real_kafka_topics(4);
  ASSERT_TRUE(topics);
  std::string altered = kafka_configs(*topics, "--alter --add-config cleanup.policy=delete", topics->keys());
  ASSERT_NE(altered.find("Completed"), std::string::npos) << altered;
  std::string printed = run(std::string(MICROJOBS_BINARY) + " kafka-setup --bootstrap " + topics->bootstrap() +
                            " --prefix " + topics->prefix() + " --partitions 4 --replication 1 2>&1; echo exit=$?");
  EXPECT_NE(printed.find(topics->keys() + " has cleanup.policy=delete"), std::string::npos) << printed;
  EXPECT_NE(printed.find("exit=1"), std::string::npos) << printed;
}

}  // namespace
}  // namespace microjobs
