#include "commands/in_process_bus.h"

#include <charconv>

#include "domain/partitioner.h"

namespace microjobs {

std::string format_position(Position position) {
  return std::to_string(position.partition) + ":" + std::to_string(position.offset);
}

std::optional<Position> parse_position(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  Position position;
  auto parse = [](std::string_view part, auto& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (!parse(text.substr(0, colon), position.partition) ||
      !parse(text.substr(colon + 1), position.offset) || position.partition < 0 ||
      position.offset < 0) {
    return std::nullopt;
  }
  return position;
}

InProcessCommandBus::InProcessCommandBus(EventLog& log, StateStore& store, const Clock& clock,
                                         ProcessorConfig config) {
  for (std::int32_t p = 0; p < log.partitions(); ++p) {
    processors_.push_back(std::make_unique<PartitionProcessor>(p, log, store, clock, config));
  }
}

InProcessCommandBus::~InProcessCommandBus() { stop(); }

Status InProcessCommandBus::start() {
  for (auto& processor : processors_) MJ_RETURN_IF_ERROR(processor->start());
  return ok_status();
}

void InProcessCommandBus::stop() {
  for (auto& processor : processors_) processor->stop();
}

void InProcessCommandBus::send(CommandId command_id, Command command, ReplyFn reply) {
  route(std::move(command_id), std::move(command), std::move(reply), false);
}

void InProcessCommandBus::send_waiting(CommandId command_id, Command command, ReplyFn reply) {
  route(std::move(command_id), std::move(command), std::move(reply), true);
}

void InProcessCommandBus::route(CommandId command_id, Command command, ReplyFn reply, bool wait) {
  std::string stream = stream_of(command);
  if (stream.empty()) {
    CommandOutcome outcome;
    outcome.kind = CommandOutcome::Kind::rejected;
    outcome.rejection = Rejection::invalid_argument;
    if (reply) reply(std::move(outcome));
    return;
  }
  std::int32_t partition = partition_for(stream, partitions());
  processors_[partition]->submit(
      PendingCommand{std::move(command_id), std::move(command), std::move(reply)}, wait);
}

void InProcessCommandBus::wake_all() {
  for (auto& processor : processors_) processor->wake();
}

}  // namespace microjobs
