#pragma once
// Request bodies as a small tree. simdjson (on-demand) parses the bytes in json_body.cpp, the only
// file that includes it; the handlers read the tree with api/fields.h. Numbers keep their exact
// text, so an integer, a money amount sent as a number, or a rate in basis points is judged from
// what the client wrote, never from a double.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace microjobs {

struct JsonMember;

struct JsonValue {
  enum class Kind : std::uint8_t { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;  // a string's unescaped value, or a number's exact token
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;  // in document order, keys unique

  // The member named `key` of an object, or nullptr.
  const JsonValue* find(std::string_view key) const;
};

// A named struct, not std::pair: a pair of an incomplete JsonValue is ill-formed (Clang refuses
// it), while a vector of an incomplete struct is allowed.
struct JsonMember {
  std::string key;
  JsonValue value;
};

inline constexpr int kMaxJsonDepth = 32;

// Parses a whole document whose root is an object or an array. Fails (with a message for a 400
// `malformed_json`) on bad syntax, invalid UTF-8, trailing content, a scalar root, a duplicate key
// in one object, or nesting deeper than kMaxJsonDepth.
Result<JsonValue> parse_json(std::string_view text);

// True when `text` is a number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view text);

}  // namespace microjobs
