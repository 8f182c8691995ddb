// Names of enums and variants: the stable strings of the API and the event contract.
#include <type_traits>

#include "domain/commands.h"
#include "domain/decider.h"
#include "domain/events.h"
#include "domain/rejection.h"
#include "domain/state.h"

namespace microjobs {

std::string_view rejection_code(Rejection rejection) {
  switch (rejection) {
    case Rejection::invalid_argument: return "invalid_argument";
    case Rejection::reason_required: return "reason_required";
    case Rejection::user_not_found: return "user_not_found";
    case Rejection::task_not_found: return "task_not_found";
    case Rejection::claim_not_found: return "claim_not_found";
    case Rejection::forbidden: return "forbidden";
    case Rejection::exists: return "exists";
    case Rejection::exists_with_different_amount: return "exists_with_different_amount";
    case Rejection::insufficient_funds: return "insufficient_funds";
    case Rejection::task_not_open: return "task_not_open";
    case Rejection::own_task: return "own_task";
    case Rejection::not_qualified: return "not_qualified";
    case Rejection::already_claimed: return "already_claimed";
    case Rejection::max_per_worker: return "max_per_worker";
    case Rejection::no_free_slot: return "no_free_slot";
    case Rejection::wrong_state: return "wrong_state";
    case Rejection::claim_expired: return "claim_expired";
    case Rejection::out_of_order: return "out_of_order";
    case Rejection::revision_limit: return "revision_limit";
    case Rejection::review_window_closed: return "review_window_closed";
    case Rejection::idempotency_key_reused: return "idempotency_key_reused";
  }
  return "unknown";
}

int rejection_http_status(Rejection rejection) {
  switch (rejection) {
    case Rejection::invalid_argument:
    case Rejection::reason_required: return 400;
    case Rejection::forbidden: return 403;
    case Rejection::user_not_found:
    case Rejection::task_not_found:
    case Rejection::claim_not_found: return 404;
    case Rejection::idempotency_key_reused: return 422;
    default: return 409;
  }
}

std::string_view claim_status_name(ClaimStatus status) {
  switch (status) {
    case ClaimStatus::claimed: return "claimed";
    case ClaimStatus::submitted: return "submitted";
    case ClaimStatus::approved: return "approved";
    case ClaimStatus::rejected: return "rejected";
    case ClaimStatus::abandoned: return "abandoned";
    case ClaimStatus::expired: return "expired";
    case ClaimStatus::revision_requested: return "revision_requested";
  }
  return "unknown";
}

std::string_view task_status_name(TaskStatus status) {
  switch (status) {
    case TaskStatus::open: return "open";
    case TaskStatus::paused: return "paused";
    case TaskStatus::completed: return "completed";
    case TaskStatus::cancelled: return "cancelled";
    case TaskStatus::expired: return "expired";
  }
  return "unknown";
}

std::string_view event_type(const Event& event) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, event);
}

std::string event_subject(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, UserRegistered> || std::is_same_v<T, UserProfileUpdated>) {
          return e.user_id.value;
        } else if constexpr (std::is_same_v<T, FundsDeposited>) {
          return e.deposit_id;
        } else if constexpr (std::is_same_v<T, TaskPosted>) {
          return e.task_id.value;
        } else if constexpr (std::is_same_v<T, WorkerCredited>) {
          return e.worker_id.value;
        } else {
          return e.claim_id.value;
        }
      },
      event);
}

const std::vector<Transfer>* event_transfers(const Event& event) {
  return std::visit(
      [](const auto& e) -> const std::vector<Transfer>* {
        if constexpr (requires { e.transfers; }) {
          return &e.transfers;
        } else {
          return nullptr;
        }
      },
      event);
}

std::string stream_of(const Command& command) {
  auto owner = [](std::optional<UserId> id) { return id ? id->value : std::string(); };
  return std::visit(
      [&](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, RegisterUser>) return c.user_id.value;
        else if constexpr (std::is_same_v<T, DepositFunds>) return c.account.value;
        else if constexpr (std::is_same_v<T, PostTask>) return c.employer_id.value;
        else if constexpr (std::is_same_v<T, ClaimSlot>) return owner(owner_of_task(c.task_id.value));
        else if constexpr (std::is_same_v<T, CreditWorker>) return c.worker_id.value;
        else return owner(owner_of_claim(c.claim_id.value));
      },
      command);
}

std::string_view command_name(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

}  // namespace microjobs

namespace microjobs {

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

}  // namespace microjobs
