// Webhooks end to end: `microjobs serve --webhooks-allow-private` delivering to a receiver on
// loopback written with Python's standard library (webhook_receiver.py), which answers 503 to the
// first two attempts of every event and checks every signature with the secret the API showed.
// Also the URL rules the API and the deliverer share, and the deliverer's refusal to connect to a
// private address when not allowed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "api/auth.h"
#include "commands/clock.h"
#include "http_client.h"
#include "http_json.h"
#include "run_command.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/events.h"
#include "infra/rocksdb/stores.h"
#include "infra/webhook/deliverer.h"
#include "infra/webhook/http_post.h"
#include "infra/webhook/signature.h"
#include "server_process.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::auth;
using testing::eventually;
using testing::object_of;
using testing::str;
using testing::HttpClient;
using testing::HttpResult;
using testing::ServerProcess;
using testing::TempDir;

constexpr char kSecret[] = "webhook-test-secret";

std::string token(const std::string& user, const std::string& role) {
  return testing::token(kSecret, user, role);
}


std::vector<json::object> read_lines(const std::string& path) {
  std::vector<json::object> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(object_of(line));
  return lines;
}

class Webhooks : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(receiver_dir());
    ASSERT_TRUE(start_receiver(2, 0));
    ASSERT_TRUE(start_server());
  }

  // On `port`, or any free one for 0.
  bool start_receiver(int fail_first, int port) {
    bool started = receiver_.launch(
        {"/usr/bin/python3", MICROJOBS_SOURCE_DIR "/tests/system/webhook_receiver.py", "--port-file",
         receiver_dir() + "/port", "--secret-file", receiver_dir() + "/secret", "--log", receiver_log(),
         "--fail-first", std::to_string(fail_first), "--port", std::to_string(port)},
        receiver_dir() + "/port");
    EXPECT_TRUE(started) << "see " << receiver_dir() << "/server.log";
    return started;
  }

  bool start_server() {
    bool started = server_.start({"--webhooks-allow-private", "--webhooks-first-retry-ms", "20"});
    EXPECT_TRUE(started) << "see " << dir_.str() << "/server.log";
    if (started) client_ = std::make_unique<HttpClient>(server_.port());
    return started;
  }

  // Registers emp.h1 for the campaign's event types, to the receiver; its secret goes where the
  // receiver reads it.
  void register_webhook() {
    register_user("emp", "employer");
    for (const char* worker : {"w1", "w2", "w3"}) register_user(worker, "worker");
    ASSERT_EQ(as(token("bank", "payments"), "POST", "/v1/deposits",
                 R"({"account":"emp","amount":"10.00","reference":"r1"})").status, 201);
    const std::string url = "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/hooks/microjobs";
    HttpResult registered = as(token("emp", "employer"), "POST", "/v1/webhooks",
                               R"({"url":")" + url + R"(","events":["task.posted.v1","slot.claimed.v1",)"
                               R"("proof.submitted.v1","submission.approved.v1"]})");
    ASSERT_EQ(registered.status, 201) << registered.body;
    json::object hook = object_of(registered.body);
    EXPECT_EQ(str(hook, "webhook_id"), "emp.h1");
    const std::string secret = str(hook, "secret");
    EXPECT_EQ(secret.size(), 64u);
    std::ofstream(receiver_dir() + "/secret") << secret << "\n";
  }

  // The receiver's log once it has accepted `count` deliveries.
  std::vector<json::object> accepted_lines(int count) {
    std::vector<json::object> lines;
    bool all = eventually([&] {
      lines = read_lines(receiver_log());
      return std::count_if(lines.begin(), lines.end(),
                           [](const json::object& line) { return line.at("status").as_int64() == 200; }) >= count;
    }, std::chrono::seconds(60));
    EXPECT_TRUE(all) << "the receiver's log: " << receiver_log();
    return lines;
  }

  json::array deliveries() {
    HttpResult page = as(token("emp", "employer"), "GET", "/v1/webhooks/emp.h1/deliveries");
    return object_of(page.body)["items"].as_array();
  }

  std::string receiver_dir() const { return dir_.str() + "/receiver"; }
  std::string receiver_log() const { return receiver_dir() + "/deliveries.jsonl"; }

  HttpResult as(const std::string& bearer, const std::string& method, const std::string& target,
                const std::string& body = "", std::map<std::string, std::string> more = {}) {
    return client_->request(method, target, body, auth(bearer, std::move(more)));
  }

  // Registers a user and waits until the read models have it (claims look workers up there).
  void register_user(const std::string& user, const std::string& role) {
    HttpResult put = as(token(user, role), "PUT", "/v1/users/" + user, R"({"country":"US"})");
    ASSERT_EQ(put.status, 200) << put.body;
    HttpResult seen = as(token(user, role), "GET", "/v1/users/" + user, "",
                         {{"X-Min-Position", put.header("x-position")}});
    ASSERT_EQ(seen.status, 200) << seen.body;
  }

  // A task of three slots, each claimed, submitted and approved: ten events of the subscribed
  // types on the employer's stream, and a deposit, which is not subscribed.
  void play_campaign() {
    const std::string employer = token("emp", "employer");
    HttpResult posted = as(employer, "POST", "/v1/tasks", R"({"title":"Try the app","reward":"0.10","slots":3})");
    ASSERT_EQ(posted.status, 201) << posted.body;
    const std::string task = str(object_of(posted.body), "task_id");
    for (const char* worker : {"w1", "w2", "w3"}) {
      HttpResult claim = as(token(worker, "worker"), "POST", "/v1/tasks/" + task + "/claims");
      ASSERT_EQ(claim.status, 201) << claim.body;
      const std::string claim_id = str(object_of(claim.body), "claim_id");
      HttpResult submitted = as(token(worker, "worker"), "POST", "/v1/claims/" + claim_id + "/submission",
                                R"({"proof":"done"})");
      ASSERT_EQ(submitted.status, 200) << submitted.body;
      HttpResult approved = as(employer, "POST", "/v1/claims/" + claim_id + "/approve", "{}");
      ASSERT_EQ(approved.status, 200) << approved.body;
    }
    HttpResult deposit = as(token("bank", "payments"), "POST", "/v1/deposits",
                            R"({"account":"emp","amount":"1.00","reference":"after-the-webhook"})");
    ASSERT_EQ(deposit.status, 201) << deposit.body;
  }

  TempDir dir_;
  ServerProcess receiver_{dir_.str() + "/receiver", kSecret};
  ServerProcess server_{dir_.str(), kSecret};
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Webhooks, EveryEventIsDeliveredSignedInOrderThroughFailedAttempts) {
  register_webhook();
  play_campaign();
  // Every attempt signed; each event tried three times (503, 503, 200) and the next event only
  // after it: in order, at least once, and not again once accepted.
  std::vector<json::object> lines = accepted_lines(10);
  ASSERT_EQ(lines.size(), 30u);
  std::vector<std::string> types;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(lines[i].at("signature_ok").as_bool()) << i;
    EXPECT_EQ(lines[i].at("attempt").as_int64(), static_cast<std::int64_t>(i % 3 + 1)) << i;
    EXPECT_EQ(lines[i].at("status").as_int64(), i % 3 == 2 ? 200 : 503) << i;
    EXPECT_EQ(str(lines[i], "event_id"), str(lines[i - i % 3], "event_id")) << i;
    EXPECT_EQ(str(lines[i], "event_id"), str(lines[i], "body_id")) << i;
    if (i % 3 == 2) types.push_back(str(lines[i], "type"));
  }
  EXPECT_EQ(types.front(), "task.posted.v1");
  EXPECT_EQ(std::count(types.begin(), types.end(), "slot.claimed.v1"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "submission.approved.v1"), 3);
  EXPECT_EQ(std::count(types.begin(), types.end(), "funds.deposited.v1"), 0);
  for (std::size_t i = 3; i < lines.size(); i += 3) {
    const std::string& previous = str(lines[i - 3], "event_id");
    const std::string& current = str(lines[i], "event_id");
    EXPECT_LT(std::stoll(previous.substr(previous.find('-') + 1)), std::stoll(current.substr(current.find('-') + 1)))
        << "in the stream's order";
  }

  // The delivery log, as the employer reads it: every attempt, paged.
  const std::string employer = token("emp", "employer");
  json::array items;
  bool logged = eventually([&] {
    items = deliveries();
    return items.size() == 10 && str(items.back().as_object(), "status") == "delivered";
  }, std::chrono::seconds(10));
  ASSERT_TRUE(logged) << json::serialize(items);
  // Every delivery is recorded as delivered: an attempt that came after its 200 would be here.
  EXPECT_EQ(read_lines(receiver_log()).size(), 30u) << "a late duplicate in " << receiver_log();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json::object& delivery = items[i].as_object();
    EXPECT_EQ(delivery.at("delivery").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(str(delivery, "status"), "delivered");
    EXPECT_EQ(str(delivery, "event_id"), str(lines[3 * i], "event_id"));
    EXPECT_EQ(delivery.at("attempt_count").as_int64(), 3);
    const json::array& attempts = delivery.at("attempts").as_array();
    ASSERT_EQ(attempts.size(), 3u);
    EXPECT_EQ(attempts[0].at("status").as_int64(), 503);
    EXPECT_EQ(attempts[2].at("status").as_int64(), 200);
  }
  HttpResult first = as(employer, "GET", "/v1/webhooks/emp.h1/deliveries?limit=4");
  EXPECT_EQ(str(object_of(first.body), "next_cursor"), "4");
  EXPECT_EQ(as(token("w1", "worker"), "GET", "/v1/webhooks/emp.h1/deliveries").status, 403);
  EXPECT_EQ(as(token("emp2", "employer"), "GET", "/v1/webhooks/emp.h1/deliveries").status, 403);
  EXPECT_EQ(as(employer, "GET", "/v1/webhooks/emp.h9/deliveries").status, 404);
}

// The receiver is down while the campaign runs and the server restarts while the first delivery
// waits for its retry: after the restart every event still arrives, once, in order.
TEST_F(Webhooks, PendingDeliveriesSurviveARestartOfTheServer) {
  register_webhook();
  const int port = receiver_.port();
  receiver_.stop(SIGKILL);  // gone: every attempt is refused
  play_campaign();
  bool failing = eventually([&] {
    json::array items = deliveries();
    return !items.empty() && items[0].at("attempt_count").as_int64() >= 2;
  }, std::chrono::seconds(30));
  ASSERT_TRUE(failing);
  json::array before = deliveries();
  EXPECT_EQ(str(before[0].as_object(), "status"), "pending");
  EXPECT_NE(str(before[0].at("attempts").as_array()[0].as_object(), "error"), "");
  ASSERT_TRUE(server_.stop());

  ASSERT_TRUE(start_receiver(0, port));
  ASSERT_TRUE(start_server());
  std::vector<json::object> lines = accepted_lines(10);
  ASSERT_EQ(lines.size(), 10u);
  std::set<std::string> ids;
  for (const json::object& line : lines) {
    EXPECT_TRUE(line.at("signature_ok").as_bool());
    ids.insert(str(line, "event_id"));
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(str(lines.front(), "type"), "task.posted.v1");
}

TEST(WebhookUrls, ParsedWithBoostUrlAndPrivateAddressesKnown) {
  auto target = parse_webhook_url("https://hooks.example.com:8443/a/b?c=1");
  ASSERT_TRUE(target.ok());
  EXPECT_TRUE(target->tls);
  EXPECT_EQ(target->host, "hooks.example.com");
  EXPECT_EQ(target->port, "8443");
  EXPECT_EQ(target->target, "/a/b?c=1");
  EXPECT_EQ(parse_webhook_url("http://[::1]/x")->host, "::1");
  EXPECT_EQ(parse_webhook_url("http://example.com")->target, "/");
  for (const char* bad : {"ftp://example.com/", "http://user:pw@example.com/", "http://example.com/#frag",
                          "example.com/hook", "http:///path"}) {
    EXPECT_FALSE(parse_webhook_url(bad).ok()) << bad;
  }
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::",
                         "fe80::1", "fd00::1", "::ffff:10.0.0.1", "198.18.0.1", "64:ff9b::a00:5",
                         "64:ff9b:1::1", "2002:a00:5::1", "::10.0.0.5", "fec0::1", "2001:0:4136:e378::1",
                         "2130706433", "0x7f.1", "127.1"}) {
    EXPECT_TRUE(is_private_address(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "example.com",
                         "64:ff9b::808:808", "2002:808:808::1"}) {
    EXPECT_FALSE(is_private_address(ip)) << ip;
  }
  EXPECT_NE(refused_webhook_host(*parse_webhook_url("http://LOCALHOST:80/"), false), "");
  EXPECT_EQ(refused_webhook_host(*parse_webhook_url("http://127.0.0.1/"), true), "");
}

// The deliverer checks the addresses it connects to: a name that resolves to loopback only is
// refused without a connection, whatever the URL said at registration.
TEST(WebhookDelivery, APrivateAddressIsRefusedAtDeliveryUnlessAllowed) {
  auto target = parse_webhook_url("http://localhost:9/hook");
  ASSERT_TRUE(target.ok());
  PostResult refused = http_post(*target, {}, "{}", std::chrono::milliseconds(2000), false);
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(refused.error.find("private addresses only"), std::string::npos) << refused.error;
  PostResult tried = http_post(*target, {}, "{}", std::chrono::milliseconds(2000), true);
  EXPECT_EQ(tried.status, 0);
  EXPECT_EQ(tried.error.find("private addresses only"), std::string::npos) << tried.error;
}

// HTTPS: the deliverer verifies the receiver's certificate against the system's CA store (here
// SSL_CERT_FILE, a self-signed certificate made with the openssl command) and its name.
TEST(WebhookDelivery, HttpsVerifiesTheCertificateAndTheName) {
  TempDir dir;
  const std::string cert = dir.str() + "/cert.pem", key = dir.str() + "/key.pem";
  testing::Ran made = testing::run_command(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost -keyout " + key + " -out " + cert);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  std::ofstream(dir.str() + "/secret") << "s\n";
  ServerProcess receiver(dir.str(), kSecret);
  ASSERT_TRUE(receiver.launch({"/usr/bin/python3", MICROJOBS_SOURCE_DIR "/tests/system/webhook_receiver.py",
                               "--port-file", dir.str() + "/port", "--secret-file", dir.str() + "/secret",
                               "--log", dir.str() + "/log.jsonl", "--tls-cert", cert, "--tls-key", key},
                              dir.str() + "/port"));
  const std::string port = std::to_string(receiver.port());
  const std::string body = R"({"id":"0-1","type":"task.posted.v1"})";
  const char* outside = std::getenv("SSL_CERT_FILE");
  const std::string saved = outside ? outside : "";
  auto post = [&](const std::string& url) {
    const std::int64_t now = SystemClock().now().value / 1000;
    return http_post(*parse_webhook_url(url),
                     {{"X-Microjobs-Event-Id", "0-1"}, {"X-Microjobs-Signature", webhook_signature("s", now, body)}},
                     body, std::chrono::milliseconds(5000), true);
  };
  unsetenv("SSL_CERT_FILE");
  PostResult untrusted = post("https://localhost:" + port + "/hook");
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_NE(untrusted.error.find("certificate verify failed"), std::string::npos) << untrusted.error;
  setenv("SSL_CERT_FILE", cert.c_str(), 1);
  PostResult trusted = post("https://localhost:" + port + "/hook");
  EXPECT_EQ(trusted.status, 200) << trusted.error;
  PostResult wrong_name = post("https://127.0.0.1:" + port + "/hook");  // the certificate names localhost
  EXPECT_EQ(wrong_name.status, 0);
  EXPECT_NE(wrong_name.error.find("certificate verify failed"), std::string::npos) << wrong_name.error;
  if (outside) setenv("SSL_CERT_FILE", saved.c_str(), 1); else unsetenv("SSL_CERT_FILE");
  receiver.stop(SIGKILL);
}

// The deliverer alone, with a manual clock, a local log and a target that refuses every
// connection: retries back off, and the 24 h window of each delivery runs from its own first
// attempt, so one queued behind a failing one is not given up with it.
TEST(WebhookDeliverer, GivesUpADeliveryADayAfterItsFirstAttemptOnly) {
  TempDir dir;
  auto log = LocalEventLog::open(dir.str() + "/log", 1);
  auto store = RocksReadStore::open(dir.str() + "/webhooks");
  ASSERT_TRUE(log.ok() && store.ok());
  std::string last_hash = kZeroHash;
  std::int64_t seq = 0;
  auto append = [&](const Event& event) {
    ++seq;
    EnvelopeMeta meta{event_id(0, seq), event_source(0), UnixMs{1'795'000'000'000}, "emp", seq,
                      "cmd-" + std::to_string(seq), last_hash};
    std::string value = encode_envelope(meta, event);
    last_hash = sha256_hex(value);
    std::vector<RecordView> one = {{"emp", value}};
    ASSERT_TRUE((*log)->append(0, one).ok());
  };
  append(WebhookRegistered{WebhookId{"emp.h1"}, UserId{"emp"}, "http://127.0.0.1:1/refused",
                           {"task.paused.v1"}});
  append(TaskPaused{TaskId{"emp.1"}, UserId{"emp"}});
  append(TaskPaused{TaskId{"emp.2"}, UserId{"emp"}});
  ManualClock clock{UnixMs{1'795'000'000'000}};
  WebhookConfig config;
  config.allow_private = true;
  config.attempt_timeout = std::chrono::milliseconds(2000);
  WebhookDeliverer deliverer(**log, **store, clock, config);
  auto delivery = [&](int number) {
    auto page = webhook_deliveries(**store, WebhookId{"emp.h1"}, "", 10);
    return page->items.at(static_cast<std::size_t>(number - 1));
  };
  ASSERT_TRUE(deliverer.step().ok());
  EXPECT_EQ(delivery(1).attempt_count, 1);
  EXPECT_NE(delivery(1).attempts[0].error, "");
  EXPECT_EQ(delivery(2).attempt_count, 0) << "waits behind the first";
  EXPECT_GE(delivery(1).next_attempt_at.value - clock.now().value, config.first_retry.count() / 2);
  ASSERT_TRUE(deliverer.step().ok());
  EXPECT_EQ(delivery(1).attempt_count, 1) << "not due yet";

  clock.advance(std::chrono::hours(25));
  ASSERT_TRUE(deliverer.step().ok());
  EXPECT_EQ(delivery(1).status, "failed");
  EXPECT_EQ(delivery(1).attempt_count, 2);
  EXPECT_EQ(delivery(2).status, "pending") << "its own window starts at its first attempt";
  EXPECT_EQ(delivery(2).attempt_count, 1);

  // A new deliverer on the same store goes on where this one stopped.
  WebhookDeliverer again(**log, **store, clock, config);
  clock.advance(std::chrono::hours(2));
  ASSERT_TRUE(again.step().ok());
  EXPECT_EQ(delivery(2).attempt_count, 2);
  EXPECT_EQ(delivery(2).status, "pending");
}

TEST(WebhookSignature, IsHmacSha256OfTimeDotBody) {
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(webhook_signature("s", 1700000000, "{}"), "t=1700000000,v1=" + hmac_sha256_hex("s", "1700000000.{}"));
  EXPECT_NE(webhook_secret("key", "emp.h1"), webhook_secret("key", "emp.h2"));
  EXPECT_NE(webhook_secret("key", "emp.h1"), webhook_secret("other", "emp.h1"));
}

}  // namespace
}  // namespace microjobs
