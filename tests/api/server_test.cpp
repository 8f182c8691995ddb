// The Beast server on a loopback port, talked to with a Beast client: keep-alive, pipelining,
// the body and header limits, the connection limit, slow clients cut off, answers that arrive
// from another thread, and shutdown with a request still in flight.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/server.h"
#include "api_test_support.h"
#include "projections/projector.h"
#include "projections/read_models.h"

namespace microjobs {
namespace {

using namespace api_testing;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class ServerTest : public ::testing::Test {
 protected:
  virtual void configure(ApiConfig&) {}
  void SetUp() override {
    ApiConfig config;
    config.jwt_secret = std::string(kSecret);
    config.pipeline_limit = 4;
    configure(config);
    context = std::make_unique<ApiContext>(bus, read_models, projector, clock, config);
    server = std::make_unique<HttpServer>(*context);
    auto bound = server->start("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    port = *bound;
  }
  void TearDown() override {
    server.reset();
    context.reset();
  }

  void connect() {
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> exchange(http::request<http::string_body> request) {
    request.prepare_payload();
    http::write(stream, request);
    return read_response();
  }
  http::response<http::string_body> read_response() {
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return response;
  }
  static http::request<http::string_body> get(std::string target) {
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "localhost");
    return request;
  }
  // True when the server closed the connection (a read sees end of stream).
  bool closed_by_server() {
    beast::error_code ec;
    http::response<http::string_body> response;
    http::read(stream, buffer, response, ec);
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset;
  }

  Stores stores{4};
  ManualClock clock{kNow};
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  RecordingBus bus;
  std::unique_ptr<ApiContext> context;
  std::unique_ptr<HttpServer> server;
  std::uint16_t port = 0;

  net::io_context client_io;
  beast::tcp_stream stream{client_io};
  beast::flat_buffer buffer;
};

TEST_F(ServerTest, KeepsTheConnectionAlive) {
  connect();
  for (int i = 0; i < 3; ++i) {
    auto response = exchange(get("/healthz"));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), R"({"status":"ok"})");
    EXPECT_TRUE(response.keep_alive());
    EXPECT_EQ(response[http::field::content_type], "application/json");
  }
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  connect();
  std::string requests;
  for (std::string target : {"/healthz", "/nowhere", "/healthz", "/v1/tasks", "/healthz",
                             "/nowhere"}) {
    requests += "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }
  net::write(stream.socket(), net::buffer(requests));
  for (int expected : {200, 404, 200, 401, 200, 404}) {
    EXPECT_EQ(read_response().result_int(), expected);
  }
}

TEST_F(ServerTest, CommandAnsweredFromAnotherThreadReachesTheClient) {
  bus.set_reply_delay(std::chrono::milliseconds(20));
  bus.set_answer([](const CommandId&, const Command&) {
    FundsDeposited event;
    event.deposit_id = "dep-emp1-r1";
    event.account = UserId{"emp1"};
    event.amount = Micros{1'000'000};
    event.reference = "r1";
    return accepted(event, {3, 9});
  });
  connect();
  http::request<http::string_body> request{http::verb::post, "/v1/deposits", 11};
  request.set(http::field::authorization, "Bearer " + token_for("pay", {"payments"}));
  request.body() = R"({"account":"emp1","amount":"1.00","reference":"r1"})";
  auto response = exchange(request);
  EXPECT_EQ(response.result_int(), 201) << response.body();
  EXPECT_EQ(response["X-Position"], "3:9");
  EXPECT_EQ(exchange(get("/healthz")).result_int(), 200);  // still alive afterwards
}

TEST_F(ServerTest, EightMebibyteBodyIs413) {
  connect();
  http::request<http::string_body> request{http::verb::post, "/v1/tasks", 11};
  request.set(http::field::authorization, "Bearer " + token_for("emp1", {"employer"}));
  request.body() = std::string(8 << 20, 'x');
  auto response = exchange(request);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_NE(response.body().find("body_too_large"), std::string::npos);
  EXPECT_EQ(response[http::field::content_type], "application/problem+json");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(closed_by_server());
  EXPECT_EQ(bus.sent_count(), 0u);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
  connect();
  auto request = get("/healthz");
  request.set("X-Padding", std::string(9 * 1024, 'p'));
  auto response = exchange(request);
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_NE(response.body().find("headers_too_large"), std::string::npos);
  EXPECT_TRUE(closed_by_server());
}

TEST_F(ServerTest, GarbageIs400ThenClose) {
  connect();
  net::write(stream.socket(), net::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  EXPECT_EQ(read_response().result_int(), 400);
  EXPECT_TRUE(closed_by_server());
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  connect();
  auto request = get("/healthz");
  request.keep_alive(false);
  auto response = exchange(request);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(closed_by_server());
}

TEST_F(ServerTest, ShutdownWaitsForAnAnswerInFlight) {
  bus.set_reply_delay(std::chrono::milliseconds(200));
  connect();
  http::request<http::string_body> request{http::verb::post, "/v1/tasks", 11};
  request.set(http::field::authorization, "Bearer " + token_for("emp1", {"employer"}));
  request.body() = R"({"title":"T","reward":"0.05","slots":1})";
  request.prepare_payload();
  http::write(stream, request);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (bus.sent_count() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(bus.sent_count(), 1u);
  server.reset();  // the bus answers after this began; nothing may touch the dead io_context
  EXPECT_EQ(bus.delayed_replies_done(), 1) << "the server was gone before the answer came";
}

// The limits of what one client may hold: connections, header fields and time.
class ServerLimitsTest : public ServerTest {
 protected:
  void configure(ApiConfig& config) override {
    config.connection_limit = 3;
    config.header_count_limit = 20;
    config.request_timeout = std::chrono::seconds(1);
  }

  // A connection of its own, with one request answered, so the server holds it.
  std::unique_ptr<beast::tcp_stream> held_connection() {
    auto held = std::make_unique<beast::tcp_stream>(client_io);
    held->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    auto request = get("/healthz");
    http::write(*held, request);
    beast::flat_buffer held_buffer;
    http::response<http::string_body> response;
    http::read(*held, held_buffer, response);
    EXPECT_EQ(response.result_int(), 200);
    return held;
  }

  // Sends `bytes` one at a time, one per 100 ms, until the server closes the connection (true)
  // or `deadline` passes first (false). Anything the server sends instead is a failure too.
  static bool trickle_until_closed(tcp::socket& socket, std::string_view bytes,
                                   std::chrono::seconds deadline) {
    const int fd = socket.native_handle();
    const auto end = std::chrono::steady_clock::now() + deadline;
    std::size_t next = 0;
    while (std::chrono::steady_clock::now() < end) {
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, 100) > 0) {
        char received[512];
        return ::recv(fd, received, sizeof received, 0) <= 0;
      }
      if (next < bytes.size()) (void)::send(fd, &bytes[next++], 1, MSG_NOSIGNAL);
    }
    return false;
  }
};

TEST_F(ServerLimitsTest, TooManyHeaderFieldsAre431ThenClose) {
  connect();
  auto request = get("/healthz");
  for (int i = 0; i < 20; ++i) request.set("X-Field-" + std::to_string(i), "v");
  auto response = exchange(request);  // 21 fields with Host
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_NE(response.body().find("headers_too_large"), std::string::npos);
  EXPECT_NE(response.body().find("more than 20 header fields"), std::string::npos);
  EXPECT_TRUE(closed_by_server());
}

TEST_F(ServerLimitsTest, AConnectionBeyondTheLimitIs503ThenClosedUntilOneIsFree) {
  auto first = held_connection();
  auto second = held_connection();
  auto third = held_connection();
  connect();
  auto refused = read_response();  // answered before any request is sent
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_NE(refused.body().find("too_many_connections"), std::string::npos);
  EXPECT_EQ(refused["Retry-After"], "1");
  EXPECT_TRUE(closed_by_server());
  first.reset();  // frees a place once the server has seen the close
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    beast::tcp_stream retry(client_io);
    retry.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    auto request = get("/healthz");
    http::write(retry, request);
    beast::flat_buffer retry_buffer;
    http::response<http::string_body> response;
    http::read(retry, retry_buffer, response);
    served = response.result_int() == 200;
  }
  EXPECT_TRUE(served);
}

// Slowloris: headers that never end, one byte at a time, are cut off at the request timeout,
// however steadily the bytes come.
TEST_F(ServerLimitsTest, HeadersTrickledSlowerThanTheRequestTimeoutAreCutOff) {
  connect();
  net::write(stream.socket(), net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
  EXPECT_TRUE(trickle_until_closed(stream.socket(), "X-Slow: " + std::string(400, 'a'),
                                   std::chrono::seconds(20)));
}

TEST_F(ServerLimitsTest, ABodyTrickledSlowerThanTheRequestTimeoutIsCutOff) {
  connect();
  net::write(stream.socket(),
             net::buffer(std::string("POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n")));
  EXPECT_TRUE(trickle_until_closed(stream.socket(), std::string(400, 'a'), std::chrono::seconds(20)));
  EXPECT_EQ(bus.sent_count(), 0u);
}

TEST(HttpServer, ReportsAnAddressItCannotUse) {
  Stores stores{1};
  ManualClock clock{kNow};
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  RecordingBus bus;
  ApiConfig config;
  config.jwt_secret = "s";
  ApiContext context{bus, read_models, projector, clock, config};
  HttpServer server(context);
  EXPECT_FALSE(server.start("not-an-address", 0).ok());
}

}  // namespace
}  // namespace microjobs
