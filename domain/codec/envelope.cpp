#include "domain/codec/envelope.h"

#include <simdjson.h>

#include <array>
#include <type_traits>
#include <utility>

#include "domain/codec/json_writer.h"

namespace microjobs {
namespace {

// Writes each field an event lists in visit() as JSON. Money is a decimal string, time RFC 3339.
struct FieldWriter {
  JsonWriter& json;

  void write(const std::string& value) { json.string(value); }
  template <class Tag> void write(const Id<Tag>& value) { json.string(value.value); }
  void write(const Micros& value) { json.string(format_money(value)); }
  void write(const UnixMs& value) { json.string(format_rfc3339(value)); }
  void write(std::int64_t value) { json.number(value); }
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
  template <class T> void write_object(const T& value) {
    json.begin_object();
    const_cast<T&>(value).visit(*this);  // visit() only reads through FieldWriter
    json.end_object();
  }
  template <class T> void operator()(const char* name, const T& value) {
    json.key(name);
    write(value);
  }
};

using simdjson::ondemand::object;
using simdjson::ondemand::value;

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
      FieldReader reader{inner, error};
      T item;
      item.visit(reader);
      if (!reader.ok) return false;
      out.push_back(std::move(item));
    }
    return true;
  }
  template <class T> void operator()(const char* name, T& target) {
    if (!ok) return;
    value v;
    auto code = obj.find_field_unordered(name).get(v);
    if (code == simdjson::NO_SUCH_FIELD) return;
    if (code || !read(name, v, target)) fail(name, "missing or of the wrong type");
  }
};

template <std::size_t I = 0>
bool decode_data(std::string_view type, object& data, Event& out, std::string* error) {
  if constexpr (I == std::variant_size_v<Event>) {
    if (error) *error = "unknown event type " + std::string(type);
    return false;
  } else {
    using T = std::variant_alternative_t<I, Event>;
    if (type != T::kType) return decode_data<I + 1>(type, data, out, error);
    T event;
    FieldReader reader{data, error};
    event.visit(reader);
    if (!reader.ok) return false;
    out = std::move(event);
    return true;
  }
}

bool get_string(object& obj, const char* name, std::string& out) {
  std::string_view text;
  if (obj.find_field_unordered(name).get_string().get(text)) return false;
  out.assign(text);
  return true;
}

}  // namespace

void encode_envelope_to(std::string& out, const EnvelopeMeta& meta, const Event& event) {
  JsonWriter json(out);
  json.begin_object()
      .field("specversion", "1.0")
      .field("id", meta.id)
      .field("type", event_type(event))
      .field("source", meta.source)
      .field("subject", event_subject(event))
      .field("time", format_rfc3339(meta.time))
      .field("datacontenttype", "application/json")
      .field("stream", meta.stream)
      .field("seq", meta.seq)
      .field("command_id", meta.command_id)
      .field("prev_hash", meta.prev_hash)
      .key("data");
  std::visit([&](const auto& e) { FieldWriter{json}.write_object(e); }, event);
  json.end_object();
}

std::string encode_envelope(const EnvelopeMeta& meta, const Event& event) {
  std::string out;
  out.reserve(512);
  encode_envelope_to(out, meta, event);
  return out;
}

std::optional<Envelope> decode_envelope(std::string_view bytes, std::string* error) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(bytes);
  simdjson::ondemand::document document;
  object root;
  if (parser.iterate(padded).get(document) || document.get_object().get(root)) {
    if (error) *error = "not a JSON object";
    return std::nullopt;
  }
  Envelope envelope;
  std::string type, time;
  std::int64_t seq = 0;
  bool ok = get_string(root, "id", envelope.meta.id) && get_string(root, "type", type) &&
            get_string(root, "source", envelope.meta.source) &&
            get_string(root, "subject", envelope.subject) && get_string(root, "time", time) &&
            get_string(root, "stream", envelope.meta.stream) &&
            !root.find_field_unordered("seq").get_int64().get(seq) &&
            get_string(root, "command_id", envelope.meta.command_id) &&
            get_string(root, "prev_hash", envelope.meta.prev_hash);
  auto parsed_time = parse_rfc3339(time);
  if (!ok || !parsed_time) {
    if (error) *error = "envelope attributes missing or malformed";
    return std::nullopt;
  }
  envelope.meta.seq = seq;
  envelope.meta.time = *parsed_time;
  object data;
  if (root.find_field_unordered("data").get_object().get(data)) {
    if (error) *error = "data is not an object";
    return std::nullopt;
  }
  if (!decode_data(type, data, envelope.event, error)) return std::nullopt;
  // On-demand parsing reads only what it is asked for: walk the root object to its end and make
  // sure nothing follows it, so a truncated or padded record is refused.
  if (root.reset().error()) {
    if (error) *error = "envelope is not a complete JSON object";
    return std::nullopt;
  }
  for (auto field : root) {
    if (field.error()) {
      if (error) *error = "envelope is not a complete JSON object";
      return std::nullopt;
    }
  }
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    if (error) *error = "bytes follow the envelope";
    return std::nullopt;
  }
  return envelope;
}

std::string_view peek_type(std::string_view bytes) {
  static constexpr std::string_view kKey = "\"type\":\"";
  auto at = bytes.find(kKey);
  if (at == std::string_view::npos) return {};
  at += kKey.size();
  auto end = bytes.find('"', at);
  if (end == std::string_view::npos) return {};
  return bytes.substr(at, end - at);
}

std::string event_id(std::int32_t partition, std::int64_t seq) {
  return std::to_string(partition) + "-" + std::to_string(seq);
}

std::string event_source(std::int32_t partition) {
  return "/microjobs/partitions/" + std::to_string(partition);
}

}  // namespace microjobs
