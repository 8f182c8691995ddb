#pragma once
// The HTTP/1.1 server: Beast sessions on an io_context run by ApiConfig::io_threads threads. A
// session only moves bytes: it reads a request (within the body, header and time limits), hands
// it to handle(), and writes the responses back in request order, keeping the connection alive.
// Beast and Asio stay inside server.cpp.
//
// Lifecycle: construct with a context that outlives the server, start() once from one thread,
// stop() (or the destructor) from that thread. stop() drops connections and requests in flight;
// the destructor waits (bounded) until the command bus has answered every request it holds, so
// no answer arrives after the server is gone.
#include <cstdint>
#include <memory>
#include <string_view>

#include "api/http.h"
#include "domain/result.h"

namespace microjobs {

class HttpServer {
 public:
  explicit HttpServer(ApiContext& context);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on `address` ("127.0.0.1", "0.0.0.0", "::1") and `port` (0: any free port) and starts
  // the io threads. Returns the bound port, or why it could not bind.
  Result<std::uint16_t> start(std::string_view address, std::uint16_t port);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace microjobs
