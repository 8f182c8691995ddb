#pragma once
// Commands and command outcomes as JSON, for the CommandBus over Kafka (topics
// microjobs.commands and microjobs.replies). Internal to microjobs: analytics read the events.
#include <optional>
#include <string>
#include <string_view>

#include "domain/command_id.h"
#include "domain/commands.h"
#include "domain/events.h"

namespace microjobs {

struct CommandMessage {
  CommandId command_id;    // what the processor remembers; its text form on the wire
  std::string reply_to;    // the asking node: the key of the reply on microjobs.replies
  std::string request_id;  // unique per send, so a node matches replies to its pending requests
  Command command;
};

std::string encode_command_message(const CommandMessage& message);
std::optional<CommandMessage> decode_command_message(std::string_view bytes, std::string* error = nullptr);

// An event as {"type": "...", "data": {...}} (the envelope's type and data, without the rest).
std::string encode_event_object(const Event& event);
std::optional<Event> decode_event_object(std::string_view bytes, std::string* error = nullptr);

}  // namespace microjobs
