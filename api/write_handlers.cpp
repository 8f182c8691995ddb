// The command endpoints: validate the body (nothing invalid reaches the bus), build the command
// with the token's user as actor, send it, and map its outcome to a response.
#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "api/command_route.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/polling_waiter.h"
#include "api/problem.h"
#include "commands/personal_data_vault.h"
#include "domain/personal_data.h"
#include "infra/webhook/signature.h"
#include "infra/webhook/webhook_url.h"
#include "projections/progress.h"
#include "projections/read_models.h"

namespace microjobs {
namespace {

Response unexpected_event(const CommandOutcome& outcome) {
  return problem(500, problem_codes::kInternal,
                 "the command was answered with " + std::string(event_type(outcome.event)));
}

// The HTTP status and problem code of an outcome that is not a success, as map_outcome answers
// it: what a bulk review reports for each decision that failed.
std::pair<int, std::string_view> failure_status(const CommandOutcome& outcome) {
  switch (outcome.kind) {
    case CommandOutcome::Kind::rejected:
      return {rejection_http_status(outcome.rejection), rejection_code(outcome.rejection)};
    case CommandOutcome::Kind::overloaded: return {429, problem_codes::kOverloaded};
    case CommandOutcome::Kind::unavailable: return {503, problem_codes::kOutcomeUnknown};
    case CommandOutcome::Kind::accepted: break;
  }
  return {500, problem_codes::kInternal};
}

Response map_outcome(const CommandOutcome& outcome, const OnAccepted& on_accepted,
                     const OnRejected& on_rejected) {
  switch (outcome.kind) {
    case CommandOutcome::Kind::accepted:
      return on_accepted(outcome);
    case CommandOutcome::Kind::rejected:
      if (on_rejected) {
        if (auto response = on_rejected(outcome.rejection)) return std::move(*response);
      }
      return rejection_problem(outcome.rejection);
    case CommandOutcome::Kind::overloaded:
      return retry_later(429, problem_codes::kOverloaded, "the partition's queue is full");
    case CommandOutcome::Kind::unavailable:
      return retry_later(503, problem_codes::kOutcomeUnknown,
                         "the outcome is unknown (" + outcome.detail +
                             "); retrying with the same Idempotency-Key is safe");
  }
  return problem(500, problem_codes::kInternal, "unknown outcome");
}

}  // namespace

// Sends the command; the reply runs on the partition's thread, so it only builds the response
// from the outcome and values it captured, and never lets an exception escape into that thread.
void send(Call& call, CommandId command_id, Command command, OnAccepted on_accepted,
          OnRejected on_rejected) {
  call.context.send(
      std::move(command_id), std::move(command),
      [done = call.done, on_accepted = std::move(on_accepted),
       on_rejected = std::move(on_rejected)](CommandOutcome outcome) {
        try {
          done(map_outcome(outcome, on_accepted, on_rejected));
        } catch (const std::exception& error) {
          done(problem(500, problem_codes::kInternal, error.what()));
        }
      });
}

namespace {

// A command's success: the members `write` adds, then "position", and the X-Position header.
Response command_response(int status, const CommandOutcome& outcome,
                          const std::function<void(JsonWriter&)>& write) {
  std::string position = format_position(outcome.position);
  Response response = json_response(status, [&](JsonWriter& json) {
    write(json);
    json.field("position", position);
  });
  response.headers["X-Position"] = position;
  return response;
}

// The claim's status after a claim event, for the status-only answers.
std::string_view status_after(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string_view {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ClaimAbandoned>) return "abandoned";
        else if constexpr (std::is_same_v<T, ClaimExpired>) return "expired";
        else if constexpr (std::is_same_v<T, ProofSubmitted>) return "submitted";
        else if constexpr (std::is_same_v<T, SubmissionRejected>) return "rejected";
        else if constexpr (std::is_same_v<T, RevisionRequested>) return "revision_requested";
        else if constexpr (std::is_same_v<T, SubmissionApproved> ||
                           std::is_same_v<T, RejectionOverridden>) return "approved";
        else return {};
      },
      event);
}

}  // namespace

Response claim_status_answer(const CommandOutcome& outcome) {
  std::string_view status = status_after(outcome.event);
  if (status.empty()) return unexpected_event(outcome);
  std::string claim_id = std::visit(
      [](const auto& e) -> std::string {
        if constexpr (requires { e.claim_id; }) return e.claim_id.value;
        else return {};
      },
      outcome.event);
  return command_response(200, outcome, [&](JsonWriter& json) {
    json.field("claim_id", claim_id).field("status", status);
  });
}

Response approved_answer(const CommandOutcome& outcome) {
  auto answer = [&](const auto& event) {
    return command_response(200, outcome, [&](JsonWriter& json) {
      json.field("claim_id", event.claim_id.value)
          .field("status", "approved")
          .field("paid", format_money(event.paid))
          .field("fee", format_money(event.fee));
    });
  };
  if (const auto* event = std::get_if<SubmissionApproved>(&outcome.event)) return answer(*event);
  if (const auto* event = std::get_if<RejectionOverridden>(&outcome.event)) return answer(*event);
  return unexpected_event(outcome);
}

Response bonus_answer(const CommandOutcome& outcome) {
  const auto* event = std::get_if<BonusPaid>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(201, outcome, [&](JsonWriter& json) {
    json.field("bonus_id", event->bonus_id)
        .field("claim_id", event->claim_id.value)
        .field("amount", format_money(event->amount))
        .field("fee", format_money(event->fee));
  });
}

Response task_status_answer(const CommandOutcome& outcome) {
  std::string_view status;
  std::string task_id;
  if (const auto* paused = std::get_if<TaskPaused>(&outcome.event)) {
    status = "paused";
    task_id = paused->task_id.value;
  } else if (const auto* resumed = std::get_if<TaskResumed>(&outcome.event)) {
    status = "open";
    task_id = resumed->task_id.value;
  } else {
    return unexpected_event(outcome);
  }
  return command_response(200, outcome, [&](JsonWriter& json) {
    json.field("task_id", task_id).field("status", status);
  });
}

Response slots_added_answer(const CommandOutcome& outcome) {
  const auto* event = std::get_if<SlotsAdded>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(200, outcome, [&](JsonWriter& json) {
    json.field("task_id", event->task_id.value)
        .field("slots", event->slots)
        .field("escrow", format_money(event->escrow));
  });
}

Response cancelled_answer(const CommandOutcome& outcome) {
  const auto* event = std::get_if<TaskCancelled>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(200, outcome, [&](JsonWriter& json) {
    json.field("task_id", event->task_id.value)
        .field("status", "cancelled")
        .field("refunded", format_money(event->refunded));
  });
}

Response blocked_answer(const CommandOutcome& outcome) {
  const auto* event = std::get_if<WorkerBlocked>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(201, outcome, [&](JsonWriter& json) {
    json.field("employer_id", event->employer_id.value)
        .field("worker_id", event->worker_id.value)
        .field("reason", event->reason);
  });
}

Response withdrawal_answer(const CommandOutcome& outcome) {
  return std::visit(
      [&](const auto& e) -> Response {
        using T = std::decay_t<decltype(e)>;
        constexpr bool kRequest = std::is_same_v<T, WithdrawalRequested>;
        if constexpr (kRequest || std::is_same_v<T, WithdrawalCompleted> ||
                      std::is_same_v<T, WithdrawalFailed>) {
          std::string_view status = kRequest ? "pending"
                                    : std::is_same_v<T, WithdrawalCompleted> ? "completed"
                                                                              : "failed";
          return command_response(kRequest ? 201 : 200, outcome, [&](JsonWriter& json) {
            json.field("withdrawal_id", e.withdrawal_id.value)
                .field("amount", format_money(e.amount))
                .field("status", status);
          });
        } else {
          return unexpected_event(outcome);
        }
      },
      outcome.event);
}

void delete_block(Call& call) {
  if (!require_role(call, roles::kEmployer)) return;
  if (!valid_user_id(call.params[0])) {
    return call.done(problem(404, rejection_code(Rejection::block_not_found),
                             "no blocked worker " + call.params[0]));
  }
  auto body = object_body(call, true);  // takes no fields: nothing, or {}
  if (!body) return;
  if (FieldReader fields(*body); !fields.finish()) return call.done(fields.problem());
  UnblockWorker command{UserId{call.principal.user_id}, UserId{call.params[0]}};
  send(call, call.command_id, std::move(command), [](const CommandOutcome& outcome) {
    const auto* event = std::get_if<WorkerUnblocked>(&outcome.event);
    if (event == nullptr) return unexpected_event(outcome);
    return command_response(200, outcome, [&](JsonWriter& json) {
      json.field("worker_id", event->worker_id.value).field("status", "unblocked");
    });
  });
}

std::int64_t max_count(std::string_view field) {
  if (field == "add") return 1'000'000;  // Policy::max_slots: the decider checks the total
  return 1'000'000'000;
}

std::size_t max_text_bytes(std::string_view field) {
  if (field == "reason") return 1000;
  if (field == "destination") return 200;
  return 10'000;  // a proof, and any longer text
}

bool withdrawal_param(Call& call) {
  if (owner_of_withdrawal(call.params[0])) return true;
  call.done(problem(404, rejection_code(Rejection::withdrawal_not_found), "no withdrawal " + call.params[0]));
  return false;
}

bool require_role(Call& call, std::string_view role) {
  if (call.principal.has_role(role)) return true;
  call.done(forbidden("this needs the " + std::string(role) + " role"));
  return false;
}

std::optional<JsonValue> object_body(Call& call, bool empty_ok) {
  Response bad;
  auto body = parse_object_body(call.request.body, empty_ok, bad);
  if (!body) call.done(std::move(bad));
  return body;
}

std::optional<Response> already_decided(ApiContext& context, const ClaimId& claim, Rejection rejection) {
  if (rejection != Rejection::exists) return std::nullopt;
  std::string status = "decided this way";
  if (auto view = context.read_models.claim(claim)) status = view->status;
  return problem(409, rejection_code(rejection),
                 "claim " + claim.value + " is already " + status +
                     ": the same decision again changes nothing (and pays nothing twice)");
}

std::optional<ClaimId> claim_param(Call& call) {
  if (!owner_of_claim(call.params[0])) {
    call.done(problem(404, "claim_not_found", "no claim " + call.params[0]));
    return std::nullopt;
  }
  return ClaimId{call.params[0]};
}

std::optional<ClaimId> owned_claim_param(Call& call) {
  if (!require_role(call, roles::kEmployer)) return std::nullopt;
  auto claim_id = claim_param(call);
  if (!claim_id) return std::nullopt;
  if (owner_of_claim(claim_id->value)->value != call.principal.user_id) {
    call.done(forbidden("only the task's owner may review its claims"));
    return std::nullopt;
  }
  return claim_id;
}

std::optional<TaskId> owned_task_param(Call& call) {
  if (!require_role(call, roles::kEmployer)) return std::nullopt;
  auto owner = owner_of_task(call.params[0]);
  if (!owner) {
    call.done(problem(404, "task_not_found", "no task " + call.params[0]));
    return std::nullopt;
  }
  if (owner->value != call.principal.user_id) {
    call.done(forbidden("only the task's owner may change it"));
    return std::nullopt;
  }
  return TaskId{call.params[0]};
}

Response forbidden(std::string_view detail) {
  return problem(403, problem_codes::kForbidden, detail);
}

namespace {

// Whether `stored` (as the read models have it: sealed, or not) is `text`.
bool same_text(ApiContext& context, const std::string& stored, std::string_view text) {
  if (context.vault == nullptr || !is_sealed(stored)) return stored == text;
  auto opened = context.vault->open(stored);
  return opened.ok() && *opened && **opened == text;
}

}  // namespace

// POST /v1/users/{id}/erasure (admin): the user's personal data made unreadable everywhere.
void post_erasure(Call& call) {
  if (!require_role(call, roles::kAdmin)) return;
  const std::string& user_id = call.params[0];
  if (!valid_user_id(user_id)) return call.done(problem(404, rejection_code(Rejection::user_not_found), "no user " + user_id));
  auto body = object_body(call, true);  // takes no fields
  if (!body) return;
  FieldReader fields(*body);
  if (!fields.finish()) return call.done(fields.problem());
  send(call, call.command_id, EraseUser{UserId{user_id}}, [user_id](const CommandOutcome& outcome) {
    return command_response(200, outcome, [&](JsonWriter& json) {
      json.field("user_id", user_id).key("erased").boolean(true);
    });
  });
}

void put_user(Call& call) {
  const std::string& user_id = call.params[0];
  if (!valid_user_id(user_id)) {
    return call.done(problem(400, problem_codes::kInvalidField,
                             "user id: must be 1-64 characters of [A-Za-z0-9_-]"));
  }
  if (user_id != call.principal.user_id && !call.principal.has_role(roles::kAdmin)) {
    return call.done(forbidden("a user may register only itself"));
  }
  auto body = object_body(call, false);
  if (!body) return;
  FieldReader fields(*body);
  auto country = fields.country("country", Presence::required);
  auto display_name = fields.text("display_name", Presence::optional, 0, 200);
  if (!fields.finish()) return call.done(fields.problem());
  // A profile update without display_name keeps the current one (as last projected: send
  // X-Min-Position after a rename to be exact), rather than wiping it. The current one is sent
  // as the read models have it, sealed (domain/personal_data.h), when it is unchanged, so that
  // the decider sees the very same profile.
  auto current = call.context.read_models.user(UserId{user_id});
  if (current && (!display_name || same_text(call.context, current->display_name, *display_name))) {
    display_name = current->display_name;
  }
  RegisterUser command{UserId{user_id}, *country, display_name.value_or("")};
  auto write = [command](JsonWriter& json) {
    json.field("user_id", command.user_id.value)
        .field("country", command.country)
        .field("display_name", command.display_name);
  };
  send(
      call, call.command_id, command,
      [write](const CommandOutcome& outcome) { return command_response(200, outcome, write); },
      // The very same profile again: nothing to append, and the answer is the current data.
      [write](Rejection rejection) -> std::optional<Response> {
        if (rejection != Rejection::exists) return std::nullopt;
        return json_response(200, write);
      });
}

void post_deposit(Call& call) {
  if (!call.principal.has_role(roles::kPayments) && !call.principal.has_role(roles::kAdmin)) {
    return call.done(forbidden("deposits need the payments or admin role"));
  }
  auto body = object_body(call, false);
  if (!body) return;
  FieldReader fields(*body);
  auto account = fields.user_id("account", Presence::required);
  auto amount = fields.money("amount", Presence::required);
  auto reference = fields.text("reference", Presence::required, 1, 128);
  if (!fields.finish()) return call.done(fields.problem());
  // Keyed by the provider's reference, so a repeat gets the first answer whoever sends it.
  CommandId command_id = deposit_command_id(*account, *reference);
  DepositFunds command{*account, *amount, *reference};
  send(
      call, std::move(command_id), command,
      [command](const CommandOutcome& outcome) {
        const auto* event = std::get_if<FundsDeposited>(&outcome.event);
        if (event == nullptr) return unexpected_event(outcome);
        // Only records written before command fingerprints can answer another amount here;
        // since then a reused reference is idempotency_key_reused, mapped below.
        if (event->account != command.account || event->amount != command.amount) {
          return problem(409, rejection_code(Rejection::exists_with_different_amount),
                         "reference " + command.reference + " was used for another deposit");
        }
        return command_response(201, outcome, [&](JsonWriter& json) {
          json.field("deposit_id", event->deposit_id)
              .field("account", event->account.value)
              .field("amount", format_money(event->amount))
              .field("reference", event->reference);
        });
      },
      [reference = *reference](Rejection rejection) -> std::optional<Response> {
        if (rejection == Rejection::idempotency_key_reused ||
            rejection == Rejection::exists_with_different_amount) {
          return problem(409, rejection_code(Rejection::exists_with_different_amount),
                         "reference " + reference + " was used for another deposit");
        }
        if (rejection != Rejection::exists) return std::nullopt;
        return problem(409, problem_codes::kDuplicateReference,
                       "reference " + reference + " was deposited before");
      });
}

}  // namespace microjobs

namespace microjobs {
namespace {

constexpr std::int64_t kMaxSlots = 1'000'000;        // the domain's Policy::max_slots default
constexpr std::int64_t kMaxWindowS = 30 * 86'400;    // claim timeout and review window
constexpr std::int64_t kMaxCount = 1'000'000'000;    // any other count from outside

// The body of POST /v1/tasks; the documented defaults are PostTask's own. The ranges mirror the
// decider's so that the answer names the field; the decider stays the authority.
std::optional<PostTask> read_post_task(FieldReader& fields, UnixMs now) {
  PostTask task;
  auto title = fields.text("title", Presence::required, 1, 200);
  auto instructions = fields.text("instructions", Presence::optional, 0, 10'000);
  auto category = fields.text("category", Presence::optional, 1, 64);
  auto reward = fields.money("reward", Presence::required);
  auto slots = fields.integer("slots", Presence::required, 1, kMaxSlots);
  auto proof_type = fields.object("proof").one_of("type", Presence::optional, {"text", "url", "file"});
  auto claim_timeout_s = fields.integer("claim_timeout_s", Presence::optional, 60, kMaxWindowS);
  auto auto_approve_after_s =
      fields.integer("auto_approve_after_s", Presence::optional, 0, kMaxWindowS);
  auto expires_at = fields.time("expires_at", Presence::optional);
  if (expires_at && *expires_at <= now) fields.invalid("expires_at", "must be in the future");
  FieldReader& targeting = fields.object("targeting");
  auto countries = targeting.countries("countries", 250);
  auto min_approval_rate_bp = targeting.rate_bp("min_approval_rate", Presence::optional);
  auto min_approved = targeting.integer("min_approved", Presence::optional, 0, kMaxCount);
  auto max_per_worker = fields.integer("max_per_worker", Presence::optional, 1, 1000);
  auto per_item = fields.boolean("per_item", Presence::optional);
  if (!fields.finish()) return std::nullopt;
  task.title = *title;
  task.instructions = instructions.value_or("");
  task.category = category.value_or("other");
  task.reward = *reward;
  task.slots = *slots;
  task.proof_type = proof_type.value_or(task.proof_type);
  task.claim_timeout_s = claim_timeout_s.value_or(task.claim_timeout_s);
  task.auto_approve_after_s = auto_approve_after_s.value_or(task.auto_approve_after_s);
  task.expires_at = expires_at.value_or(UnixMs{0});
  task.countries = countries.value_or(std::vector<std::string>{});
  task.min_approval_rate_bp = min_approval_rate_bp.value_or(0);
  task.min_approved = min_approved.value_or(0);
  task.max_per_worker = max_per_worker.value_or(1);
  task.per_item = per_item.value_or(false);
  return task;
}

}  // namespace

void post_task(Call& call) {
  if (!require_role(call, roles::kEmployer)) return;
  auto body = object_body(call, false);
  if (!body) return;
  FieldReader fields(*body);
  auto command = read_post_task(fields, call.context.clock.now());
  if (!command) return call.done(fields.problem());
  command->employer_id = UserId{call.principal.user_id};
  // insufficient_funds with the numbers: what the slots' escrow needs, and the balance as last
  // projected (the partition decided on its own, exact one).
  const Micros fee = fee_per_slot(command->reward, Policy{});
  const auto needed = multiply_money(command->reward + fee, command->slots);
  auto on_rejected = [&models = call.context.read_models, employer = command->employer_id, needed,
                      slots = command->slots, reward = command->reward, fee](Rejection rejection) {
    std::optional<Response> response;
    if (rejection == Rejection::insufficient_funds && needed) {
      response = problem(409, rejection_code(rejection),
                         "posting needs " + format_money(*needed) + " (" + std::to_string(slots) +
                             " slots x (" + format_money(reward) + " reward + " + format_money(fee) +
                             " fee)); the available balance is " +
                             format_money(models.account(employer).available));
    }
    return response;
  };
  send(call, call.command_id, std::move(*command), [](const CommandOutcome& outcome) {
    const auto* event = std::get_if<TaskPosted>(&outcome.event);
    if (event == nullptr) return unexpected_event(outcome);
    return command_response(201, outcome, [&](JsonWriter& json) {
      json.field("task_id", event->task_id.value)
          .field("escrow", format_money(event->escrow))
          .field("fee", format_money(event->fee))
          .field("expires_at", format_rfc3339(event->expires_at));
    });
  }, on_rejected);
}

namespace {

// 201 {claim_id, task_id, worker_id, expires_at, item, position}; `item` as read for the claim.
Response claimed_answer(const CommandOutcome& outcome, const std::optional<ItemView>& item) {
  const auto* event = std::get_if<SlotClaimed>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(201, outcome, [&](JsonWriter& json) {
    json.field("claim_id", event->claim_id.value)
        .field("task_id", event->task_id.value)
        .field("worker_id", event->worker_id.value)
        .field("expires_at", format_rfc3339(event->expires_at));
    write_claim_item(json, event->item.value, item);
  });
}

// Calls done(make()), or a 500 if make() throws: never lets an exception escape into the
// partition's or the waiter's thread.
void answer_safely(const Done& done, const std::function<Response()>& make) {
  Response response;
  try {
    response = make();
  } catch (const std::exception& error) {
    response = problem(500, problem_codes::kInternal, error.what());
  }
  done(std::move(response));
}

// 409 not_qualified naming the rule the worker's profile (as the claim was decided on it) failed.
Response not_qualified_problem(const std::optional<TaskView>& task, const WorkerProfile& profile) {
  std::string detail = std::string(rejection_detail(Rejection::not_qualified));
  if (task) {
    const std::int64_t reviewed = profile.approved + profile.rejected;
    if (!task->countries.empty() &&
        std::find(task->countries.begin(), task->countries.end(), profile.country) == task->countries.end()) {
      std::string countries;
      for (const std::string& country : task->countries) countries += (countries.empty() ? "" : ", ") + country;
      detail = "the task is open to workers in " + countries + "; your profile says " + profile.country;
    } else if (profile.approved < task->min_approved) {
      detail = "the task needs " + std::to_string(task->min_approved) + " approved submissions; you have " +
               std::to_string(profile.approved);
    } else if (reviewed > 0 && profile.approved * 10'000 < task->min_approval_rate_bp * reviewed) {
      auto percent = [](std::int64_t bp) {  // basis points as a percentage with two decimals
        std::string fraction = std::to_string(bp % 100);
        return std::to_string(bp / 100) + (bp % 100 == 0 ? "" : "." + std::string(2 - fraction.size(), '0') + fraction);
      };
      detail = "the task needs an approval rate of " + percent(task->min_approval_rate_bp) + " %; yours is " +
               percent(profile.approved * 10'000 / reviewed) + " % (" + std::to_string(profile.approved) +
               " of " + std::to_string(reviewed) + " approved)";
    }
  }
  return problem(409, rejection_code(Rejection::not_qualified), detail);
}

// Answers a claim. A claim's item comes with its ref and data from the read models, read once.
// Almost always they have it already (items are uploaded before workers come); else the answer
// waits for the projection to fold the items (the waiter of X-Min-Position, bounded by
// min_position_wait), and past that it names the item by number only. The read happens on the
// partition's thread in the common case: one RocksDB point read per per_item claim.
void answer_claim(ApiContext& context, const ClaimSlot& command, CommandOutcome outcome,
                  const Done& done) {
  ReadModels& models = context.read_models;
  const auto* event = std::get_if<SlotClaimed>(&outcome.event);
  if (outcome.kind != CommandOutcome::Kind::accepted || event == nullptr || event->item.value == 0) {
    return answer_safely(done, [&] {
      return map_outcome(
          outcome, [](const CommandOutcome& o) { return claimed_answer(o, std::nullopt); },
          [&](Rejection rejection) -> std::optional<Response> {
            if (rejection != Rejection::not_qualified) return std::nullopt;
            return not_qualified_problem(models.task(command.task_id), command.profile);
          });
    });
  }
  // Almost always the read models have the item already: one read, here.
  std::optional<ItemView> item;
  try {
    item = models.item(event->task_id, event->item.value);
  } catch (const std::exception& error) {
    return done(problem(500, problem_codes::kInternal, error.what()));
  }
  if (item) return answer_safely(done, [&] { return claimed_answer(outcome, item); });
  // Else once the projection has folded the claim (so the items before it): an atomic load per
  // poll, and the item read once, on the waiter's thread.
  ProjectionProgress& projector = context.projector;
  const Position position = outcome.position;
  try {
    context.waiter().wait([&projector, position] { return projector.applied(position); },
                          context.config.min_position_wait, [&models, outcome, done](bool) {
                            answer_safely(done, [&] {
                              const auto& claimed = std::get<SlotClaimed>(outcome.event);
                              return claimed_answer(outcome, models.item(claimed.task_id, claimed.item.value));
                            });
                          });
  } catch (const std::exception& error) {
    done(problem(500, problem_codes::kInternal, error.what()));
  }
}

}  // namespace

void post_claim(Call& call) {
  if (!require_role(call, roles::kWorker)) return;
  if (!owner_of_task(call.params[0])) {
    return call.done(problem(404, "task_not_found", "no task " + call.params[0]));
  }
  auto body = object_body(call, true);  // a claim takes no fields: nothing, or {}
  if (!body) return;
  if (FieldReader fields(*body); !fields.finish()) return call.done(fields.problem());
  // Targeting is decided on the employer's partition against the worker's profile as last
  // projected; X-Min-Position lets a worker who just registered wait for it.
  UserId worker{call.principal.user_id};
  auto user = call.context.read_models.user(worker);
  if (!user) {
    return call.done(problem(404, "user_not_found",
                             "register with PUT /v1/users/" + worker.value + " first"));
  }
  ReputationView reputation = call.context.read_models.reputation(worker);
  ClaimSlot command{TaskId{call.params[0]}, worker,
                    WorkerProfile{user->country, reputation.approved, reputation.rejected}};
  ApiContext& context = call.context;
  context.send(call.command_id, command,
               [&context, command, done = call.done](CommandOutcome outcome) {
                 answer_claim(context, command, std::move(outcome), done);
               });
}

// ---- POST /v1/reviews: many decisions, each its own command and outcome ----

namespace {

// Reads a body {"<list>": [objects]} of 1 to `max` objects, each through `read_one` with a
// FieldReader whose problems name "<list>[i].field"; false after answering 400 itself.
bool read_object_list(Call& call, std::string_view list_name, std::size_t max,
                      const std::function<void(FieldReader&)>& read_one) {
  auto body = object_body(call, false);
  if (!body) return false;
  auto fail = [&](std::string_view code, std::string detail) {
    call.done(problem(400, code, std::move(detail)));
    return false;
  };
  const std::string name(list_name);
  for (const auto& [member, value] : body->members) {
    if (member != name) {
      return fail(problem_codes::kUnknownField,
                  member + ": unknown field; this object takes " + name);
    }
  }
  const JsonValue* list = body->find(name);
  if (list == nullptr) return fail(problem_codes::kMissingField, name + ": required");
  if (list->kind != JsonValue::Kind::array || list->items.empty() || list->items.size() > max) {
    return fail(problem_codes::kInvalidField,
                name + ": an array of 1 to " + std::to_string(max) + " objects");
  }
  std::vector<std::unique_ptr<FieldReader>> readers;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const std::string element = name + "[" + std::to_string(i) + "]";
    if (list->items[i].kind != JsonValue::Kind::object) {
      return fail(problem_codes::kInvalidField, element + ": an object");
    }
    readers.push_back(std::make_unique<FieldReader>(list->items[i], element + "."));
    read_one(*readers.back());
  }
  // A misspelt member of any element first, as in one object (api/fields.h): a problem of an
  // earlier element must not hide it.
  for (const auto& reader : readers) {
    if (auto unknown = reader->unknown_member()) return fail(unknown->code, unknown->detail);
  }
  for (const auto& reader : readers) {
    if (!reader->finish()) {
      call.done(reader->problem());
      return false;
    }
  }
  return true;
}

constexpr std::size_t kMaxDecisions = 1000;

struct ReviewDecision {
  std::string claim_id;
  std::string action;  // approve, reject or revision
  std::string reason;
};

// Collects the decisions' outcomes as they arrive (on the processors' threads) and answers once
// the last one is in, with the results in request order.
class BulkReview {
 public:
  BulkReview(std::size_t size, Done done) : results_(size), remaining_(size), done_(std::move(done)) {}

  void succeed(std::size_t index, const std::string& claim_id, const Response& response,
               Position position) {
    std::string entry;
    JsonWriter json(entry);
    json.begin_object().field("claim_id", claim_id).field("status", std::int64_t{response.status});
    json.key("outcome").raw(response.body);
    json.end_object();
    finish(index, std::move(entry), position);
  }
  void fail(std::size_t index, const std::string& claim_id, int status, std::string_view code) {
    std::string entry;
    JsonWriter json(entry);
    json.begin_object().field("claim_id", claim_id).field("status", std::int64_t{status});
    json.field("code", code).end_object();
    finish(index, std::move(entry), std::nullopt);
  }

 private:
  void finish(std::size_t index, std::string entry, std::optional<Position> position) {
    std::unique_lock lock(mutex_);
    results_[index] = std::move(entry);
    if (position && (!position_ || position->offset > position_->offset)) position_ = position;
    if (--remaining_ > 0) return;
    lock.unlock();
    done_(respond());
  }
  Response respond() {
    Response response = json_response(200, [&](JsonWriter& json) {
      json.key("results").begin_array();
      for (const std::string& result : results_) json.raw(result);
      json.end_array();
      json.key("position");
      if (position_) {
        json.string(format_position(*position_));
      } else {
        json.null();  // nothing was appended
      }
    });
    if (position_) response.headers["X-Position"] = format_position(*position_);
    return response;
  }

  std::mutex mutex_;
  std::vector<std::string> results_;
  std::size_t remaining_;
  std::optional<Position> position_;  // the latest event of the batch
  Done done_;
};

// The body's decisions; nullopt after answering 400 (naming decisions[i].field) itself. A bad
// shape refuses the whole request, so nothing is decided for it.
std::optional<std::vector<ReviewDecision>> read_decisions(Call& call) {
  std::vector<ReviewDecision> decisions;
  bool ok = read_object_list(call, "decisions", kMaxDecisions, [&](FieldReader& fields) {
    auto claim_id = fields.text("claim_id", Presence::required, 1, 200);
    auto action = fields.one_of("action", Presence::required, {"approve", "reject", "revision"});
    auto reason = fields.text("reason", Presence::optional, 1, 1000);
    if (action && *action != "approve" && !reason) fields.invalid("reason", "required to " + *action);
    if (fields.ok()) decisions.push_back({*claim_id, *action, reason.value_or("")});
  });
  if (!ok) return std::nullopt;
  return decisions;
}

}  // namespace

void post_reviews(Call& call) {
  if (!require_role(call, roles::kEmployer)) return;
  auto decisions = read_decisions(call);
  if (!decisions) return;
  auto bulk = std::make_shared<BulkReview>(decisions->size(), call.done);
  const UserId employer{call.principal.user_id};
  for (std::size_t i = 0; i < decisions->size(); ++i) {
    const ReviewDecision& decision = (*decisions)[i];
    auto owner = owner_of_claim(decision.claim_id);
    if (!owner) {
      bulk->fail(i, decision.claim_id, 404, rejection_code(Rejection::claim_not_found));
      continue;
    }
    if (*owner != employer) {
      bulk->fail(i, decision.claim_id, 403, problem_codes::kForbidden);
      continue;
    }
    // Each decision is its own command with its own id: the request's key plus the claim.
    CommandId id = call.command_id;
    if (id.remembered()) id.key += "/" + decision.claim_id;
    const ClaimId claim{decision.claim_id};
    Command command = ApproveSubmission{claim, employer};
    OnAccepted on_accepted = approved_answer;
    if (decision.action == "reject") {
      command = RejectSubmission{claim, employer, decision.reason};
      on_accepted = claim_status_answer;
    } else if (decision.action == "revision") {
      command = RequestRevision{claim, employer, decision.reason};
      on_accepted = claim_status_answer;
    }
    call.context.send(std::move(id), std::move(command),
                      [bulk, i, claim_id = decision.claim_id,
                       on_accepted = std::move(on_accepted)](CommandOutcome outcome) {
                        if (outcome.kind != CommandOutcome::Kind::accepted) {
                          auto [status, code] = failure_status(outcome);
                          return bulk->fail(i, claim_id, status, code);
                        }
                        bulk->succeed(i, claim_id, on_accepted(outcome), outcome.position);
                      });
  }
}

// ---- POST /v1/tasks/{id}/items: a per_item task's inputs, up to 1,000 per call ----

namespace {

Response items_added_answer(const CommandOutcome& outcome) {
  const auto* event = std::get_if<ItemsAdded>(&outcome.event);
  if (event == nullptr) return unexpected_event(outcome);
  return command_response(201, outcome, [&](JsonWriter& json) {
    json.field("task_id", event->task_id.value)
        .field("added", static_cast<std::int64_t>(event->items.size()))
        .field("items", event->total)
        .field("first", event->first);
  });
}

}  // namespace

void post_items(Call& call) {
  auto task_id = owned_task_param(call);
  if (!task_id) return;
  const Policy policy;
  AddItems command{*task_id, UserId{call.principal.user_id}, {}};
  std::size_t bytes = 0;
  bool ok = read_object_list(
      call, "items", static_cast<std::size_t>(policy.max_items_per_call), [&](FieldReader& fields) {
        auto ref = fields.text("ref", Presence::required, 1, policy.max_item_ref_bytes);
        auto data = fields.json("data", Presence::required, policy.max_item_data_bytes);
        if (!fields.ok()) return;
        bytes += item_bytes(*ref, data->text);
        command.items.push_back(Item{std::move(*ref), std::move(*data)});
      });
  if (!ok) return;
  if (bytes > policy.max_item_bytes_per_call) {
    return call.done(problem(413, problem_codes::kItemsTooLarge,
                             "the items weigh " + std::to_string(bytes) + " bytes together; at most " +
                                 std::to_string(policy.max_item_bytes_per_call) +
                                 " per call: send them in smaller calls"));
  }
  send(call, call.command_id, std::move(command), items_added_answer);
}

}  // namespace microjobs

// ---- POST /v1/webhooks: an employer's events POSTed to its URL ----

namespace microjobs {
namespace {

// The body's URL and event types, each problem naming its field; nullopt after answering 400.
std::optional<RegisterWebhook> read_webhook(Call& call) {
  auto body = object_body(call, false);
  if (!body) return std::nullopt;
  FieldReader fields(*body);
  auto url = fields.text("url", Presence::required, 1, 2048);
  auto events = fields.strings("events", Presence::required, 64, 64);
  if (url) {
    auto target = parse_webhook_url(*url);
    if (!target.ok() || !valid_http_url(*url)) {
      fields.invalid("url", target.ok() ? "must be an http:// or https:// URL of printable ASCII"
                                        : target.error().message);
    } else if (auto refused = refused_webhook_host(*target, call.context.config.webhooks_allow_private);
               !refused.empty()) {
      fields.invalid("url", refused);
    }
  }
  for (std::size_t i = 0; events && i < events->size(); ++i) {
    const std::string& type = (*events)[i];
    if (!is_event_type(type)) {
      fields.invalid("events", "\"" + type + "\" is no event type (GET /v1/schemas lists them)");
    } else if (std::find(events->begin(), events->begin() + i, type) != events->begin() + i) {
      fields.invalid("events", "\"" + type + "\" is listed twice");
    }
  }
  if (!fields.finish()) {
    call.done(fields.problem());
    return std::nullopt;
  }
  return RegisterWebhook{UserId{call.principal.user_id}, *url, *events};
}

}  // namespace

void post_webhook(Call& call) {
  if (!require_role(call, roles::kEmployer)) return;
  auto command = read_webhook(call);
  if (!command) return;
  send(call, call.command_id, std::move(*command),
       [key = call.context.config.webhook_signing_key](const CommandOutcome& outcome) {
         const auto* event = std::get_if<WebhookRegistered>(&outcome.event);
         if (event == nullptr) return unexpected_event(outcome);
         return command_response(201, outcome, [&](JsonWriter& json) {
           json.field("webhook_id", event->webhook_id.value)
               .field("url", event->url)
               .key("events")
               .begin_array();
           for (const std::string& type : event->events) json.string(type);
           json.end_array().field("secret", webhook_secret(key, event->webhook_id.value));
         });
       });
}

}  // namespace microjobs
