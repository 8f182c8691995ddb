#pragma once
// Business rejections: an ordered enum, checked in a fixed order so that the same bad command
// always gets the same answer. The names are the API's stable problem codes.
#include <cstdint>
#include <string_view>

namespace microjobs {

enum class Rejection : std::uint8_t {
  invalid_argument,      // a field is out of its documented range
  reason_required,       // RejectSubmission without a reason
  user_not_found,        // the account or worker is not registered
  task_not_found,
  claim_not_found,
  forbidden,             // the actor may not act on this task or claim
  exists,                // the very same thing was done before (a harmless repeat)
  exists_with_different_amount,  // a deposit reference reused for another amount
  insufficient_funds,
  task_not_open,
  own_task,              // an employer claiming a slot of its own task
  not_qualified,         // targeting (country, approval rate, approved count) not met
  already_claimed,       // the worker holds a claim on this task
  max_per_worker,        // the worker used up the submissions this task allows
  no_free_slot,
  wrong_state,           // the claim is not in a state that allows this command
  claim_expired,         // the claim's deadline passed before the submission
  out_of_order,          // a credit whose predecessor from the same source has not applied
  revision_limit,        // a claim may be sent back for a revision once
  review_window_closed,  // the submission's review window (auto_approve_after_s) has passed
  // Not decided by the rules: the processor answers it when a command id it remembers comes
  // with another command or another body (domain/idempotency.h). 422, appends nothing.
  idempotency_key_reused,
};

std::string_view rejection_code(Rejection rejection);
// The HTTP status a rejection maps to (400, 403, 404, 409 or 422).
int rejection_http_status(Rejection rejection);

}  // namespace microjobs
