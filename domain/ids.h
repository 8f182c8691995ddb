#pragma once
// Strong id types. A user id is 1-64 characters of [A-Za-z0-9_-]; task and claim ids embed the id
// of the employer who owns them ("emp.7", "emp.7.3") so that any node routes a command to the
// employer's partition without a lookup.
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace microjobs {

template <class Tag>
struct Id {
  std::string value;
  auto operator<=>(const Id&) const = default;
  bool empty() const { return value.empty(); }
};

using UserId = Id<struct UserIdTag>;
using TaskId = Id<struct TaskIdTag>;
using ClaimId = Id<struct ClaimIdTag>;
using WithdrawalId = Id<struct WithdrawalIdTag>;
using WebhookId = Id<struct WebhookIdTag>;

bool valid_user_id(std::string_view text);
TaskId make_task_id(const UserId& employer, std::int64_t number);
ClaimId make_claim_id(const TaskId& task, std::int64_t number);
// The employer that owns a task or claim id, or nullopt if the id is not well formed.
std::optional<UserId> owner_of_task(std::string_view task_id);
std::optional<UserId> owner_of_claim(std::string_view claim_id);
// The task a claim belongs to ("emp.7.3" -> "emp.7").
std::optional<TaskId> task_of_claim(std::string_view claim_id);
// The same, as a part of `claim_id` (no copy): for checks made for every event.
std::optional<std::string_view> task_part_of_claim(std::string_view claim_id);
// A claim's number within its task ("emp.7.3" -> 3), or nullopt unless the id is exactly what
// make_claim_id() writes (so "emp.7.03" is no claim, not claim 3).
std::optional<std::int64_t> claim_number(std::string_view claim_id);
// A user's withdrawals are "{user}.w{n}" ("bob.w3"); the owner of a well-formed one.
WithdrawalId make_withdrawal_id(const UserId& user, std::int64_t number);
std::optional<UserId> owner_of_withdrawal(std::string_view withdrawal_id);
// An employer's webhooks are "{user}.h{n}" ("alice.h1"); the owner of a well-formed one.
WebhookId make_webhook_id(const UserId& user, std::int64_t number);
std::optional<UserId> owner_of_webhook(std::string_view webhook_id);

// An item of a per_item task, numbered from 1 in the order the items were added; 0: no item (a
// claim on a plain task). Events omit it when 0, so plain claims keep their bytes.
struct ItemNumber {
  std::int64_t value = 0;
  auto operator<=>(const ItemNumber&) const = default;
};

// A JSON value kept as its minified text (an item's data): events carry it as JSON, not as a
// string holding JSON.
struct JsonText {
  std::string text;
  bool operator==(const JsonText&) const = default;
};

}  // namespace microjobs

template <class Tag>
struct std::hash<microjobs::Id<Tag>> {
  std::size_t operator()(const microjobs::Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value);
  }
};
