#pragma once
// Helpers for the domain's Given-When-Then tests: event builders with readable defaults, given()
// that folds events into a fresh PartitionState with evolve(), and assertions on a Decision that
// print the event as JSON when they fail, so a failure says what was decided instead.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "domain/decider.h"

namespace microjobs::test_support {

// Every test's clock starts at 2026-01-01T00:00:00Z; at_s(n) is n seconds later.
inline constexpr UnixMs kT0{1'767'225'600'000};
inline UnixMs at_s(std::int64_t seconds) { return UnixMs{kT0.value + seconds * 1000}; }

// A money literal; a malformed literal is a bug in the test and fails it.
Micros money(std::string_view text);

// Applies the events, in order, to an empty PartitionState.
PartitionState given(const std::vector<Event>& events);
// The events followed by more events.
std::vector<Event> with(std::vector<Event> events, std::initializer_list<Event> more);

std::string describe(const Event& event);
std::string describe(const Decision& decision);
::testing::AssertionResult is_event(const Decision& decision, const Event& expected);
::testing::AssertionResult is_rejection(const Decision& decision, Rejection expected);
// The event of an accepted decision, or nullptr for a rejection.
const Event* event_of(const Decision& decision);

UserRegistered user_registered(const std::string& id, const std::string& country = "US",
                               const std::string& display_name = "");
FundsDeposited funds_deposited(const std::string& account, std::string_view amount,
                               const std::string& reference = "ref-1");

// The task a test is about. The defaults describe task "emp.1": two slots at 0.50 plus a 0.10
// fee, one hour to submit, open for a week, no targeting, one submission per worker.
struct TaskSpec {
  std::string employer = "emp";
  std::int64_t number = 1;
  std::string reward = "0.50";
  std::string fee = "0.10";
  std::int64_t slots = 2;
  std::int64_t claim_timeout_s = 3600;
  UnixMs expires_at = at_s(7 * 86400);
  std::vector<std::string> countries = {};
  std::int64_t min_approval_rate_bp = 0;
  std::int64_t min_approved = 0;
  std::int64_t max_per_worker = 1;
  bool per_item = false;
};
TaskPosted task_posted(const TaskSpec& spec);

// Claim events; the task id is derived from the claim id ("emp.1.2" belongs to "emp.1").
SlotClaimed slot_claimed(const std::string& claim_id, const std::string& worker, UnixMs expires_at);
ClaimAbandoned claim_abandoned(const std::string& claim_id, const std::string& worker);
ClaimExpired claim_expired(const std::string& claim_id, const std::string& worker);
ProofSubmitted proof_submitted(const std::string& claim_id, const std::string& worker,
                               UnixMs submitted_at, const std::string& proof = "done");
SubmissionApproved submission_approved(const std::string& claim_id, const std::string& worker,
                                       const TaskSpec& task = {}, std::int64_t review_s = 0);
SubmissionRejected submission_rejected(const std::string& claim_id, const std::string& worker,
                                       const std::string& reason = "blurry",
                                       std::int64_t review_s = 0);
WorkerCredited worker_credited(const std::string& worker, std::string_view amount,
                               std::int64_t source_partition, std::int64_t source_seq,
                               const std::string& claim_id = "emp.1.1");

// Employer "emp" (US) registered with 100.00 deposited, and the task described by `spec` posted.
std::vector<Event> open_task(const TaskSpec& spec = {});

}  // namespace microjobs::test_support

namespace microjobs {

// GoogleTest printers, so that a failed EXPECT_EQ shows ids, money and times as text.
template <class Tag>
void PrintTo(const Id<Tag>& id, std::ostream* out) {
  *out << '"' << id.value << '"';
}
inline void PrintTo(Micros amount, std::ostream* out) { *out << format_money(amount); }
inline void PrintTo(UnixMs time, std::ostream* out) { *out << format_rfc3339(time); }
inline void PrintTo(Rejection rejection, std::ostream* out) { *out << rejection_code(rejection); }

}  // namespace microjobs
