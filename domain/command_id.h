#pragma once
// Command ids: what a partition processor remembers so that a repeated command gets the first
// answer. An id is typed, not a joined string a client could forge: its origin says which
// namespace it lives in, and client input only ever reaches the `client` origin.
//
//   origin        principal            key                     made by
//   client        the token's subject  the Idempotency-Key     the API (empty key: no key sent)
//   deposit       the credited account the payment reference   the API, for POST /v1/deposits
//   credit        (none)               the approval's event id the credit process manager
//   expire_claim  (none)               the claim id            the partition's scheduler
//   auto_approve  (none)               the claim id            the partition's scheduler
//   expire_task   (none)               the task id             the partition's scheduler
//
// The text form "{origin}/{principal}/{key}" is what the envelope's `command_id` carries. It is
// injective: origins are fixed words and a principal is a user id, which never holds a '/'.
// Predictable ids are not secrets; nothing relies on them being unguessable.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/commands.h"

namespace microjobs {

enum class CommandOrigin : std::uint8_t {
  client, deposit, credit, expire_claim, auto_approve, expire_task
};

struct CommandId {
  CommandOrigin origin = CommandOrigin::client;
  std::string principal;
  std::string key;  // empty: the command is not remembered (a client that sent no key)

  bool operator==(const CommandId&) const = default;
  // Whether a repeat of this id is answered from memory. A command without a key cannot be
  // repeated on purpose, so remembering it would only cost memory.
  bool remembered() const { return !key.empty(); }
  std::string text() const;
};

CommandId client_command_id(std::string_view principal, std::string_view key);
CommandId deposit_command_id(const UserId& account, std::string_view reference);
CommandId credit_command_id(std::string_view source_event_id);
CommandId expire_claim_command_id(const ClaimId& claim);
CommandId auto_approve_command_id(const ClaimId& claim);
CommandId expire_task_command_id(const TaskId& task);

// The inverse of CommandId::text(); nullopt for text that no CommandId writes.
std::optional<CommandId> parse_command_id(std::string_view text);
std::string_view origin_name(CommandOrigin origin);

// A stable 64-bit fingerprint (FNV-1a) of a command's name and the fields its sender chose, so
// that the same key sent with another command or another body is told apart from a retry. Fields
// the server fills in (a claim's worker profile, read from the projection) are left out: a retry
// must match even when the worker's reputation moved in between. Never 0 (0 means "unknown", as
// for records written before fingerprints existed).
std::uint64_t command_fingerprint(const Command& command);

}  // namespace microjobs
