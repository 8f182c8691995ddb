#pragma once
// JSON Schemas (2020-12) of the event stream, one per event type and version: the whole envelope
// with that type's `data`. Generated from the same visit() field lists the codec writes, so a
// schema cannot drift from the bytes. Served at GET /v1/schemas; analytics teams validate with
// them (tools/examples/).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microjobs {

// Every event type, "task.posted.v1" and so on, sorted.
const std::vector<std::string>& event_type_names();

// The schema of one event type's envelope, as JSON text; nullopt for a type we do not have.
std::optional<std::string_view> event_schema(std::string_view type);

}  // namespace microjobs
