#include "domain/codec/envelope.h"

#include <simdjson.h>

#include <array>
#include <type_traits>
#include <utility>

#include "domain/codec/json_fields.h"
#include "domain/codec/json_writer.h"

namespace microjobs {
namespace {

using json_fields::FieldReader;
using json_fields::FieldWriter;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

std::array<char, 16> fingerprint_hex(std::uint64_t fingerprint) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 16> hex{};
  for (int i = 15; i >= 0; --i, fingerprint >>= 4) hex[i] = kDigits[fingerprint & 0xf];
  return hex;
}

// command_hash as written: 16 lower-case hex digits, never all zeros (0 is written as absent).
bool parse_fingerprint(std::string_view hex, std::uint64_t& fingerprint) {
  if (hex.size() != 16) return false;
  fingerprint = 0;
  for (char c : hex) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    fingerprint = fingerprint << 4 | static_cast<std::uint64_t>(digit);
  }
  return fingerprint != 0;
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
      .field("command_id", meta.command_id);
  if (meta.command_fingerprint != 0) {
    auto hex = fingerprint_hex(meta.command_fingerprint);
    json.field("command_hash", std::string_view(hex.data(), hex.size()));
  }
  json.field("prev_hash", meta.prev_hash).key("data");
  json_fields::write_variant(json, event);
  json.end_object();
}

std::string encode_envelope(const EnvelopeMeta& meta, const Event& event) {
  std::string out;
  out.reserve(512);
  encode_envelope_to(out, meta, event);
  return out;
}

static_assert(kDecodePadding >= simdjson::SIMDJSON_PADDING);

namespace {

std::optional<Envelope> decode_padded(simdjson::padded_string_view bytes, std::string* error) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  object root;
  if (parser.iterate(bytes).get(document) || document.get_object().get(root)) {
    if (error) *error = "not a JSON object";
    return std::nullopt;
  }
  Envelope envelope;
  // First the root walked whole, nothing after it (a record cut or padded is refused here), and
  // "command_hash" read on the way: it is optional (absent in records written before it existed,
  // and when 0), and looking up an absent field would walk the whole object once more.
  auto read_fingerprint = [&](auto& field) {
    simdjson::ondemand::raw_json_string key;
    if (field.key().get(key)) return false;
    if (!key.unsafe_is_equal("command_hash")) return true;
    std::string_view hex;
    return !field.value().get_string().get(hex) && parse_fingerprint(hex, envelope.meta.command_fingerprint);
  };
  if (!json_fields::walked_whole_root(document, root, read_fingerprint)) {
    if (error) *error = "envelope is not one complete JSON object, or its command_hash is malformed";
    return std::nullopt;
  }
  // type and time are read where the parser unescaped them: they live only for this decode.
  std::string_view type, time;
  std::int64_t seq = 0;
  bool ok = json_fields::read_string_field(root, "id", envelope.meta.id) &&
            !root.find_field_unordered("type").get_string().get(type) &&
            json_fields::read_string_field(root, "source", envelope.meta.source) &&
            json_fields::read_string_field(root, "subject", envelope.subject) &&
            !root.find_field_unordered("time").get_string().get(time) &&
            json_fields::read_string_field(root, "stream", envelope.meta.stream) &&
            !root.find_field_unordered("seq").get_int64().get(seq) &&
            json_fields::read_string_field(root, "command_id", envelope.meta.command_id) &&
            json_fields::read_string_field(root, "prev_hash", envelope.meta.prev_hash);
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
  if (!json_fields::decode_variant(type, data, envelope.event, error)) return std::nullopt;
  return envelope;
}

}  // namespace

std::optional<Envelope> decode_envelope(std::string_view bytes, std::string* error) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: a copy into a buffer each thread
  // keeps, not an allocation per record.
  thread_local std::string buffer;
  buffer.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(bytes);
  return decode_padded(simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity()), error);
}

std::optional<Envelope> decode_envelope(const std::string& bytes, std::string* error) {
  if (bytes.capacity() < bytes.size() + simdjson::SIMDJSON_PADDING) return decode_envelope(std::string_view(bytes), error);
  return decode_padded(simdjson::padded_string_view(bytes.data(), bytes.size(), bytes.capacity()), error);
}

std::string_view peek_attribute(std::string_view bytes, std::string_view name) {
  // The encoder writes every attribute before "data" and none of them holds an escaped quote, so
  // the first `"name":"` is the attribute itself.
  std::string key;
  key.reserve(name.size() + 4);
  key.append("\"").append(name).append("\":\"");
  auto at = bytes.find(key);
  auto data = bytes.find("\"data\":");
  if (at == std::string_view::npos || (data != std::string_view::npos && at > data)) return {};
  at += key.size();
  auto end = bytes.find('"', at);
  if (end == std::string_view::npos) return {};
  return bytes.substr(at, end - at);
}

std::string_view peek_type(std::string_view bytes) { return peek_attribute(bytes, "type"); }

std::optional<std::int64_t> peek_seq(std::string_view bytes) {
  static constexpr std::string_view kKey = "\"seq\":";
  auto at = bytes.find(kKey);
  auto data = bytes.find("\"data\":");
  if (at == std::string_view::npos || (data != std::string_view::npos && at > data)) return std::nullopt;
  at += kKey.size();
  std::int64_t seq = 0;
  std::size_t digits = 0;
  for (; at < bytes.size() && bytes[at] >= '0' && bytes[at] <= '9' && digits < 18; ++at, ++digits) {
    seq = seq * 10 + (bytes[at] - '0');
  }
  if (digits == 0) return std::nullopt;
  return seq;
}

std::string event_id(std::int32_t partition, std::int64_t seq) {
  return std::to_string(partition) + "-" + std::to_string(seq);
}

std::string event_source(std::int32_t partition) {
  return "/microjobs/partitions/" + std::to_string(partition);
}

}  // namespace microjobs
