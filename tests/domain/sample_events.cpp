#include "tests/domain/sample_events.h"

#include <array>
#include <utility>

#include "domain/codec/sha256.h"

namespace microjobs::test_support {
namespace {

TaskPosted sample_task_posted() {
  TaskPosted e;
  e.task_id = TaskId{"emp-1.7"};
  e.employer_id = UserId{"emp-1"};
  e.title = "Review our app \"Shop\"";
  e.instructions = "1. Install\n2. Rate it\t5 stars\n3. Paste a screenshot link";
  e.category = "apps";
  e.reward = Micros{123'456};
  e.fee = Micros{24'691};
  e.slots = 25;
  e.proof_type = "url";
  e.claim_timeout_s = 900;
  e.auto_approve_after_s = 86400;
  e.expires_at = UnixMs{1'798'761'600'000};
  e.countries = {"ID", "PH", "VN"};
  e.min_approval_rate_bp = 8500;
  e.min_approved = 3;
  e.max_per_worker = 2;
  e.escrow = Micros{25 * (123'456 + 24'691)};
  e.transfers = {{"user:emp-1:available", "user:emp-1:escrow", e.escrow}};
  return e;
}

SubmissionApproved sample_submission_approved() {
  SubmissionApproved e;
  e.task_id = TaskId{"emp-1.7"};
  e.claim_id = ClaimId{"emp-1.7.12"};
  e.worker_id = UserId{"worker_9"};
  e.employer_id = UserId{"emp-1"};
  e.paid = Micros{123'456};
  e.fee = Micros{24'691};
  e.review_s = 5400;
  e.transfers = {{"user:emp-1:escrow", "clearing:payouts", Micros{123'456}},
                 {"user:emp-1:escrow", "platform:fees", Micros{24'691}}};
  return e;
}

WorkerCredited sample_worker_credited() {
  WorkerCredited e;
  e.worker_id = UserId{"worker_9"};
  e.amount = Micros{123'456};
  e.source_event_id = "1-977";
  e.source_partition = 1;
  e.source_seq = 977;
  e.claim_id = ClaimId{"emp-1.7.12"};
  e.transfers = {{"clearing:payouts", "user:worker_9:available", Micros{123'456}}};
  return e;
}

}  // namespace

std::vector<Event> sample_events() {
  FundsDeposited deposited{"dep-emp-1-bank-778",
                           UserId{"emp-1"},
                           Micros{250'000'000},
                           "bank-778",
                           {{"world:deposits", "user:emp-1:available", Micros{250'000'000}}}};
  const TaskId task{"emp-1.7"};
  const ClaimId claim{"emp-1.7.12"};
  const UserId worker{"worker_9"};
  return {
      UserRegistered{worker, "ID", "Wayan \xc3\x9c \xe6\x9d\xb1"},
      UserProfileUpdated{worker, "MY", "Wayan S."},
      deposited,
      sample_task_posted(),
      SlotClaimed{task, claim, worker, UnixMs{1'767'226'500'250}, {}},
      ClaimAbandoned{task, claim, worker, {}},
      ClaimExpired{task, claim, worker, {}},
      ProofSubmitted{task, claim, worker, "https://example.com/shot.png",
                     UnixMs{1'767'226'000'001}},
      sample_submission_approved(),
      SubmissionRejected{task, claim, worker, UserId{"emp-1"}, "The screenshot is cut off.", 7200, {}},
      sample_worker_credited(),
      RevisionRequested{task, claim, worker, UserId{"emp-1"}, "Show the confirmation page too.",
                        3600, UnixMs{1'767'229'600'000}},
      BonusPaid{task, claim, worker, UserId{"emp-1"}, "emp-1.7.12.b1", Micros{250'000},
                Micros{50'000}, "Great detail",
                {{"user:emp-1:available", "clearing:payouts", Micros{250'000}},
                 {"user:emp-1:available", "platform:fees", Micros{50'000}}}},
      RejectionOverridden{task, claim, worker, UserId{"emp-1"}, Micros{1'500'000}, Micros{300'000},
                          false,
                          {{"user:emp-1:available", "clearing:payouts", Micros{1'500'000}},
                           {"user:emp-1:available", "platform:fees", Micros{300'000}}}},
      SlotsAdded{task, UserId{"emp-1"}, 50, 150, Micros{90'000'000},
                 {{"user:emp-1:available", "user:emp-1:escrow", Micros{90'000'000}}}},
      TaskPaused{task, UserId{"emp-1"}},
      TaskResumed{task, UserId{"emp-1"}},
      TaskCancelled{task, UserId{"emp-1"}, 12, Micros{21'600'000},
                    {{"user:emp-1:escrow", "user:emp-1:available", Micros{21'600'000}}}},
      TaskExpired{task, UserId{"emp-1"}, 0, Micros{}, {}},
      WorkerBlocked{UserId{"emp-1"}, worker, "Copied another worker's proof"},
      WorkerUnblocked{UserId{"emp-1"}, worker},
      ItemsAdded{task, UserId{"emp-1"}, 1, 2,
                 {{"row-1", JsonText{R"({"url":"https://example.com/a.png","tags":["cat",2.5]})"}},
                  {"row-2", JsonText{R"("plain text")"}}}},
      WithdrawalRequested{WithdrawalId{"worker_9.w3"}, worker, Micros{12'500'000}, "gcash:0917 555 0101",
                          {{"user:worker_9:available", "user:worker_9:pending_withdrawal", Micros{12'500'000}}}},
      WithdrawalCompleted{WithdrawalId{"worker_9.w3"}, worker, Micros{12'500'000},
                          {{"user:worker_9:pending_withdrawal", "world:withdrawals", Micros{12'500'000}}}},
      WithdrawalFailed{WithdrawalId{"worker_9.w3"}, worker, Micros{12'500'000}, "The wallet is closed.",
                       {{"user:worker_9:pending_withdrawal", "user:worker_9:available", Micros{12'500'000}}}},
      WebhookRegistered{WebhookId{"emp-1.h2"}, UserId{"emp-1"}, "https://hooks.example.com/microjobs?team=7",
                        {"proof.submitted.v1", "task.expired.v1"}},
      UserErased{worker},
  };
}

EnvelopeMeta sample_meta(const Event& event) {
  EnvelopeMeta meta;
  meta.id = event_id(3, 42);
  meta.source = event_source(3);
  meta.time = UnixMs{1'767'225'600'123};
  meta.stream = std::holds_alternative<WorkerCredited>(event) ||
                        std::holds_alternative<UserRegistered>(event) ||
                        std::holds_alternative<UserProfileUpdated>(event) ||
                        std::holds_alternative<WithdrawalRequested>(event) ||
                        std::holds_alternative<WithdrawalCompleted>(event) ||
                        std::holds_alternative<WithdrawalFailed>(event) ||
                        std::holds_alternative<UserErased>(event)
                    ? "worker_9"
                    : "emp-1";
  meta.seq = 42;
  meta.command_id = "cmd-" + std::string(event_type(event));
  meta.prev_hash = sha256_hex("the record before");
  return meta;
}

Event default_event(std::size_t index) {
  static const auto kDefaults = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<Event, sizeof...(I)>{Event{std::in_place_index<I>}...};
  }
  (std::make_index_sequence<std::variant_size_v<Event>>{});
  return kDefaults.at(index);
}

}  // namespace microjobs::test_support
