#pragma once
// Internal to domain/codec: JSON readers and writers for any struct that lists its fields in
// visit() (events, commands). Money is a decimal string, time RFC 3339; a field absent when read
// keeps its default. Includes simdjson: include it from codec .cpp files only.
#include <simdjson.h>

#include <string>
#include <string_view>
#include <variant>
#include <type_traits>
#include <vector>

#include "domain/ledger.h"

#include "domain/codec/json_writer.h"
#include "domain/ids.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs::json_fields {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

// Writes each field an event lists in visit() as JSON. Money is a decimal string, time RFC 3339.
struct FieldWriter {
  JsonWriter& json;

  void write(const std::string& value) { json.string(value); }
  template <class Tag> void write(const Id<Tag>& value) { json.string(value.value); }
  void write(const Micros& value) { json.string(format_money(value)); }
  void write(const UnixMs& value) { json.string(format_rfc3339(value)); }
  void write(std::int64_t value) { json.number(value); }
  void write(const ItemNumber& value) { json.number(value.value); }
  // Empty text (a field that was absent when the event was read) is written as null: raw nothing
  // would make the envelope invalid JSON (found by tests/fuzz envelope_fuzz).
  void write(const JsonText& value) { json.raw(value.text.empty() ? std::string_view("null") : std::string_view(value.text)); }
  void write(const std::vector<std::string>& values) {
    json.begin_array();
    for (const auto& value : values) json.string(value);
    json.end_array();
  }
  template <class T> void write(const std::vector<T>& values) {
    json.begin_array();
    for (const auto& value : values) write_object(value);
    json.end_array();
  }
  template <class T>
    requires requires(T& t, FieldWriter& w) { t.visit(w); }
  void write(const T& value) { write_object(value); }
  template <class T> void write_object(const T& value) {
    json.begin_object();
    const_cast<T&>(value).visit(*this);  // visit() only reads through FieldWriter
    json.end_object();
  }
  template <class T> void operator()(const char* name, const T& value) {
    // Likewise an empty list of transfers: events that may or may not move money (a claim that
    // ends on an ended task refunds its slot) keep the bytes they had before they could.
    if constexpr (std::is_same_v<T, std::vector<Transfer>>) {
      if (value.empty()) return;
    }
    json.key(name);
    write(value);
  }
  // Likewise an item number only when there is an item.
  void operator()(const char* name, const ItemNumber& value) {
    if (value.value != 0) json.key(name).number(value.value);
  }
  // A flag is written only when set, so that adding one to an event type leaves the bytes of
  // every event without it unchanged (absent reads as false).
  void operator()(const char* name, const bool& value) {
    if (value) json.key(name).boolean(true);
  }
};

// Walks `obj`'s fields to its end, handing each to `on_field` (false stops the walk and fails it),
// and goes back to its start; false when the object is not well formed. On-demand parsing checks
// only what it reads, and simdjson's find_field_unordered assumes an object it searches is well
// formed: one malformed after the field read first (`"a":"1":[`, or a nested
// `{"amount":"1.00"x]`) left it past the object's end (undefined behaviour, found by tests/fuzz
// envelope_fuzz). So every object is walked whole before its fields are looked up.
template <class OnField> bool walk_fields(object& obj, OnField&& on_field) {
  for (auto field : obj) {
    if (field.error() || !on_field(field)) return false;
  }
  return true;
}
inline bool walked_whole(object& obj) {
  return walk_fields(obj, [](auto&) { return true; }) && !obj.reset().error();
}
// The same for a document's root object, which nothing may follow (a record cut or padded).
template <class OnField>
bool walked_whole_root(simdjson::ondemand::document& document, object& root, OnField&& on_field) {
  return walk_fields(root, on_field) && document.current_location().error() == simdjson::OUT_OF_BOUNDS &&
         !root.reset().error();
}
inline bool walked_whole_root(simdjson::ondemand::document& document, object& root) {
  return walked_whole_root(document, root, [](auto&) { return true; });
}

// Reads the fields an event lists in visit(). A field that is absent keeps its default (fields
// added in later versions of an event type); a field of the wrong type fails the decode.
struct FieldReader {
  object& obj;
  std::string* error;
  bool ok = true;

  void fail(const char* name, const char* what) {
    if (ok && error != nullptr) *error = std::string("field ") + name + ": " + what;
    ok = false;
  }
  bool read(const char* name, value v, std::string& out) {
    std::string_view text;
    if (v.get_string().get(text)) return false;
    out.assign(text);
    (void)name;
    return true;
  }
  template <class Tag> bool read(const char* name, value v, Id<Tag>& out) {
    return read(name, v, out.value);
  }
  bool read(const char*, value v, Micros& out) {
    std::string_view text;
    if (v.get_string().get(text)) return false;
    auto money = parse_money(text);
    if (!money) return false;
    out = *money;
    return true;
  }
  bool read(const char*, value v, UnixMs& out) {
    std::string_view text;
    if (v.get_string().get(text)) return false;
    auto time = parse_rfc3339(text);
    if (!time) return false;
    out = *time;
    return true;
  }
  bool read(const char*, value v, std::int64_t& out) { return !v.get_int64().get(out); }
  bool read(const char*, value v, ItemNumber& out) { return !v.get_int64().get(out.value); }
  // The value's JSON text as it stands in the document (the writer wrote it minified).
  bool read(const char*, value v, JsonText& out) {
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return false;
    std::string_view text;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object inner;
      if (v.get_object().get(inner) || inner.raw_json().get(text)) return false;
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array inner;
      if (v.get_array().get(inner) || inner.raw_json().get(text)) return false;
    } else {
      text = v.raw_json_token();
      while (!text.empty() && (text.back() == ' ' || text.back() == '\n' ||
                               text.back() == '\r' || text.back() == '\t')) {
        text.remove_suffix(1);
      }
    }
    // On-demand parsing takes an object's raw text without looking inside it; what is kept
    // verbatim and written again must be JSON (found by tests/fuzz envelope_fuzz).
    thread_local simdjson::dom::parser validator;
    simdjson::dom::element parsed;
    if (validator.parse(text.data(), text.size(), true).get(parsed)) return false;
    out.text.assign(text);
    return true;
  }
  bool read(const char*, value v, bool& out) { return !v.get_bool().get(out); }
  bool read(const char* name, value v, std::vector<std::string>& out) {
    simdjson::ondemand::array array;
    if (v.get_array().get(array)) return false;
    for (auto element : array) {
      std::string text;
      value item;
      if (element.get(item) || !read(name, item, text)) return false;
      out.push_back(std::move(text));
    }
    return true;
  }
  template <class T> bool read(const char*, value v, std::vector<T>& out) {
    simdjson::ondemand::array array;
    if (v.get_array().get(array)) return false;
    for (auto element : array) {
      object inner;
      if (element.get_object().get(inner)) return false;
      T item;
      if (!read_whole(inner, item)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }
  template <class T>
    requires requires(T& t, FieldReader& r) { t.visit(r); }
  bool read(const char*, value v, T& out) {
    object inner;
    if (v.get_object().get(inner)) return false;
    return read_whole(inner, out);
  }
  // A nested object: checked to its end (walked_whole), then its fields read.
  template <class T> bool read_whole(object& inner, T& out) {
    if (!walked_whole(inner)) return false;
    FieldReader reader{inner, error};
    out.visit(reader);
    return reader.ok;
  }
  // Names are the literals visit() passes: their length is known without strlen().
  template <class T, std::size_t N> void operator()(const char (&name)[N], T& target) {
    if (!ok) return;
    value v;
    auto code = obj.find_field_unordered(std::string_view(name, N - 1)).get(v);
    if (code == simdjson::NO_SUCH_FIELD) return;
    if (code || !read(name, v, target)) fail(name, "missing or of the wrong type");
  }
};

// Reads the string field `name` of `obj` into `out`; false when absent or not a string.
inline bool read_string_field(object& obj, std::string_view name, std::string& out) {
  std::string_view text;
  if (obj.find_field_unordered(name).get_string().get(text)) return false;
  out.assign(text);
  return true;
}

// The name a variant alternative is known by on the wire: kType for events, kName for commands.
template <class T> constexpr std::string_view wire_name() {
  if constexpr (requires { T::kType; }) {
    return T::kType;
  } else {
    return T::kName;
  }
}

// Decodes `data` into the alternative of `Variant` whose wire name is `name`.
template <class Variant, std::size_t I = 0>
bool decode_variant(std::string_view name, object& data, Variant& out, std::string* error) {
  if constexpr (I == std::variant_size_v<Variant>) {
    if (error) *error = "unknown type " + std::string(name);
    return false;
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if (name != wire_name<T>()) return decode_variant<Variant, I + 1>(name, data, out, error);
    if (!walked_whole(data)) {
      if (error) *error = "data is not a well-formed object";
      return false;
    }
    T item;
    FieldReader reader{data, error};
    item.visit(reader);
    if (!reader.ok) return false;
    out = std::move(item);
    return true;
  }
}

template <class Variant> void write_variant(JsonWriter& json, const Variant& variant) {
  std::visit([&](const auto& item) { FieldWriter{json}.write_object(item); }, variant);
}

}  // namespace microjobs::json_fields
