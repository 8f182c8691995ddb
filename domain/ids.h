#pragma once
// Strong id types. A user id is 1-64 characters of [A-Za-z0-9_-]; task and claim ids embed the id
// of the employer who owns them ("emp.7", "emp.7.3") so that any node routes a command to the
// employer's partition without a lookup.
#include <compare>
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

bool valid_user_id(std::string_view text);
TaskId make_task_id(const UserId& employer, std::int64_t number);
ClaimId make_claim_id(const TaskId& task, std::int64_t number);
// The employer that owns a task or claim id, or nullopt if the id is not well formed.
std::optional<UserId> owner_of_task(std::string_view task_id);
std::optional<UserId> owner_of_claim(std::string_view claim_id);
// The task a claim belongs to ("emp.7.3" -> "emp.7").
std::optional<TaskId> task_of_claim(std::string_view claim_id);

}  // namespace microjobs

template <class Tag>
struct std::hash<microjobs::Id<Tag>> {
  std::size_t operator()(const microjobs::Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value);
  }
};
