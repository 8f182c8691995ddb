#pragma once
// What a partition remembers of the commands it accepted, so that a repeat gets the first answer
// and a key reused for another command is refused. Pure: the processor and the simulation use it.
//
// The rule (README "Idempotency", commands/README.md):
// - an accepted command is remembered by its CommandId for `window_ms` (24 h by default), with
//   the fingerprint of its body and the log offset of its event; it survives restarts because
//   the id and the fingerprint are in the event's envelope;
// - a rejected command is never remembered: a rejection changed nothing, so a retry is decided
//   again against the state of its own time, before and after a restart alike;
// - the same id with another fingerprint (another command, or the same command with another
//   body) is `reused`: the caller answers 422 idempotency_key_reused and appends nothing.
//
// Not thread-safe: owned by the one thread that decides a partition's commands.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/command_id.h"

namespace microjobs {

struct RememberedCommand {
  std::int64_t offset = 0;        // where its event is in the partition's log
  std::uint64_t fingerprint = 0;  // 0: unknown (a record written before fingerprints)
  std::int64_t time_ms = 0;       // when it was decided; forgotten window_ms later
};

class IdempotencyTable {
 public:
  enum class Verdict : std::uint8_t { fresh, repeat, reused };
  struct Lookup {
    Verdict verdict = Verdict::fresh;
    std::int64_t offset = -1;  // for a repeat: the first outcome's event
  };

  IdempotencyTable(std::int64_t window_ms, std::size_t max_entries);
  IdempotencyTable(const IdempotencyTable&) = delete;
  IdempotencyTable& operator=(const IdempotencyTable&) = delete;
  IdempotencyTable(IdempotencyTable&&) = default;

  Lookup check(const CommandId& id, std::uint64_t fingerprint) const;
  // The same by the id's text, for a caller that already has it (the processor's hot path).
  Lookup check_text(const std::string& id_text, std::uint64_t fingerprint) const;
  // Remembers an accepted command; ids without a key and ids already known are ignored.
  void remember(const CommandId& id, RememberedCommand entry);
  // The same for an id in its text form, as the envelope and the snapshot carry it.
  void remember_text(std::string id_text, RememberedCommand entry);
  // An id in its text form and what is remembered of its command.
  struct Entry {
    std::string id;
    RememberedCommand command;
  };
  // The same for each of a batch, in order (a snapshot's load: millions of entries). The index's
  // slots for the whole batch are fetched from memory ahead, so their cache misses overlap
  // instead of coming one after another. `batch` is left with its ids moved from.
  void remember_all(std::vector<Entry>& batch);
  // Forgets what was decided more than window_ms before now, and the oldest beyond max_entries.
  void forget_expired(std::int64_t now_ms);
  void clear();
  // Makes room for `entries` more without rehashing (a snapshot's load).
  void reserve(std::size_t entries);
  std::size_t size() const { return order_.size(); }
  // Visits every entry (id text, entry) in the order they were remembered.
  // A template, so that a snapshot of millions of entries calls no function per entry.
  template <class Visit> void for_each(Visit&& visit) const {
    for (const Entry& entry : order_) visit(entry.id, entry.command);
  }

 private:
  // A slot of the index: the id's hash and the entry's number (its place in the order since the
  // table began: order_[number - first_number_]). Hash 0 marks an empty slot.
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t number = 0;
  };
  std::uint64_t hash_of(std::string_view id_text) const;
  const Entry* find(std::string_view id_text, std::uint64_t hash) const;
  void add(std::string id_text, std::uint64_t hash, RememberedCommand entry);
  void insert_slot(Slot slot);  // into a table known not to hold its id (a resize)
  void erase_slot(std::uint64_t hash, std::uint64_t number);
  void resize_index(std::size_t slots);

  const std::int64_t window_ms_;
  const std::size_t max_entries_;
  const std::uint64_t seed_;  // random per table
  // Oldest first. Each id is held once, here.
  std::deque<Entry> order_;
  std::uint64_t first_number_ = 0;  // the number of order_.front()
  // Open addressing with linear probing, a power of two in size and at most half full: a lookup
  // or an insert is one cache miss in a table far larger than the cache, where a node-based map
  // took three (bucket, node, id) and an allocation per insert. That was 31% of a restart with
  // 10 M events, loading the snapshots' remembered commands.
  std::vector<Slot> index_;
};

}  // namespace microjobs
