// libFuzzer: HTTP requests as bytes, through Beast's parser with the server's limits, into
// handle(): routing, authentication, every query and JSON body of every route, the command ids,
// the read side over real (empty) RocksDB read models. The first byte chooses who is asking:
// no one, or alice or bob in one of the five roles (so own and foreign resources both occur). No
// request may crash, trip a sanitizer or an assertion, or answer a 5xx other than the 503s of
// the protocol; every error must be problem+json. The write side is not here: commands are
// answered by a bus that rejects them (the processors have the simulation).
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/beast_request.h"
#include "api/http.h"
#include "commands/clock.h"
#include "domain/assert.h"
#include "infra/rocksdb/stores.h"
#include "projections/projector.h"
#include "projections/read_models.h"
#include "tests/fuzz/fuzz_support.h"

namespace microjobs {
namespace {

namespace http = boost::beast::http;

struct World {
  FuzzStores stores;
  ManualClock clock{kFuzzNow};
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  RejectingBus bus;
  ApiContext context{bus, read_models, projector, clock, fuzz_api_config()};
  std::vector<std::string> tokens = fuzz_tokens();
};

World& world() {
  static World* instance = new World();  // lives for the whole run; never destroyed mid-input
  return *instance;
}

std::optional<Request> parse(std::string_view bytes, const ApiConfig& config) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(config.body_limit);
  parser.header_limit(static_cast<std::uint32_t>(config.header_limit));
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  (void)used;
  if (ec == http::error::need_more && !parser.is_done()) parser.put_eof(ec);
  if (!parser.is_done()) return std::nullopt;
  auto beast_request = parser.release();
  return to_request(beast_request);
}

}  // namespace
}  // namespace microjobs

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace microjobs;
  if (size == 0) return 0;
  World& w = world();
  auto request = parse(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                       w.context.config);
  if (!request) return 0;
  const std::string& token = w.tokens[data[0] % w.tokens.size()];
  if (!token.empty() && request->header("authorization").empty()) {
    request->headers["authorization"] = "Bearer " + token;
  }
  std::promise<Response> answered;
  handle(*request, w.context, [&answered](Response response) { answered.set_value(std::move(response)); });
  Response response = answered.get_future().get();
  check_response(response);
  return 0;
}
