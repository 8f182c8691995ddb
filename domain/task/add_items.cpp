#include "domain/task/add_items.h"

#include <algorithm>

#include "domain/assert.h"
#include "domain/events.h"

namespace microjobs {
namespace {

bool valid_item(const Item& item, const Policy& policy) {
  return !item.ref.empty() && valid_text(item.ref, policy.max_item_ref_bytes) &&
         !item.data.text.empty() && valid_text(item.data.text, policy.max_item_data_bytes);
}

// The refs' fingerprints, sorted; false when two of them are the same.
bool sorted_ref_hashes(const std::vector<Item>& items, std::vector<std::uint64_t>& hashes) {
  hashes.clear();
  for (const Item& item : items) hashes.push_back(ref_hash(item.ref));
  std::sort(hashes.begin(), hashes.end());
  return std::adjacent_find(hashes.begin(), hashes.end()) == hashes.end();
}

}  // namespace

Decision decide_one(const PartitionState& state, const AddItems& command, UnixMs,
                    const Policy& policy) {
  const std::int64_t count = static_cast<std::int64_t>(command.items.size());
  if (count < 1 || count > policy.max_items_per_call) return Rejection::invalid_argument;
  std::size_t bytes = 0;
  for (const Item& item : command.items) {
    if (!valid_item(item, policy)) return Rejection::invalid_argument;
    bytes += item_bytes(item.ref, item.data.text);
  }
  if (bytes > policy.max_item_bytes_per_call) return Rejection::invalid_argument;
  const TaskState* task = state.find_task(command.task_id);
  if (task == nullptr) return Rejection::task_not_found;
  if (task->employer_id != command.employer_id) return Rejection::forbidden;
  if (!task->per_item) return Rejection::not_per_item;
  if (task_ended(*task)) return Rejection::task_not_open;
  if (task->items + count > task->slots - task->refunded_slots) return Rejection::too_many_items;
  std::vector<std::uint64_t> hashes;
  if (!sorted_ref_hashes(command.items, hashes)) return Rejection::duplicate_ref;
  for (std::uint64_t hash : hashes) {
    if (std::binary_search(task->item_ref_hashes.begin(), task->item_ref_hashes.end(), hash)) {
      return Rejection::duplicate_ref;
    }
  }
  return ItemsAdded{command.task_id, command.employer_id, task->items + 1, task->items + count,
                    command.items};
}

// The new fingerprints are merged into the sorted list: O(items of the task) per call, which for
// a campaign uploaded 1,000 at a time is a few hundred milliseconds in all at 1,000,000 items.
void evolve_one(PartitionState& state, const ItemsAdded& e) {
  TaskState& task = state.tasks[e.task_id];
  MJ_ASSERT(e.first == task.items + 1);
  task.items = e.total;
  std::vector<std::uint64_t>& hashes = task.item_ref_hashes;
  const auto old_size = static_cast<std::ptrdiff_t>(hashes.size());
  for (const Item& item : e.items) hashes.push_back(ref_hash(item.ref));
  std::sort(hashes.begin() + old_size, hashes.end());
  std::inplace_merge(hashes.begin(), hashes.begin() + old_size, hashes.end());
}

}  // namespace microjobs
