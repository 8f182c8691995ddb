#include "domain/rules.h"

#include <algorithm>
#include <cctype>

#include "domain/assert.h"

namespace microjobs {

Micros fee_per_slot(Micros reward, const Policy& policy) {
  Micros fee{reward.value / 10'000 * policy.fee_rate_bp +
             reward.value % 10'000 * policy.fee_rate_bp / 10'000};
  return std::max(fee, policy.fee_floor);
}

bool valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if ((c & 0xe0) == 0xc0) {
      length = 2;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80) return false;
      code = (code << 6) | (bytes[i + k] & 0x3f);
    }
    static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool valid_http_url(std::string_view url) {
  if (url.size() > 2048) return false;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  // A host starts with a letter, a digit or an IPv6 literal's bracket (not "#x", "@", "/").
  if (rest.empty() || !(std::isalnum(static_cast<unsigned char>(rest.front())) || rest.front() == '[')) {
    return false;
  }
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

bool valid_text(std::string_view text, std::size_t max_bytes) {
  return text.size() <= max_bytes && valid_utf8(text);
}

bool valid_country(std::string_view country) {
  return country.size() == 2 && country[0] >= 'A' && country[0] <= 'Z' && country[1] >= 'A' &&
         country[1] <= 'Z';
}

bool valid_reason(std::string_view reason) { return !reason.empty() && valid_text(reason, 1000); }

std::pair<const TaskState*, const ClaimState*> find_claim(const PartitionState& state,
                                                         const ClaimId& claim_id) {
  auto task_id = task_of_claim(claim_id.value);
  if (!task_id) return {nullptr, nullptr};
  const TaskState* task = state.find_task(*task_id);
  if (task == nullptr) return {nullptr, nullptr};
  return {task, task->claims.find(claim_id)};
}

TaskId task_id_of(const ClaimId& claim_id) {
  auto task_id = task_of_claim(claim_id.value);
  MJ_ASSERT(task_id.has_value());
  return *task_id;
}

std::string stream_of_task(const TaskId& task_id) {
  auto owner = owner_of_task(task_id.value);
  return owner ? owner->value : std::string();
}

bool task_ended(const TaskState& task) {
  return task.status == TaskStatus::cancelled || task.status == TaskStatus::expired;
}

Micros escrow_of_slots(const TaskState& task, std::int64_t slots) {
  return Micros{slots * (task.reward + task.fee).value};
}

std::vector<Transfer> slot_refund(const TaskState& task, std::int64_t slots) {
  MJ_ASSERT(slots >= 0);
  if (slots == 0) return {};
  return {{accounts::escrow(task.employer_id), accounts::available(task.employer_id),
           escrow_of_slots(task, slots)}};
}

std::uint64_t ref_hash(std::string_view ref) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char byte : ref) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::size_t json_string_bytes(std::string_view text) {
  std::size_t bytes = text.size();
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      bytes += 1;
    } else if (c < 0x20) {
      bytes += 5;
    }
  }
  return bytes;
}

std::size_t item_bytes(std::string_view ref, std::string_view data) {
  return json_string_bytes(ref) + data.size();
}

std::int64_t review_seconds(const ClaimState& claim, UnixMs now) {
  return std::max<std::int64_t>(0, (now.value - claim.submitted_at.value) / 1000);
}

void apply_transfers(PartitionState& state, const std::vector<Transfer>& transfers) {
  auto adjust = [&](const std::string& account, std::int64_t delta) {
    if (auto user_account = accounts::parse_user_account(account)) {
      UserState& owner = state.users[UserId{std::string(user_account->user)}];
      owner.balance(user_account->bucket).value += delta;
    } else {
      state.shared_accounts[account].value += delta;
    }
  };
  for (const Transfer& transfer : transfers) {
    adjust(transfer.debit, -transfer.amount.value);
    adjust(transfer.credit, transfer.amount.value);
  }
}

void end_claim(PartitionState& state, const TaskId& task_id, const ClaimId& claim_id,
               ClaimStatus status) {
  TaskState& task = state.tasks[task_id];
  ClaimState& claim = task.claims[claim_id];
  state.claim_deadlines.erase({claim.expires_at, claim_id});
  claim.status = status;
  task.claimed -= 1;
  task.workers[claim.worker_id].active_claims -= 1;
}

void return_slot(PartitionState& state, TaskState& task, const ClaimState& claim,
                 const std::vector<Transfer>& refund) {
  if (claim.item > 0) task.returned_items.insert(claim.item);
  if (refund.empty()) return;
  MJ_ASSERT(refund.size() == 1 && refund[0].amount == escrow_of_slots(task, 1));
  task.refunded_slots += 1;
  task.escrow -= refund[0].amount;
  apply_transfers(state, refund);
}

void end_task(PartitionState& state, const TaskId& task_id, TaskStatus status,
              std::int64_t refunded_slots, const std::vector<Transfer>& refund) {
  TaskState& task = state.tasks[task_id];
  MJ_ASSERT(task_runs(task) && refunded_slots <= task.free_slots());
  state.task_deadlines.erase({task.expires_at, task_id});
  task.status = status;
  task.refunded_slots += refunded_slots;
  task.escrow -= escrow_of_slots(task, refunded_slots);
  apply_transfers(state, refund);
}

void complete_if_done(PartitionState& state, const TaskId& task_id) {
  TaskState& task = state.tasks[task_id];
  if (task.status != TaskStatus::open || task.slots_approved() < task.slots) return;
  task.status = TaskStatus::completed;
  state.task_deadlines.erase({task.expires_at, task_id});
}

void end_review(PartitionState& state, const TaskState& task, const ClaimId& claim_id) {
  state.review_deadlines.erase({review_deadline(task, task.claims.at(claim_id)), claim_id});
}

}  // namespace microjobs

namespace microjobs {
std::string stream_of_claim(const ClaimId& claim_id) {
  auto owner = owner_of_claim(claim_id.value);
  return owner ? owner->value : std::string();
}
}  // namespace microjobs
