#pragma once
// Personal data on an immutable stream. The log is never rewritten (its records are hash-chained
// and analytics teams keep copies), yet a person may ask to be forgotten. So the free text that
// can hold personal data never reaches the log in the clear: each event names its personal
// fields and whose they are (`personal(f)`, next to visit()), and the partition processor seals
// them under their owner's key before the event is encoded (commands/personal_data_vault.h).
// EraseUser destroys the key (crypto-shredding): the sealed text stays in every copy of the log,
// unreadable, and the chain still verifies.
//
// Sealed text is "mj-sealed:v1:<owner>:<key id>:<base64>", a plain JSON string, so readers
// that do not care (the projector, the audit, analytics teams) need nothing new. The API opens
// it when it answers (or writes "[erased]").
#include <string_view>
#include <variant>

#include "domain/events.h"

namespace microjobs {

inline constexpr std::string_view kSealedPrefix = "mj-sealed:v1:";
// What the API shows for sealed text whose key was destroyed.
inline constexpr std::string_view kErasedText = "[erased]";

inline bool is_sealed(std::string_view text) { return text.starts_with(kSealedPrefix); }

// Whether a command or event field of this name may hold personal data. Such fields are left out
// of the command fingerprint (command_hash is in the stream in the clear, and a 64-bit hash of a
// short name can be found by guessing).
bool is_personal_field(std::string_view name);

// Calls f(const UserId& owner, std::string& text) for each personal field of `event`.
template <class F> void for_each_personal_field(Event& event, F&& f) {
  std::visit(
      [&](auto& typed) {
        if constexpr (requires { typed.personal(f); }) typed.personal(f);
      },
      event);
}

}  // namespace microjobs
