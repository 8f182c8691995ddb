#include "domain/codec/command_codec.h"

#include "domain/codec/json_fields.h"

namespace microjobs {
namespace {

using simdjson::ondemand::object;

// Parses `bytes` as one JSON object, walked whole with nothing after it
// (json_fields::walked_whole_root), and hands its root to `read`; false on any error.
template <class F> bool parse_object(std::string_view bytes, std::string* error, F&& read) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(bytes);
  simdjson::ondemand::document document;
  object root;
  if (parser.iterate(padded).get(document) || document.get_object().get(root)) {
    if (error) *error = "not a JSON object";
    return false;
  }
  if (!json_fields::walked_whole_root(document, root)) {
    if (error) *error = "not one complete JSON object";
    return false;
  }
  return read(root);
}

}  // namespace

std::string encode_command_message(const CommandMessage& message) {
  std::string out;
  JsonWriter json(out);
  json.begin_object()
      .field("command_id", message.command_id.text())
      .field("reply_to", message.reply_to)
      .field("request_id", message.request_id)
      .field("name", command_name(message.command))
      .key("body");
  json_fields::write_variant(json, message.command);
  json.end_object();
  return out;
}

std::optional<CommandMessage> decode_command_message(std::string_view bytes, std::string* error) {
  CommandMessage message;
  bool ok = parse_object(bytes, error, [&](object& root) {
    std::string name, command_id;
    object body;
    if (!json_fields::read_string_field(root, "command_id", command_id) ||
        !json_fields::read_string_field(root, "reply_to", message.reply_to) ||
        !json_fields::read_string_field(root, "request_id", message.request_id) || !json_fields::read_string_field(root, "name", name) ||
        root.find_field_unordered("body").get_object().get(body)) {
      if (error) *error = "command message attributes missing";
      return false;
    }
    auto id = parse_command_id(command_id);
    if (!id) {
      if (error) *error = "malformed command id";
      return false;
    }
    message.command_id = std::move(*id);
    return json_fields::decode_variant(name, body, message.command, error);
  });
  if (!ok) return std::nullopt;
  return message;
}

std::string encode_event_object(const Event& event) {
  std::string out;
  JsonWriter json(out);
  json.begin_object().field("type", event_type(event)).key("data");
  json_fields::write_variant(json, event);
  json.end_object();
  return out;
}

std::optional<Event> decode_event_object(std::string_view bytes, std::string* error) {
  Event event;
  bool ok = parse_object(bytes, error, [&](object& root) {
    std::string type;
    object data;
    if (!json_fields::read_string_field(root, "type", type) || root.find_field_unordered("data").get_object().get(data)) {
      if (error) *error = "event object attributes missing";
      return false;
    }
    return json_fields::decode_variant(type, data, event, error);
  });
  if (!ok) return std::nullopt;
  return event;
}

}  // namespace microjobs
