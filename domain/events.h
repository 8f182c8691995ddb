#pragma once
// Events: past tense, versioned at the type level, immutable once published. Each is defined in
// the slice of the command that decides it (domain/slices.h) and lists its fields once, in visit();
// the JSON codec (domain/codec) walks that list, so a field is named in exactly one place. A field
// added later must have a default there, and the decoder keeps the default when an old event
// lacks it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ledger.h"
#include "domain/slices.h"
#include "domain/vocabulary.h"

namespace microjobs {

std::string_view event_type(const Event& event);
// The CloudEvents subject: the entity the event is about (task, claim or user id).
std::string event_subject(const Event& event);
// The transfers an event carries (empty for events that move no money).
const std::vector<Transfer>* event_transfers(const Event& event);

// What an event owes a worker through clearing:payouts: the events whose type says kPaysWorker
// (an approval, an override, a bonus). The credit process (commands/credit_manager.h) turns each
// into one CreditWorker on the worker's partition.
struct Payout {
  UserId worker_id;
  Micros amount;  // the sum of the event's transfers into clearing:payouts
  ClaimId claim_id;
};
std::optional<Payout> payout_of(const Event& event);
// Whether events of this type (kType) pay a worker, so a reader decodes only those.
bool pays_worker(std::string_view event_type);

}  // namespace microjobs
