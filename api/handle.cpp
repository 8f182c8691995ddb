// handle(): routing, authentication, idempotency keys and read-your-writes waits; then one handler.

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <exception>
#include <optional>
#include <variant>

#include <spdlog/spdlog.h>

#include "api/handlers.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/page_cache.h"
#include "api/polling_waiter.h"
#include "api/problem.h"
#include "api/rate_limiter.h"
#include "api/routes.h"
#include "commands/personal_data_vault.h"
#include "domain/codec/json_writer.h"
#include "domain/codec/schema.h"
#include "domain/personal_data.h"
#include "projections/progress.h"

namespace microjobs {
namespace {

constexpr std::size_t kMaxIdempotencyKeyBytes = 128;

// What the metrics call a request: the route table's method and pattern, or a fixed name.
struct RouteName {
  std::string_view method;
  std::string_view pattern = "unmatched";
};

// Everything handle() works out before a handler runs; copied when the request has to wait.
struct Prepared {
  Handler handler = nullptr;
  Principal principal;
  std::vector<std::string> params;
  CommandId command_id;
  std::optional<Position> min_position;
};

// Matches "/v1/tasks/{}" against "/v1/tasks/emp.7", collecting "emp.7" into `params`. A trailing
// slash or an extra segment is no match.
bool match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  if (path.empty() || path.front() != '/') return false;
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  for (;;) {
    std::size_t pattern_slash = pattern.find('/');
    std::size_t path_slash = path.find('/');
    std::string_view expected = pattern.substr(0, pattern_slash);
    std::string_view actual = path.substr(0, path_slash);
    if (expected == "{}") {
      if (actual.empty()) return false;
      params.emplace_back(actual);
    } else if (expected != actual) {
      return false;
    }
    bool pattern_done = pattern_slash == std::string_view::npos;
    bool path_done = path_slash == std::string_view::npos;
    if (pattern_done || path_done) return pattern_done && path_done;
    pattern.remove_prefix(pattern_slash + 1);
    path.remove_prefix(path_slash + 1);
  }
}

Response unauthorized(std::string_view code, std::string_view detail) {
  Response response = problem(401, code, detail);
  response.headers["WWW-Authenticate"] =
      code == problem_codes::kInvalidToken ? "Bearer error=\"invalid_token\"" : "Bearer";
  return response;
}

std::variant<Principal, Response> authenticate(const Request& request, const ApiContext& context) {
  std::string_view header = request.header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  bool bearer = header.size() > kScheme.size();
  for (std::size_t i = 0; bearer && i < kScheme.size(); ++i) {
    bearer = (header[i] | 0x20) == kScheme[i];
  }
  if (!bearer) return unauthorized(problem_codes::kUnauthorized, "a Bearer token is required");
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto principal = context.token_verifier().verify(token, context.clock.now());
  if (!principal) {
    // The first hour's trap: a token minted in a shell without MICROJOBS_JWT_SECRET.
    if (!context.config.dev_secret &&
        verify_token(kDevelopmentSecret, token, context.clock.now())) {
      return unauthorized(problem_codes::kInvalidToken,
                          "the token is signed with the development secret, not this server's "
                          "MICROJOBS_JWT_SECRET: mint it with MICROJOBS_JWT_SECRET set as for the "
                          "server");
    }
    return unauthorized(problem_codes::kInvalidToken, "the token is invalid or expired");
  }
  return std::move(*principal);
}

// 429 once the principal has spent its burst; nothing else is looked at.
std::optional<Response> rate_limited(const Principal& principal, ApiContext& context) {
  const std::int64_t wait_s = context.rate_limiter().acquire(principal.user_id, context.clock.now());
  if (wait_s == 0) return std::nullopt;
  Response response =
      problem(429, problem_codes::kRateLimited,
              "more than " + std::to_string(context.config.rate_limit_per_s) +
                  " requests per second (a burst of " + std::to_string(context.config.rate_limit_burst) +
                  ") from " + principal.user_id + "; retry after " + std::to_string(wait_s) + " s");
  response.headers["Retry-After"] = std::to_string(wait_s);
  return response;
}

bool visible_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// The client's own namespace: {its token's subject, its Idempotency-Key}. Without a key the
// command is not remembered (nothing can repeat it on purpose). No client input reaches the
// system's namespaces (domain/command_id.h).
std::optional<Response> choose_command_id(const Request& request, Prepared& prepared) {
  std::string_view key = request.header("idempotency-key");
  if (request.headers.find("idempotency-key") == request.headers.end()) {
    prepared.command_id = client_command_id(prepared.principal.user_id, "");
    return std::nullopt;
  }
  if (key.empty() || key.size() > kMaxIdempotencyKeyBytes || !visible_ascii(key)) {
    return problem(400, problem_codes::kInvalidHeader,
                   "Idempotency-Key must be 1-128 visible ASCII characters");
  }
  prepared.command_id = client_command_id(prepared.principal.user_id, key);
  return std::nullopt;
}

std::optional<Response> read_min_position(const Request& request, const ApiContext& context,
                                          Prepared& prepared) {
  if (request.headers.find("x-min-position") == request.headers.end()) return std::nullopt;
  auto position = parse_position(request.header("x-min-position"));
  if (!position || position->partition < 0 || position->partition >= context.partitions() ||
      position->offset < 0) {
    return problem(400, problem_codes::kInvalidHeader,
                   "X-Min-Position must be \"partition:offset\" as sent in X-Position");
  }
  prepared.min_position = *position;
  return std::nullopt;
}

// Finds the route and names it; on failure `problem_out` holds the 404 or 405.
Handler find_route(const Request& request, std::string_view path, Prepared& prepared,
                   RouteName& name, Response& problem_out) {
  std::string allowed;
  for (const Route& route : routes()) {
    if (!match(route.pattern, path, prepared.params)) continue;
    if (route.method == request.method) {
      name = {route.method, route.pattern};
      return route.handler;
    }
    allowed += allowed.empty() ? "" : ", ";
    allowed += route.method;
  }
  if (allowed.empty()) {
    problem_out = problem(404, problem_codes::kNotFound, "no such resource: " + std::string(path));
  } else {
    problem_out = problem(405, problem_codes::kMethodNotAllowed,
                          request.method + " is not allowed here; use " + allowed);
    problem_out.headers["Allow"] = allowed;
  }
  return nullptr;
}

// Runs the handler; an exception (out of memory, a bug) becomes a 500 rather than crossing into
// the server's or the waiter's thread.
void run_handler(const Request& request, ApiContext& context, Prepared& prepared,
                 const Done& done) {
  std::string_view target = request.target;
  std::size_t question = target.find('?');
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  Call call{request,          context, std::move(prepared.principal), std::move(prepared.params),
            query,            std::move(prepared.command_id), done};
  try {
    prepared.handler(call);
  } catch (const std::exception& error) {
    done(problem(500, problem_codes::kInternal, error.what()));
  }
}

void wait_then_run(const Request& request, ApiContext& context, Prepared prepared, Done done) {
  Position position = *prepared.min_position;
  ProjectionProgress& projector = context.projector;
  context.waiter().wait(
      [&projector, position] { return projector.applied(position); },
      context.config.min_position_wait,
      [request, &context, prepared = std::move(prepared), done](bool reached) mutable {
        if (!reached) {
          done(retry_later(503, problem_codes::kPositionNotReached,
                           "the read models have not reached X-Min-Position yet"));
          return;
        }
        run_handler(request, context, prepared, done);
      });
}

constexpr std::string_view kSchemasPath = "/v1/schemas";

// One event type's schema: /v1/schemas/{type}.
bool is_schema_path(std::string_view path) {
  return path.size() > kSchemasPath.size() && path.starts_with(kSchemasPath) && path[kSchemasPath.size()] == '/';
}

// The contracts, open to anyone: the catalogue of event schemas and each schema.
std::optional<Response> schema_response(std::string_view path) {
  if (path == kSchemasPath) {
    return json_response(200, [](JsonWriter& json) {
      json.key("types").begin_array();
      for (const std::string& type : event_type_names()) {
        json.begin_object().field("type", type).field("schema", std::string(kSchemasPath) + "/" + type).end_object();
      }
      json.end_array();
    });
  }
  if (!is_schema_path(path)) return std::nullopt;
  std::string_view type = path.substr(kSchemasPath.size() + 1);
  auto schema = event_schema(type);
  if (!schema) return problem(404, problem_codes::kNotFound, "no event type " + std::string(type) + " (see /v1/schemas)");
  Response response;
  response.headers["Content-Type"] = "application/schema+json";
  response.body = std::string(*schema);
  return response;
}

Response metrics_response(ApiContext& context) {
  ApiMetrics::Gauges now;
  now.applied_offsets.resize(static_cast<std::size_t>(context.partitions()));
  for (std::size_t p = 0; p < now.applied_offsets.size(); ++p) {
    now.applied_offsets[p] = context.projector.applied_end(static_cast<std::int32_t>(p));
  }
  if (context.memtable_bytes) now.memtable_bytes = context.memtable_bytes();
  now.token_cache_entries = static_cast<std::int64_t>(context.token_verifier().size());
  Response response;
  response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8";
  response.body = context.metrics().render(now);
  return response;
}

// Ready once the read models have applied the log as it was at start; until then 503, so a
// balancer sends no reads that would answer from a past the log has left. (The embedded node's
// processors recover before the server listens; on Kafka they take commands from their topic
// whenever the group assigns them, and this answers for this process's read side only.)
Response readiness_response(const ApiContext& context) {
  const std::int64_t behind = context.events_before_ready();
  if (behind > 0) {
    return retry_later(503, problem_codes::kNotReady,
                       "the read models have " + std::to_string(behind) + " events of the log to apply before they are ready");
  }
  return json_response(200, [](JsonWriter& json) { json.field("status", "ready"); });
}

// The operations endpoints, open to anyone: health, metrics and the event schemas.
std::optional<Response> open_response(std::string_view path, ApiContext& context, RouteName& name) {
  name = {"GET", path};
  if (path == "/healthz") {
    return json_response(200, [](JsonWriter& json) { json.field("status", "ok"); });
  }
  if (path == "/readyz") return readiness_response(context);
  if (path == "/metrics") return metrics_response(context);
  if (path == "/openapi.json") {
    Response response;
    response.headers["Content-Type"] = "application/json";
    response.body = openapi_json();
    return response;
  }
  if (is_schema_path(path)) name.pattern = "/v1/schemas/{}";
  if (auto schema = schema_response(path)) return schema;
  name = {};
  return std::nullopt;
}

// The open endpoints answer GET only.
bool open_path(std::string_view path) {
  constexpr std::string_view kOpenPaths[] = {"/healthz", "/readyz", "/metrics", "/openapi.json", kSchemasPath};
  return std::ranges::find(kOpenPaths, path) != std::end(kOpenPaths) || is_schema_path(path);
}

void route(const Request& request, ApiContext& context, const Done& done, RouteName& name) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (request.method == "GET") {
    if (auto response = open_response(path, context, name)) return done(std::move(*response));
  } else if (open_path(path)) {
    Response refused = problem(405, problem_codes::kMethodNotAllowed, request.method + " is not allowed here; use GET");
    refused.headers["Allow"] = "GET";
    return done(std::move(refused));
  }
  // The server's parser enforces this before the body is read; this covers other callers.
  if (request.body.size() > context.config.body_limit) {
    return done(problem(413, problem_codes::kBodyTooLarge,
                        "the body exceeds " + std::to_string(context.config.body_limit) + " bytes"));
  }
  Prepared prepared;
  Response failure;
  prepared.handler = find_route(request, path, prepared, name, failure);
  if (prepared.handler == nullptr) return done(std::move(failure));
  auto principal = authenticate(request, context);
  if (auto* problem_response = std::get_if<Response>(&principal)) {
    return done(std::move(*problem_response));
  }
  prepared.principal = std::move(std::get<Principal>(principal));
  if (auto limited = rate_limited(prepared.principal, context)) return done(std::move(*limited));
  if (request.method != "GET") {
    if (auto bad = choose_command_id(request, prepared)) return done(std::move(*bad));
  }
  if (auto bad = read_min_position(request, context, prepared)) return done(std::move(*bad));
  if (prepared.min_position && !context.projector.applied(*prepared.min_position)) {
    return wait_then_run(request, context, std::move(prepared), done);
  }
  run_handler(request, context, prepared, done);
}

}  // namespace

std::string_view Request::header(std::string_view lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

std::string_view Response::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

ApiContext::ApiContext(CommandBus& bus_in, ReadModels& read_models_in, ProjectionProgress& projector_in,
                       const Clock& clock_in, ApiConfig config_in)
    : bus(bus_in),
      read_models(read_models_in),
      projector(projector_in),
      clock(clock_in),
      config(std::move(config_in)),
      waiter_(std::make_unique<PollingWaiter>(config.min_position_poll)),
      metrics_(std::make_unique<ApiMetrics>()),
      rate_limiter_(std::make_unique<RateLimiter>(config.rate_limit_per_s, config.rate_limit_burst)),
      feed_cache_(std::make_unique<PageCache>()),
      token_verifier_(std::make_unique<TokenVerifier>(config.jwt_secret, config.token_policy)) {
  projector_listener_ = projector.add_listener([waiter = waiter_.get()] { waiter->notify(); });
}

ApiContext::~ApiContext() {
  projector.remove_listener(projector_listener_);
  // First: its destructor answers the pending waits, whose answers use metrics_ and the rest.
  waiter_.reset();
}

void ApiContext::send(CommandId id, Command command, ReplyFn reply) {
  std::string_view name = command_name(command);
  bus.send(std::move(id), std::move(command),
           [this, name, reply = std::move(reply)](CommandOutcome outcome) {
             std::string_view result;
             switch (outcome.kind) {
               case CommandOutcome::Kind::accepted: result = "accepted"; break;
               case CommandOutcome::Kind::rejected: result = rejection_code(outcome.rejection); break;
               case CommandOutcome::Kind::overloaded: result = "overloaded"; break;
               case CommandOutcome::Kind::unavailable: result = "unavailable"; break;
             }
             metrics_->command_answered(name, result);
             reply(std::move(outcome));
           });
}

std::uint64_t ApiContext::read_model_version() const {
  std::uint64_t version = 0;
  for (std::int32_t p = 0; p < partitions(); ++p) {
    version += static_cast<std::uint64_t>(projector.applied_end(p));
  }
  return version;
}

std::int64_t ApiContext::events_before_ready() const {
  std::int64_t behind = 0;
  for (std::size_t p = 0; p < config.ready_after.size(); ++p) {
    behind += std::max<std::int64_t>(0, config.ready_after[p] - projector.applied_end(static_cast<std::int32_t>(p)));
  }
  return behind;
}

std::int32_t ApiContext::partitions() const {
  return config.partitions > 0 ? config.partitions : bus.partitions();
}

namespace {

// Shared by a request's Done: answered at most once, and measured then.
struct Answering {
  std::atomic<bool> answered{false};
  RouteName name;  // set by route() before any handler runs
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

}  // namespace

namespace {

// Replaces each JSON string of `body` that is sealed personal data by its text, or by "[erased]"
// when its key is destroyed. Sealed text holds nothing JSON escapes, so it is found as written;
// the API refuses input in its form (api/fields.cpp), so every one is the log's.
// Whether the quote at `at` is escaped (inside a string, after an odd run of backslashes).
bool escaped_quote(const std::string& body, std::size_t at) {
  std::size_t backslashes = 0;
  while (backslashes < at && body[at - 1 - backslashes] == '\\') ++backslashes;
  return backslashes % 2 == 1;
}

// What seal() writes: the prefix, two ids, base64; nothing JSON escapes.
bool sealed_token(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '+' || c == '/' || c == '=' ||
           c == '_' || c == '-';
  });
}

// The first `needle` in `body` at or after `from`, or npos. glibc's memmem: std::string::find
// compares at every '"' of a JSON body, which cost a cached feed page a sixth of its time.
std::size_t find_bytes(const std::string& body, std::string_view needle, std::size_t from) {
  if (from >= body.size()) return std::string::npos;
  const void* found = ::memmem(body.data() + from, body.size() - from, needle.data(), needle.size());
  return found == nullptr ? std::string::npos : static_cast<const char*>(found) - body.data();
}

void open_sealed_strings(std::string& body, PersonalDataVault& vault) {
  static const std::string needle = "\"" + std::string(kSealedPrefix);  // every 2xx answer looks
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = find_bytes(body, needle, 0); at != std::string::npos;
       at = find_bytes(body, needle, at + 1)) {
    const std::size_t end = body.find('"', at + 1);
    if (end == std::string::npos) break;
    const std::string_view sealed(body.data() + at + 1, end - at - 1);
    // A whole JSON string, not text in the sealed form inside another string (a title
    // `x"mj-sealed:v1:…` is written with an escaped quote).
    if (escaped_quote(body, at) || !sealed_token(sealed)) continue;
    if (copied == 0) out.reserve(body.size());
    out.append(body, copied, at - copied);
    auto opened = vault.open(sealed);
    if (!opened.ok()) {
      spdlog::warn("api: sealed text left sealed: {}", opened.error().message);
      append_json_escaped(out, sealed);
    } else {
      append_json_escaped(out, *opened ? std::string_view(**opened) : kErasedText);
    }
    copied = end + 1;
    at = end;
  }
  if (copied == 0) return;
  out.append(body, copied);
  body = std::move(out);
}

}  // namespace

void handle(const Request& request, ApiContext& context, Done done) {
  // Exactly once, even if a handler failed after answering: the server counts on it.
  auto answering = std::make_shared<Answering>();
  Done once = [answering, &context, done = std::move(done)](Response response) {
    if (answering->answered.exchange(true)) return;
    if (context.vault != nullptr && response.status < 300) open_sealed_strings(response.body, *context.vault);
    std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - answering->start;
    context.metrics().request_answered(answering->name.method, answering->name.pattern,
                                       response.status, seconds.count());
    done(std::move(response));
  };
  try {
    route(request, context, once, answering->name);
  } catch (const std::exception& error) {
    once(problem(500, problem_codes::kInternal, error.what()));
  }
}

}  // namespace microjobs
