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
#include <unordered_map>
#include <utility>

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

  IdempotencyTable(std::int64_t window_ms, std::size_t max_entries)
      : window_ms_(window_ms), max_entries_(max_entries) {}
  // The index views the ids the entries hold: a copy would view the original's. A move keeps
  // the deque's elements where they are.
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
  // Forgets what was decided more than window_ms before now, and the oldest beyond max_entries.
  void forget_expired(std::int64_t now_ms);
  void clear();
  // Makes room for `entries` more without rehashing (a snapshot's load).
  void reserve(std::size_t entries) { index_.reserve(index_.size() + entries); }
  std::size_t size() const { return order_.size(); }
  // Visits every entry (id text, entry) in the order they were remembered.
  // A template, so that a snapshot of millions of entries calls no function per entry.
  template <class Visit> void for_each(Visit&& visit) const {
    for (const Entry& entry : order_) visit(entry.id, entry.command);
  }

 private:
  struct Entry {
    std::string id;
    RememberedCommand command;
  };
  const std::int64_t window_ms_;
  const std::size_t max_entries_;
  // Oldest first. Each id is held once, here: a deque keeps its elements in place as it grows at
  // the back and shrinks at the front, so the index can view them (a map and a list that both
  // held the id took 16 B more per command, and a second heap copy of an id of over 15 chars).
  std::deque<Entry> order_;
  std::unordered_map<std::string_view, const RememberedCommand*> index_;
};

}  // namespace microjobs
