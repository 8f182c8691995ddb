#include "http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace microjobs::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Longer than any wait the server itself bounds (X-Min-Position, a command's answer).
constexpr std::chrono::seconds kExchangeTimeout{120};

struct HttpClient::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;

  void connect(int port) {
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    stream.expires_never();
    connected = true;
  }
  HttpResult read_response() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    HttpResult result;
    if (ec) {
      connected = false;
      result.status = -1;
      result.body = ec.message();
      return result;
    }
    auto& response = parser.get();
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      result.headers[name] = std::string(field.value());
    }
    result.body = response.body();
    if (!response.keep_alive()) connected = false;
    return result;
  }
};

HttpClient::HttpClient(int port) : impl_(std::make_unique<Impl>()), port_(port) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  if (!impl_->connected) {
    impl_ = std::make_unique<Impl>();
    impl_->connect(port_);
  }
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  beast::error_code ec;
  impl_->stream.expires_after(kExchangeTimeout);  // a wedged server fails the test, not hangs it
  http::write(impl_->stream, request, ec);
  if (ec) {
    impl_->connected = false;
    return HttpResult{-1, {}, ec.message()};
  }
  return impl_->read_response();
}

HttpResult HttpClient::raw(const std::string& bytes) {
  impl_ = std::make_unique<Impl>();
  impl_->connect(port_);
  beast::error_code ec;
  asio::write(impl_->stream.socket(), asio::buffer(bytes), ec);
  // The server may answer and close before reading everything; the answer is what counts.
  return impl_->read_response();
}

}  // namespace microjobs::testing
