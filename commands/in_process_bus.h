#pragma once
// The embedded CommandBus: routes each command to the processor of its stream's partition in
// this process. Owns the processors of all P partitions.
#include <memory>
#include <vector>

#include "commands/processor.h"

namespace microjobs {

class InProcessCommandBus final : public CommandBus {
 public:
  InProcessCommandBus(EventLog& log, StateStore& store, const Clock& clock,
                      ProcessorConfig config = {});
  ~InProcessCommandBus() override;

  Status start();  // rebuilds every partition's state and starts its thread
  void stop();
  void send(CommandId command_id, Command command, ReplyFn reply) override;
  // Like send(), but waits for queue room instead of answering overloaded.
  void send_waiting(CommandId command_id, Command command, ReplyFn reply);
  std::int32_t partitions() const override { return static_cast<std::int32_t>(processors_.size()); }
  PartitionProcessor& processor(std::int32_t partition) { return *processors_[partition]; }
  void wake_all();

 private:
  void route(CommandId command_id, Command command, ReplyFn reply, bool wait);
  std::vector<std::unique_ptr<PartitionProcessor>> processors_;
};

}  // namespace microjobs
