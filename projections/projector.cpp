#include "projections/projector.h"

#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <map>
#include <thread>
#include <type_traits>

#include "domain/codec/binary.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "projections/keys.h"
#include "projections/views.h"

namespace microjobs {
namespace {

// Views loaded once per step, changed in memory, and written once at its end.
template <class View>
class ViewCache {
 public:
  ViewCache(ReadStore& store, std::string (*key_of)(std::string_view)) : store_(store), key_of_(key_of) {}

  // The view for `id`; `existed` tells whether the store had it before this step.
  View& get(const std::string& id, bool* existed = nullptr) {
    auto it = views_.find(id);
    if (it == views_.end()) {
      std::optional<View> view;
      if (auto bytes = store_.get(key_of_(id))) view = binary::decode<View>(*bytes);
      bool found = view.has_value();
      it = views_.emplace(id, Entry{found ? std::move(*view) : View{}, found}).first;
    }
    if (existed) *existed = it->second.existed;
    return it->second.view;
  }
  template <class F> void for_each(F&& f) {
    for (auto& [id, entry] : views_) f(id, entry);
  }
  void write_to(WriteSet& batch) {
    for (auto& [id, entry] : views_) batch.put(key_of_(id), binary::encode(entry.view));
    views_.clear();
  }

  struct Entry {
    View view;
    bool existed;
  };

 private:
  ReadStore& store_;
  std::string (*key_of_)(std::string_view);
  std::map<std::string, Entry> views_;
};

bool listed(const TaskView& task) { return task.status == "open" && task.claimable_slots() > 0; }

// An item's place in its task's index by status.
std::string item_status_key(const ItemView& item) {
  return keys::item_status(item.task_id.value, item.status, item.number);
}

// Whether a claim that ends in `status` gives its item back.
bool gives_item_back(std::string_view status) {
  return status == "rejected" || status == "abandoned" || status == "expired";
}

// The index entries that move with a claim's status: its task's review queue, and its worker's
// claims in that status.
std::array<std::string, 2> moving_keys(const ClaimView& claim) {
  return {keys::review_queue(claim.task_id.value, claim.status, claim.status_since.value,
                             claim.claim_id.value),
          keys::worker_claim(claim.worker_id.value, claim.status, claim.status_since.value,
                             claim.claim_id.value)};
}

// Applies one step's events to cached views; flush() turns them into one WriteSet.
class Folder {
 public:
  explicit Folder(ReadStore& store)
      : store_(store), tasks_(store, keys::task), claims_(store, keys::claim),
        users_(store, keys::user), withdrawals_(store, keys::withdrawal), accounts_(store, keys::account),
        reputations_(store, keys::reputation),
        items_(store, [](std::string_view id) { return "item/" + std::string(id); }) {}

  // `offset` is the envelope's place in `partition`: the statement lines' position.
  void apply(const Envelope& envelope, std::int32_t partition, std::int64_t offset) {
    time_ = envelope.meta.time;
    std::visit([this](const auto& e) { on(e); }, envelope.event);
    if (const auto* transfers = event_transfers(envelope.event)) {
      std::int64_t leg = 0;
      StatementLine line{std::to_string(partition) + ":" + std::to_string(offset), time_,
                         envelope.meta.id, std::string(event_type(envelope.event)), "", {}, {},
                         envelope.subject};
      for (const Transfer& t : *transfers) {
        adjust(t.debit, -t.amount.value, line, offset, leg++);
        adjust(t.credit, t.amount.value, line, offset, leg++);
      }
    }
  }

  // The users whose erasure this batch folded, with the erasure's time.
  const std::vector<std::pair<UserId, UnixMs>>& erased() const { return erased_; }

  void flush(WriteSet& batch) {
    tasks_.for_each([&](const std::string& id, auto& entry) {
      if (!initial_listing_.contains(id)) return;
      bool before = initial_listing_[id];
      bool after = listed(entry.view);
      if (before == after) return;
      const TaskView& view = entry.view;
      std::vector<std::string_view> scopes = {keys::kFeedAll};
      if (view.countries.empty()) scopes.push_back(keys::kFeedOpen);
      for (const std::string& country : view.countries) scopes.push_back(country);
      for (std::string_view scope : scopes) {
        std::string newest = keys::feed_newest(scope, view.posted_at.value, id);
        std::string reward = keys::feed_reward(scope, view.reward.value, view.posted_at.value, id);
        if (after) {
          batch.put(std::move(newest), "");
          batch.put(std::move(reward), "");
        } else {
          batch.erase(std::move(newest));
          batch.erase(std::move(reward));
        }
      }
    });
    initial_listing_.clear();
    claims_.for_each([&](const std::string& id, auto& entry) {
      auto initial = initial_keys_.find(id);
      if (initial == initial_keys_.end()) return;
      std::array<std::string, 2> final_keys = moving_keys(entry.view);
      for (std::size_t i = 0; i < final_keys.size(); ++i) {
        if (initial->second[i] == final_keys[i]) continue;
        if (!initial->second[i].empty()) batch.erase(std::move(initial->second[i]));
        batch.put(std::move(final_keys[i]), "");
      }
    });
    initial_keys_.clear();
    items_.for_each([&](const std::string& id, auto& entry) {
      const std::string& initial = initial_item_keys_[id];
      std::string final_key = item_status_key(entry.view);
      if (initial == final_key) return;
      if (!initial.empty()) batch.erase(initial);
      batch.put(std::move(final_key), "");
    });
    initial_item_keys_.clear();
    items_.write_to(batch);
    tasks_.write_to(batch);
    claims_.write_to(batch);
    users_.write_to(batch);
    withdrawals_.write_to(batch);
    accounts_.write_to(batch);
    reputations_.write_to(batch);
    for (auto& [name, delta] : shared_) add_to_counter(batch, keys::shared_account(name), delta);
    for (auto& [key, delta] : counters_) add_to_counter(batch, key, delta);
    for (auto& [key, record] : records_) {
      if (record) {
        batch.put(key, std::move(*record));
      } else {
        batch.erase(key);
      }
    }
    records_.clear();
    for (auto& [key, record] : written_once_.entries) batch.entries.emplace_back(std::move(key), std::move(record));
    written_once_.entries.clear();
    counters_.clear();
    shared_.clear();
  }

 private:
  TaskView& task(const TaskId& id) {
    bool existed = false;
    TaskView& view = tasks_.get(id.value, &existed);
    // Remember whether the task was in the feed before this step, once.
    initial_listing_.try_emplace(id.value, existed && listed(view));
    return view;
  }

  // The claim's view, moved to `status` now; its moving index entries follow it at flush().
  ClaimView& claim(const ClaimId& id, std::string_view status) {
    bool existed = false;
    ClaimView& view = claims_.get(id.value, &existed);
    initial_keys_.try_emplace(id.value, existed ? moving_keys(view) : std::array<std::string, 2>{});
    view.status = status;
    view.status_since = time_;
    item_follows(view);  // a new claim has no item yet: on(SlotClaimed) gives it one
    return view;
  }

  // Item `number` of the task; its status index entry follows it at flush().
  ItemView& item(const TaskId& task_id, std::int64_t number) {
    bool existed = false;
    std::string id = task_id.value + "/" + keys::ascending(number);
    ItemView& view = items_.get(id, &existed);
    initial_item_keys_.try_emplace(id, existed ? item_status_key(view) : std::string());
    return view;
  }

  // The claim's item follows the claim's status: back to unassigned when the claim gives it back.
  // Once given back, the item no longer follows the claim (an override settles it:
  // overridden_item()).
  void item_follows(const ClaimView& claim) {
    if (claim.item == 0) return;
    ItemView& view = item(claim.task_id, claim.item);
    if (view.claim_id != claim.claim_id || view.status == "unassigned") return;
    if (gives_item_back(claim.status)) {
      view.status = "unassigned";
      view.last_outcome = claim.status;
      task(claim.task_id).unassigned_items += 1;
    } else {
      view.status = claim.status;
    }
  }

  // An 8-byte counter in the store, plus `delta`.
  void add_to_counter(WriteSet& batch, const std::string& key, std::int64_t delta) {
    std::int64_t value = 0;
    if (auto bytes = store_.get(key); bytes && bytes->size() == 8) {
      std::memcpy(&value, bytes->data(), 8);
    }
    value += delta;
    batch.put(key, std::string(reinterpret_cast<const char*>(&value), 8));
  }

  // Moves a balance by one leg of a transfer; a user's bucket also gets its statement line.
  void adjust(const std::string& account, std::int64_t delta, StatementLine& line,
              std::int64_t offset, std::int64_t leg) {
    auto user_account = accounts::parse_user_account(account);
    if (!user_account) {
      shared_[account] += delta;
      return;
    }
    const std::string user(user_account->user);
    AccountView& view = accounts_.get(user);
    view.user_id.value = user;
    Micros& balance = view.balance(user_account->bucket);
    balance.value += delta;
    line.bucket = accounts::bucket_name(user_account->bucket);
    line.amount = Micros{delta};
    line.balance = balance;
    written_once_.put(keys::statement_line(user, offset, leg), binary::encode(line));
  }

  void on(const UserRegistered& e) { set_user(e.user_id, e.country, e.display_name); }
  void on(const UserProfileUpdated& e) { set_user(e.user_id, e.country, e.display_name); }
  void set_user(const UserId& id, const std::string& country, const std::string& name) {
    UserView& view = users_.get(id.value);
    view = UserView{id, country, name};
  }
  void on(const FundsDeposited&) {}
  void on(const TaskPosted& e) {
    TaskView& view = task(e.task_id);
    view = TaskView{};
    view.task_id = e.task_id;
    view.employer_id = e.employer_id;
    view.title = e.title;
    view.instructions = e.instructions;
    view.category = e.category;
    view.reward = e.reward;
    view.fee = e.fee;
    view.slots = e.slots;
    view.posted_at = time_;
    view.expires_at = e.expires_at;
    view.countries = e.countries;
    view.min_approval_rate_bp = e.min_approval_rate_bp;
    view.min_approved = e.min_approved;
    view.max_per_worker = e.max_per_worker;
    view.proof_type = e.proof_type;
    view.claim_timeout_s = e.claim_timeout_s;
    view.auto_approve_after_s = e.auto_approve_after_s;
    view.per_item = e.per_item;
    written_once_.put(keys::employer_task(e.employer_id.value, time_.value, e.task_id.value), "");
  }
  void on(const SlotClaimed& e) {
    task(e.task_id).claimed += 1;
    ClaimView& view = claim(e.claim_id, "claimed");
    view.claim_id = e.claim_id;
    view.task_id = e.task_id;
    view.worker_id = e.worker_id;
    view.claimed_at = time_;
    view.expires_at = e.expires_at;
    written_once_.put(keys::worker_claim(e.worker_id.value, "all", time_.value, e.claim_id.value), "");
    if (e.item.value == 0) return;
    view.item = e.item.value;
    task(e.task_id).unassigned_items -= 1;
    ItemView& taken = item(e.task_id, e.item.value);
    taken.status = "claimed";
    taken.claim_id = e.claim_id;
    taken.worker_id = e.worker_id;
    taken.claims += 1;
  }
  void on(const ItemsAdded& e) {
    TaskView& view = task(e.task_id);
    view.items = e.total;
    view.unassigned_items += static_cast<std::int64_t>(e.items.size());
    std::int64_t number = e.first;
    for (const Item& added : e.items) {
      ItemView& record = item(e.task_id, number);
      record = ItemView{};
      record.task_id = e.task_id;
      record.number = number;
      record.ref = added.ref;
      record.data = added.data;
      ++number;
    }
  }
  void on(const ClaimAbandoned& e) {
    TaskView& view = task(e.task_id);
    view.claimed -= 1;
    view.abandoned += 1;
    view.refunded_slots += e.transfers.empty() ? 0 : 1;  // the slot of an ended task
    claim(e.claim_id, "abandoned");
  }
  void on(const ClaimExpired& e) {
    TaskView& view = task(e.task_id);
    view.claimed -= 1;
    view.expired += 1;
    view.refunded_slots += e.transfers.empty() ? 0 : 1;
    claim(e.claim_id, "expired");
  }
  void on(const SlotsAdded& e) {
    TaskView& view = task(e.task_id);
    view.slots = e.slots;
    if (view.status == "completed") view.status = "open";
  }
  void on(const TaskPaused& e) { task(e.task_id).status = "paused"; }
  void on(const TaskResumed& e) {
    TaskView& view = task(e.task_id);
    view.status = "open";
    complete_if_done(view);
  }
  void on(const TaskCancelled& e) { end_task(e.task_id, "cancelled", e.refunded_slots); }
  void on(const TaskExpired& e) { end_task(e.task_id, "expired", e.refunded_slots); }
  void on(const ProofSubmitted& e) {
    TaskView& view = task(e.task_id);
    view.claimed -= 1;
    view.submitted += 1;
    ClaimView& submitted = claim(e.claim_id, "submitted");
    submitted.proof = e.proof;
    submitted.submitted_at = time_;
    reputation(e.worker_id).submitted += 1;
  }
  void on(const SubmissionApproved& e) {
    TaskView& view = task(e.task_id);
    view.submitted -= 1;
    view.approved += 1;
    complete_if_done(view);
    claim(e.claim_id, "approved").reviewed_at = time_;
    reputation(e.worker_id).approved += 1;
    if (e.auto_approved) return;  // nobody reviewed it: not a review the employer gave
    reputation(e.employer_id).approvals_given += 1;
    review_given(e.employer_id, e.review_s);
  }
  void on(const SubmissionRejected& e) {
    TaskView& view = task(e.task_id);
    view.submitted -= 1;
    view.rejected += 1;
    view.refunded_slots += e.transfers.empty() ? 0 : 1;
    ClaimView& rejected = claim(e.claim_id, "rejected");
    rejected.reason = e.reason;
    rejected.reviewed_at = time_;
    reputation(e.worker_id).rejected += 1;
    reputation(e.employer_id).rejections_given += 1;
    review_given(e.employer_id, e.review_s);
  }
  void on(const RevisionRequested& e) {
    TaskView& view = task(e.task_id);
    view.submitted -= 1;
    view.claimed += 1;
    ClaimView& sent_back = claim(e.claim_id, "revision_requested");
    sent_back.reason = e.reason;
    sent_back.expires_at = e.resubmit_by;
  }
  // The rejection is undone everywhere it counted: the task's, the worker's and the employer's
  // counters. The median review time keeps the rejection's review: it was given then.
  void on(const RejectionOverridden& e) {
    TaskView& view = task(e.task_id);
    view.rejected -= 1;
    view.approved += 1;
    if (!e.from_escrow) view.approved_beyond_slots += 1;
    complete_if_done(view);
    ClaimView& approved = claim(e.claim_id, "approved");
    approved.reason.clear();
    approved.reviewed_at = time_;
    if (e.from_escrow) overridden_item(approved);
    ReputationView& worker = reputation(e.worker_id);
    worker.rejected -= 1;
    worker.approved += 1;
    ReputationView& employer = reputation(e.employer_id);
    employer.rejections_given -= 1;
    employer.approvals_given += 1;
  }
  void on(const WorkerBlocked& e) {
    records_[keys::block(e.employer_id.value, e.worker_id.value)] =
        binary::encode(BlockView{e.worker_id, e.reason, time_});
  }
  void on(const WorkerUnblocked& e) {
    records_[keys::block(e.employer_id.value, e.worker_id.value)] = std::nullopt;
  }
  // Their transfers move the balances and write the statement lines.
  void on(const BonusPaid&) {}
  void on(const WorkerCredited&) {}
  void on(const WithdrawalRequested& e) {
    withdrawals_.get(e.withdrawal_id.value) =
        WithdrawalView{e.withdrawal_id, e.user_id, e.amount, e.destination, "pending", time_, {}, ""};
  }
  void on(const WithdrawalCompleted& e) { settle(e.withdrawal_id, "completed", ""); }
  void on(const WithdrawalFailed& e) { settle(e.withdrawal_id, "failed", e.reason); }
  void settle(const WithdrawalId& id, const char* status, const std::string& reason) {
    WithdrawalView& view = withdrawals_.get(id.value);
    view.status = status;
    view.settled_at = time_;
    view.reason = reason;
  }
  // The webhook deliverer folds these into its own store (projections/webhooks.h).
  void on(const WebhookRegistered&) {}
  // The views keep the user's sealed text, which the API shows as "[erased]" once step() has
  // destroyed the keys.
  void on(const UserErased& e) { erased_.emplace_back(e.user_id, time_); }

  // An override paid from a slot's escrow settles the claim's item, which is then still
  // unassigned after the rejection gave it back: the override accepted its work (the domain takes
  // it out of the queue likewise).
  void overridden_item(const ClaimView& claim) {
    if (claim.item == 0) return;
    ItemView& view = item(claim.task_id, claim.item);
    if (view.status != "unassigned") return;
    view.status = "approved";
    view.claim_id = claim.claim_id;
    view.worker_id = claim.worker_id;
    task(claim.task_id).unassigned_items -= 1;
  }

  static void complete_if_done(TaskView& view) {
    if (view.status == "open" && view.slots_approved() == view.slots) view.status = "completed";
  }
  void end_task(const TaskId& id, std::string_view status, std::int64_t refunded_slots) {
    TaskView& view = task(id);
    view.status = status;
    view.refunded_slots += refunded_slots;
  }

  ReputationView& reputation(const UserId& id) {
    ReputationView& view = reputations_.get(id.value);
    view.user_id = id;
    return view;
  }
  void review_given(const UserId& employer, std::int64_t review_s) {
    reputation(employer).reviews_given += 1;
    counters_[keys::review_time(employer.value, std::max<std::int64_t>(0, review_s))] += 1;
  }

  ReadStore& store_;
  UnixMs time_;
  ViewCache<TaskView> tasks_;
  ViewCache<ClaimView> claims_;
  ViewCache<UserView> users_;
  ViewCache<WithdrawalView> withdrawals_;
  ViewCache<AccountView> accounts_;
  ViewCache<ReputationView> reputations_;
  ViewCache<ItemView> items_;
  std::map<std::string, std::string> initial_item_keys_;  // item id -> status key before, or empty
  std::map<std::string, bool> initial_listing_;
  std::map<std::string, std::array<std::string, 2>> initial_keys_;  // claim id -> moving_keys before
  std::map<std::string, std::int64_t> shared_;
  std::map<std::string, std::int64_t> counters_;  // other 8-byte counters by key: review times
  // Records that may change again (blocks) by key; nullopt: erase.
  std::map<std::string, std::optional<std::string>> records_;
  // Records whose key names the event that writes them (statement lines, a worker's claims, an
  // employer's tasks), never written twice: put as they come, without a lookup.
  WriteSet written_once_;
  std::vector<std::pair<UserId, UnixMs>> erased_;  // users whose keys go before this batch is written
};

std::string encode_chain(const ChainPosition& chain) {
  std::string bytes;
  binary::Writer writer{bytes};
  writer.put(chain.next_offset);
  writer.put(chain.seq);
  writer.put(chain.hash);
  return bytes;
}

// A record as the fold needs it: its hash for the chain, and its envelope or why it has none.
struct DecodedRecord {
  std::string hash;
  std::optional<Envelope> envelope;
  std::string error;
};

void decode_into(std::span<const LogRecord> records, std::span<DecodedRecord> out) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    out[i].hash = sha256_hex(records[i].value);
    out[i].envelope = decode_envelope(records[i].value, &out[i].error);
  }
}

// Hashing and decoding are a fifth of a fold's work and need nothing from it: a large read
// (catching up, `rebuild`) is decoded on two cores while the fold, on one, waits.
constexpr std::size_t kDecodeOnTwoCoresFrom = 4096;

std::vector<DecodedRecord> decode_records(const std::vector<LogRecord>& records) {
  std::vector<DecodedRecord> decoded(records.size());
  std::span<const LogRecord> all(records);
  if (records.size() < kDecodeOnTwoCoresFrom) {
    decode_into(all, decoded);
    return decoded;
  }
  const std::size_t half = records.size() / 2;
  std::span<DecodedRecord> out(decoded);
  {
    std::jthread second([&] { decode_into(all.subspan(half), out.subspan(half)); });
    decode_into(all.first(half), out.first(half));
  }
  return decoded;
}

}  // namespace

Projector::Projector(EventLog& log, ReadStore& store, PersonalDataVault* vault)
    : log_(log), store_(store), vault_(vault), chain_(log.partitions()),
      applied_end_(new std::atomic<std::int64_t>[log.partitions()]) {
  for (std::int32_t p = 0; p < log.partitions(); ++p) {
    ChainPosition& chain = chain_[p];
    chain.hash = kZeroHash;
    if (auto bytes = store_.get(keys::position(p))) {
      binary::Reader reader{*bytes};
      reader.get(chain.next_offset);
      reader.get(chain.seq);
      reader.get(chain.hash);
    }
    applied_end_[p].store(chain.next_offset);
  }
}

Result<std::size_t> Projector::step(std::size_t max_per_partition) {
  try {
    return fold_step(max_per_partition);
  } catch (const ReadStoreError& error) {
    // Nothing of the step was written or kept: the next one reads the same records again.
    return Error{std::string("projector: ") + error.what()};
  }
}

Result<std::size_t> Projector::fold_step(std::size_t max_per_partition) {
  Folder folder(store_);
  WriteSet batch;
  std::size_t applied = 0;
  std::string failure;
  std::vector<ChainPosition> next = chain_;
  const std::vector<std::int64_t> ends = log_.ends();
  for (std::int32_t p = 0; p < log_.partitions(); ++p) {
    ChainPosition& chain = next[p];
    if (ends[static_cast<std::size_t>(p)] <= chain.next_offset) continue;
    auto records = log_.read(p, chain.next_offset, max_per_partition);
    if (!records.ok()) return records.error();
    std::vector<DecodedRecord> decoded = decode_records(*records);
    for (std::size_t i = 0; i < records->size(); ++i) {
      const LogRecord& record = (*records)[i];
      auto& [hash, envelope, error] = decoded[i];
      auto where = [&] { return "partition " + std::to_string(p) + " offset " + std::to_string(record.offset); };
      if (!envelope) {
        failure = where() + ": " + error;
        break;
      }
      const std::int64_t seq = envelope->meta.seq;
      ChainStep step = classify_record(chain.seq, chain.hash, seq, envelope->meta.prev_hash, hash);
      if (step == ChainStep::gap) {
        failure = where() + ": gap (seq " + std::to_string(seq) + " after " + std::to_string(chain.seq) + ")";
        break;
      }
      if (step == ChainStep::skip_fork) {
        // Another writer's record for a seq that is taken: void for every reader. Say so loudly;
        // the chain goes on with the first record of each seq.
        forks_.fetch_add(1);
        spdlog::error("projector: {}: fork at seq {} skipped (a second writer's record)", where(), seq);
      }
      if (step != ChainStep::apply) {
        chain.next_offset = record.after();
        continue;
      }
      folder.apply(*envelope, p, record.offset);
      chain = ChainPosition{record.after(), seq, std::move(hash)};
      ++applied;
    }
    if (!failure.empty()) break;
  }
  folder.flush(batch);
  // Keys are destroyed before the positions pass the erasure: a failure is tried again.
  for (const auto& [user, erased_at] : folder.erased()) {
    if (vault_ != nullptr) MJ_RETURN_IF_ERROR(vault_->erase(user, erased_at));
  }
  for (std::int32_t p = 0; p < log_.partitions(); ++p) {
    if (next[p].next_offset != chain_[p].next_offset) batch.put(keys::position(p), encode_chain(next[p]));
  }
  if (!batch.entries.empty()) MJ_RETURN_IF_ERROR(store_.write(batch));
  {
    std::lock_guard lock(mutex_);
    chain_ = std::move(next);
    for (std::int32_t p = 0; p < log_.partitions(); ++p) applied_end_[p].store(chain_[p].next_offset);
    for (const auto& [id, listener] : listeners_) listener();
  }
  advanced_.notify_all();
  if (!failure.empty()) return Error{failure};
  return applied;
}

void Projector::run(std::stop_token stop) {
  std::size_t per_partition = kStep;
  while (!stop.stop_requested()) {
    std::uint64_t count = log_.append_count();
    auto result = step(per_partition);
    per_partition = result.ok() && *result >= per_partition ? std::min(2 * per_partition, kCatchUpStep) : kStep;
    if (!result.ok()) {
      {
        std::lock_guard lock(mutex_);
        if (last_error_ != result.error().message) spdlog::error("projector: {}", result.error().message);
        last_error_ = result.error().message;
      }
      log_.wait_for_append(log_.append_count(), std::chrono::milliseconds(500));
    } else if (*result == 0) {
      log_.wait_for_append(count, std::chrono::milliseconds(200));
    }
  }
}

std::int64_t Projector::applied_end(std::int32_t partition) const {
  if (partition < 0 || partition >= log_.partitions()) return 0;
  return applied_end_[partition].load();
}

std::uint64_t Projector::add_listener(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  listeners_.emplace_back(++last_listener_id_, std::move(listener));
  return last_listener_id_;
}

void Projector::remove_listener(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

bool Projector::wait_for(Position position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return advanced_.wait_for(lock, timeout, [&] { return applied(position); });
}

ChainPosition Projector::chain_position(std::int32_t partition) const {
  std::lock_guard lock(mutex_);
  return chain_[partition];
}

std::string Projector::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace microjobs
