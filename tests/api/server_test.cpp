// The Beast server on a loopback port, talked to with a Beast client: keep-alive, pipelining,
// the body and header limits, answers that arrive from another thread, and shutdown with a
// request still in flight.
#include <gtest/gtest.h>

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
  void SetUp() override {
    ApiConfig config;
    config.jwt_secret = std::string(kSecret);
    config.pipeline_limit = 4;
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
  while (bus.sent_count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto start = std::chrono::steady_clock::now();
  server.reset();  // the bus answers after this began; nothing may touch the dead io_context
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
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
