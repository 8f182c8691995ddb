#pragma once
// The event envelope of the stream contract (README, "On Kafka"): CloudEvents 1.0 attributes
// plus stream, seq, command_id, command_hash, prev_hash and data, as JSON. These bytes are what
// the local log stores and what goes to Kafka; a record's hash is the SHA-256 of exactly them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/events.h"

namespace microjobs {

struct EnvelopeMeta {
  std::string id;          // "{partition}-{seq}": unique within the deployment
  std::string source;      // "/microjobs/partitions/{partition}"
  UnixMs time;
  std::string stream;      // the stream key (user id); the Kafka record key
  std::int64_t seq = 0;    // contiguous from 1 in the partition
  std::string command_id;  // CommandId::text(): "client/alice/key-1", "credit//3-35", …
  std::string prev_hash;   // hex SHA-256 of the previous record's bytes, 64 zeros for seq 1
  // command_fingerprint() of the command, so that a reused key is refused after a restart too;
  // written as the attribute "command_hash" (16 hex digits) after command_id when not 0.
  std::uint64_t command_fingerprint = 0;
};

struct Envelope {
  EnvelopeMeta meta;
  std::string subject;
  Event event;
};

std::string encode_envelope(const EnvelopeMeta& meta, const Event& event);
// Appends instead of returning: the hot path reuses one buffer.
void encode_envelope_to(std::string& out, const EnvelopeMeta& meta, const Event& event);

// Decodes an envelope; on failure returns nullopt and says why in `error` (if given).
std::optional<Envelope> decode_envelope(std::string_view bytes, std::string* error = nullptr);

// The JSON decoder reads up to this many bytes past a record's end (simdjson's padding). A
// std::string whose capacity leaves that room is decoded where it is; other bytes are copied into
// a padded buffer first. The logs read their records' values as padded_copy()s.
constexpr std::size_t kDecodePadding = 64;
std::optional<Envelope> decode_envelope(const std::string& bytes, std::string* error = nullptr);
inline std::string padded_copy(std::string_view bytes) {
  std::string copy;
  copy.reserve(bytes.size() + kDecodePadding);
  copy.assign(bytes);
  return copy;
}

// Reads one string attribute (id, type, source, …) of an envelope this codec wrote, without
// parsing it: for readers that skip most events and for Kafka headers. Empty when absent.
std::string_view peek_attribute(std::string_view bytes, std::string_view name);
std::string_view peek_type(std::string_view bytes);
std::optional<std::int64_t> peek_seq(std::string_view bytes);

std::string event_id(std::int32_t partition, std::int64_t seq);
std::string event_source(std::int32_t partition);

}  // namespace microjobs
