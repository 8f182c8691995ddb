#pragma once
// A partition's state as bytes, so a processor starts from a snapshot plus the log's tail instead
// of the whole log. Versioned: a reader refuses a snapshot of another format (and the processor
// then replays the whole log), so a format change never misreads old bytes.
#include <optional>
#include <string>
#include <string_view>

#include "domain/state.h"

namespace microjobs {

// Canonical: maps are written in key order, so two states are equal exactly when their snapshots
// are equal byte for byte (tests compare live and rebuilt states this way).
std::string encode_snapshot(const PartitionState& state);
std::optional<PartitionState> decode_snapshot(std::string_view bytes);

}  // namespace microjobs
