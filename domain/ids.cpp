#include "domain/ids.h"

#include <charconv>
#include <cstdint>

namespace microjobs {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool valid_user_id(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

TaskId make_task_id(const UserId& employer, std::int64_t number) {
  return TaskId{employer.value + "." + std::to_string(number)};
}

ClaimId make_claim_id(const TaskId& task, std::int64_t number) {
  return ClaimId{task.value + "." + std::to_string(number)};
}

namespace {

// The owner part of a task id ("emp" of "emp.7"), when the id is well formed.
std::optional<std::string_view> owner_part_of_task(std::string_view task_id) {
  auto dot = task_id.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view user = task_id.substr(0, dot);
  if (!valid_user_id(user) || !all_digits(task_id.substr(dot + 1))) return std::nullopt;
  return user;
}

}  // namespace

std::optional<UserId> owner_of_task(std::string_view task_id) {
  auto owner = owner_part_of_task(task_id);
  if (!owner) return std::nullopt;
  return UserId{std::string(*owner)};
}

std::optional<std::string_view> task_part_of_claim(std::string_view claim_id) {
  auto dot = claim_id.rfind('.');
  if (dot == std::string_view::npos || !all_digits(claim_id.substr(dot + 1))) return std::nullopt;
  std::string_view task = claim_id.substr(0, dot);
  if (!owner_part_of_task(task)) return std::nullopt;
  return task;
}

std::optional<TaskId> task_of_claim(std::string_view claim_id) {
  auto task = task_part_of_claim(claim_id);
  if (!task) return std::nullopt;
  return TaskId{std::string(*task)};
}

std::optional<std::int64_t> claim_number(std::string_view claim_id) {
  if (!task_part_of_claim(claim_id)) return std::nullopt;
  std::string_view digits = claim_id.substr(claim_id.rfind('.') + 1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  std::int64_t number = 0;
  for (char c : digits) number = number * 10 + (c - '0');  // at most 18 digits: no overflow
  return number;
}

std::optional<UserId> owner_of_claim(std::string_view claim_id) {
  auto task = task_of_claim(claim_id);
  if (!task) return std::nullopt;
  return owner_of_task(task->value);
}

WithdrawalId make_withdrawal_id(const UserId& user, std::int64_t number) {
  return WithdrawalId{user.value + ".w" + std::to_string(number)};
}

namespace {

// "{user}{marker}{digits}" -> user.
std::optional<UserId> owner_before(std::string_view id, std::string_view marker) {
  auto dot = id.find(marker);
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view user = id.substr(0, dot);
  std::string_view number = id.substr(dot + marker.size());
  if (!valid_user_id(user) || !all_digits(number)) return std::nullopt;
  return UserId{std::string(user)};
}

}  // namespace

std::optional<UserId> owner_of_withdrawal(std::string_view withdrawal_id) {
  return owner_before(withdrawal_id, ".w");
}

WebhookId make_webhook_id(const UserId& user, std::int64_t number) {
  return WebhookId{user.value + ".h" + std::to_string(number)};
}

std::optional<UserId> owner_of_webhook(std::string_view webhook_id) {
  return owner_before(webhook_id, ".h");
}

}  // namespace microjobs
