#pragma once
// How far the read models have got: what X-Min-Position waits on. The Projector answers for the
// models it writes in this process; StoredProgress reads the positions the projector stored with
// them, for a process that reads another process's models (an API node beside a projector node).
#include <cstdint>
#include <functional>

#include "commands/command_bus.h"
#include "projections/read_store.h"

namespace microjobs {

class ProjectionProgress {
 public:
  virtual ~ProjectionProgress() = default;
  // The next offset of `partition` that the read models will apply: 0 before the first event and
  // for a partition out of range. Any thread.
  virtual std::int64_t applied_end(std::int32_t partition) const = 0;
  // True when the event at `position` is reflected in the read models. Any thread.
  bool applied(Position position) const { return applied_end(position.partition) > position.offset; }
  // Adds a function called (on the folding thread) each time the read models advance; returns
  // its id for remove_listener, after which it is not running and never called again. Progress
  // that cannot tell (StoredProgress) never calls one: its readers poll.
  virtual std::uint64_t add_listener(std::function<void()> listener) {
    (void)listener;
    return 0;
  }
  virtual void remove_listener(std::uint64_t id) { (void)id; }
};

class StoredProgress final : public ProjectionProgress {
 public:
  StoredProgress(ReadStore& store, std::int32_t partitions) : store_(store), partitions_(partitions) {}
  std::int64_t applied_end(std::int32_t partition) const override;

 private:
  ReadStore& store_;
  std::int32_t partitions_;
};

}  // namespace microjobs
