#include "commands/in_process_bus.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <thread>
#include <vector>

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

// Each partition recovers on its own (its snapshot, then its log's tail), so the partitions
// recover side by side on the machine's cores: a restart is ready sooner.
Status InProcessCommandBus::start() {
  const std::size_t threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(processors_.size(), 1));
  std::vector<Status> started(processors_.size(), ok_status());
  std::atomic<std::size_t> next{0};
  auto recover = [&] {
    for (std::size_t i = next++; i < processors_.size(); i = next++) started[i] = processors_[i]->start();
  };
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(recover);
    recover();
  }
  for (Status& status : started) MJ_RETURN_IF_ERROR(status);
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
