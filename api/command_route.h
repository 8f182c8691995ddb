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

#include "api/fields.h"
#include "api/handlers.h"
#include "api/problem.h"
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

// Fills a command from the body through its visit() list.
class BodyReader {
 public:
  BodyReader(FieldReader& fields, const ClaimId& claim, const UserId& actor)
      : fields_(fields), claim_(claim), actor_(actor) {}
  void operator()(std::string_view, ClaimId& value) { value = claim_; }
  void operator()(std::string_view, UserId& value) { value = actor_; }
  void operator()(std::string_view name, std::string& value) {
    if (auto text = fields_.text(name, Presence::required, 1, max_text_bytes(name))) value = *text;
  }
  void operator()(std::string_view name, Micros& value) {
    if (auto money = fields_.money(name, Presence::required)) value = *money;
  }

 private:
  FieldReader& fields_;
  const ClaimId& claim_;
  const UserId& actor_;
};

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
  bool has_body_fields = false;
  auto count = [&](std::string_view, auto& field) {
    using T = std::decay_t<decltype(field)>;
    has_body_fields |= !std::is_same_v<T, ClaimId> && !std::is_same_v<T, UserId>;
  };
  command.visit(count);
  auto body = object_body(call, !has_body_fields);
  if (!body) return;
  FieldReader fields(*body);
  const UserId caller{call.principal.user_id};
  BodyReader reader(fields, *claim_id, caller);
  command.visit(reader);
  if (!fields.ok()) return call.done(fields.problem());
  send(call, call.command_id, std::move(command), answer);
}

// Answers of the claim commands.
// {claim_id, status, position}, the status being the claim's after the event.
Response claim_status_answer(const CommandOutcome& outcome);
// {claim_id, status: approved, paid, fee, position}: approve, override, and a bulk approval.
Response approved_answer(const CommandOutcome& outcome);
// 201 {bonus_id, claim_id, amount, fee, position}.
Response bonus_answer(const CommandOutcome& outcome);

}  // namespace microjobs
