#pragma once
// Business rejections, in one table: each row is the stable problem code of the API, its HTTP
// status and the sentence a client reads. A decider checks its rules in a fixed order, so the same
// bad command always gets the same answer; the table's order is the enum's.
#include <cstdint>
#include <string_view>

namespace microjobs {

// X(code, HTTP status, what the client is told)
#define MICROJOBS_REJECTIONS(X)                                                                  \
  X(invalid_argument, 400, "a field is out of its documented range")                             \
  X(reason_required, 400, "a reason of 1 to 1000 characters is required")                       \
  X(user_not_found, 404, "the account or worker is not registered")                              \
  X(task_not_found, 404, "no such task")                                                         \
  X(claim_not_found, 404, "no such claim")                                                       \
  X(forbidden, 403, "the caller may not act on this task or claim")                              \
  X(exists, 409, "the very same thing was done before")                                          \
  X(exists_with_different_amount, 409, "this deposit reference was used for another amount")     \
  X(insufficient_funds, 409, "the available balance does not cover it")                          \
  X(task_not_open, 409, "the task takes no claims: it is not open or has expired")               \
  X(own_task, 409, "an employer cannot claim a slot of its own task")                            \
  X(blocked, 409, "the task's employer has blocked this worker")                                 \
  X(not_qualified, 409, "the worker does not meet the task's targeting")                         \
  X(already_claimed, 409, "the worker already holds a claim on this task")                       \
  X(max_per_worker, 409, "the worker used up the submissions this task allows")                  \
  X(no_free_slot, 409, "every slot of the task is taken")                                        \
  X(wrong_state, 409, "the claim's state does not allow this")                                   \
  X(claim_expired, 409, "the claim's deadline passed")                                           \
  X(out_of_order, 409, "a credit whose predecessor from the same source has not applied")        \
  X(revision_limit, 409, "a claim may be sent back for a revision once")                         \
  X(review_window_closed, 409, "the submission's review window has passed")                      \
  X(override_window_closed, 409, "a rejection may be overridden within 30 days only")            \
  X(block_not_found, 404, "this worker is not blocked")                                           \
  X(not_per_item, 409, "the task was not posted with per_item: it takes no items")                \
  X(too_many_items, 409, "a task holds at most as many items as it has slots: add slots first")   \
  X(duplicate_ref, 409, "an item with this ref is in the task or twice in the call")              \
  X(below_minimum, 409, "the amount is below the minimum withdrawal")                             \
  X(withdrawal_not_found, 404, "no such withdrawal")                                              \
  X(too_many_webhooks, 409, "an employer has at most 10 webhooks")                                \
  X(proof_not_url, 400, "this task takes a URL as proof: http:// or https://, printable ASCII")  \
  /* Not decided by the rules: the processor answers it when a command id it remembers comes */  \
  /* with another command or another body (domain/idempotency.h). Appends nothing. */            \
  X(idempotency_key_reused, 422,                                                                 \
    "this Idempotency-Key was used in the last 24 h for another command or another body; "       \
    "nothing was done: send a new key")

enum class Rejection : std::uint8_t {
#define MICROJOBS_REJECTION_ENUM(code, status, detail) code,
  MICROJOBS_REJECTIONS(MICROJOBS_REJECTION_ENUM)
#undef MICROJOBS_REJECTION_ENUM
};

std::string_view rejection_code(Rejection rejection);
// The HTTP status a rejection maps to (400, 403, 404, 409 or 422).
int rejection_http_status(Rejection rejection);
// The sentence a problem+json `detail` carries for it.
std::string_view rejection_detail(Rejection rejection);

}  // namespace microjobs
