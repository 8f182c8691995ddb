#include "domain/snapshot.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace microjobs {
namespace {

constexpr std::uint32_t kFormat = 0x4d4a5301;  // "MJS" + version 1

// The entries of an unordered map in key order, so that equal states encode to equal bytes.
template <class Map>
std::vector<const typename Map::value_type*> sorted(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return entries;
}

class Writer {
 public:
  void u64(std::uint64_t value) { out_.append(reinterpret_cast<const char*>(&value), 8); }
  void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
  void str(std::string_view text) {
    u64(text.size());
    out_.append(text);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote; any overrun sets failed() and yields zeros from then on.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : in_(bytes) {}
  std::uint64_t u64() {
    std::uint64_t value = 0;
    if (in_.size() < 8) {
      failed_ = true;
      return 0;
    }
    std::memcpy(&value, in_.data(), 8);
    in_.remove_prefix(8);
    return value;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  std::string str() {
    std::uint64_t size = u64();
    if (size > in_.size()) {
      failed_ = true;
      return {};
    }
    std::string text(in_.substr(0, size));
    in_.remove_prefix(size);
    return text;
  }
  // A count of items that each take at least `min_item_bytes`; fails if the bytes cannot hold it.
  std::uint64_t count(std::size_t min_item_bytes) {
    std::uint64_t n = u64();
    if (n > in_.size() / min_item_bytes) {
      failed_ = true;
      return 0;
    }
    return n;
  }
  bool failed() const { return failed_; }
  bool at_end() const { return in_.empty(); }

 private:
  std::string_view in_;
  bool failed_ = false;
};

void write_user(Writer& w, const UserId& id, const UserState& u) {
  w.str(id.value);
  w.u64(u.registered);
  w.str(u.country);
  w.str(u.display_name);
  w.i64(u.available.value);
  w.i64(u.escrow.value);
  w.i64(u.next_task_number);
  w.u64(u.deposit_references.size());
  for (const auto* entry : sorted(u.deposit_references)) {
    const auto& [reference, amount] = *entry;
    w.str(reference);
    w.i64(amount.value);
  }
}

void read_user(Reader& r, PartitionState& state) {
  UserState& u = state.users[UserId{r.str()}];
  u.registered = r.u64() != 0;
  u.country = r.str();
  u.display_name = r.str();
  u.available.value = r.i64();
  u.escrow.value = r.i64();
  u.next_task_number = r.i64();
  for (std::uint64_t n = r.count(16); n > 0; --n) {
    std::string reference = r.str();
    u.deposit_references[reference] = Micros{r.i64()};
  }
}

void write_task(Writer& w, const TaskId& id, const TaskState& t) {
  w.str(id.value);
  w.str(t.employer_id.value);
  w.u64(static_cast<std::uint64_t>(t.status));
  for (std::int64_t value : {t.reward.value, t.fee.value, t.slots, t.claim_timeout_s,
                             t.auto_approve_after_s, t.expires_at.value, t.min_approval_rate_bp, t.min_approved,
                             t.max_per_worker, t.claimed, t.submitted, t.approved, t.rejected,
                             t.next_claim_number, t.escrow.value}) {
    w.i64(value);
  }
  w.u64(t.countries.size());
  for (const auto& country : t.countries) w.str(country);
  w.u64(t.claims.size());
  for (const auto* entry : sorted(t.claims)) {
    const auto& [claim_id, c] = *entry;
    w.str(claim_id.value);
    w.str(c.worker_id.value);
    w.u64(static_cast<std::uint64_t>(c.status));
    w.i64(c.expires_at.value);
    w.i64(c.submitted_at.value);
    w.i64(c.revisions);
    w.i64(c.bonuses);
  }
  w.u64(t.workers.size());
  for (const auto* item : sorted(t.workers)) {
    const auto& [worker, entry] = *item;
    w.str(worker.value);
    w.i64(entry.active_claims);
    w.i64(entry.submissions);
  }
}

void read_task(Reader& r, PartitionState& state) {
  TaskState& t = state.tasks[TaskId{r.str()}];
  t.employer_id.value = r.str();
  t.status = static_cast<TaskStatus>(r.u64());
  t.reward.value = r.i64();
  t.fee.value = r.i64();
  t.slots = r.i64();
  t.claim_timeout_s = r.i64();
  t.auto_approve_after_s = r.i64();
  t.expires_at.value = r.i64();
  t.min_approval_rate_bp = r.i64();
  t.min_approved = r.i64();
  t.max_per_worker = r.i64();
  t.claimed = r.i64();
  t.submitted = r.i64();
  t.approved = r.i64();
  t.rejected = r.i64();
  t.next_claim_number = r.i64();
  t.escrow.value = r.i64();
  for (std::uint64_t n = r.count(8); n > 0; --n) t.countries.push_back(r.str());
  for (std::uint64_t n = r.count(56); n > 0; --n) {
    ClaimId claim_id{r.str()};
    ClaimState& c = t.claims[claim_id];
    c.worker_id.value = r.str();
    c.status = static_cast<ClaimStatus>(r.u64());
    c.expires_at.value = r.i64();
    c.submitted_at.value = r.i64();
    c.revisions = r.i64();
    c.bonuses = r.i64();
    if (c.held()) state.claim_deadlines.emplace(c.expires_at, claim_id);
    if (c.status == ClaimStatus::submitted) {
      state.review_deadlines.emplace(review_deadline(t, c), claim_id);
    }
  }
  for (std::uint64_t n = r.count(24); n > 0; --n) {
    WorkerOnTask& entry = t.workers[UserId{r.str()}];
    entry.active_claims = r.i64();
    entry.submissions = r.i64();
  }
}

}  // namespace

std::string encode_snapshot(const PartitionState& state) {
  Writer w;
  w.u64(kFormat);
  w.u64(state.users.size());
  for (const auto* entry : sorted(state.users)) write_user(w, entry->first, entry->second);
  w.u64(state.tasks.size());
  for (const auto* entry : sorted(state.tasks)) write_task(w, entry->first, entry->second);
  w.u64(state.last_credit_seq.size());
  for (const auto& [partition, seq] : state.last_credit_seq) {
    w.i64(partition);
    w.i64(seq);
  }
  w.u64(state.shared_accounts.size());
  for (const auto& [account, balance] : state.shared_accounts) {
    w.str(account);
    w.i64(balance.value);
  }
  return w.take();
}

std::optional<PartitionState> decode_snapshot(std::string_view bytes) {
  Reader r(bytes);
  if (r.u64() != kFormat) return std::nullopt;
  PartitionState state;
  for (std::uint64_t n = r.count(8); n > 0 && !r.failed(); --n) read_user(r, state);
  for (std::uint64_t n = r.count(8); n > 0 && !r.failed(); --n) read_task(r, state);
  for (std::uint64_t n = r.count(16); n > 0; --n) {
    std::int64_t partition = r.i64();
    state.last_credit_seq[partition] = r.i64();
  }
  for (std::uint64_t n = r.count(16); n > 0; --n) {
    std::string account = r.str();
    state.shared_accounts[account] = Micros{r.i64()};
  }
  if (r.failed() || !r.at_end()) return std::nullopt;
  return state;
}

}  // namespace microjobs
