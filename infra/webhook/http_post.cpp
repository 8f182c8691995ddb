#include "infra/webhook/http_post.h"

#include "infra/webhook/address_rule.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>

namespace microjobs {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// One POST on a connected stream (plain or TLS); fills `result`.
template <class Stream>
asio::awaitable<void> exchange(Stream& stream, const WebhookTarget& target,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string_view body, PostResult& result) {
  http::request<http::string_body> request{http::verb::post, target.target, 11};
  const bool v6 = target.host.find(':') != std::string::npos;
  const bool default_port = target.port == (target.tls ? "443" : "80");
  request.set(http::field::host, (v6 ? "[" + target.host + "]" : target.host) +
                                     (default_port ? "" : ":" + target.port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::use_awaitable);
  // Only the status counts: the body is not read (a large one must not fail a 2xx), and the
  // connection is closed after.
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
  result.status = static_cast<int>(parser.get().result_int());
}

asio::awaitable<void> post(const WebhookTarget& target,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body, std::chrono::milliseconds timeout,
                           bool allow_private, PostResult& result) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto resolved = co_await resolver.async_resolve(target.host, target.port, asio::use_awaitable);
  std::vector<tcp::endpoint> allowed;
  for (const auto& entry : resolved) {
    if (allow_private || !is_private_address(entry.endpoint().address())) allowed.push_back(entry.endpoint());
  }
  if (allowed.empty()) {
    result.error = target.host + " resolves to private addresses only: refused";
    co_return;
  }
  if (!target.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    co_await stream.async_connect(allowed, asio::use_awaitable);
    co_await exchange(stream, target, headers, body, result);
    co_return;
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();  // the system's CA store (or SSL_CERT_FILE)
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) {
    result.error = "TLS: cannot set the server name";
    co_return;
  }
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await beast::get_lowest_layer(stream).async_connect(allowed, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_await exchange(stream, target, headers, body, result);
}

}  // namespace

PostResult http_post(const WebhookTarget& target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body, std::chrono::milliseconds timeout, bool allow_private) {
  PostResult result;
  asio::io_context io;
  asio::co_spawn(io, post(target, headers, body, timeout, allow_private, result),
                 [&result](std::exception_ptr failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& error) {
                     result.status = 0;
                     result.error = error.what();
                   }
                 });
  // The resolver has no deadline of its own: the whole exchange stops at twice the timeout.
  io.run_for(2 * timeout);
  if (!io.stopped() && result.status == 0 && result.error.empty()) result.error = "timed out";
  return result;
}

}  // namespace microjobs
