#include "api/fields.h"

#include <charconv>

#include "api/problem.h"
#include "domain/personal_data.h"

namespace microjobs {

namespace {
// Text in the form of sealed personal data would be opened by the API as someone's data.
constexpr std::string_view kSealedInputDetail =
    "must not be text in the form of sealed personal data (starting with \"mj-sealed:v1:\")";
}  // namespace
namespace {

const JsonValue kEmptyObject{JsonValue::Kind::object, false, {}, {}, {}};

std::string_view kind_name(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::null: return "null";
    case JsonValue::Kind::boolean: return "a boolean";
    case JsonValue::Kind::number: return "a number";
    case JsonValue::Kind::string: return "a string";
    case JsonValue::Kind::array: return "an array";
    case JsonValue::Kind::object: return "an object";
  }
  return "unknown";
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The value as minified JSON; a number keeps the exact token the client wrote.
void write_json_value(JsonWriter& json, const JsonValue& value) {
  switch (value.kind) {
    case JsonValue::Kind::null: json.null(); return;
    case JsonValue::Kind::boolean: json.boolean(value.boolean); return;
    case JsonValue::Kind::number: json.raw(value.text); return;
    case JsonValue::Kind::string: json.string(value.text); return;
    case JsonValue::Kind::array:
      json.begin_array();
      for (const JsonValue& item : value.items) write_json_value(json, item);
      json.end_array();
      return;
    case JsonValue::Kind::object:
      json.begin_object();
      for (const auto& [name, member] : value.members) {
        json.key(name);
        write_json_value(json, member);
      }
      json.end_object();
      return;
  }
}

}  // namespace

std::optional<std::int64_t> parse_integer_token(std::string_view token) {
  if (!is_json_number(token) || token.find_first_of(".eE") != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc{} || end != token.data() + token.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_rate_token(std::string_view token) {
  // Exactly from the digits: 0.9 must be 9000 bp, not 8999 from a double's 0.8999999.
  if (!is_json_number(token) || token.find_first_of("-eE") != std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t dot = token.find('.');
  std::string_view whole = token.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : token.substr(dot + 1);
  if (whole != "0" && whole != "1") return std::nullopt;
  std::int64_t bp = (whole == "1" ? 10'000 : 0);
  for (std::size_t i = 0; i < fraction.size(); ++i) {
    if (!is_digit(fraction[i])) return std::nullopt;
    if (i >= 4) {
      if (fraction[i] != '0') return std::nullopt;  // finer than a basis point
      continue;
    }
    static constexpr std::int64_t kScale[] = {1000, 100, 10, 1};
    bp += (fraction[i] - '0') * kScale[i];
  }
  if (bp > 10'000) return std::nullopt;
  return bp;
}

FieldReader::FieldReader(const JsonValue& object) : object_(object), problem_(&own_problem_) {}

FieldReader::FieldReader(const JsonValue& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)), problem_(&own_problem_) {}

FieldReader::FieldReader(const JsonValue& object, std::string prefix,
                         std::optional<FieldProblem>* problem)
    : object_(object), prefix_(std::move(prefix)), problem_(problem) {}

std::string FieldReader::full_name(std::string_view name) const {
  return prefix_ + std::string(name);
}

void FieldReader::fail(std::string_view code, std::string_view name, std::string_view detail) {
  if (problem_->has_value()) return;  // the first problem is the one reported
  *problem_ = FieldProblem{std::string(code), full_name(name) + ": " + std::string(detail)};
}

Response FieldReader::problem() const {
  if (!problem_->has_value()) return microjobs::problem(500, problem_codes::kInternal, "no field problem");
  return microjobs::problem(400, (*problem_)->code, (*problem_)->detail);
}

const JsonValue* FieldReader::get(std::string_view name, Presence presence, JsonValue::Kind kind,
                                  std::string_view expected) {
  asked_.emplace_back(name);
  if (!ok()) return nullptr;
  const JsonValue* value = object_.find(name);
  if (value == nullptr || value->kind == JsonValue::Kind::null) {
    if (presence == Presence::required) fail(problem_codes::kMissingField, name, "is required");
    return nullptr;
  }
  if (value->kind != kind) {
    fail(problem_codes::kInvalidField, name,
         "must be " + std::string(expected) + ", not " + std::string(kind_name(value->kind)));
    return nullptr;
  }
  return value;
}

std::optional<std::string> FieldReader::text(std::string_view name, Presence presence,
                                             std::size_t min_bytes, std::size_t max_bytes) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::string, "a string");
  if (value == nullptr) return std::nullopt;
  if (value->text.size() < min_bytes || value->text.size() > max_bytes) {
    fail(problem_codes::kInvalidField, name,
         "must be " + std::to_string(min_bytes) + " to " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  if (is_sealed(value->text)) {
    fail(problem_codes::kInvalidField, name, kSealedInputDetail);
    return std::nullopt;
  }
  return value->text;
}

std::optional<Micros> FieldReader::money(std::string_view name, Presence presence) {
  const JsonValue* value =
      get(name, presence, JsonValue::Kind::string, "a decimal string such as \"0.05\"");
  if (value == nullptr) return std::nullopt;
  auto amount = parse_money(value->text);
  if (!amount || amount->value <= 0) {
    fail(problem_codes::kInvalidField, name,
         "must be a positive decimal string with at most 6 fraction digits");
    return std::nullopt;
  }
  return amount;
}

std::optional<std::int64_t> FieldReader::integer(std::string_view name, Presence presence,
                                                 std::int64_t min, std::int64_t max) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::number, "an integer");
  if (value == nullptr) return std::nullopt;
  auto number = parse_integer_token(value->text);
  if (!number || *number < min || *number > max) {
    fail(problem_codes::kInvalidField, name,
         "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<UnixMs> FieldReader::time(std::string_view name, Presence presence) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::string, "an RFC 3339 time");
  if (value == nullptr) return std::nullopt;
  auto time = parse_rfc3339(value->text);
  if (!time) fail(problem_codes::kInvalidField, name, "must be an RFC 3339 time");
  return time;
}

std::optional<std::int64_t> FieldReader::rate_bp(std::string_view name, Presence presence) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::number, "a number from 0 to 1");
  if (value == nullptr) return std::nullopt;
  auto bp = parse_rate_token(value->text);
  if (!bp) {
    fail(problem_codes::kInvalidField, name,
         "must be a number from 0 to 1 with at most 4 decimals");
  }
  return bp;
}

std::optional<std::string> FieldReader::country(std::string_view name, Presence presence) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::string, "a country code");
  if (value == nullptr) return std::nullopt;
  if (!valid_country(value->text)) {
    fail(problem_codes::kInvalidField, name, "must be an ISO 3166-1 alpha-2 code such as \"ID\"");
    return std::nullopt;
  }
  return value->text;
}

std::optional<std::vector<std::string>> FieldReader::countries(std::string_view name,
                                                              std::size_t max_count) {
  const JsonValue* value = get(name, Presence::optional, JsonValue::Kind::array, "an array");
  if (value == nullptr) return std::nullopt;
  if (value->items.size() > max_count) {
    fail(problem_codes::kInvalidField, name, "has more than " + std::to_string(max_count) + " entries");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const JsonValue& item : value->items) {
    if (item.kind != JsonValue::Kind::string || !valid_country(item.text)) {
      fail(problem_codes::kInvalidField, name, "must hold ISO 3166-1 alpha-2 codes such as \"ID\"");
      return std::nullopt;
    }
    out.push_back(item.text);
  }
  return out;
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view name,
                                                            Presence presence,
                                                            std::size_t max_count,
                                                            std::size_t max_bytes) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::array, "an array of strings");
  if (value == nullptr) return std::nullopt;
  const std::string rule = "must hold 1 to " + std::to_string(max_count) + " strings of 1 to " +
                           std::to_string(max_bytes) + " bytes";
  if (value->items.empty() || value->items.size() > max_count) {
    fail(problem_codes::kInvalidField, name, rule);
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const JsonValue& item : value->items) {
    if (item.kind != JsonValue::Kind::string || item.text.empty() || item.text.size() > max_bytes) {
      fail(problem_codes::kInvalidField, name, rule);
      return std::nullopt;
    }
    out.push_back(item.text);
  }
  return out;
}

std::optional<UserId> FieldReader::user_id(std::string_view name, Presence presence) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::string, "a user id");
  if (value == nullptr) return std::nullopt;
  if (!valid_user_id(value->text)) {
    fail(problem_codes::kInvalidField, name, "must be 1-64 characters of [A-Za-z0-9_-]");
    return std::nullopt;
  }
  return UserId{value->text};
}

std::optional<std::string> FieldReader::one_of(std::string_view name, Presence presence,
                                               std::initializer_list<std::string_view> allowed) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::string, "a string");
  if (value == nullptr) return std::nullopt;
  std::string names;
  for (std::string_view option : allowed) {
    if (value->text == option) return value->text;
    names += names.empty() ? "" : ", ";
    names += option;
  }
  fail(problem_codes::kInvalidField, name, "must be one of " + names);
  return std::nullopt;
}

std::optional<bool> FieldReader::boolean(std::string_view name, Presence presence) {
  const JsonValue* value = get(name, presence, JsonValue::Kind::boolean, "a boolean");
  if (value == nullptr) return std::nullopt;
  return value->boolean;
}

std::optional<JsonText> FieldReader::json(std::string_view name, Presence presence,
                                          std::size_t max_bytes) {
  asked_.emplace_back(name);
  if (!ok()) return std::nullopt;
  const JsonValue* value = object_.find(name);
  if (value == nullptr || value->kind == JsonValue::Kind::null) {
    if (presence == Presence::required) fail(problem_codes::kMissingField, name, "is required");
    return std::nullopt;
  }
  JsonText minified;
  JsonWriter writer(minified.text);
  write_json_value(writer, *value);
  if (minified.text.size() > max_bytes) {
    fail(problem_codes::kInvalidField, name,
         "is " + std::to_string(minified.text.size()) + " bytes of JSON; at most " +
             std::to_string(max_bytes) + " are allowed");
    return std::nullopt;
  }
  if (minified.text.find("\"" + std::string(kSealedPrefix)) != std::string::npos) {
    fail(problem_codes::kInvalidField, name, kSealedInputDetail);
    return std::nullopt;
  }
  return minified;
}

void FieldReader::invalid(std::string_view name, std::string_view detail) {
  fail(problem_codes::kInvalidField, name, detail);
}

FieldReader& FieldReader::object(std::string_view name) {
  // Found even after a problem elsewhere, so that finish() still sees its unknown members.
  const JsonValue* value = object_.find(name);
  if (value != nullptr && value->kind != JsonValue::Kind::object) {
    value = get(name, Presence::optional, JsonValue::Kind::object, "an object");
  } else {
    asked_.emplace_back(name);
  }
  // Not make_unique: the constructor that shares this reader's problem is private.
  nested_.emplace_back(new FieldReader(value == nullptr ? kEmptyObject : *value,
                                       full_name(name) + ".", problem_));
  return *nested_.back();
}

const std::string* FieldReader::unread_member() const {
  for (const auto& [member, value] : object_.members) {
    bool asked = false;
    for (const std::string& name : asked_) asked |= name == member;
    if (!asked) return &member;
  }
  return nullptr;
}

std::optional<FieldProblem> FieldReader::unknown_member() const {
  if (const std::string* member = unread_member()) {
    std::string known;
    for (const std::string& name : asked_) known += (known.empty() ? "" : ", ") + name;
    return FieldProblem{std::string(problem_codes::kUnknownField),
                        full_name(*member) + ": unknown field; this object takes " +
                            (known.empty() ? std::string("no fields") : known)};
  }
  for (const auto& nested : nested_) {
    if (auto unknown = nested->unknown_member()) return unknown;
  }
  return std::nullopt;
}

bool FieldReader::finish() {
  // Every nested object is searched before any other problem counts: one found there earlier
  // (a missing title) must not hide a misspelt member further in.
  if (auto unknown = unknown_member()) {
    *problem_ = std::move(*unknown);
    return false;
  }
  return ok();
}

std::optional<JsonValue> parse_object_body(std::string_view body, bool empty_ok,
                                           Response& problem_out) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (empty_ok) return kEmptyObject;
    problem_out = problem(400, problem_codes::kMalformedJson, "the body must be a JSON object");
    return std::nullopt;
  }
  auto parsed = parse_json(body);
  if (!parsed.ok()) {
    problem_out = problem(400, problem_codes::kMalformedJson, parsed.error().message);
    return std::nullopt;
  }
  if (parsed->kind != JsonValue::Kind::object) {
    problem_out = problem(400, problem_codes::kMalformedJson, "the body must be a JSON object");
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace microjobs
