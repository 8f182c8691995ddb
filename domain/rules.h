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
  std::int64_t max_items_per_call = 1000;       // per AddItems
  std::size_t max_item_ref_bytes = 200;
  std::size_t max_item_data_bytes = 4096;       // an item's data, minified JSON
  // One AddItems' refs (JSON-escaped) and data together (item_bytes()): its task.items_added
  // event must fit in one Kafka record at the broker's default message.max.bytes (1 MB).
  std::size_t max_item_bytes_per_call = 900'000;
  Micros min_withdrawal{1'000'000};  // 1.00: below it a withdrawal is 409 below_minimum
  std::int64_t max_webhooks = 10;    // per employer
};

Micros fee_per_slot(Micros reward, const Policy& policy);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);
// Text that goes into events must be valid UTF-8: the envelope is JSON, and a record that cannot
// be read back would stop every replay of its partition.
bool valid_text(std::string_view text, std::size_t max_bytes);
// "http://" or "https://", a host, no spaces, control or non-ASCII characters, at most 2,048
// bytes: a URL proof, a webhook's target (which the API also parses with Boost.URL).
bool valid_http_url(std::string_view url);
// ISO 3166-1 alpha-2, upper case.
bool valid_country(std::string_view country);
// A review's reason: 1 to 1000 bytes of UTF-8.
bool valid_reason(std::string_view reason);

// A claim and its task; nullptr parts were not found.
std::pair<const TaskState*, const ClaimState*> find_claim(const PartitionState& state,
                                                         const ClaimId& claim_id);
// The task a well-formed claim id belongs to (the API and find_claim() vouch for the form).
TaskId task_id_of(const ClaimId& claim_id);
// The task's own stream: its employer (empty when the id is malformed).
std::string stream_of_task(const TaskId& task_id);
// Whether the task has ended for good (cancelled or expired): it takes no claims, and each slot
// that comes back from a claim in flight is refunded at once.
bool task_ended(const TaskState& task);
// What `slots` slots of `task` hold in escrow: slots x (reward + fee).
Micros escrow_of_slots(const TaskState& task, std::int64_t slots);
// The refund of `slots` slots of `task`: escrow -> the employer's available balance.
std::vector<Transfer> slot_refund(const TaskState& task, std::int64_t slots);
// The 64-bit fingerprint of an item's ref that keeps refs unique per task (FNV-1a: stable across
// builds and machines, as the snapshot and every replay need). Two refs with the same fingerprint
// count as one: at 1,000,000 items of a task the odds are about 3 in 10^8.
std::uint64_t ref_hash(std::string_view ref);
// The bytes `text` takes inside a JSON string as the codec writes it: `"` and `\` escaped in two
// bytes, other control characters in six (\u00XX).
std::size_t json_string_bytes(std::string_view text);
// What an item weighs in its task.items_added event: its ref escaped, and its data as it is.
std::size_t item_bytes(std::string_view ref, std::string_view data);
// Whole seconds from a claim's submission to `now`.
std::int64_t review_seconds(const ClaimState& claim, UnixMs now);

// ---- evolution shared by several events ----

void apply_transfers(PartitionState& state, const std::vector<Transfer>& transfers);
// A claim that ends without a submission (abandoned, expired): the slot returns to the pool.
void end_claim(PartitionState& state, const TaskId& task_id, const ClaimId& claim_id,
               ClaimStatus status);
// A slot that came back from a claim (abandoned, expired, rejected): on an ended task the event
// carries its refund (slot_refund), applied here; on a running task it is free again. The claim's
// item, if any, goes back in front of the task's items.
void return_slot(PartitionState& state, TaskState& task, const ClaimState& claim,
                 const std::vector<Transfer>& refund);
// A task ends for good (cancelled, expired): its free slots are refunded at once (the event
// carries slot_refund(task, free_slots())), it leaves the scheduler's deadlines, and each claim
// still in flight refunds its slot when it ends without an approval (return_slot).
void end_task(PartitionState& state, const TaskId& task_id, TaskStatus status,
              std::int64_t refunded_slots, const std::vector<Transfer>& refund);
// An open task whose every slot is approved is completed: it leaves the scheduler's deadlines. A
// paused one stays paused (its owner's choice) and completes when resumed.
void complete_if_done(PartitionState& state, const TaskId& task_id);
// The submission was reviewed or sent back: its review window no longer runs.
void end_review(PartitionState& state, const TaskState& task, const ClaimId& claim_id);

}  // namespace microjobs

namespace microjobs {
// The stream of a command addressed by a claim: the task's employer (empty when malformed).
std::string stream_of_claim(const ClaimId& claim_id);
}  // namespace microjobs
