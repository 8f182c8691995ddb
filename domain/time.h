#pragma once
// Time is Unix milliseconds in UTC. Only decide() reads it, and only from the command.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace microjobs {

struct UnixMs {
  std::int64_t value = 0;
  auto operator<=>(const UnixMs&) const = default;
};

// The last instant RFC 3339 text here can name: 9999-12-31T23:59:59.999Z.
inline constexpr UnixMs kMaxUnixMs{253'402'300'799'999};

// RFC 3339 in UTC with milliseconds: "2026-11-22T04:25:40.123Z".
std::string format_rfc3339(UnixMs time);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff...]Z" or with a "+HH:MM"/"-HH:MM" offset, for instants from
// 1970-01-01T00:00:00Z to kMaxUnixMs.
std::optional<UnixMs> parse_rfc3339(std::string_view text);

}  // namespace microjobs
