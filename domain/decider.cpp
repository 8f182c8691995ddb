#include "domain/decider.h"

#include <algorithm>

namespace microjobs {
namespace {

// Text that goes into events must be valid UTF-8: the envelope is JSON, and a record that cannot
// be read back would stop every replay of its partition.
bool valid_text(std::string_view text, std::size_t max_bytes) {
  return text.size() <= max_bytes && valid_utf8(text);
}

bool valid_country(const std::string& country) {
  return country.size() == 2 && country[0] >= 'A' && country[0] <= 'Z' && country[1] >= 'A' &&
         country[1] <= 'Z';
}

Decision decide_one(const PartitionState& state, const RegisterUser& command, UnixMs,
                    const Policy&) {
  if (!valid_user_id(command.user_id.value) || !valid_country(command.country) ||
      !valid_text(command.display_name, 200)) {
    return Rejection::invalid_argument;
  }
  const UserState* user = state.find_user(command.user_id);
  if (user == nullptr || !user->registered) {
    return UserRegistered{command.user_id, command.country, command.display_name};
  }
  if (user->country == command.country && user->display_name == command.display_name) {
    return Rejection::exists;
  }
  return UserProfileUpdated{command.user_id, command.country, command.display_name};
}

Decision decide_one(const PartitionState& state, const DepositFunds& command, UnixMs,
                    const Policy&) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros ||
      command.reference.empty() || !valid_text(command.reference, 128)) {
    return Rejection::invalid_argument;
  }
  const UserState* user = state.find_user(command.account);
  if (user == nullptr || !user->registered) return Rejection::user_not_found;
  if (auto it = user->deposit_references.find(command.reference);
      it != user->deposit_references.end()) {
    return it->second == command.amount ? Rejection::exists
                                        : Rejection::exists_with_different_amount;
  }
  if (user->available.value + command.amount.value > kMaxMoneyMicros) {
    return Rejection::invalid_argument;
  }
  FundsDeposited event;
  // A user id has no '.', so the first '.' after "dep." ends the account: ids cannot collide.
  event.deposit_id = "dep." + command.account.value + "." + command.reference;
  event.account = command.account;
  event.amount = command.amount;
  event.reference = command.reference;
  event.transfers.push_back(
      {std::string(accounts::kWorldDeposits), accounts::available(command.account), command.amount});
  return event;
}

bool valid_task(const PostTask& command, UnixMs now, const Policy& policy) {
  if (command.title.empty() || !valid_text(command.title, 200)) return false;
  if (!valid_text(command.instructions, 10'000) || !valid_text(command.category, 64)) return false;
  if (command.reward.value <= 0 || command.reward.value > kMaxMoneyMicros || command.slots < 1 ||
      command.slots > policy.max_slots) {
    return false;
  }
  if (command.proof_type != "text" && command.proof_type != "url" && command.proof_type != "file") {
    return false;
  }
  if (command.claim_timeout_s < 60 || command.claim_timeout_s > policy.max_claim_timeout_s) {
    return false;
  }
  if (command.auto_approve_after_s < 0 || command.auto_approve_after_s > 30 * 86400) {
    return false;
  }
  if (command.expires_at.value != 0 &&
      (command.expires_at <= now ||
       command.expires_at.value > now.value + policy.max_task_lifetime_s * 1000)) {
    return false;
  }
  if (command.countries.size() > 250) return false;
  if (!std::all_of(command.countries.begin(), command.countries.end(), valid_country)) {
    return false;
  }
  if (command.min_approval_rate_bp < 0 || command.min_approval_rate_bp > 10'000) return false;
  if (command.min_approved < 0 || command.max_per_worker < 1 || command.max_per_worker > 1000) {
    return false;
  }
  return true;
}

Decision decide_one(const PartitionState& state, const PostTask& command, UnixMs now,
                    const Policy& policy) {
  if (!valid_task(command, now, policy)) return Rejection::invalid_argument;
  Micros fee = fee_per_slot(command.reward, policy);
  auto escrow = multiply_money(command.reward + fee, command.slots);
  if (!escrow) return Rejection::invalid_argument;
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || !employer->registered) return Rejection::user_not_found;
  if (employer->available < *escrow) return Rejection::insufficient_funds;

  TaskPosted event;
  event.task_id = make_task_id(command.employer_id, employer->next_task_number);
  event.employer_id = command.employer_id;
  event.title = command.title;
  event.instructions = command.instructions;
  event.category = command.category.empty() ? "other" : command.category;
  event.reward = command.reward;
  event.fee = fee;
  event.slots = command.slots;
  event.proof_type = command.proof_type;
  event.claim_timeout_s = command.claim_timeout_s;
  event.auto_approve_after_s = command.auto_approve_after_s;
  event.expires_at = command.expires_at.value != 0
                         ? command.expires_at
                         : UnixMs{now.value + policy.default_task_lifetime_s * 1000};
  event.countries = command.countries;
  event.min_approval_rate_bp = command.min_approval_rate_bp;
  event.min_approved = command.min_approved;
  event.max_per_worker = command.max_per_worker;
  event.escrow = *escrow;
  event.transfers.push_back({accounts::available(command.employer_id),
                             accounts::escrow(command.employer_id), *escrow});
  return event;
}

bool qualified(const TaskState& task, const WorkerProfile& profile) {
  if (!task.countries.empty() &&
      std::find(task.countries.begin(), task.countries.end(), profile.country) ==
          task.countries.end()) {
    return false;
  }
  if (profile.approved < task.min_approved) return false;
  if (task.min_approval_rate_bp > 0) {
    std::int64_t reviewed = profile.approved + profile.rejected;
    // A worker with no reviews yet has no rate; the task's min_approved decides for newcomers.
    if (reviewed > 0 && profile.approved * 10'000 < task.min_approval_rate_bp * reviewed) {
      return false;
    }
  }
  return true;
}

Decision decide_one(const PartitionState& state, const ClaimSlot& command, UnixMs now,
                    const Policy&) {
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->status != TaskStatus::open || now >= task->expires_at) return Rejection::task_not_open;
  if (command.worker_id == task->employer_id) return Rejection::own_task;
  if (!qualified(*task, command.profile)) return Rejection::not_qualified;
  if (auto it = task->workers.find(command.worker_id); it != task->workers.end()) {
    if (it->second.active_claims > 0) return Rejection::already_claimed;
    if (it->second.submissions >= task->max_per_worker) return Rejection::max_per_worker;
  }
  if (task->free_slots() <= 0) return Rejection::no_free_slot;
  return SlotClaimed{command.task_id, make_claim_id(command.task_id, task->next_claim_number),
                     command.worker_id, UnixMs{now.value + task->claim_timeout_s * 1000}};
}

// Finds the claim and its task; nullptr results mean not found.
std::pair<const TaskState*, const ClaimState*> find_claim(const PartitionState& state,
                                                         const ClaimId& claim_id) {
  auto task_id = task_of_claim(claim_id.value);
  if (!task_id) return {nullptr, nullptr};
  const TaskState* task = state.find_task(*task_id);
  if (task == nullptr) return {nullptr, nullptr};
  auto it = task->claims.find(claim_id);
  if (it == task->claims.end()) return {task, nullptr};
  return {task, &it->second};
}

Decision decide_one(const PartitionState& state, const AbandonClaim& command, UnixMs,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->worker_id != command.worker_id) return Rejection::forbidden;
  if (claim->status != ClaimStatus::claimed) return Rejection::wrong_state;
  return ClaimAbandoned{*task_of_claim(command.claim_id.value), command.claim_id, claim->worker_id};
}

Decision decide_one(const PartitionState& state, const ExpireClaim& command, UnixMs now,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (!claim->held() || now < claim->expires_at) return Rejection::wrong_state;
  return ClaimExpired{*task_of_claim(command.claim_id.value), command.claim_id, claim->worker_id};
}

Decision decide_one(const PartitionState& state, const SubmitProof& command, UnixMs now,
                    const Policy&) {
  if (command.proof.empty() || !valid_text(command.proof, 10'000)) return Rejection::invalid_argument;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->worker_id != command.worker_id) return Rejection::forbidden;
  if (!claim->held()) return Rejection::wrong_state;
  if (now >= claim->expires_at) return Rejection::claim_expired;
  return ProofSubmitted{*task_of_claim(command.claim_id.value), command.claim_id, claim->worker_id,
                        command.proof, now};
}

std::int64_t review_seconds(const ClaimState& claim, UnixMs now) {
  return std::max<std::int64_t>(0, (now.value - claim.submitted_at.value) / 1000);
}

// The approval of a submitted claim: reward escrow -> clearing:payouts, fee escrow -> fees.
SubmissionApproved approval_of(const TaskState& task, const ClaimState& claim,
                               const ClaimId& claim_id, UnixMs now) {
  SubmissionApproved event;
  event.task_id = *task_of_claim(claim_id.value);
  event.claim_id = claim_id;
  event.worker_id = claim.worker_id;
  event.employer_id = task.employer_id;
  event.paid = task.reward;
  event.fee = task.fee;
  event.review_s = review_seconds(claim, now);
  std::string escrow = accounts::escrow(task.employer_id);
  event.transfers.push_back({escrow, std::string(accounts::kClearingPayouts), task.reward});
  event.transfers.push_back({escrow, std::string(accounts::kPlatformFees), task.fee});
  return event;
}

Decision decide_one(const PartitionState& state, const ApproveSubmission& command, UnixMs now,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::approved) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  return approval_of(*task, *claim, command.claim_id, now);
}

Decision decide_one(const PartitionState& state, const AutoApprove& command, UnixMs now,
                    const Policy&) {
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (claim->status != ClaimStatus::submitted || now < review_deadline(*task, *claim)) {
    return Rejection::wrong_state;
  }
  SubmissionApproved event = approval_of(*task, *claim, command.claim_id, now);
  event.auto_approved = true;
  return event;
}

Decision decide_one(const PartitionState& state, const RejectSubmission& command, UnixMs now,
                    const Policy&) {
  if (command.reason.empty() || !valid_text(command.reason, 1000)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::rejected) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  return SubmissionRejected{*task_of_claim(command.claim_id.value), command.claim_id,
                            claim->worker_id, task->employer_id, command.reason,
                            review_seconds(*claim, now)};
}

Decision decide_one(const PartitionState& state, const RequestRevision& command, UnixMs now,
                    const Policy&) {
  if (command.reason.empty() || !valid_text(command.reason, 1000)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status == ClaimStatus::revision_requested) return Rejection::exists;
  if (claim->status != ClaimStatus::submitted) return Rejection::wrong_state;
  if (claim->revisions >= 1) return Rejection::revision_limit;
  if (now.value > claim->submitted_at.value + task->auto_approve_after_s * 1000) {
    return Rejection::review_window_closed;
  }
  return RevisionRequested{*task_of_claim(command.claim_id.value), command.claim_id,
                           claim->worker_id, task->employer_id, command.reason,
                           review_seconds(*claim, now),
                           UnixMs{now.value + task->claim_timeout_s * 1000}};
}

Decision decide_one(const PartitionState& state, const PayBonus& command, UnixMs,
                    const Policy& policy) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros) {
    return Rejection::invalid_argument;
  }
  if (command.reason.empty() || !valid_text(command.reason, 1000)) return Rejection::reason_required;
  auto [task, claim] = find_claim(state, command.claim_id);
  if (claim == nullptr) return Rejection::claim_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (claim->status != ClaimStatus::approved) return Rejection::wrong_state;
  const Micros fee = fee_per_slot(command.amount, policy);
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || employer->available < command.amount + fee) {
    return Rejection::insufficient_funds;
  }
  BonusPaid event;
  event.task_id = *task_of_claim(command.claim_id.value);
  event.claim_id = command.claim_id;
  event.worker_id = claim->worker_id;
  event.employer_id = command.employer_id;
  event.bonus_id = command.claim_id.value + ".b" + std::to_string(claim->bonuses + 1);
  event.amount = command.amount;
  event.fee = fee;
  event.reason = command.reason;
  const std::string available = accounts::available(command.employer_id);
  event.transfers.push_back({available, std::string(accounts::kClearingPayouts), command.amount});
  event.transfers.push_back({available, std::string(accounts::kPlatformFees), fee});
  return event;
}

Decision decide_one(const PartitionState& state, const CreditWorker& command, UnixMs,
                    const Policy&) {
  if (command.amount.value <= 0 || command.amount.value > kMaxMoneyMicros ||
      command.source_seq <= 0) {
    return Rejection::invalid_argument;
  }
  std::int64_t last = 0;
  if (auto it = state.last_credit_seq.find(command.source_partition);
      it != state.last_credit_seq.end()) {
    last = it->second;
  }
  if (command.source_seq <= last) return Rejection::exists;
  if (command.previous_source_seq != last) return Rejection::out_of_order;
  WorkerCredited event;
  event.worker_id = command.worker_id;
  event.amount = command.amount;
  event.source_event_id = command.source_event_id;
  event.source_partition = command.source_partition;
  event.source_seq = command.source_seq;
  event.claim_id = command.claim_id;
  event.transfers.push_back({std::string(accounts::kClearingPayouts),
                             accounts::available(command.worker_id), command.amount});
  return event;
}

// ---- evolve ----

UserState& user(PartitionState& state, const UserId& id) { return state.users[id]; }

void apply_transfers(PartitionState& state, const std::vector<Transfer>& transfers) {
  auto adjust = [&](const std::string& account, std::int64_t delta) {
    constexpr std::string_view kUser = "user:";
    if (account.starts_with(kUser)) {
      auto colon = account.rfind(':');
      UserState& owner = user(state, UserId{account.substr(kUser.size(), colon - kUser.size())});
      std::string_view kind = std::string_view(account).substr(colon + 1);
      (kind == "escrow" ? owner.escrow : owner.available).value += delta;
    } else {
      state.shared_accounts[account].value += delta;
    }
  };
  for (const Transfer& transfer : transfers) {
    adjust(transfer.debit, -transfer.amount.value);
    adjust(transfer.credit, transfer.amount.value);
  }
}

struct Evolver {
  PartitionState& state;

  void operator()(const UserRegistered& e) {
    UserState& u = user(state, e.user_id);
    u.registered = true;
    u.country = e.country;
    u.display_name = e.display_name;
  }
  void operator()(const UserProfileUpdated& e) {
    UserState& u = user(state, e.user_id);
    u.country = e.country;
    u.display_name = e.display_name;
  }
  void operator()(const FundsDeposited& e) {
    user(state, e.account).deposit_references[e.reference] = e.amount;
    apply_transfers(state, e.transfers);
  }
  void operator()(const TaskPosted& e) {
    user(state, e.employer_id).next_task_number += 1;
    TaskState& task = state.tasks[e.task_id];
    task.employer_id = e.employer_id;
    task.reward = e.reward;
    task.fee = e.fee;
    task.slots = e.slots;
    task.claim_timeout_s = e.claim_timeout_s;
    task.auto_approve_after_s = e.auto_approve_after_s;
    task.expires_at = e.expires_at;
    task.countries = e.countries;
    task.min_approval_rate_bp = e.min_approval_rate_bp;
    task.min_approved = e.min_approved;
    task.max_per_worker = e.max_per_worker;
    task.escrow = e.escrow;
    apply_transfers(state, e.transfers);
  }
  void operator()(const SlotClaimed& e) {
    TaskState& task = state.tasks[e.task_id];
    task.next_claim_number += 1;
    task.claimed += 1;
    task.workers[e.worker_id].active_claims += 1;
    task.claims[e.claim_id] = ClaimState{e.worker_id, ClaimStatus::claimed, e.expires_at, {}};
    state.claim_deadlines.emplace(e.expires_at, e.claim_id);
  }
  // A claim that ends without a submission: the slot returns to the pool.
  void end_claim(const TaskId& task_id, const ClaimId& claim_id, ClaimStatus status) {
    TaskState& task = state.tasks[task_id];
    ClaimState& claim = task.claims[claim_id];
    state.claim_deadlines.erase({claim.expires_at, claim_id});
    claim.status = status;
    task.claimed -= 1;
    task.workers[claim.worker_id].active_claims -= 1;
  }
  void operator()(const ClaimAbandoned& e) { end_claim(e.task_id, e.claim_id, ClaimStatus::abandoned); }
  void operator()(const ClaimExpired& e) { end_claim(e.task_id, e.claim_id, ClaimStatus::expired); }
  void operator()(const ProofSubmitted& e) {
    TaskState& task = state.tasks[e.task_id];
    ClaimState& claim = task.claims[e.claim_id];
    state.claim_deadlines.erase({claim.expires_at, e.claim_id});
    claim.status = ClaimStatus::submitted;
    task.claimed -= 1;
    task.submitted += 1;
    WorkerOnTask& worker = task.workers[e.worker_id];
    worker.active_claims -= 1;
    worker.submissions += 1;
    claim.submitted_at = e.submitted_at;
    state.review_deadlines.emplace(review_deadline(task, claim), e.claim_id);
  }
  // The submission was reviewed (or sent back): its review window no longer runs.
  void end_review(const TaskState& task, const ClaimId& claim_id) {
    state.review_deadlines.erase({review_deadline(task, task.claims.at(claim_id)), claim_id});
  }
  void operator()(const SubmissionApproved& e) {
    TaskState& task = state.tasks[e.task_id];
    end_review(task, e.claim_id);
    task.claims[e.claim_id].status = ClaimStatus::approved;
    task.submitted -= 1;
    task.approved += 1;
    task.escrow -= e.paid + e.fee;
    if (task.approved == task.slots) task.status = TaskStatus::completed;
    apply_transfers(state, e.transfers);
  }
  void operator()(const SubmissionRejected& e) {
    TaskState& task = state.tasks[e.task_id];
    end_review(task, e.claim_id);
    task.claims[e.claim_id].status = ClaimStatus::rejected;
    task.submitted -= 1;
    task.rejected += 1;
  }
  // Back to the worker: the slot is held as a claim again, with a new deadline, and the
  // submission no longer counts towards max_per_worker until it is made again.
  void operator()(const RevisionRequested& e) {
    TaskState& task = state.tasks[e.task_id];
    end_review(task, e.claim_id);
    ClaimState& claim = task.claims[e.claim_id];
    claim.status = ClaimStatus::revision_requested;
    claim.revisions += 1;
    claim.expires_at = e.resubmit_by;
    state.claim_deadlines.emplace(claim.expires_at, e.claim_id);
    task.submitted -= 1;
    task.claimed += 1;
    WorkerOnTask& worker = task.workers[e.worker_id];
    worker.active_claims += 1;
    worker.submissions -= 1;
  }
  void operator()(const BonusPaid& e) {
    state.tasks[e.task_id].claims[e.claim_id].bonuses += 1;
    apply_transfers(state, e.transfers);
  }
  void operator()(const WorkerCredited& e) {
    state.last_credit_seq[e.source_partition] = e.source_seq;
    apply_transfers(state, e.transfers);
  }
};

}  // namespace

Micros fee_per_slot(Micros reward, const Policy& policy) {
  Micros fee{reward.value / 10'000 * policy.fee_rate_bp +
             reward.value % 10'000 * policy.fee_rate_bp / 10'000};
  return std::max(fee, policy.fee_floor);
}

Decision decide(const PartitionState& state, const Command& command, UnixMs now,
                const Policy& policy) {
  return std::visit([&](const auto& c) { return decide_one(state, c, now, policy); }, command);
}

void evolve(PartitionState& state, const Event& event) { std::visit(Evolver{state}, event); }

std::vector<ClaimId> due_reviews(const PartitionState& state, UnixMs now, std::size_t limit) {
  std::vector<ClaimId> due;
  for (const auto& [deadline, claim] : state.review_deadlines) {
    if (deadline > now || due.size() >= limit) break;
    due.push_back(claim);
  }
  return due;
}

std::vector<ClaimId> due_claims(const PartitionState& state, UnixMs now, std::size_t limit) {
  std::vector<ClaimId> due;
  for (const auto& [deadline, claim] : state.claim_deadlines) {
    if (deadline > now || due.size() >= limit) break;
    due.push_back(claim);
  }
  return due;
}

std::string check_invariants(const PartitionState& state) {
  for (const auto& [id, u] : state.users) {
    if (u.available.value < 0) return "user:" + id.value + ":available is negative";
    if (u.escrow.value < 0) return "user:" + id.value + ":escrow is negative";
  }
  std::unordered_map<UserId, Micros> escrow_by_employer;
  for (const auto& [id, task] : state.tasks) {
    escrow_by_employer[task.employer_id] += task.escrow;
    if (task.claimed < 0 || task.submitted < 0 || task.free_slots() < 0) {
      return "task " + id.value + " is oversold or has a negative counter";
    }
    Micros owed{(task.slots - task.approved) * (task.reward + task.fee).value};
    if (task.escrow != owed) {
      return "task " + id.value + " escrow " + format_money(task.escrow) + " != owed " +
             format_money(owed);
    }
  }
  for (const auto& [id, u] : state.users) {
    auto it = escrow_by_employer.find(id);
    Micros tasks_escrow = it == escrow_by_employer.end() ? Micros{} : it->second;
    if (u.escrow != tasks_escrow) return "user:" + id.value + ":escrow != sum of its tasks' escrow";
  }
  return {};
}

const UserState* PartitionState::find_user(const UserId& id) const {
  auto it = users.find(id);
  return it == users.end() ? nullptr : &it->second;
}

const TaskState* PartitionState::find_task(const TaskId& id) const {
  auto it = tasks.find(id);
  return it == tasks.end() ? nullptr : &it->second;
}

}  // namespace microjobs
