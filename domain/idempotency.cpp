#include "domain/idempotency.h"

namespace microjobs {

IdempotencyTable::Lookup IdempotencyTable::check(const CommandId& id,
                                                 std::uint64_t fingerprint) const {
  if (!id.remembered()) return {};
  return check_text(id.text(), fingerprint);
}

IdempotencyTable::Lookup IdempotencyTable::check_text(const std::string& id_text,
                                                      std::uint64_t fingerprint) const {
  auto it = entries_.find(id_text);
  if (it == entries_.end()) return {};
  const RememberedCommand& first = it->second;
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
  auto [it, inserted] = entries_.try_emplace(id_text, entry);
  if (inserted) order_.emplace_back(entry.time_ms, std::move(id_text));
}

void IdempotencyTable::forget_expired(std::int64_t now_ms) {
  while (!order_.empty() &&
         (order_.front().first + window_ms_ < now_ms || order_.size() > max_entries_)) {
    entries_.erase(order_.front().second);
    order_.pop_front();
  }
}

void IdempotencyTable::clear() {
  entries_.clear();
  order_.clear();
}

void IdempotencyTable::for_each(
    const std::function<void(const std::string&, const RememberedCommand&)>& f) const {
  for (const auto& [time_ms, id] : order_) f(id, entries_.at(id));
}

}  // namespace microjobs
