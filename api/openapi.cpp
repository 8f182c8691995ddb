// OpenAPI 3.1 from the route table. Each route's request schema follows its FieldDocs (unknown
// members refused, as the handlers refuse them), each problem status lists its codes as an enum.
#include "api/openapi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "api/problem.h"
#include "domain/assert.h"
#include "domain/codec/json_writer.h"
#include "domain/codec/schema.h"
#include "domain/rejection.h"

namespace microjobs {
namespace {

bool has_required(const std::vector<FieldDoc>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](const FieldDoc& f) {
    return f.required || has_required(f.fields);
  });
}

void add_once(std::vector<std::string_view>& codes, std::string_view code) {
  if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
}

}  // namespace

std::vector<std::string_view> route_errors(const Route& route) {
  const RouteDoc& doc = route.doc;
  // Every request meets the limits of the body, the headers, the connections and the principal's
  // rate (handle.cpp, server.cpp).
  std::vector<std::string_view> codes = {
      problem_codes::kUnauthorized,    problem_codes::kInvalidToken,
      problem_codes::kInvalidHeader,   problem_codes::kBodyTooLarge,
      problem_codes::kHeadersTooLarge, problem_codes::kRateLimited,
      problem_codes::kTooManyConnections};
  if (!doc.roles.empty()) add_once(codes, problem_codes::kForbidden);
  if (!doc.query.empty()) add_once(codes, problem_codes::kInvalidQuery);
  if (doc.reads_body) {
    for (std::string_view code : {problem_codes::kMalformedJson, problem_codes::kUnknownField,
                                  problem_codes::kInvalidField}) {
      add_once(codes, code);
    }
    if (has_required(doc.body)) add_once(codes, problem_codes::kMissingField);
  }
  if (route.method != "GET") {
    if (doc.key_reuse_422) add_once(codes, rejection_code(Rejection::idempotency_key_reused));
    add_once(codes, problem_codes::kOverloaded);
    add_once(codes, problem_codes::kOutcomeUnknown);
  }
  add_once(codes, problem_codes::kPositionNotReached);
  for (std::string_view code : doc.errors) add_once(codes, code);
  for (std::string_view code : codes) MJ_ASSERT(problem_status(code) != 0);
  return codes;
}

// "/v1/tasks/{}/claims" -> "/v1/tasks/{id}/claims".
std::string documented_path(std::string_view pattern) {
  std::string out;
  for (std::size_t at = 0; at < pattern.size(); ++at) {
    if (pattern.compare(at, 2, "{}") == 0) {
      out += "{id}";
      ++at;
    } else {
      out += pattern[at];
    }
  }
  return out;
}

std::map<int, std::vector<std::string_view>> errors_by_status(const Route& route) {
  std::map<int, std::vector<std::string_view>> by_status;
  for (std::string_view code : route_errors(route)) by_status[problem_status(code)].push_back(code);
  return by_status;
}

namespace {

constexpr std::string_view kMoneyPattern = "^[0-9]{1,13}(\\.[0-9]{1,6})?$";
constexpr std::string_view kCountryPattern = "^[A-Z]{2}$";
constexpr std::string_view kUserIdPattern = "^[A-Za-z0-9_-]{1,64}$";

void write_object_schema(JsonWriter& json, const std::vector<FieldDoc>& fields);
void write_type(JsonWriter& json, const FieldDoc& field);

void write_string_schema(JsonWriter& json, const FieldDoc& field) {
  json.field("type", "string");
  switch (field.type) {
    case FieldType::money:
      json.field("pattern", kMoneyPattern);
      // An amount (min 1 micro) is more than zero; a filter such as min_reward may be zero.
      if (field.min > 0) json.key("not").begin_object().field("pattern", "^0+(\\.0+)?$").end_object();
      break;
    case FieldType::time: json.field("format", "date-time"); break;
    case FieldType::country: json.field("pattern", kCountryPattern); break;
    case FieldType::user_id: json.field("pattern", kUserIdPattern); break;
    case FieldType::url:
      json.field("format", "uri").field("pattern", "^https?://[A-Za-z0-9]").field("maxLength", field.max);
      break;
    case FieldType::choice:
      json.key("enum").begin_array();
      for (const std::string& value : field.choices) json.string(value);
      json.end_array();
      break;
    default:  // text: bytes bound characters from above
      json.field("minLength", field.min).field("maxLength", field.max);
  }
}

void write_array_schema(JsonWriter& json, const FieldDoc& field) {
  json.field("type", "array");
  if (field.type != FieldType::countries) json.field("minItems", std::int64_t{1});
  json.field("maxItems", field.max).key("items").begin_object();
  if (field.type == FieldType::objects) {
    write_object_schema(json, field.fields);
  } else if (field.type == FieldType::countries) {
    json.field("type", "string").field("pattern", kCountryPattern);
  } else {
    json.field("type", "string").field("minLength", std::int64_t{1});
    if (!field.choices.empty()) {
      json.key("enum").begin_array();
      for (const std::string& value : field.choices) json.string(value);
      json.end_array();
    }
  }
  json.end_object();
  if (field.type == FieldType::strings && !field.choices.empty()) json.key("uniqueItems").boolean(true);
}

void write_schema(JsonWriter& json, const FieldDoc& field) {
  json.begin_object();
  if (!field.about.empty()) json.field("description", field.about);
  write_type(json, field);
  json.end_object();
}

// An optional body field may also be null: the same as leaving it out (api/fields.h).
void write_optional_schema(JsonWriter& json, const FieldDoc& field) {
  json.begin_object();
  if (!field.about.empty()) json.field("description", field.about);
  json.key("anyOf").begin_array().begin_object();
  write_type(json, field);
  json.end_object().begin_object().field("type", "null").end_object().end_array();
  json.end_object();
}

// The schema's keywords for the field's type, inside an object the caller opened.
void write_type(JsonWriter& json, const FieldDoc& field) {
  switch (field.type) {
    case FieldType::integer:
      json.field("type", "integer").field("minimum", field.min).field("maximum", field.max);
      break;
    case FieldType::rate:
      json.field("type", "number").field("minimum", std::int64_t{0}).field("maximum", std::int64_t{1});
      break;
    case FieldType::boolean: json.field("type", "boolean"); break;
    case FieldType::json: json.key("not").begin_object().field("type", "null").end_object(); break;
    case FieldType::object: write_object_schema(json, field.fields); break;
    case FieldType::countries:
    case FieldType::strings:
    case FieldType::objects: write_array_schema(json, field); break;
    default: write_string_schema(json, field);
  }
}

// The members of an object: unknown ones are refused (400 unknown_field).
void write_object_schema(JsonWriter& json, const std::vector<FieldDoc>& fields) {
  json.field("type", "object").key("properties").begin_object();
  for (const FieldDoc& field : fields) {
    json.key(field.name);
    if (field.required) {
      write_schema(json, field);
    } else {
      write_optional_schema(json, field);
    }
  }
  json.end_object().key("required").begin_array();
  for (const FieldDoc& field : fields) {
    if (field.required) json.string(field.name);
  }
  json.end_array().key("additionalProperties").boolean(false);
  bool conditional = false;
  for (const FieldDoc& field : fields) {
    if (field.when_field.empty()) continue;
    if (!conditional) json.key("allOf").begin_array();
    conditional = true;
    json.begin_object().key("if").begin_object().key("properties").begin_object().key(field.when_field);
    json.begin_object().key("enum").begin_array();
    for (const std::string& value : field.when_values) json.string(value);
    json.end_array().end_object().end_object().key("required").begin_array().string(field.when_field).end_array();
    json.end_object().key("then").begin_object().key("required").begin_array().string(field.name).end_array();
    json.key("properties").begin_object().key(field.name).begin_object();
    write_type(json, field);  // present, and not null
    json.end_object().end_object().end_object().end_object();
  }
  if (conditional) json.end_array();
}

void write_parameter(JsonWriter& json, std::string_view name, std::string_view in, bool required,
                     std::string_view about, std::string_view pattern = "") {
  json.begin_object().field("name", name).field("in", in).key("required").boolean(required);
  json.field("description", about).key("schema").begin_object().field("type", "string");
  if (!pattern.empty()) json.field("pattern", pattern);
  json.end_object().end_object();
}

// The id in the example's path ("alice.1" of "/v1/tasks/alice.1/claims" for "/v1/tasks/{}/claims").
std::string example_id(const Route& route) {
  const std::string_view pattern = route.pattern;
  std::string_view target = route.doc.example.target;
  target = target.substr(0, target.find('?'));
  const std::size_t at = pattern.find("{}");
  const std::size_t tail = pattern.size() - at - 2;  // what follows the id
  if (target.size() < at + tail) return "";
  return std::string(target.substr(at, target.size() - at - tail));
}

void write_parameters(JsonWriter& json, const Route& route) {
  json.key("parameters").begin_array();
  if (route.pattern.find("{}") != std::string_view::npos) {
    json.begin_object().field("name", "id").field("in", "path").key("required").boolean(true);
    json.field("description", "the resource's id").field("example", example_id(route));
    json.key("schema").begin_object().field("type", "string").field("pattern", "^[^/]+$").end_object();
    json.end_object();
  }
  for (const FieldDoc& field : route.doc.query) {
    // An empty value counts as absent (read_handlers.cpp), as a form would send it.
    json.begin_object().field("name", field.name).field("in", "query").key("required").boolean(false);
    json.key("allowEmptyValue").boolean(true).key("schema");
    write_schema(json, field);
    json.end_object();
  }
  if (route.method != "GET") {
    write_parameter(json, "Idempotency-Key", "header", false,
                    "1-128 visible ASCII characters: the same key and body again get the same answer "
                    "for 24 h; without it the command is not remembered",
                    "^[!-~]{1,128}$");
  }
  json.end_array();
}

void write_request_body(JsonWriter& json, const Route& route) {
  if (!route.doc.reads_body) return;
  // Required when a top-level member is: a nested one is required only inside its object.
  const bool required = std::any_of(route.doc.body.begin(), route.doc.body.end(),
                                    [](const FieldDoc& field) { return field.required; });
  json.key("requestBody").begin_object().key("required").boolean(required);
  json.key("content").begin_object().key("application/json").begin_object().key("schema").begin_object();
  write_object_schema(json, route.doc.body);
  json.end_object();
  if (!route.doc.example.body.empty()) json.key("example").raw(route.doc.example.body);
  json.end_object().end_object().end_object();
}

void write_problem_response(JsonWriter& json, int status, const std::vector<std::string_view>& codes) {
  std::string listed;
  for (std::string_view code : codes) listed += (listed.empty() ? "" : ", ") + std::string(code);
  json.key(std::to_string(status)).begin_object().field("description", listed);
  json.key("content").begin_object().key("application/problem+json").begin_object();
  json.key("schema").begin_object().key("allOf").begin_array();
  json.begin_object().field("$ref", "#/components/schemas/Problem").end_object();
  json.begin_object().key("properties").begin_object().key("code").begin_object().key("enum").begin_array();
  for (std::string_view code : codes) json.string(code);
  json.end_array().end_object().end_object().end_object();
  json.end_array().end_object().end_object().end_object().end_object();
}

void write_responses(JsonWriter& json, const Route& route) {
  const RouteDoc& doc = route.doc;
  json.key("responses").begin_object().key(std::to_string(doc.status)).begin_object();
  json.field("description", doc.summary);
  if (route.method != "GET") {
    json.key("headers").begin_object().key("X-Position").begin_object();
    json.field("description", "the position of the event the command appended");
    json.key("schema").begin_object().field("type", "string").end_object().end_object().end_object();
  }
  json.key("content").begin_object().key("application/json").begin_object();
  json.key("schema").begin_object().field("type", "object").end_object();
  if (!doc.example.answer.empty()) json.key("example").raw(doc.example.answer);
  json.end_object();
  if (!doc.also_answers.empty()) {
    json.key(doc.also_answers).begin_object().key("schema").begin_object().field("type", "string");
    json.end_object().end_object();
  }
  json.end_object().end_object();
  for (const auto& [status, codes] : errors_by_status(route)) write_problem_response(json, status, codes);
  json.end_object();
}

std::string operation_id(const Route& route) {
  std::string id(route.method);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
  for (char c : route.pattern) {
    if (c == '/') {
      id += '_';
    } else if (c == '{') {
      id += "id";
    } else if (c != '}') {
      id += c == '-' ? '_' : c;
    }
  }
  return id;
}

void write_operation(JsonWriter& json, const Route& route) {
  std::string method(route.method);
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
  const RouteDoc& doc = route.doc;
  json.key(method).begin_object().field("operationId", operation_id(route)).field("summary", doc.summary);
  std::string description = "Who: " + doc.access + ".";
  if (!doc.details.empty()) description += " " + doc.details;
  json.field("description", description).key("x-roles").begin_array();
  for (std::string_view role : doc.roles) json.string(role);
  json.end_array();
  if (doc.owned) {  // another user's resource is 403 but for these roles
    json.key("x-any-owner-roles").begin_array();
    for (std::string_view role : doc.any_owner_roles) json.string(role);
    json.end_array();
  }
  write_parameters(json, route);
  write_request_body(json, route);
  write_responses(json, route);
  json.end_object();
}

// The endpoints open to anyone, outside the route table (handle.cpp's open_response).
void write_open_operation(JsonWriter& json, std::string_view path, std::string_view summary,
                          std::string_view content_type) {
  json.key(path).begin_object().key("get").begin_object();
  std::string id = "get";
  for (char c : path) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  json.field("operationId", id).field("summary", summary);
  json.key("security").begin_array().end_array();
  if (path.find("{type}") != std::string_view::npos) {
    json.key("parameters").begin_array();
    write_parameter(json, "type", "path", true, "an event type, as GET /v1/schemas lists them");
    json.end_array();
  }
  json.key("responses").begin_object().key("200").begin_object().field("description", summary);
  json.key("content").begin_object().key(content_type).begin_object().end_object().end_object().end_object();
  if (path.find("{type}") != std::string_view::npos) write_problem_response(json, 404, {problem_codes::kNotFound});
  if (path == "/readyz") write_problem_response(json, 503, {problem_codes::kNotReady});
  json.end_object().end_object().end_object();
}

void write_open_paths(JsonWriter& json) {
  write_open_operation(json, "/healthz", "The process is up", "application/json");
  write_open_operation(json, "/readyz", "Ready to serve: the read models have applied the log as it was at start",
                       "application/json");
  write_open_operation(json, "/metrics", "Prometheus metrics in the text format", "text/plain");
  write_open_operation(json, "/openapi.json", "This document", "application/json");
  write_open_operation(json, "/v1/schemas", "The catalogue of event types and their schemas", "application/json");
  write_open_operation(json, "/v1/schemas/{type}", "One event type's JSON Schema 2020-12", "application/schema+json");
}

void write_components(JsonWriter& json) {
  json.key("components").begin_object().key("securitySchemes").begin_object();
  json.key("bearer").begin_object().field("type", "http").field("scheme", "bearer").field("bearerFormat", "JWT");
  json.field("description", "HS256, with sub (the user id) and roles (employer, worker, auditor, payments, admin)");
  json.end_object().end_object();
  json.key("schemas").begin_object().key("Problem").begin_object().field("type", "object");
  json.key("properties").begin_object();
  for (std::string_view name : {"type", "title", "detail", "code"}) {
    json.key(name).begin_object().field("type", "string").end_object();
  }
  json.key("status").begin_object().field("type", "integer").end_object();
  json.end_object().key("required").begin_array();
  for (std::string_view name : {"type", "title", "status", "detail", "code"}) json.string(name);
  json.end_array().end_object().end_object().end_object();
}

std::string make_openapi_json() {
  std::string out;
  JsonWriter json(out);
  json.begin_object().field("openapi", "3.1.0").key("info").begin_object();
  json.field("title", "microjobs").field("version", MICROJOBS_VERSION);
  json.field("description", "A microtask marketplace: employers post tasks of paid slots, workers claim, "
                            "submit proof and are paid from escrow. Money is a decimal string; times are "
                            "RFC 3339 UTC; every error is application/problem+json with a stable code. "
                            "Read-your-writes: any request may send X-Min-Position with the X-Position of "
                            "an earlier answer (\"partition:offset\"); it is answered once the read models "
                            "have applied that event, or 503 position_not_reached after 2 s.");
  json.end_object().key("servers").begin_array().begin_object().field("url", "http://127.0.0.1:8080");
  json.end_object().end_array().key("security").begin_array().begin_object().key("bearer").begin_array();
  json.end_array().end_object().end_array();
  write_components(json);
  json.key("paths").begin_object();
  std::vector<std::string> paths;
  for (const Route& route : routes()) {
    std::string path = documented_path(route.pattern);
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
  }
  for (const std::string& path : paths) {
    json.key(path).begin_object();
    for (const Route& route : routes()) {
      if (documented_path(route.pattern) == path) write_operation(json, route);
    }
    json.end_object();
  }
  write_open_paths(json);
  json.end_object().end_object();
  return out;
}

}  // namespace

const std::string& openapi_json() {
  static const std::string document = make_openapi_json();
  return document;
}

}  // namespace microjobs
