#include "domain/command_id.h"

#include <array>
#include <type_traits>
#include <variant>

#include "domain/assert.h"
#include "domain/personal_data.h"

namespace microjobs {
namespace {

constexpr std::array<std::pair<CommandOrigin, std::string_view>, 6> kOrigins{{
    {CommandOrigin::client, "client"},
    {CommandOrigin::deposit, "deposit"},
    {CommandOrigin::credit, "credit"},
    {CommandOrigin::expire_claim, "expire_claim"},
    {CommandOrigin::auto_approve, "auto_approve"},
    {CommandOrigin::expire_task, "expire_task"},
}};

CommandId make_id(CommandOrigin origin, std::string_view principal, std::string_view key) {
  // A principal is a user id (validated by the API and the token check) or empty for the
  // system's own processes; a '/' in it would make the text form ambiguous.
  MJ_ASSERT(principal.find('/') == std::string_view::npos);
  return CommandId{origin, std::string(principal), std::string(key)};
}

// FNV-1a over each field the command's visit() names, with lengths, so that fields cannot run
// into each other ("ab","c" differs from "a","bc").
class Fingerprinter {
 public:
  void bytes(std::string_view text) {
    number(static_cast<std::int64_t>(text.size()));
    for (char c : text) mix(static_cast<unsigned char>(c));
  }
  void number(std::int64_t value) {
    auto bits = static_cast<std::uint64_t>(value);
    for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(bits >> (8 * i)));
  }
  std::uint64_t value() const { return hash_ == 0 ? 1 : hash_; }

  // Personal fields are left out: the fingerprint is in the stream in the clear. A retry that
  // changes only such a field is taken as the same command (its first answer stands).
  void operator()(std::string_view name, const std::string& field) {
    if (is_personal_field(name)) return;
    key(name);
    bytes(field);
  }
  void operator()(std::string_view name, const std::int64_t& field) {
    key(name);
    number(field);
  }
  void operator()(std::string_view name, const Micros& field) {
    key(name);
    number(field.value);
  }
  void operator()(std::string_view name, const UnixMs& field) {
    key(name);
    number(field.value);
  }
  template <class Tag>
  void operator()(std::string_view name, const Id<Tag>& field) {
    key(name);
    bytes(field.value);
  }
  void operator()(std::string_view name, const std::vector<std::string>& field) {
    key(name);
    number(static_cast<std::int64_t>(field.size()));
    for (const std::string& item : field) bytes(item);
  }
  // A flag only when set, so that adding one to a command keeps the fingerprints of the commands
  // without it (a retry across an upgrade still matches its first answer).
  void operator()(std::string_view name, const bool& field) {
    if (field) key(name);
  }
  void operator()(std::string_view name, const JsonText& field) {
    key(name);
    bytes(field.text);
  }
  template <class T>
    requires requires(T& t, Fingerprinter& f) { t.visit(f); }
  void operator()(std::string_view name, const std::vector<T>& field) {
    key(name);
    number(static_cast<std::int64_t>(field.size()));
    for (const T& item : field) const_cast<T&>(item).visit(*this);  // visit() only reads here
  }
  // Filled in by the server from the projection, not chosen by the sender.
  void operator()(std::string_view, const WorkerProfile&) {}

 private:
  void key(std::string_view name) { bytes(name); }
  void mix(unsigned char byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001b3ULL;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string_view origin_name(CommandOrigin origin) {
  for (const auto& [value, name] : kOrigins) {
    if (value == origin) return name;
  }
  MJ_ASSERT(false && "an origin without a name");
  return {};
}

std::string CommandId::text() const {
  std::string out(origin_name(origin));
  out.reserve(out.size() + principal.size() + key.size() + 2);
  out.append("/").append(principal).append("/").append(key);
  return out;
}

CommandId client_command_id(std::string_view principal, std::string_view key) {
  MJ_ASSERT(!principal.empty());
  return make_id(CommandOrigin::client, principal, key);
}

CommandId deposit_command_id(const UserId& account, std::string_view reference) {
  return make_id(CommandOrigin::deposit, account.value, reference);
}

CommandId credit_command_id(std::string_view source_event_id) {
  return make_id(CommandOrigin::credit, "", source_event_id);
}

CommandId expire_claim_command_id(const ClaimId& claim) {
  return make_id(CommandOrigin::expire_claim, "", claim.value);
}

CommandId auto_approve_command_id(const ClaimId& claim) {
  return make_id(CommandOrigin::auto_approve, "", claim.value);
}

CommandId expire_task_command_id(const TaskId& task) {
  return make_id(CommandOrigin::expire_task, "", task.value);
}

std::optional<CommandId> parse_command_id(std::string_view text) {
  auto first = text.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = text.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view origin = text.substr(0, first);
  for (const auto& [value, name] : kOrigins) {
    if (name != origin) continue;
    std::string_view principal = text.substr(first + 1, second - first - 1);
    if (value == CommandOrigin::client && principal.empty()) return std::nullopt;
    return CommandId{value, std::string(principal), std::string(text.substr(second + 1))};
  }
  return std::nullopt;
}

std::uint64_t command_fingerprint(const Command& command) {
  Fingerprinter fingerprint;
  std::visit(
      [&](const auto& typed) {
        fingerprint.bytes(std::decay_t<decltype(typed)>::kName);
        // visit() is non-const by design (the codecs fill fields through it); hashing only reads.
        const_cast<std::decay_t<decltype(typed)>&>(typed).visit(fingerprint);
      },
      command);
  return fingerprint.value();
}

}  // namespace microjobs
