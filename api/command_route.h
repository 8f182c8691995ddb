#pragma once
// A command endpoint as a route-table entry. claim_command<C, actor, answer> is the whole handler
// of POST /v1/claims/{id}/...: it checks the caller's role (and, for the task owner's commands,
// that the claim is one of its tasks'), reads the command's fields from the body through the
// command's own visit() list — the claim from the path, the actor from the token, every other
// field from the JSON member of the same name — sends it, and answers with `answer`.
// The decider stays the authority on every rule; the reader only checks types and sizes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/fields.h"
#include "api/handlers.h"
#include "api/problem.h"
#include "api/route_doc.h"
#include "domain/commands.h"

namespace microjobs {

using OnAccepted = std::function<Response(const CommandOutcome&)>;
// A rejection some endpoint answers differently from the default; nullopt keeps the default.
using OnRejected = std::function<std::optional<Response>(Rejection)>;

// Sends the command and answers the call from its outcome (command_support in write_handlers.cpp).
void send(Call& call, CommandId command_id, Command command, OnAccepted on_accepted,
          OnRejected on_rejected = {});
bool require_role(Call& call, std::string_view role);
// The body as a JSON object, or nullopt after answering 400. An empty body is {} if `empty_ok`.
std::optional<JsonValue> object_body(Call& call, bool empty_ok);
// The claim id of the path, or nullopt after answering 404 when it cannot name a claim.
std::optional<ClaimId> claim_param(Call& call);
// The same, and the caller must own the claim's task (else 403): the domain checks again; this
// spares the bus.
std::optional<ClaimId> owned_claim_param(Call& call);

// Who may send a claim command: the worker holding the claim (the domain checks which worker) or
// the owner of the claim's task.
enum class ClaimActor : std::uint8_t { worker, task_owner };

// The largest text a command field may carry from a body, by field name; the decider has the
// exact rule (a reason is 1 to 1000 bytes) and its own rejection code.
std::size_t max_text_bytes(std::string_view field);

// The largest count a command field may carry from a body ("add": 1,000,000 slots at once).
std::int64_t max_count(std::string_view field);

// The user id field a command's caller fills (C::kActor, e.g. BlockWorker's employer_id); empty
// when every user id of the command is the caller (a claim's worker or a task's employer).
template <class C> constexpr std::string_view actor_field() {
  if constexpr (requires { C::kActor; }) {
    return C::kActor;
  } else {
    return {};
  }
}

// Fills a command from the body through its visit() list: the path's id into the claim or task
// id, the caller into its actor's user id, everything else from the body member of the same name.
class BodyReader {
 public:
  BodyReader(FieldReader& fields, const std::string& path_id, const UserId& actor,
             std::string_view actor_field)
      : fields_(fields), path_id_(path_id), actor_(actor), actor_field_(actor_field) {}
  void operator()(std::string_view, ClaimId& value) { value = ClaimId{path_id_}; }
  void operator()(std::string_view, TaskId& value) { value = TaskId{path_id_}; }
  void operator()(std::string_view, WithdrawalId& value) { value = WithdrawalId{path_id_}; }
  void operator()(std::string_view name, UserId& value) {
    if (actor_field_.empty() || name == actor_field_) {
      value = actor_;
    } else if (auto id = fields_.user_id(name, Presence::required)) {
      value = *id;
    }
  }
  void operator()(std::string_view name, std::int64_t& value) {
    if (auto count = fields_.integer(name, Presence::required, 1, max_count(name))) value = *count;
  }
  void operator()(std::string_view name, std::string& value) {
    if (auto text = fields_.text(name, Presence::required, 1, max_text_bytes(name))) value = *text;
  }
  void operator()(std::string_view name, Micros& value) {
    if (auto money = fields_.money(name, Presence::required)) value = *money;
  }

 private:
  FieldReader& fields_;
  const std::string& path_id_;
  const UserId& actor_;
  std::string_view actor_field_;
};

// What BodyReader reads, for the reference (api/route_doc.h): the same overloads, as field docs.
class BodyDocWriter {
 public:
  BodyDocWriter(std::vector<FieldDoc>& out, std::string_view actor_field)
      : out_(out), actor_field_(actor_field) {}
  void operator()(std::string_view, ClaimId&) {}  // from the path
  void operator()(std::string_view, TaskId&) {}
  void operator()(std::string_view, WithdrawalId&) {}
  void operator()(std::string_view name, UserId&) {
    if (!actor_field_.empty() && name != actor_field_) add(name, FieldType::user_id, 1, 64);
  }
  void operator()(std::string_view name, std::int64_t&) { add(name, FieldType::integer, 1, max_count(name)); }
  void operator()(std::string_view name, std::string&) {
    add(name, FieldType::text, 1, static_cast<std::int64_t>(max_text_bytes(name)));
  }
  void operator()(std::string_view name, Micros&) { add(name, FieldType::money, 1, 0); }  // > 0

 private:
  void add(std::string_view name, FieldType type, std::int64_t min, std::int64_t max) {
    FieldDoc field;
    field.name = std::string(name);
    field.type = type;
    field.required = true;
    field.min = min;
    field.max = max;
    out_.push_back(std::move(field));
  }
  std::vector<FieldDoc>& out_;
  std::string_view actor_field_;
};

// The body fields of command C's endpoint, as read_body() reads them.
template <class C> std::vector<FieldDoc> command_body_doc() {
  std::vector<FieldDoc> fields;
  C command;
  BodyDocWriter writer(fields, actor_field<C>());
  command.visit(writer);
  return fields;
}

// Reads the body into `command` (an empty body is {} for a command with no body fields); false
// after answering 400.
template <class C> bool read_body(Call& call, C& command) {
  bool has_body_fields = false;
  auto count = [&](std::string_view name, auto& field) {
    using T = std::decay_t<decltype(field)>;
    const bool actor = std::is_same_v<T, UserId> && (actor_field<C>().empty() || name == actor_field<C>());
    has_body_fields |= !std::is_same_v<T, ClaimId> && !std::is_same_v<T, TaskId> &&
                       !std::is_same_v<T, WithdrawalId> && !actor;
  };
  command.visit(count);
  auto body = object_body(call, !has_body_fields);
  if (!body) return false;
  FieldReader fields(*body);
  const UserId caller{call.principal.user_id};
  const std::string path_id = call.params.empty() ? std::string() : call.params[0];
  BodyReader reader(fields, path_id, caller, actor_field<C>());
  command.visit(reader);
  if (!fields.finish()) call.done(fields.problem());
  return fields.ok();
}

// A claim command that changes nothing because the claim already stands so (a second approve):
// 409 `exists`, saying what the claim is. nullopt for any other rejection.
std::optional<Response> already_decided(ApiContext& context, const ClaimId& claim, Rejection rejection);

template <class C, ClaimActor actor, Response (*answer)(const CommandOutcome&)>
void claim_command(Call& call) {
  std::optional<ClaimId> claim_id;
  if constexpr (actor == ClaimActor::worker) {
    if (!require_role(call, roles::kWorker)) return;
    claim_id = claim_param(call);
  } else {
    claim_id = owned_claim_param(call);
  }
  if (!claim_id) return;
  C command;
  if (!read_body(call, command)) return;
  send(call, call.command_id, std::move(command), answer,
       [&context = call.context, claim = *claim_id](Rejection rejection) {
         return already_decided(context, claim, rejection);
       });
}

// True when the path names a well-formed withdrawal id ("bob.w3"); else false after answering 404.
bool withdrawal_param(Call& call);

// The task id of the path when the caller owns the task; else nullopt after answering 404 or 403.
std::optional<TaskId> owned_task_param(Call& call);

// POST /v1/tasks/{id}/...: a command of the task's owner.
template <class C, Response (*answer)(const CommandOutcome&)>
void task_command(Call& call) {
  if (!owned_task_param(call)) return;
  C command;
  if (!read_body(call, command)) return;
  send(call, call.command_id, std::move(command), answer);
}

// Answers of the claim commands.
// {claim_id, status, position}, the status being the claim's after the event.
Response claim_status_answer(const CommandOutcome& outcome);
// {claim_id, status: approved, paid, fee, position}: approve, override, and a bulk approval.
Response approved_answer(const CommandOutcome& outcome);
// 201 {bonus_id, claim_id, amount, fee, position}.
Response bonus_answer(const CommandOutcome& outcome);
// A command that needs `role` and nothing else of the caller: an employer's own blocks, a
// worker's withdrawal, the payment provider's report on one. The domain checks the rest.
template <class C, const std::string_view& role, Response (*answer)(const CommandOutcome&)>
void role_command(Call& call) {
  if (!require_role(call, role)) return;
  C command;
  if constexpr (requires { command.withdrawal_id; }) {
    if (!withdrawal_param(call)) return;
  }
  if (!read_body(call, command)) return;
  send(call, call.command_id, std::move(command), answer);
}
Response blocked_answer(const CommandOutcome& outcome);
// {withdrawal_id, amount, status, position}: 201 for a request, 200 for its completion or failure.
Response withdrawal_answer(const CommandOutcome& outcome);

// Answers of the task commands: {task_id, status, position} after a pause or resume; {task_id,
// slots, escrow, position} after slots were added (escrow: what they took); {task_id, status,
// refunded, position} after a cancel.
Response task_status_answer(const CommandOutcome& outcome);
Response slots_added_answer(const CommandOutcome& outcome);
Response cancelled_answer(const CommandOutcome& outcome);

}  // namespace microjobs
