// api/reference.md from the route table: the same facts as /openapi.json, for people.
#include <string>

#include "api/http.h"
#include "api/openapi.h"
#include "domain/rejection.h"

namespace microjobs {
namespace {

// Minified JSON indented by two spaces (strings copied as they are).
std::string pretty_json(std::string_view json) {
  std::string out;
  std::size_t depth = 0;
  bool in_string = false;
  auto newline = [&] { out += '\n' + std::string(depth * 2, ' '); };
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) out += json[++i];
      in_string = c != '"';
      continue;
    }
    const bool empty = i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']');
    if (c == '}' || c == ']') {
      const bool after_opener = i > 0 && (json[i - 1] == '{' || json[i - 1] == '[');
      if (!after_opener && depth > 0) {
        --depth;
        newline();
      }
      out += c;
    } else if (c == '{' || c == '[') {
      out += c;
      if (!empty) {
        ++depth;
        newline();
      }
    } else if (c == ',') {
      out += c;
      newline();
    } else {
      out += c;
      if (c == ':') out += ' ';
      in_string = c == '"';
    }
  }
  return out;
}

std::string range(const FieldDoc& field, std::string_view unit) {
  return std::to_string(field.min) + "–" + std::to_string(field.max) + std::string(unit);
}

std::string type_name(const FieldDoc& field) {
  switch (field.type) {
    case FieldType::text: return "string, " + range(field, " bytes");
    case FieldType::url: return "http(s) URL, " + range(field, " bytes");
    case FieldType::cursor: return "opaque, as the server gave it";
    case FieldType::money: return field.min > 0 ? "decimal string > 0 (\"0.05\")" : "decimal string (\"0.05\")";
    case FieldType::integer: return "integer, " + range(field, "");
    case FieldType::time: return "RFC 3339 time";
    case FieldType::rate: return "number, 0–1 (4 decimals)";
    case FieldType::country: return "country code (\"ID\")";
    case FieldType::countries: return "array of ≤ " + std::to_string(field.max) + " country codes";
    case FieldType::strings:
      return "array of 1–" + std::to_string(field.max) + (field.choices.empty() ? " strings" : " event types");
    case FieldType::user_id: return "user id";
    case FieldType::boolean: return "boolean";
    case FieldType::json: return "any JSON, ≤ " + std::to_string(field.max) + " bytes";
    case FieldType::choice: {
      std::string names;
      for (const std::string& value : field.choices) names += (names.empty() ? "" : " \\| ") + ("`" + value + "`");
      return names;
    }
    case FieldType::object: return "object";
    case FieldType::objects: return "array of 1–" + std::to_string(field.max) + " objects";
  }
  return "";
}

void field_rows(std::string& out, const std::vector<FieldDoc>& fields, const std::string& prefix) {
  for (const FieldDoc& field : fields) {
    const std::string name = prefix + field.name;
    const std::string required = field.required ? "yes" : field.when_field.empty() ? "no" : "see meaning";
    out += "| `" + name + "` | " + type_name(field) + " | " + required + " | " + field.about + " |\n";
    const bool array = field.type == FieldType::objects;
    field_rows(out, field.fields, name + (array ? "[]." : "."));
  }
}

void field_table(std::string& out, std::string_view title, const std::vector<FieldDoc>& fields) {
  if (fields.empty()) return;
  out += "\n" + std::string(title) + ":\n\n| name | type | required | meaning |\n|---|---|---|---|\n";
  field_rows(out, fields, "");
}

// "400 `malformed_json`, `unknown_field`; 401 `unauthorized`..."
std::string errors_line(const Route& route) {
  std::string out;
  for (const auto& [status, codes] : errors_by_status(route)) {
    out += (out.empty() ? "" : "; ") + std::to_string(status);
    for (std::size_t i = 0; i < codes.size(); ++i) out += (i == 0 ? " `" : ", `") + std::string(codes[i]) + "`";
  }
  return out;
}

void route_section(std::string& out, const Route& route) {
  const RouteDoc& doc = route.doc;
  out += "\n### `" + std::string(route.method) + " " + documented_path(route.pattern) + "`\n\n";
  out += doc.summary + ".\n\n**Who:** " + doc.access + ". **Success:** " + std::to_string(doc.status) + ".\n";
  if (!doc.details.empty()) out += "\n" + doc.details + "\n";
  field_table(out, "Query parameters", doc.query);
  if (doc.reads_body && doc.body.empty()) out += "\nBody: none (empty, or `{}`).\n";
  field_table(out, "Body (JSON object; any other member is 400 `unknown_field`)", doc.body);
  out += "\n**Errors:** " + errors_line(route) + ".\n";
  const RouteExample& example = doc.example;
  out += "\n**Example** (" + example.user + ", role " + example.role + "):\n\n```http\n" +
         std::string(route.method) + " " + example.target + "\n";
  if (!example.body.empty()) out += "\n" + pretty_json(example.body) + "\n";
  if (example.answer.empty()) {
    out += "```\n\n(The reference test does not play this one; the answer is described above.)\n";
    return;
  }
  out += "```\n\nanswers " + std::to_string(doc.status) + ":\n\n```json\n" + pretty_json(example.answer) + "\n```\n";
}

// The limits a client meets, as a server started with the defaults applies them.
std::string limits_paragraph() {
  const ApiConfig defaults;
  auto count = [](std::int64_t value) { return std::to_string(value); };
  return "Limits, as `microjobs serve` applies them by default (its `--help` names the options that "
         "change them): a body of " + count(static_cast<std::int64_t>(defaults.body_limit >> 20)) +
         " MiB (413 `body_too_large`); " + count(static_cast<std::int64_t>(defaults.header_limit >> 10)) +
         " KiB of start line and headers, and " + count(static_cast<std::int64_t>(defaults.header_count_limit)) +
         " header fields (431 `headers_too_large`); " + count(defaults.request_timeout.count()) +
         " s to send one request or read one response, after which the connection is closed; " +
         count(static_cast<std::int64_t>(defaults.connection_limit)) +
         " connections (503 `too_many_connections`, then closed); " + count(defaults.rate_limit_per_s) +
         " requests per second per user, in bursts of up to " + count(defaults.rate_limit_burst) +
         " (429 `rate_limited` with `Retry-After` in seconds; open endpoints and requests without a "
         "valid token are not counted). A token's `exp` and `nbf` are honoured with " +
         count(defaults.token_policy.leeway_s) +
         " s of clock leeway; a server started with `--jwt-issuer` or `--jwt-audience` also requires "
         "`iss` or `aud` (`microjobs token --issuer --audience` mints them).";
}

}  // namespace

std::string api_reference_markdown() {
  std::string out =
      "# microjobs HTTP API reference\n\n"
      "Generated from the route table (`api/routes.cpp`) by `microjobs reference`; the server serves "
      "the same facts as OpenAPI 3.1 at `GET /openapi.json`. Do not edit by hand: "
      "`tests/api/reference_test.cpp` fails when this file is not what the table gives, and plays "
      "every example below that shows an answer, as one campaign, against the real write and read sides.\n\n"
      "Every route needs `Authorization: Bearer <JWT HS256>` with `sub` (the user id) and `roles` "
      "(`microjobs token --user alice --role employer` mints one). Money is a decimal string, times are "
      "RFC 3339 UTC. A command's answer carries `position` and the header `X-Position`; send it back "
      "as `X-Min-Position` to read your own write. Commands take an optional `Idempotency-Key`. Every "
      "error is `application/problem+json` `{type, title, status, detail, code}`; a rejected command "
      "appends nothing. Open to anyone: `GET /healthz`, `/readyz`, `/metrics`, `/openapi.json`, `/v1/schemas`, "
      "`/v1/schemas/{type}`.\n\n" + limits_paragraph() + "\n\n## Routes\n";
  for (const Route& route : routes()) {
    out += "- `" + std::string(route.method) + " " + documented_path(route.pattern) + "` " + route.doc.summary + "\n";
  }
  for (const Route& route : routes()) route_section(out, route);
  out += "\n## Problem codes of the business rules\n\n| code | status | meaning |\n|---|---|---|\n";
#define MICROJOBS_REJECTION_ROW(code, status, detail) \
  out += "| `" #code "` | " + std::to_string(status) + " | " + std::string(detail) + " |\n";
  MICROJOBS_REJECTIONS(MICROJOBS_REJECTION_ROW)
#undef MICROJOBS_REJECTION_ROW
  return out;
}

}  // namespace microjobs
