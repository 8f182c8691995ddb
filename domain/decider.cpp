#include "domain/decider.h"

namespace microjobs {

Decision decide(const PartitionState& state, const Command& command, UnixMs now,
                const Policy& policy) {
  return std::visit([&](const auto& c) { return decide_one(state, c, now, policy); }, command);
}

void evolve(PartitionState& state, const Event& event) {
  std::visit([&](const auto& e) { evolve_one(state, e); }, event);
}

namespace {

template <class Id>
std::vector<Id> due(const std::set<std::pair<UnixMs, Id>>& deadlines, UnixMs now,
                    std::size_t limit) {
  std::vector<Id> ids;
  for (const auto& [deadline, id] : deadlines) {
    if (deadline > now || ids.size() >= limit) break;
    ids.push_back(id);
  }
  return ids;
}

// A task's items: no more than its slots, one ref fingerprint each, and every returned item one
// that was handed out.
std::string check_items(const TaskState& task) {
  if (task.items > task.slots) return " has more items than slots";
  if (static_cast<std::int64_t>(task.item_ref_hashes.size()) != task.items) {
    return " has not one ref fingerprint per item";
  }
  if (task.next_item < 1 || task.next_item > task.items + 1) return " hands out an item it lacks";
  if (!task.returned_items.empty() &&
      (*task.returned_items.begin() < 1 || *task.returned_items.rbegin() >= task.next_item)) {
    return " has a returned item that was never handed out";
  }
  return {};
}

}  // namespace

std::vector<ClaimId> due_reviews(const PartitionState& state, UnixMs now, std::size_t limit) {
  return due(state.review_deadlines, now, limit);
}

std::vector<ClaimId> due_claims(const PartitionState& state, UnixMs now, std::size_t limit) {
  return due(state.claim_deadlines, now, limit);
}

std::vector<TaskId> due_tasks(const PartitionState& state, UnixMs now, std::size_t limit) {
  return due(state.task_deadlines, now, limit);
}

std::string check_invariants(const PartitionState& state) {
  for (const auto& [id, u] : state.users) {
    if (u.available.value < 0) return "user:" + id.value + ":available is negative";
    if (u.escrow.value < 0) return "user:" + id.value + ":escrow is negative";
    Micros pending;
    for (const auto& [withdrawal_id, withdrawal] : u.extras->withdrawals) {
      if (withdrawal.status == WithdrawalStatus::pending) pending += withdrawal.amount;
    }
    if (u.extras->pending_withdrawal != pending) {
      return "user:" + id.value + ":pending_withdrawal != its pending withdrawals";
    }
  }
  std::unordered_map<UserId, Micros> escrow_by_employer;
  for (const auto& [id, task] : state.tasks) {
    escrow_by_employer[task.employer_id] += task.escrow;
    if (task.claimed < 0 || task.submitted < 0 || task.rejected < 0 || task.free_slots() < 0 ||
        task.approved_beyond_slots < 0 || task.approved_beyond_slots > task.approved) {
      return "task " + id.value + " is oversold or has a negative counter";
    }
    if (std::string broken = check_items(task); !broken.empty()) return "task " + id.value + broken;
    Micros owed = escrow_of_slots(task, task.slots - task.refunded_slots - task.slots_approved());
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

namespace {

std::string check_transfers(const PartitionState& state, const std::vector<Transfer>& transfers) {
  for (const Transfer& transfer : transfers) {
    if (transfer.amount.value <= 0 || transfer.debit == transfer.credit) {
      return "a transfer of " + format_money(transfer.amount) + " from " + transfer.debit + " to " +
             transfer.credit + " moves nothing";
    }
    for (const std::string& account : {transfer.debit, transfer.credit}) {
      auto user_account = accounts::parse_user_account(account);
      if (!user_account) continue;
      const UserState* user = state.find_user(UserId{std::string(user_account->user)});
      if (user != nullptr && user->balance(user_account->bucket).value < 0) {
        return account + " is negative";
      }
    }
  }
  return {};
}

}  // namespace

namespace {

std::string refund_misfit(const TaskState& task, const std::vector<Transfer>& refund) {
  if (refund.empty() || (refund.size() == 1 && refund[0].amount == escrow_of_slots(task, 1))) return "";
  return "its refund is not one slot's escrow of " + format_money(escrow_of_slots(task, 1));
}

std::string claim_misfit(const TaskState& task, const TaskId& task_id, const ClaimId& claim_id, bool makes_it) {
  auto number = claim_number(claim_id.value);
  if (!number || task_part_of_claim(claim_id.value) != std::string_view(task_id.value)) {
    return "'" + claim_id.value + "' is no claim id of task " + task_id.value;
  }
  if (makes_it == task.claims.numbered().contains(*number)) {
    return "claim " + claim_id.value + (makes_it ? " exists already" : " does not exist");
  }
  return "";
}

template <class E>
std::string misfit_one(const PartitionState& state, const E& e) {
  if constexpr (requires { e.task_id; } && !std::is_same_v<E, TaskPosted>) {
    auto found = state.tasks.find(e.task_id);
    const bool checked = requires { e.claim_id; } || std::is_same_v<E, TaskCancelled> ||
                         std::is_same_v<E, TaskExpired> || std::is_same_v<E, ItemsAdded>;
    if (found == state.tasks.end()) return checked ? "task " + e.task_id.value + " does not exist" : "";
    const TaskState& task = found->second;
    if constexpr (requires { e.claim_id; }) {
      if (auto why = claim_misfit(task, e.task_id, e.claim_id, std::is_same_v<E, SlotClaimed>); !why.empty()) return why;
    }
    if constexpr (std::is_same_v<E, ClaimAbandoned> || std::is_same_v<E, ClaimExpired> ||
                  std::is_same_v<E, SubmissionRejected>) {
      return refund_misfit(task, e.transfers);
    }
    if constexpr (std::is_same_v<E, TaskCancelled> || std::is_same_v<E, TaskExpired>) {
      if (!task_runs(task)) return "task " + e.task_id.value + " has ended already";
      if (e.refunded_slots < 0 || e.refunded_slots > task.free_slots()) {
        return "it refunds " + std::to_string(e.refunded_slots) + " slots of " + std::to_string(task.free_slots()) + " free";
      }
    }
    if constexpr (std::is_same_v<E, ItemsAdded>) {
      if (e.first != task.items + 1) return "its first item is " + std::to_string(e.first) + ", not " + std::to_string(task.items + 1);
    }
    if constexpr (std::is_same_v<E, SlotClaimed>) {
      if (e.item.value > 0 && e.item.value != task.next_item && !task.returned_items.contains(e.item.value)) {
        return "item " + std::to_string(e.item.value) + " is neither the next nor one that came back";
      }
    }
  }
  return "";
}

}  // namespace

std::string misfit(const PartitionState& state, const Event& event) {
  return std::visit([&](const auto& e) { return misfit_one(state, e); }, event);
}

std::string check_decided(const PartitionState& state, const Event& event) {
  if (const auto* transfers = event_transfers(event)) {
    if (std::string broken = check_transfers(state, *transfers); !broken.empty()) return broken;
  }
  const std::optional<TaskId> task_id = std::visit([](const auto& e) -> std::optional<TaskId> {
    if constexpr (requires { e.task_id; }) return e.task_id;
    if constexpr (requires { e.claim_id; }) return task_id_of(e.claim_id);
    return std::nullopt;
  }, event);
  const TaskState* task = task_id ? state.find_task(*task_id) : nullptr;
  if (task != nullptr && (task->claimed < 0 || task->submitted < 0 || task->free_slots() < 0)) {
    return "task " + task_id->value + " is oversold or has a negative counter";
  }
  return {};
}

void PartitionState::rebuild_deadlines() {
  claim_deadlines.clear();
  review_deadlines.clear();
  task_deadlines.clear();
  for (const auto& [task_id, task] : tasks) {
    if (task_runs(task)) task_deadlines.emplace(task.expires_at, task_id);
    for (const auto& [number, claim] : task.claims.numbered()) {
      if (!claim.held() && claim.status != ClaimStatus::submitted) continue;
      const ClaimId claim_id = make_claim_id(task_id, number);
      if (claim.held()) claim_deadlines.emplace(claim.expires_at, claim_id);
      if (claim.status == ClaimStatus::submitted) {
        review_deadlines.emplace(review_deadline(task, claim), claim_id);
      }
    }
  }
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
