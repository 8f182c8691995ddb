#pragma once
// What the slices share: the platform's policy, input checks, and the few state changes several
// events make (a claim ending, a review window closing, transfers posted to balances).
#include <string_view>
#include <utility>
#include <vector>

#include "domain/ledger.h"
#include "domain/state.h"
#include "domain/vocabulary.h"

namespace microjobs {

struct Policy {
  std::int64_t fee_rate_bp = 2000;        // platform fee: 20 % of the reward ...
  Micros fee_floor{10'000};               // ... but at least 0.01 per slot
  std::int64_t max_slots = 1'000'000;     // per PostTask
  std::int64_t max_claim_timeout_s = 30 * 86400;
  std::int64_t default_task_lifetime_s = 30 * 86400;
  std::int64_t max_task_lifetime_s = 366 * 86400;
  std::int64_t override_window_s = 30 * 86400;  // how long a rejection can be overridden
};

Micros fee_per_slot(Micros reward, const Policy& policy);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);
// Text that goes into events must be valid UTF-8: the envelope is JSON, and a record that cannot
// be read back would stop every replay of its partition.
bool valid_text(std::string_view text, std::size_t max_bytes);
// ISO 3166-1 alpha-2, upper case.
bool valid_country(std::string_view country);
// A review's reason: 1 to 1000 bytes of UTF-8.
bool valid_reason(std::string_view reason);

// A claim and its task; nullptr parts were not found.
std::pair<const TaskState*, const ClaimState*> find_claim(const PartitionState& state,
                                                         const ClaimId& claim_id);
// The task a well-formed claim id belongs to (the API and find_claim() vouch for the form).
TaskId task_id_of(const ClaimId& claim_id);
// Whole seconds from a claim's submission to `now`.
std::int64_t review_seconds(const ClaimState& claim, UnixMs now);

// ---- evolution shared by several events ----

void apply_transfers(PartitionState& state, const std::vector<Transfer>& transfers);
// A claim that ends without a submission (abandoned, expired): the slot returns to the pool.
void end_claim(PartitionState& state, const TaskId& task_id, const ClaimId& claim_id,
               ClaimStatus status);
// The submission was reviewed or sent back: its review window no longer runs.
void end_review(PartitionState& state, const TaskState& task, const ClaimId& claim_id);

}  // namespace microjobs

namespace microjobs {
// The stream of a command addressed by a claim: the task's employer (empty when malformed).
std::string stream_of_claim(const ClaimId& claim_id);
}  // namespace microjobs
