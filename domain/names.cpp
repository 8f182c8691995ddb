// Names of enums and variants: the stable strings of the API and the event contract.
#include <type_traits>
#include <utility>

#include "domain/commands.h"
#include "domain/decider.h"
#include "domain/events.h"
#include "domain/rejection.h"
#include "domain/state.h"

namespace microjobs {

namespace {

struct RejectionRow {
  std::string_view code;
  int http_status;
  std::string_view detail;
};

constexpr RejectionRow kRejections[] = {
#define MICROJOBS_REJECTION_ROW(code, status, detail) {#code, status, detail},
    MICROJOBS_REJECTIONS(MICROJOBS_REJECTION_ROW)
#undef MICROJOBS_REJECTION_ROW
};

// A value outside the table can only come from bytes decoded elsewhere: say so, do not guess.
const RejectionRow& row_of(Rejection rejection) {
  static constexpr RejectionRow kUnknown{"unknown", 500, "an unknown rejection"};
  auto index = static_cast<std::size_t>(rejection);
  return index < std::size(kRejections) ? kRejections[index] : kUnknown;
}

}  // namespace

std::string_view rejection_code(Rejection rejection) { return row_of(rejection).code; }
int rejection_http_status(Rejection rejection) { return row_of(rejection).http_status; }
std::string_view rejection_detail(Rejection rejection) { return row_of(rejection).detail; }

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

std::string_view withdrawal_status_name(WithdrawalStatus status) {
  switch (status) {
    case WithdrawalStatus::pending: return "pending";
    case WithdrawalStatus::completed: return "completed";
    case WithdrawalStatus::failed: return "failed";
  }
  return "unknown";
}

std::string_view event_type(const Event& event) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, event);
}

// The most specific entity an event names: its claim, else its task, else its deposit or user.
// A worker's credit is about the worker (its claim is only where the money came from).
std::string event_subject(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, WorkerCredited>) return e.worker_id.value;
        else if constexpr (requires { e.claim_id; }) return e.claim_id.value;
        else if constexpr (requires { e.task_id; }) return e.task_id.value;
        else if constexpr (requires { e.deposit_id; }) return e.deposit_id;
        else if constexpr (requires { e.withdrawal_id; }) return e.withdrawal_id.value;
        else if constexpr (requires { e.webhook_id; }) return e.webhook_id.value;
        else if constexpr (requires { e.worker_id; }) return e.worker_id.value;  // a block
        else return e.user_id.value;
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

namespace {
template <class T>
constexpr bool kPaysWorker = requires { T::kPaysWorker; };
}  // namespace

std::optional<Payout> payout_of(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::optional<Payout> {
        if constexpr (kPaysWorker<std::decay_t<decltype(e)>>) {
          Payout payout{e.worker_id, Micros{}, e.claim_id};
          for (const Transfer& transfer : e.transfers) {
            if (transfer.credit == accounts::kClearingPayouts) payout.amount += transfer.amount;
          }
          return payout;
        } else {
          return std::nullopt;
        }
      },
      event);
}

bool pays_worker(std::string_view event_type) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return ((kPaysWorker<std::variant_alternative_t<I, Event>> &&
             std::variant_alternative_t<I, Event>::kType == event_type) || ...);
  }(std::make_index_sequence<std::variant_size_v<Event>>{});
}

std::string stream_of(const Command& command) {
  return std::visit([](const auto& c) -> std::string { return c.stream(); }, command);
}

std::string_view command_name(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kName; }, command);
}

}  // namespace microjobs
