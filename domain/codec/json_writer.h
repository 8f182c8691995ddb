#pragma once
// A small streaming JSON writer: appends to a caller's string, escapes strings as RFC 8259 asks,
// and places commas itself. Used for event envelopes and API responses.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace microjobs {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  JsonWriter& number(std::int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Appends already-encoded JSON as one value.
  JsonWriter& raw(std::string_view json);

  // Shorthands for "key": value.
  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, const char* text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, std::int64_t value) { return key(name).number(value); }

 private:
  void before_value();

  std::string& out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

void append_json_escaped(std::string& out, std::string_view text);

}  // namespace microjobs
