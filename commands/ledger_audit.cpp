#include "commands/ledger_audit.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/decider.h"
#include "domain/events.h"

namespace microjobs {

AuditReputation& AuditReputation::operator+=(const AuditReputation& other) {
  submitted += other.submitted;
  approved += other.approved;
  rejected += other.rejected;
  reviews_given += other.reviews_given;
  approvals_given += other.approvals_given;
  rejections_given += other.rejections_given;
  return *this;
}

namespace {

constexpr std::int64_t kReadBatch = 16384;

// A user's bucket or one of the shared accounts; nothing else is in the ledger.
bool known_account(std::string_view account) {
  if (accounts::parse_user_account(account)) return true;
  return account == accounts::kPlatformFees || account == accounts::kClearingPayouts ||
         account == accounts::kWorldDeposits || account == accounts::kWorldWithdrawals;
}

// A payout (an approval or a bonus) or a credit, by the payout's event id.
struct Payment {
  std::string event_id;
  UserId worker;
  Micros amount;
};

// A payment where the merge finds it: credits meet their payouts in one walk over two lists
// sorted by event id, then log order. (A hash table of strings on the merging thread was a tenth
// of the whole audit, and serial.) Most comparisons end at the hash, without reading the payment.
struct PaymentRef {
  std::uint64_t key;  // the event id's hash
  const Payment* payment;
  std::int32_t partition;
  std::size_t order;  // in its partition's log order
  bool same_id(const PaymentRef& other) const { return key == other.key && payment->event_id == other.payment->event_id; }
  bool id_before(const PaymentRef& other) const {
    return key != other.key ? key < other.key : payment->event_id < other.payment->event_id;
  }
  bool log_before(const PaymentRef& other) const {  // partition by partition
    return partition != other.partition ? partition < other.partition : order < other.order;
  }
  bool operator<(const PaymentRef& other) const { return same_id(other) ? log_before(other) : id_before(other); }
};

std::vector<PaymentRef> sorted_by_id(const std::vector<Payment>& payments, std::int32_t partition) {
  std::vector<PaymentRef> refs;
  refs.reserve(payments.size());
  for (std::size_t i = 0; i < payments.size(); ++i) {
    refs.push_back({std::hash<std::string>{}(payments[i].event_id), &payments[i], partition, i});
  }
  std::sort(refs.begin(), refs.end());
  return refs;
}

// One partition's fold, in offset order. apply() returns false when the partition ends here: at
// the cut, or at a violation after which nothing further can be trusted.
class PartitionFold {
 public:
  PartitionFold(std::int32_t partition, const AuditOptions& options)
      : partition_(partition), options_(options) {}
  // Moved, never copied: its PaymentRefs point into its own `owed` and `credited`, whose buffers
  // move with it.
  PartitionFold(PartitionFold&&) = default;
  PartitionFold(const PartitionFold&) = delete;

  bool apply(const LogRecord& record) {
    ++records;
    std::string error;
    auto envelope = decode_envelope(record.value, &error);
    if (!envelope) return violation(0, record.offset, "undecodable record: " + error);
    const EnvelopeMeta& meta = envelope->meta;
    // The time cut; the cut partition itself stops at its offset (the caller), whatever its clock did.
    if (options_.until.value != 0 && partition_ != options_.cut_partition && meta.time > options_.until) {
      return false;
    }
    if (record.key != meta.stream) {
      return violation(meta.seq, record.offset, "the record's key is not its stream " + meta.stream);
    }
    const Sha256Hex hash = sha256(record.value);
    switch (classify_record(last_seq_, last_hash_, meta.seq, meta.prev_hash, view(hash))) {
      case ChainStep::skip_repeat:
        ++skipped;
        return true;
      case ChainStep::gap:
        return violation(meta.seq, record.offset,
                         "gap: seq " + std::to_string(meta.seq) + " follows seq " + std::to_string(last_seq_) +
                             " (a record dropped, moved or inserted)");
      case ChainStep::skip_fork:
        // Reported, then stepped over as every reader does (the first record of each seq counts):
        // a second writer's record on a topic, or changed, inserted or forged bytes.
        violation(meta.seq, record.offset,
                  "broken chain: its prev_hash is not the hash of seq " + std::to_string(meta.seq - 1) +
                      " (that record or this one was changed, inserted or forged, or a second writer's)");
        return true;
      case ChainStep::apply:
        break;
    }
    last_seq_ = meta.seq;
    last_hash_.assign(view(hash));
    ++events;
    return post(*envelope, record.offset);
  }

  // The domain's invariants over the partition's final state. Then, still on the fold's thread:
  // the payments sorted for the merge, and the domain's state freed unless --diff needs it (the
  // merging thread would otherwise do both, serially).
  void finish() {
    if (violations.empty() && events > 0) {
      if (std::string broken = check_invariants(state); !broken.empty()) {
        violation(last_seq_, -1, "at the end: " + broken);
      }
    }
    owed_by_id = sorted_by_id(owed, partition_);
    credited_by_id = sorted_by_id(credited, partition_);
    if (!options_.for_diff) state = PartitionState{};
  }

  // Hashed, not ordered: a fold looks an account up for each leg (merge() orders them).
  std::unordered_map<std::string, std::int64_t> balances;
  std::vector<AuditViolation> violations;
  std::int64_t records = 0, events = 0, skipped = 0;
  std::vector<Payment> owed;      // payouts made here, in log order
  std::vector<Payment> credited;  // credits applied here, by the payout they name
  std::vector<PaymentRef> owed_by_id, credited_by_id;  // the same, sorted (finish())
  std::vector<AuditLine> statement;
  PartitionState state;  // the domain's fold of the partition, while its chain held
  std::unordered_map<UserId, AuditReputation> reputations;

 private:
  bool violation(std::int64_t seq, std::int64_t offset, std::string what) {
    violations.push_back({partition_, seq, offset, std::move(what)});
    return false;
  }

  // The event's money, payouts and state; false on a ledger violation.
  bool post(const Envelope& envelope, std::int64_t offset) {
    const Event& event = envelope.event;
    // A forger who rechained the hashes can write events no decider would: named, not folded.
    if (violations.empty()) {
      if (std::string why = misfit(state, event); !why.empty()) {
        return violation(envelope.meta.seq, offset, std::string(event_type(event)) + " cannot follow the state before it: " + why);
      }
    }
    if (const auto* transfers = event_transfers(event)) {
      for (const Transfer& t : *transfers) {
        if (t.amount.value <= 0) {
          return violation(envelope.meta.seq, offset, "a transfer of " + format_money(t.amount));
        }
        if (!known_account(t.debit) || !known_account(t.credit)) {
          return violation(envelope.meta.seq, offset, "a transfer between " + t.debit + " and " + t.credit +
                                                          ", which is not an account of the ledger");
        }
        if (!move(t.debit, -t.amount.value, envelope, offset)) {
          return violation(envelope.meta.seq, offset, t.debit + " goes negative");
        }
        move(t.credit, t.amount.value, envelope, offset);
      }
    }
    if (auto payout = payout_of(event)) owed.push_back({envelope.meta.id, payout->worker_id, payout->amount});
    if (const auto* credit = std::get_if<WorkerCredited>(&event)) {
      credited.push_back({credit->source_event_id, credit->worker_id, credit->amount});
    }
    // The domain's fold only while nothing was found: its asserts hold for events that the
    // deciders wrote, not for whatever a broken log holds.
    if (violations.empty()) evolve(state, event);
    if (options_.for_diff) count_reputation(event);
    return true;
  }

  // What the reputation read model counts, from the events of submissions and reviews.
  void count_reputation(const Event& event) {
    if (const auto* e = std::get_if<ProofSubmitted>(&event)) reputations[e->worker_id].submitted += 1;
    if (const auto* e = std::get_if<SubmissionApproved>(&event)) {
      reputations[e->worker_id].approved += 1;
      if (!e->auto_approved) {  // nobody reviewed it: not a review the employer gave
        reputations[e->employer_id].approvals_given += 1;
        reputations[e->employer_id].reviews_given += 1;
      }
    }
    if (const auto* e = std::get_if<SubmissionRejected>(&event)) {
      reputations[e->worker_id].rejected += 1;
      reputations[e->employer_id].rejections_given += 1;
      reputations[e->employer_id].reviews_given += 1;
    }
    if (const auto* e = std::get_if<RejectionOverridden>(&event)) {  // the rejection becomes an approval
      reputations[e->worker_id].rejected -= 1;
      reputations[e->worker_id].approved += 1;
      reputations[e->employer_id].rejections_given -= 1;
      reputations[e->employer_id].approvals_given += 1;
    }
  }

  // False when a user bucket would go below zero.
  bool move(const std::string& account, std::int64_t delta, const Envelope& envelope,
            std::int64_t offset) {
    std::int64_t& balance = balances[account];
    balance += delta;
    auto user = accounts::parse_user_account(account);
    if (user && !options_.statement_user.empty() && user->user == options_.statement_user) {
      statement.push_back({partition_, offset, envelope.meta.time, envelope.meta.id,
                           std::string(event_type(envelope.event)),
                           std::string(accounts::bucket_name(user->bucket)), delta, balance,
                           envelope.subject});
    }
    return !user || balance >= 0;
  }

  const std::int32_t partition_;
  const AuditOptions& options_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_ = kZeroHash;
};

// Folds one partition to its end (or the cut, or its first violation).
PartitionFold fold_partition(EventLog& log, std::int32_t partition, const AuditOptions& options,
                             std::atomic<std::int64_t>& done) {
  PartitionFold fold(partition, options);
  const std::int64_t end = log.end(partition);
  std::int64_t next = 0;
  bool going = true;
  while (going && next < end) {
    auto records = log.read(partition, next, kReadBatch);
    if (!records.ok() || records->empty()) {
      fold.violations.push_back({partition, 0, next, "cannot read: " +
                                 (records.ok() ? std::string("no record") : records.error().message)});
      break;
    }
    for (const LogRecord& record : *records) {
      if (partition == options.cut_partition && record.offset > options.cut_offset) {
        going = false;
        break;
      }
      next = record.after();
      if (!fold.apply(record)) {
        going = false;
        break;
      }
    }
    if (options.progress) options.progress(done.fetch_add(static_cast<std::int64_t>(records->size())) +
                                           static_cast<std::int64_t>(records->size()));
  }
  fold.finish();
  return fold;
}

// One of the folds' sorted lists (`owed_by_id` or `credited_by_id`), merged into one.
std::vector<PaymentRef> merged_by_id(const std::vector<PartitionFold>& folds,
                                     std::vector<PaymentRef> PartitionFold::*list) {
  std::vector<PaymentRef> refs;
  std::vector<std::size_t> runs{0};  // where each fold's sorted run begins; the last, the end
  for (const PartitionFold& fold : folds) {
    refs.insert(refs.end(), (fold.*list).begin(), (fold.*list).end());
    runs.push_back(refs.size());
  }
  for (std::size_t width = 1; width + 1 < runs.size(); width *= 2) {
    for (std::size_t i = 0; i + width + 1 < runs.size(); i += 2 * width) {
      const std::size_t last = std::min(i + 2 * width, runs.size() - 1);
      std::inplace_merge(refs.begin() + static_cast<std::ptrdiff_t>(runs[i]),
                         refs.begin() + static_cast<std::ptrdiff_t>(runs[i + width]),
                         refs.begin() + static_cast<std::ptrdiff_t>(runs[last]));
    }
  }
  return refs;
}

// Each credit must pay the worker and the amount of the payout it names, once. At a cut a credit
// may be inside it while its payout, in another partition, is not: that one is not counted.
// A payout named twice counts once, its first in log order; violations come in the credits' order.
void settle_payouts(const std::vector<PaymentRef>& owed, const std::vector<PaymentRef>& credited, bool cut,
                    AuditReport& report) {
  std::vector<std::pair<PaymentRef, AuditViolation>> found;
  Micros in_flight;
  auto payout = owed.begin();
  auto still_owed = [&](auto until) {  // payouts before `until` that no credit named
    for (; payout != until; ++payout) {
      if (payout != owed.begin() && (payout - 1)->same_id(*payout)) continue;
      report.payouts_in_flight.push_back(payout->payment->event_id);
      in_flight += payout->payment->amount;
    }
  };
  for (auto credit = credited.begin(); credit != credited.end(); ++credit) {
    const Payment& paid = *credit->payment;
    const auto at = [&](std::string what) { found.push_back({*credit, {credit->partition, 0, -1, std::move(what)}}); };
    if (credit != credited.begin() && (credit - 1)->same_id(*credit)) {
      at("a second credit of " + paid.event_id);
      continue;
    }
    still_owed(std::lower_bound(payout, owed.end(), *credit,
                                [](const PaymentRef& a, const PaymentRef& b) { return a.id_before(b); }));
    if (payout == owed.end() || !payout->same_id(*credit)) {
      if (!cut) at("a credit of " + paid.event_id + ", which owes none");
      continue;
    }
    const Payment& due = *payout->payment;
    if (due.worker != paid.worker || due.amount != paid.amount) {
      at("the credit of " + paid.event_id + " pays " + paid.worker.value + " " + format_money(paid.amount) +
         ", not " + due.worker.value + " " + format_money(due.amount));
    }
    while (payout != owed.end() && payout->same_id(*credit)) ++payout;
  }
  still_owed(owed.end());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first.log_before(b.first); });
  for (auto& [order, violation] : found) report.violations.push_back(std::move(violation));
  std::sort(report.payouts_in_flight.begin(), report.payouts_in_flight.end());
  if (!cut && report.balances[std::string(accounts::kClearingPayouts)] != in_flight.value) {
    report.violations.push_back({-1, 0, -1, "clearing:payouts holds " +
                                 format_money(Micros{report.balances[std::string(accounts::kClearingPayouts)]}) +
                                 ", not the payouts in flight " + format_money(in_flight)});
  }
}

// Sums the partitions' results and settles the payouts against the credits.
AuditReport merge(std::vector<PartitionFold>& folds, bool cut, bool for_diff) {
  AuditReport report;
  for (std::size_t p = 0; p < folds.size(); ++p) {
    PartitionFold& fold = folds[p];
    for (auto& [account, balance] : fold.balances) report.balances[account] += balance;
    report.violations.insert(report.violations.end(), fold.violations.begin(), fold.violations.end());
    report.records += fold.records;
    report.events += fold.events;
    report.skipped += fold.skipped;
    report.statement.insert(report.statement.end(), fold.statement.begin(), fold.statement.end());
    if (!for_diff) continue;
    if (fold.violations.empty()) {
      for (auto& [id, task] : fold.state.tasks) report.tasks.emplace(id, std::move(task));
    }
    for (const auto& [user, reputation] : fold.reputations) report.reputations[user] += reputation;
  }
  settle_payouts(merged_by_id(folds, &PartitionFold::owed_by_id), merged_by_id(folds, &PartitionFold::credited_by_id),
                 cut, report);
  std::int64_t sum = 0;
  for (const auto& [account, balance] : report.balances) sum += balance;
  if (sum != 0) report.violations.push_back({-1, 0, -1, "the ledger sums to " + format_money(Micros{sum})});
  return report;
}

}  // namespace

AuditReport audit_log(EventLog& log, const AuditOptions& options) {
  const std::int32_t partitions = log.partitions();
  std::vector<std::optional<PartitionFold>> folds(static_cast<std::size_t>(partitions));
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int32_t> next_partition{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t) {
    threads.emplace_back([&] {
      for (std::int32_t p = next_partition++; p < partitions; p = next_partition++) {
        folds[static_cast<std::size_t>(p)].emplace(fold_partition(log, p, options, done));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<PartitionFold> finished;
  finished.reserve(folds.size());
  for (auto& fold : folds) finished.push_back(std::move(*fold));
  return merge(finished, options.until.value != 0 || options.cut_partition >= 0, options.for_diff);
}

std::optional<UnixMs> record_time(EventLog& log, std::int32_t partition, std::int64_t offset) {
  if (partition < 0 || partition >= log.partitions()) return std::nullopt;
  auto records = log.read(partition, offset, 1);
  if (!records.ok() || records->empty() || records->front().offset != offset) return std::nullopt;
  auto envelope = decode_envelope(records->front().value);
  if (!envelope) return std::nullopt;
  return envelope->meta.time;
}

}  // namespace microjobs
