#pragma once
// The rules as free functions. decide() is the only place that looks at time, and it reads it from
// its argument; evolve() never fails and reads nothing but its arguments, so replay is exact.
#include <variant>
#include <vector>

#include "domain/commands.h"
#include "domain/events.h"
#include "domain/rejection.h"
#include "domain/state.h"

namespace microjobs {

struct Policy {
  std::int64_t fee_rate_bp = 2000;        // platform fee: 20 % of the reward ...
  Micros fee_floor{10'000};               // ... but at least 0.01 per slot
  std::int64_t max_slots = 1'000'000;     // per PostTask
  std::int64_t max_claim_timeout_s = 30 * 86400;
  std::int64_t default_task_lifetime_s = 30 * 86400;
  std::int64_t max_task_lifetime_s = 366 * 86400;
};

Micros fee_per_slot(Micros reward, const Policy& policy);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

using Decision = std::variant<Event, Rejection>;

Decision decide(const PartitionState& state, const Command& command, UnixMs now,
                const Policy& policy = {});
void evolve(PartitionState& state, const Event& event);

// Submitted claims whose review window ended at or before `now`, oldest first, at most `limit`.
std::vector<ClaimId> due_reviews(const PartitionState& state, UnixMs now, std::size_t limit);
// Claims in `claimed` whose deadline is at or before `now`, oldest first, at most `limit`.
std::vector<ClaimId> due_claims(const PartitionState& state, UnixMs now, std::size_t limit);

// Checks the invariants of a partition's state: no user account negative, each task's escrow
// equals what it can still owe, counters within slots. Returns an empty string when all hold,
// else a description of the first violation. Used by tests and the simulation after each step.
std::string check_invariants(const PartitionState& state);

}  // namespace microjobs
