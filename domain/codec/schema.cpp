#include "domain/codec/schema.h"

#include <algorithm>
#include <map>
#include <type_traits>
#include <utility>
#include <variant>

#include "domain/codec/json_writer.h"
#include "domain/slices.h"

namespace microjobs {
namespace {

// The schema of each field type, as the codec (json_fields.h FieldWriter) writes it.
struct SchemaWriter {
  JsonWriter& json;
  std::vector<std::string> required;

  void write(const std::string&) { json.begin_object().field("type", "string").end_object(); }
  template <class Tag> void write(const Id<Tag>&) {
    json.begin_object().field("type", "string").field("minLength", std::int64_t{1}).end_object();
  }
  void write(const Micros&) {
    json.begin_object()
        .field("type", "string")
        .field("pattern", "^-?[0-9]+\\.[0-9]{2,6}$")
        .field("description", "money: a decimal of the currency unit, 2 to 6 decimals (integer micros)")
        .end_object();
  }
  void write(const UnixMs&) { json.begin_object().field("type", "string").field("format", "date-time").end_object(); }
  void write(std::int64_t) { json.begin_object().field("type", "integer").end_object(); }
  void write(const ItemNumber&) {
    json.begin_object().field("type", "integer").field("minimum", std::int64_t{1}).end_object();
  }
  void write(const JsonText&) {
    json.begin_object().field("description", "any JSON value, as the employer gave it").end_object();
  }
  // A flag is only ever written as true.
  void write(const bool&) { json.begin_object().key("const").boolean(true).end_object(); }
  void write(const std::vector<std::string>&) {
    json.begin_object().field("type", "array").key("items").begin_object().field("type", "string").end_object();
    json.end_object();
  }
  template <class T> void write(const std::vector<T>&) {
    json.begin_object().field("type", "array").key("items");
    write_object(T{});
    json.end_object();
  }
  template <class T>
    requires requires(T& t, SchemaWriter& w) { t.visit(w); }
  void write(const T& value) { write_object(value); }

  template <class T> void write_object(const T& value) {
    json.begin_object().field("type", "object").key("properties").begin_object();
    SchemaWriter fields{json, {}};
    const_cast<T&>(value).visit(fields);  // visit() only reads through SchemaWriter
    json.end_object().key("required").begin_array();
    for (const std::string& name : fields.required) json.string(name);
    json.end_array().key("additionalProperties").boolean(false).end_object();
  }

  template <class T> void operator()(const char* name, const T& value) {
    json.key(name);
    write(value);
    // What the codec leaves out when it has its default: flags, item numbers, empty transfers.
    constexpr bool omitted_when_default = std::is_same_v<T, bool> || std::is_same_v<T, ItemNumber> ||
                                          std::is_same_v<T, std::vector<Transfer>>;
    if (!omitted_when_default) required.emplace_back(name);
  }
};

void string_property(JsonWriter& json, std::string_view name, std::string_view pattern) {
  json.key(name).begin_object().field("type", "string");
  if (!pattern.empty()) json.field("pattern", pattern);
  json.end_object();
}

void const_property(JsonWriter& json, std::string_view name, std::string_view value) {
  json.key(name).begin_object().field("const", value).end_object();
}

template <class E> std::string envelope_schema() {
  const std::string type(E::kType);
  std::string out;
  JsonWriter json(out);
  json.begin_object()
      .field("$schema", "https://json-schema.org/draft/2020-12/schema")
      .field("$id", "https://microjobs.dev/schemas/" + type)
      .field("title", type)
      .field("description", "One record of the microjobs.events topic: a CloudEvents 1.0 envelope of " + type +
                                " with the partition's seq and hash chain (prev_hash)")
      .field("type", "object")
      .key("properties")
      .begin_object();
  const_property(json, "specversion", "1.0");
  string_property(json, "id", "^[0-9]+-[0-9]+$");
  const_property(json, "type", type);
  string_property(json, "source", "^/microjobs/partitions/[0-9]+$");
  string_property(json, "subject", "");
  json.key("time").begin_object().field("type", "string").field("format", "date-time").end_object();
  const_property(json, "datacontenttype", "application/json");
  string_property(json, "stream", "^.+$");
  json.key("seq").begin_object().field("type", "integer").field("minimum", std::int64_t{1}).end_object();
  string_property(json, "command_id", "");
  string_property(json, "command_hash", "^[0-9a-f]{16}$");
  string_property(json, "prev_hash", "^[0-9a-f]{64}$");
  json.key("data");
  SchemaWriter data{json, {}};
  data.write_object(E{});
  json.end_object().key("required").begin_array();
  for (const char* name : {"specversion", "id", "type", "source", "subject", "time", "datacontenttype", "stream",
                           "seq", "command_id", "prev_hash", "data"}) {
    json.string(name);
  }
  json.end_array().key("additionalProperties").boolean(false).end_object();
  return out;
}

using Catalogue = std::map<std::string, std::string, std::less<>>;

template <std::size_t... I> Catalogue build_catalogue(std::index_sequence<I...>) {
  Catalogue catalogue;
  (catalogue.emplace(std::string(std::variant_alternative_t<I, Event>::kType),
                     envelope_schema<std::variant_alternative_t<I, Event>>()),
   ...);
  return catalogue;
}

const Catalogue& catalogue() {
  static const Catalogue built = build_catalogue(std::make_index_sequence<std::variant_size_v<Event>>());
  return built;
}

}  // namespace

const std::vector<std::string>& event_type_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [type, schema] : catalogue()) out.push_back(type);
    return out;
  }();
  return names;
}

std::optional<std::string_view> event_schema(std::string_view type) {
  auto found = catalogue().find(type);
  if (found == catalogue().end()) return std::nullopt;
  return std::string_view(found->second);
}

}  // namespace microjobs
