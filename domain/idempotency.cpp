#include "domain/idempotency.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <random>

#include "domain/assert.h"

namespace microjobs {
namespace {

constexpr std::size_t kMinSlots = 16;

// MurmurHash3's 64-bit finalizer: every bit of the input moves every bit of the output.
std::uint64_t mix(std::uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdULL;
  value ^= value >> 33;
  value *= 0xc4ceb9fe1a85ec53ULL;
  return value ^ (value >> 33);
}

}  // namespace

IdempotencyTable::IdempotencyTable(std::int64_t window_ms, std::size_t max_entries)
    : window_ms_(window_ms),
      max_entries_(max_entries),
      seed_((std::uint64_t{std::random_device{}()} << 32) | std::random_device{}()) {}

// Client keys are chosen by clients and std::hash has no seed: mixed with this table's random
// seed, ids whose std::hash agree in the low bits no longer pile up in one run of slots.
std::uint64_t IdempotencyTable::hash_of(std::string_view id_text) const {
  const std::uint64_t hash = mix(std::hash<std::string_view>{}(id_text) ^ seed_);
  return hash == 0 ? 1 : hash;  // 0 marks an empty slot
}

const IdempotencyTable::Entry* IdempotencyTable::find(std::string_view id_text,
                                                      std::uint64_t hash) const {
  if (index_.empty()) return nullptr;
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = index_[i];
    if (slot.hash == 0) return nullptr;
    if (slot.hash != hash) continue;
    const Entry& entry = order_[slot.number - first_number_];
    if (entry.id == id_text) return &entry;
  }
}

IdempotencyTable::Lookup IdempotencyTable::check(const CommandId& id,
                                                 std::uint64_t fingerprint) const {
  if (!id.remembered()) return {};
  return check_text(id.text(), fingerprint);
}

IdempotencyTable::Lookup IdempotencyTable::check_text(const std::string& id_text,
                                                      std::uint64_t fingerprint) const {
  const Entry* found = find(id_text, hash_of(id_text));
  if (found == nullptr) return {};
  const RememberedCommand& first = found->command;
  if (first.fingerprint != 0 && first.fingerprint != fingerprint) {
    return {Verdict::reused, first.offset};
  }
  return {Verdict::repeat, first.offset};
}

void IdempotencyTable::remember(const CommandId& id, RememberedCommand entry) {
  if (!id.remembered()) return;
  remember_text(id.text(), entry);
}

void IdempotencyTable::remember_text(std::string id_text, RememberedCommand entry) {
  const std::uint64_t hash = hash_of(id_text);
  add(std::move(id_text), hash, entry);
}

void IdempotencyTable::remember_all(std::vector<Entry>& batch) {
  reserve(batch.size());
  std::vector<std::uint64_t> hashes(batch.size());
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    hashes[i] = hash_of(batch[i].id);
    __builtin_prefetch(&index_[hashes[i] & mask]);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    add(std::move(batch[i].id), hashes[i], batch[i].command);
  }
}

// One probe of the id's run of slots: it ends at the id (known: nothing to do) or at the empty
// slot the id takes. The table grows first, so that it stays at most half full.
void IdempotencyTable::add(std::string id_text, std::uint64_t hash, RememberedCommand entry) {
  if ((order_.size() + 1) * 2 > index_.size()) {
    resize_index(std::max(kMinSlots, index_.size() * 2));
  }
  const std::size_t mask = index_.size() - 1;
  std::size_t i = hash & mask;
  for (; index_[i].hash != 0; i = (i + 1) & mask) {
    if (index_[i].hash == hash && order_[index_[i].number - first_number_].id == id_text) return;
  }
  index_[i] = Slot{hash, first_number_ + order_.size()};
  order_.push_back(Entry{std::move(id_text), entry});
}

void IdempotencyTable::insert_slot(Slot slot) {
  const std::size_t mask = index_.size() - 1;
  std::size_t i = slot.hash & mask;
  while (index_[i].hash != 0) i = (i + 1) & mask;
  index_[i] = slot;
}

// Backward-shift deletion: the slots after the freed one that would be found no more through it
// move back into it, so that no probe sequence has a hole and no tombstone is needed.
void IdempotencyTable::erase_slot(std::uint64_t hash, std::uint64_t number) {
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = hash & mask;
  while (index_[hole].number != number || index_[hole].hash != hash) {
    MJ_ASSERT(index_[hole].hash != 0);  // every entry has its slot
    hole = (hole + 1) & mask;
  }
  for (std::size_t next = (hole + 1) & mask; index_[next].hash != 0; next = (next + 1) & mask) {
    const std::size_t home = index_[next].hash & mask;
    // `next` may move into the hole when its home is not in the cyclic range (hole, next].
    const bool home_after_hole = ((next - home) & mask) < ((next - hole) & mask);
    if (home_after_hole) continue;
    index_[hole] = index_[next];
    hole = next;
  }
  index_[hole] = Slot{};
}

void IdempotencyTable::resize_index(std::size_t slots) {
  MJ_ASSERT(std::has_single_bit(slots) && slots >= order_.size() * 2);
  std::vector<Slot> old = std::move(index_);
  index_.assign(slots, Slot{});
  for (const Slot& slot : old) {
    if (slot.hash != 0) insert_slot(slot);
  }
}

void IdempotencyTable::reserve(std::size_t entries) {
  // A hint: never more than the table keeps (add() grows it beyond, should a batch need it).
  entries = std::min(entries, max_entries_);
  const std::size_t wanted = std::bit_ceil(std::max(kMinSlots, (order_.size() + entries) * 2));
  if (wanted > index_.size()) resize_index(wanted);
}

void IdempotencyTable::forget_expired(std::int64_t now_ms) {
  while (!order_.empty() &&
         (order_.front().command.time_ms + window_ms_ < now_ms || order_.size() > max_entries_)) {
    erase_slot(hash_of(order_.front().id), first_number_);
    order_.pop_front();
    ++first_number_;
  }
}

void IdempotencyTable::clear() {
  index_.clear();
  order_.clear();
  first_number_ = 0;
}

}  // namespace microjobs
