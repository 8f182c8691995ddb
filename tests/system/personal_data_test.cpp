// Personal data on an immutable stream (issue: crypto-shredding). The vault's seal and open, each
// key store's erasure (RocksDB: the key's bytes leave every file; Kafka, on the real broker: a
// second process stops opening the erased user's text), and `microjobs serve` end to end: the
// log, read models and snapshots hold only sealed text, erasure makes the worker's text
// "[erased]" in every answer, and `microjobs audit` still verifies every chain.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <fstream>
#include <sstream>

#include "domain/partitioner.h"
#include "api/http.h"
#include "infra/kafka/kafka_key_store.h"
#include "infra/rocksdb/stores.h"
#include "infra/vault/rocks_key_store.h"
#include "personal_data_check.h"
#include "real_kafka.h"
#include "run_command.h"
#include "server_process.h"
#include "tools/node.h"

namespace microjobs {
namespace {

using testing::eventually;
using testing::TempDir;

constexpr char kMasterKey[] = "personal-data-test master key";
const UserId kAlice{"alice"};

// Every byte of every file under `dir`.
std::string all_file_bytes(const std::string& dir) {
  std::string bytes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    bytes += content.str();
  }
  return bytes;
}

std::optional<std::string> opened(Vault& vault, const std::string& sealed) {
  auto result = vault.open(sealed);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : std::nullopt;
}

TEST(Vault, SealsUnderTheOwnersKeyAndOpensOnlyWhatItSealed) {
  TempDir dir;
  auto store = RocksKeyStore::open(dir.str() + "/keys");
  ASSERT_TRUE(store.ok()) << store.error().message;
  ManualClock clock(UnixMs{1'767'225'600'000});
  Vault vault(**store, kMasterKey, clock);
  const std::string text = "Wayan \"W\" Rahasia, Jalan Mawar 7 — ✓";
  auto sealed = vault.seal(kAlice, text);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_TRUE(sealed->starts_with("mj-sealed:v1:alice:")) << *sealed;
  EXPECT_EQ(sealed->find("Wayan"), std::string::npos);
  EXPECT_EQ(opened(vault, *sealed), text);
  auto again = vault.seal(kAlice, text);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *sealed) << "a fresh nonce per seal";
  EXPECT_EQ(again->substr(0, 36), sealed->substr(0, 36)) << "the same key for the same owner";

  std::string tampered = *sealed;
  tampered[tampered.size() - 6] = tampered[tampered.size() - 6] == 'A' ? 'B' : 'A';
  EXPECT_EQ(opened(vault, tampered), std::nullopt);
  // The owner is authenticated with the text: the same bytes under another name do not open.
  ASSERT_TRUE(vault.seal(UserId{"bobby"}, "x").ok());
  std::string renamed = "mj-sealed:v1:bobby" + sealed->substr(std::string("mj-sealed:v1:alice").size());
  EXPECT_EQ(opened(vault, renamed), std::nullopt);
  EXPECT_EQ(opened(vault, "not sealed at all"), std::nullopt);

  // Another master key cannot unwrap the user's key: an error, not "erased".
  Vault stranger(**store, "another master key", clock);
  EXPECT_FALSE(stranger.open(*sealed).ok());

  const UnixMs erased_at = clock.now();
  ASSERT_TRUE(vault.erase(kAlice, erased_at).ok());
  EXPECT_EQ(opened(vault, *sealed), std::nullopt);
  EXPECT_EQ(opened(vault, *again), std::nullopt);
  ASSERT_TRUE(vault.erase(kAlice, erased_at).ok()) << "idempotent";
  // Text sealed after the erasure takes a new key and opens; the same erasure folded again (a
  // new projector replaying the log) leaves that key alone, a later one does not.
  clock.advance(std::chrono::milliseconds(5));
  auto later = vault.seal(kAlice, "new");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(opened(vault, *later), "new");
  ASSERT_TRUE(vault.erase(kAlice, erased_at).ok());
  EXPECT_EQ(opened(vault, *later), "new");
  EXPECT_EQ(opened(vault, renamed), std::nullopt);
  ASSERT_TRUE(vault.erase(kAlice, clock.now()).ok());
  EXPECT_EQ(opened(vault, *later), std::nullopt);
}

TEST(RocksKeyStore, ErasureDropsTheKeyBytesFromEveryFile) {
  TempDir dir;
  auto store = RocksKeyStore::open(dir.str() + "/keys");
  ASSERT_TRUE(store.ok());
  const std::string marker = "WRAPPED-KEY-BYTES-0123456789abcdef";
  ASSERT_TRUE((*store)->put(kAlice, {"k1", marker}).ok());
  ASSERT_TRUE((*store)->put(UserId{"bob"}, {"k2", "bob's key"}).ok());
  EXPECT_NE(all_file_bytes(dir.str()).find(marker), std::string::npos) << "the WAL holds it first";
  ASSERT_TRUE((*store)->erase(kAlice, UnixMs{1}).ok());  // ids without a time count as made at 0
  auto gone = (*store)->any_key(kAlice);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(*gone);
  // RocksDB deletes the obsolete WAL and tables as the flush and compaction finish.
  EXPECT_TRUE(eventually([&] { return all_file_bytes(dir.str()).find(marker) == std::string::npos; }))
      << "the erased key's bytes are still in a file under " << dir.str();
  auto bob = (*store)->wrapped_key(UserId{"bob"}, "k2");
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(*bob, "bob's key");
}

// Two processes' worth of stores on one keys topic: a key one makes, the other finds; an erasure
// one makes, the other learns; a store opened later never sees the key.
TEST(KafkaKeyStore, AKeyMadeOrErasedByOneProcessIsSeenByAnotherOnARealBroker) {
  auto topics = testing::real_kafka_topics(2);
  ASSERT_TRUE(topics);
  auto writer_store = KafkaKeyStore::open(*topics);
  auto reader_store = KafkaKeyStore::open(*topics);
  ASSERT_TRUE(writer_store.ok()) << writer_store.error().message;
  ASSERT_TRUE(reader_store.ok()) << reader_store.error().message;
  SystemClock clock;
  Vault writer(**writer_store, kMasterKey, clock);
  Vault reader(**reader_store, kMasterKey, clock);
  auto sealed = writer.seal(kAlice, "Alice Rahasia");
  auto bobs = writer.seal(UserId{"bob"}, "Bob");
  ASSERT_TRUE(sealed.ok() && bobs.ok());
  ASSERT_TRUE(writer.make_durable().ok());  // as the processor does before it appends
  EXPECT_EQ(opened(reader, *sealed), "Alice Rahasia") << "the reader waits until it has read the key";

  ASSERT_TRUE(writer.erase(kAlice, clock.now()).ok());
  EXPECT_TRUE(eventually([&] { return opened(reader, *sealed) == std::nullopt; }))
      << "the reader never learnt of the tombstone";
  auto late_store = KafkaKeyStore::open(*topics);
  ASSERT_TRUE(late_store.ok());
  Vault late(**late_store, kMasterKey, clock);
  EXPECT_EQ(opened(late, *sealed), std::nullopt);
  EXPECT_EQ(opened(late, *bobs), "Bob");
  auto none = (*late_store)->any_key(kAlice);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

// The processor seals before it evolves its state, so the state, and the snapshots written from
// it (here after every batch), hold the sealed text only; the API's opening is the one place the
// text is in the clear again.
TEST(PersonalData, TheProcessorsStateAndSnapshotsHoldOnlySealedText) {
  TempDir dir;
  NodeConfig config;
  config.data_dir = dir.str();
  config.partitions = 2;
  config.processor.snapshot_every_events = 1;
  auto node = EmbeddedNode::open(config);
  ASSERT_TRUE(node.ok()) << node.error().message;
  ASSERT_TRUE((*node)->start().ok());
  const std::string name = "Ketut Snapshot-Rahasia";
  CommandOutcome outcome = testing::call((*node)->bus(), "reg", RegisterUser{kAlice, "ID", name});
  ASSERT_EQ(outcome.kind, CommandOutcome::Kind::accepted);
  const auto& registered = std::get<UserRegistered>(outcome.event);
  EXPECT_TRUE(is_sealed(registered.display_name)) << registered.display_name;
  PartitionState state = (*node)->processors().processor(partition_for("alice", 2)).state_copy();
  ASSERT_NE(state.find_user(kAlice), nullptr);
  EXPECT_EQ(state.find_user(kAlice)->display_name, registered.display_name);
  auto opened = (*node)->vault().open(registered.display_name);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, name);
  (*node)->stop();
  node->reset();
  EXPECT_EQ(all_file_bytes(dir.str()).find(name), std::string::npos) << "the name in the clear under " << dir.str();
  EXPECT_NE(all_file_bytes(dir.str() + "/state").find("mj-sealed:v1:alice:"), std::string::npos)
      << "no snapshot with the sealed name: the test would prove nothing";
}

// Through handle(), in process: sealed text is opened only as a whole JSON string of the log's,
// never when someone writes it into their own text, whole (refused) or inside (left as it is).
TEST(PersonalData, NoOneCanHaveTheApiOpenAnothersSealedText) {
  TempDir dir;
  NodeConfig config;
  config.data_dir = dir.str();
  config.partitions = 2;
  auto node = EmbeddedNode::open(config);
  ASSERT_TRUE(node.ok() && (*node)->start().ok());
  ApiConfig api;
  api.jwt_secret = "handle-secret";
  ApiContext context((*node)->bus(), (*node)->reads(), (*node)->progress(), (*node)->clock(), api);
  context.vault = &(*node)->vault();
  auto call = [&](const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& min_position = "") {
    Request request{method, target, {}, body};
    request.headers["authorization"] = "Bearer " + testing::token(api.jwt_secret, user, "worker");
    if (!min_position.empty()) request.headers["x-min-position"] = min_position;
    std::promise<Response> answered;
    handle(request, context, [&](Response response) { answered.set_value(std::move(response)); });
    return answered.get_future().get();
  };
  CommandOutcome bob = testing::call((*node)->bus(), "reg-bob", RegisterUser{UserId{"bob"}, "ID", "Bob Rahasia"});
  ASSERT_EQ(bob.kind, CommandOutcome::Kind::accepted);
  const std::string sealed = std::get<UserRegistered>(bob.event).display_name;
  ASSERT_TRUE(is_sealed(sealed));

  Response whole = call("mallory", "PUT", "/v1/users/mallory", R"({"country":"ID","display_name":")" + sealed + R"("})");
  EXPECT_EQ(whole.status, 400) << whole.body;
  EXPECT_NE(whole.body.find("invalid_field"), std::string::npos) << whole.body;
  const std::string inside = "x\\\"" + sealed;  // x\"mj-sealed:…, as JSON: x\ then a quote
  Response put = call("mallory", "PUT", "/v1/users/mallory", R"({"country":"ID","display_name":")" + inside + R"("})");
  ASSERT_EQ(put.status, 200) << put.body;
  Response read = call("mallory", "GET", "/v1/users/mallory", "", std::string(put.header("X-Position")));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.body.find("Bob Rahasia"), std::string::npos) << read.body;
  EXPECT_NE(read.body.find(sealed), std::string::npos) << "mallory's own text, as she wrote it: " << read.body;
  // The very same profile again appends nothing: the API sends the stored (sealed) name.
  Response same = call("mallory", "PUT", "/v1/users/mallory", R"({"country":"ID","display_name":")" + inside + R"("})");
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.header("X-Position"), "") << "a second event for the same profile";
  Response bobs = call("mallory", "GET", "/v1/users/bob", "", std::string(put.header("X-Position")));
  EXPECT_NE(bobs.body.find("Bob Rahasia"), std::string::npos) << "bob's own name is opened: " << bobs.body;
}

// Every record value of a local log, and every value of a read-model store.
std::string log_and_read_model_bytes(const std::string& data_dir) {
  std::string bytes;
  auto log = LocalEventLog::open_read_only(data_dir + "/log");
  EXPECT_TRUE(log.ok());
  if (!log.ok()) return bytes;
  for (std::int32_t p = 0; p < (*log)->partitions(); ++p) {
    auto records = (*log)->read(p, 0, 1'000'000);
    EXPECT_TRUE(records.ok());
    if (records.ok()) {
      for (const LogRecord& record : *records) bytes += record.value;
    }
  }
  auto read = RocksReadStore::open(data_dir + "/read");
  EXPECT_TRUE(read.ok());
  if (read.ok()) {
    (*read)->scan("", "", [&](std::string_view key, std::string_view value) {
      bytes.append(key).append(value);
      return true;
    });
  }
  return bytes;
}

TEST(PersonalData, IsSealedInTheLogAndUnreadableEverywhereOnceErased) {
  TempDir dir;
  constexpr char kSecret[] = "personal-data-test-secret";
  testing::ServerProcess server(dir.str(), kSecret);
  ASSERT_TRUE(server.start()) << "see " << dir.str() << "/server.log";
  testing::HttpClient client(server.port());
  testing::PersonalDataCampaign campaign(client, kSecret, "");
  campaign.play();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  campaign.erase_worker();
  ASSERT_TRUE(server.stop());

  // Records and views as the node reads them, and every file as a thief would.
  campaign.expect_sealed_only(log_and_read_model_bytes(dir.str()), "the log and the read models");
  const std::string files = all_file_bytes(dir.str());
  const testing::PersonalTexts& texts = campaign.texts();
  for (const std::string* text : {&texts.name, &texts.instructions, &texts.proof, &texts.destination}) {
    EXPECT_EQ(files.find(*text), std::string::npos) << "\"" << *text << "\" in a file under " << dir.str();
  }
  auto keys = RocksKeyStore::open(dir.str() + "/keys");
  ASSERT_TRUE(keys.ok());
  auto worker_key = (*keys)->any_key(UserId{campaign.texts().worker});
  auto employer_key = (*keys)->any_key(UserId{campaign.texts().employer});
  ASSERT_TRUE(worker_key.ok() && employer_key.ok());
  EXPECT_FALSE(*worker_key) << "the erased worker still has a key";
  EXPECT_TRUE(*employer_key);
  keys->reset();

  // The hash chains are over the sealed bytes, which erasure did not touch.
  testing::Ran audit = testing::run_command(testing::microjobs_binary() + " audit --data-dir " + dir.str());
  EXPECT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_NE(audit.out.find("\"violations\":0"), std::string::npos) << audit.out;
}

}  // namespace
}  // namespace microjobs
