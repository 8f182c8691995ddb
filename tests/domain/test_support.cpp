#include "tests/domain/test_support.h"

#include "domain/codec/envelope.h"

namespace microjobs::test_support {

Micros money(std::string_view text) {
  auto parsed = parse_money(text);
  if (!parsed) {
    ADD_FAILURE() << "bad money literal in the test: " << text;
    return {};
  }
  return *parsed;
}

PartitionState given(const std::vector<Event>& events) {
  PartitionState state;
  for (const Event& event : events) evolve(state, event);
  return state;
}

std::vector<Event> with(std::vector<Event> events, std::initializer_list<Event> more) {
  events.insert(events.end(), more.begin(), more.end());
  return events;
}

std::string describe(const Event& event) { return encode_envelope(EnvelopeMeta{}, event); }

std::string describe(const Decision& decision) {
  if (const auto* rejection = std::get_if<Rejection>(&decision)) {
    return "rejection " + std::string(rejection_code(*rejection));
  }
  return "event " + describe(std::get<Event>(decision));
}

::testing::AssertionResult is_event(const Decision& decision, const Event& expected) {
  const Event* actual = event_of(decision);
  if (actual != nullptr && *actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\n  expected: event " << describe(expected) << "\n  actual:   " << describe(decision);
}

::testing::AssertionResult is_rejection(const Decision& decision, Rejection expected) {
  const auto* rejection = std::get_if<Rejection>(&decision);
  if (rejection != nullptr && *rejection == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  expected: rejection " << rejection_code(expected)
                                       << "\n  actual:   " << describe(decision);
}

const Event* event_of(const Decision& decision) { return std::get_if<Event>(&decision); }

UserRegistered user_registered(const std::string& id, const std::string& country,
                               const std::string& display_name) {
  return UserRegistered{UserId{id}, country, display_name};
}

FundsDeposited funds_deposited(const std::string& account, std::string_view amount,
                               const std::string& reference) {
  FundsDeposited event;
  event.deposit_id = "dep." + account + "." + reference;
  event.account = UserId{account};
  event.amount = money(amount);
  event.reference = reference;
  event.transfers = {{"world:deposits", "user:" + account + ":available", money(amount)}};
  return event;
}

TaskPosted task_posted(const TaskSpec& spec) {
  TaskPosted event;
  event.task_id = make_task_id(UserId{spec.employer}, spec.number);
  event.employer_id = UserId{spec.employer};
  event.title = "Follow our page";
  event.category = "social";
  event.reward = money(spec.reward);
  event.fee = money(spec.fee);
  event.slots = spec.slots;
  event.proof_type = "text";
  event.claim_timeout_s = spec.claim_timeout_s;
  event.auto_approve_after_s = 3 * 86400;
  event.expires_at = spec.expires_at;
  event.countries = spec.countries;
  event.min_approval_rate_bp = spec.min_approval_rate_bp;
  event.min_approved = spec.min_approved;
  event.max_per_worker = spec.max_per_worker;
  event.per_item = spec.per_item;
  event.escrow = Micros{spec.slots * (event.reward + event.fee).value};
  event.transfers = {
      {"user:" + spec.employer + ":available", "user:" + spec.employer + ":escrow", event.escrow}};
  return event;
}

namespace {

TaskId task_id_of(const std::string& claim_id) {
  auto task = task_of_claim(claim_id);
  if (!task) ADD_FAILURE() << "bad claim id in the test: " << claim_id;
  return task.value_or(TaskId{});
}

}  // namespace

SlotClaimed slot_claimed(const std::string& claim_id, const std::string& worker,
                         UnixMs expires_at) {
  return SlotClaimed{task_id_of(claim_id), ClaimId{claim_id}, UserId{worker}, expires_at, {}};
}

ClaimAbandoned claim_abandoned(const std::string& claim_id, const std::string& worker) {
  return ClaimAbandoned{task_id_of(claim_id), ClaimId{claim_id}, UserId{worker}, {}};
}

ClaimExpired claim_expired(const std::string& claim_id, const std::string& worker) {
  return ClaimExpired{task_id_of(claim_id), ClaimId{claim_id}, UserId{worker}, {}};
}

ProofSubmitted proof_submitted(const std::string& claim_id, const std::string& worker,
                               UnixMs submitted_at, const std::string& proof) {
  return ProofSubmitted{task_id_of(claim_id), ClaimId{claim_id}, UserId{worker}, proof,
                        submitted_at};
}

SubmissionApproved submission_approved(const std::string& claim_id, const std::string& worker,
                                       const TaskSpec& task, std::int64_t review_s) {
  SubmissionApproved event;
  event.task_id = task_id_of(claim_id);
  event.claim_id = ClaimId{claim_id};
  event.worker_id = UserId{worker};
  event.employer_id = UserId{task.employer};
  event.paid = money(task.reward);
  event.fee = money(task.fee);
  event.review_s = review_s;
  std::string escrow = "user:" + task.employer + ":escrow";
  event.transfers = {{escrow, "clearing:payouts", event.paid},
                     {escrow, "platform:fees", event.fee}};
  return event;
}

SubmissionRejected submission_rejected(const std::string& claim_id, const std::string& worker,
                                       const std::string& reason, std::int64_t review_s) {
  auto owner = owner_of_claim(claim_id);
  return SubmissionRejected{task_id_of(claim_id),
                            ClaimId{claim_id},
                            UserId{worker},
                            owner.value_or(UserId{}),
                            reason,
                            review_s,
                            {}};
}

WorkerCredited worker_credited(const std::string& worker, std::string_view amount,
                               std::int64_t source_partition, std::int64_t source_seq,
                               const std::string& claim_id) {
  WorkerCredited event;
  event.worker_id = UserId{worker};
  event.amount = money(amount);
  event.source_event_id = std::to_string(source_partition) + "-" + std::to_string(source_seq);
  event.source_partition = source_partition;
  event.source_seq = source_seq;
  event.claim_id = ClaimId{claim_id};
  event.transfers = {{"clearing:payouts", "user:" + worker + ":available", event.amount}};
  return event;
}

std::vector<Event> open_task(const TaskSpec& spec) {
  return {user_registered(spec.employer), funds_deposited(spec.employer, "100.00"),
          task_posted(spec)};
}

}  // namespace microjobs::test_support
