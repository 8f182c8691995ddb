#pragma once
// AddItems: the owner of a per_item task gives its slots their inputs (an image to label, a URL to
// check), up to 1,000 per call, each with a ref unique in the task. A claim takes the oldest item
// no claim holds. Stream: the employer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct Item {
  std::string ref;  // the employer's name for it: 1 to 200 bytes of UTF-8, unique in the task
  JsonText data;    // any JSON value, at most 4 KiB minified
  bool operator==(const Item&) const = default;
  template <class V> void visit(V& v) {
    v("ref", ref);
    v("data", data);
  }
};

struct AddItems {
  static constexpr std::string_view kName = "AddItems";
  TaskId task_id;
  UserId employer_id;
  std::vector<Item> items;
  template <class V> void visit(V& v) {
    v("task_id", task_id);
    v("employer_id", employer_id);
    v("items", items);
  }
  std::string stream() const { return stream_of_task(task_id); }
};

// The items are numbered first, first + 1, ... in the order given.
struct ItemsAdded {
  static constexpr std::string_view kType = "task.items_added.v1";
  TaskId task_id;
  UserId employer_id;
  std::int64_t first = 0;  // the number of the first item added
  std::int64_t total = 0;  // the task's items after
  std::vector<Item> items;
  bool operator==(const ItemsAdded&) const = default;
  template <class V> void visit(V& v) {
    v("task_id", task_id); v("employer_id", employer_id); v("first", first); v("total", total);
    v("items", items);
  }
};

Decision decide_one(const PartitionState& state, const AddItems& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const ItemsAdded& event);

}  // namespace microjobs
