#include "domain/idempotency.h"

namespace microjobs {

IdempotencyTable::Lookup IdempotencyTable::check(const CommandId& id,
                                                 std::uint64_t fingerprint) const {
  if (!id.remembered()) return {};
  return check_text(id.text(), fingerprint);
}

IdempotencyTable::Lookup IdempotencyTable::check_text(const std::string& id_text,
                                                      std::uint64_t fingerprint) const {
  auto it = index_.find(std::string_view(id_text));
  if (it == index_.end()) return {};
  const RememberedCommand& first = *it->second;
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
  // One lookup (the table is large and each lookup a cache miss): added first, taken back if
  // the id was known.
  Entry& added = order_.emplace_back(Entry{std::move(id_text), entry});
  if (!index_.try_emplace(std::string_view(added.id), &added.command).second) order_.pop_back();
}

void IdempotencyTable::forget_expired(std::int64_t now_ms) {
  while (!order_.empty() &&
         (order_.front().command.time_ms + window_ms_ < now_ms || order_.size() > max_entries_)) {
    index_.erase(std::string_view(order_.front().id));
    order_.pop_front();
  }
}

void IdempotencyTable::clear() {
  index_.clear();
  order_.clear();
}

}  // namespace microjobs
