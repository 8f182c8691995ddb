#pragma once
// How far the read models have got: what X-Min-Position waits on. The Projector answers for the
// models it writes in this process; StoredProgress reads the positions the projector stored with
// them, for a process that reads another process's models (an API node beside a projector node).
#include <cstdint>

#include "commands/command_bus.h"
#include "projections/read_store.h"

namespace microjobs {

class ProjectionProgress {
 public:
  virtual ~ProjectionProgress() = default;
  // True when the event at `position` is reflected in the read models. Any thread.
  virtual bool applied(Position position) const = 0;
};

class StoredProgress final : public ProjectionProgress {
 public:
  StoredProgress(ReadStore& store, std::int32_t partitions) : store_(store), partitions_(partitions) {}
  bool applied(Position position) const override;

 private:
  ReadStore& store_;
  std::int32_t partitions_;
};

}  // namespace microjobs
