#pragma once
// How every reader of a partition treats the next record, by seq and hash chain:
// the first record with a given seq in offset order is the truth for every reader.
#include <cstdint>
#include <string_view>

namespace microjobs {

enum class ChainStep : std::uint8_t {
  apply,        // seq == last + 1 and prev_hash == last hash
  skip_repeat,  // seq <= last with the same bytes (or older): a producer retry's duplicate
  skip_fork,    // another writer's record for a seq already taken, or one chained to such a
                // record: void; report it and go on
  gap,          // seq > last + 1: something is missing; stop
};

inline ChainStep classify_record(std::int64_t last_seq, std::string_view last_hash,
                                 std::int64_t seq, std::string_view prev_hash,
                                 std::string_view hash) {
  if (seq < last_seq) return ChainStep::skip_repeat;
  if (seq == last_seq) return hash == last_hash ? ChainStep::skip_repeat : ChainStep::skip_fork;
  if (seq > last_seq + 1) return ChainStep::gap;
  return prev_hash == last_hash ? ChainStep::apply : ChainStep::skip_fork;
}

}  // namespace microjobs
