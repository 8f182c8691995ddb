#include "domain/task/post_task.h"

#include <algorithm>

#include "domain/events.h"

namespace microjobs {
namespace {

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
  if (!std::all_of(command.countries.begin(), command.countries.end(),
                   [](const std::string& country) { return valid_country(country); })) {
    return false;
  }
  if (command.min_approval_rate_bp < 0 || command.min_approval_rate_bp > 10'000) return false;
  if (command.min_approved < 0 || command.max_per_worker < 1 || command.max_per_worker > 1000) {
    return false;
  }
  return true;
}

}  // namespace

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
  event.per_item = command.per_item;
  event.escrow = *escrow;
  event.transfers.push_back({accounts::available(command.employer_id),
                             accounts::escrow(command.employer_id), *escrow});
  return event;
}

void evolve_one(PartitionState& state, const TaskPosted& e) {
  state.users[e.employer_id].next_task_number += 1;
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
  task.per_item = e.per_item;
  task.proof_type = e.proof_type;
  task.escrow = e.escrow;
  state.task_deadlines.emplace(e.expires_at, e.task_id);
  apply_transfers(state, e.transfers);
}

}  // namespace microjobs
