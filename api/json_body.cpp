#include "api/json_body.h"

#include <simdjson.h>

#include <algorithm>

namespace microjobs {
namespace {

namespace ondemand = simdjson::ondemand;

// Internal errors carry simdjson's message or our own.
struct Failure {
  std::string message;
};

std::string describe(simdjson::error_code error) { return simdjson::error_message(error); }

bool convert_value(ondemand::value value, JsonValue& out, int depth, Failure& failure);

bool check_unique_keys(const JsonValue& object, Failure& failure) {
  std::vector<std::string_view> keys;
  keys.reserve(object.members.size());
  for (const auto& member : object.members) keys.emplace_back(member.key);
  std::sort(keys.begin(), keys.end());
  auto duplicate = std::adjacent_find(keys.begin(), keys.end());
  if (duplicate == keys.end()) return true;
  failure.message = "duplicate key \"" + std::string(*duplicate) + "\"";
  return false;
}

bool convert_object(ondemand::object object, JsonValue& out, int depth, Failure& failure) {
  out.kind = JsonValue::Kind::object;
  for (auto member : object) {
    ondemand::field field;
    if (auto error = std::move(member).get(field)) return failure.message = describe(error), false;
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return failure.message = describe(error), false;
    out.members.push_back(JsonMember{std::string(key), JsonValue{}});
    if (!convert_value(field.value(), out.members.back().value, depth + 1, failure)) return false;
  }
  return check_unique_keys(out, failure);
}

bool convert_array(ondemand::array array, JsonValue& out, int depth, Failure& failure) {
  out.kind = JsonValue::Kind::array;
  for (auto element : array) {
    ondemand::value value;
    if (auto error = std::move(element).get(value)) return failure.message = describe(error), false;
    out.items.emplace_back();
    if (!convert_value(value, out.items.back(), depth + 1, failure)) return false;
  }
  return true;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool convert_scalar(ondemand::value value, ondemand::json_type type, JsonValue& out,
                    Failure& failure) {
  simdjson::error_code error = simdjson::SUCCESS;
  switch (type) {
    case ondemand::json_type::number: {
      out.kind = JsonValue::Kind::number;
      out.text = std::string(trim_right(value.raw_json_token()));
      if (!is_json_number(out.text)) return failure.message = "invalid number", false;
      return true;
    }
    case ondemand::json_type::string: {
      out.kind = JsonValue::Kind::string;
      std::string_view text;
      error = value.get_string().get(text);
      out.text = std::string(text);
      break;
    }
    case ondemand::json_type::boolean:
      out.kind = JsonValue::Kind::boolean;
      error = value.get_bool().get(out.boolean);
      break;
    default: {
      out.kind = JsonValue::Kind::null;
      bool is_null = false;
      error = value.is_null().get(is_null);
      if (!error && !is_null) return failure.message = "invalid literal", false;
      break;
    }
  }
  if (error) failure.message = describe(error);
  return !error;
}

bool convert_value(ondemand::value value, JsonValue& out, int depth, Failure& failure) {
  if (depth > kMaxJsonDepth) return failure.message = "nesting too deep", false;
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return failure.message = describe(error), false;
  if (type == ondemand::json_type::object) {
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return failure.message = describe(error), false;
    return convert_object(object, out, depth, failure);
  }
  if (type == ondemand::json_type::array) {
    ondemand::array array;
    if (auto error = value.get_array().get(array)) return failure.message = describe(error), false;
    return convert_array(array, out, depth, failure);
  }
  return convert_scalar(value, type, out, failure);
}

bool convert_document(ondemand::document& document, JsonValue& out, Failure& failure) {
  ondemand::json_type type;
  if (auto error = document.type().get(type)) return failure.message = describe(error), false;
  if (type == ondemand::json_type::object) {
    ondemand::object object;
    if (auto error = document.get_object().get(object)) {
      return failure.message = describe(error), false;
    }
    return convert_object(object, out, 1, failure);
  }
  if (type == ondemand::json_type::array) {
    ondemand::array array;
    if (auto error = document.get_array().get(array)) return failure.message = describe(error), false;
    return convert_array(array, out, 1, failure);
  }
  failure.message = "expected a JSON object or array";
  return false;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

bool is_json_number(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  std::size_t end = text.find_first_of(".eE");
  std::string_view integer = text.substr(0, end);
  if (!all_digits(integer) || (integer.size() > 1 && integer.front() == '0')) return false;
  if (end == std::string_view::npos) return true;
  text.remove_prefix(end);
  if (text.front() == '.') {
    std::size_t exponent = text.find_first_of("eE");
    if (!all_digits(text.substr(1, exponent == std::string_view::npos ? exponent : exponent - 1))) {
      return false;
    }
    if (exponent == std::string_view::npos) return true;
    text.remove_prefix(exponent);
  }
  text.remove_prefix(1);  // 'e' or 'E'
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  return all_digits(text);
}

Result<JsonValue> parse_json(std::string_view text) {
  // One parser per thread: a parser is not thread-safe, and reusing it keeps its buffers.
  thread_local ondemand::parser parser;
  simdjson::padded_string padded(text);
  ondemand::document document;
  if (auto error = parser.iterate(padded).get(document)) return Error{describe(error)};
  JsonValue root;
  Failure failure;
  if (!convert_document(document, root, failure)) return Error{failure.message};
  // After the root has been walked, the only thing left must be the end of the input.
  const char* location = nullptr;
  if (document.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    return Error{"trailing content after the JSON value"};
  }
  return root;
}

}  // namespace microjobs
