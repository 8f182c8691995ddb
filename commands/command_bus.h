#pragma once
// The CommandBus port: takes a command from any thread and calls `reply` exactly once with its
// outcome, on whatever thread decided it (keep replies short; post to your own executor).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "domain/command_id.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "domain/rejection.h"

namespace microjobs {

struct Position {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  bool operator==(const Position&) const = default;
};

// "3:17" <-> {3, 17}.
std::string format_position(Position position);
std::optional<Position> parse_position(std::string_view text);

struct CommandOutcome {
  enum class Kind : std::uint8_t {
    accepted,     // `event` is durable at `position`
    rejected,     // `rejection` says why; nothing was appended
    overloaded,   // the partition's queue is full: retry later (429)
    unavailable,  // the outcome is unknown (append failed): retrying with the same id is safe (503)
  };
  Kind kind = Kind::unavailable;
  Rejection rejection = Rejection::invalid_argument;
  Event event;
  Position position;
  UnixMs time;           // when the command was decided
  bool repeated = false; // answered from the idempotency record of an earlier identical command
  std::string detail;    // for unavailable: what failed
};

using ReplyFn = std::function<void(CommandOutcome)>;

class CommandBus {
 public:
  virtual ~CommandBus() = default;
  // A `command_id` with a key makes the command idempotent for 24 h: a repeat gets the first
  // outcome, the same id with another command or body `idempotency_key_reused`.
  virtual void send(CommandId command_id, Command command, ReplyFn reply) = 0;
  virtual std::int32_t partitions() const = 0;
};

}  // namespace microjobs
