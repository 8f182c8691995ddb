#include "tests/domain/simulation.h"

#include <algorithm>

#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/partitioner.h"
#include "domain/snapshot.h"
#include "tests/domain/state_compare.h"

namespace microjobs::simulation {
namespace {

constexpr const char* kCountries[] = {"ID", "PH", "US", "IN", "BR"};

// Every remembered command as text, sorted: two tables remember the same commands when equal.
std::string remembered_text(const IdempotencyTable& table) {
  std::vector<std::string> lines;
  table.for_each([&](const std::string& id, const RememberedCommand& entry) {
    lines.push_back(id + " " + std::to_string(entry.offset) + " " +
                    std::to_string(entry.fingerprint) + " " + std::to_string(entry.time_ms));
  });
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string_view expected_code(Expect expect) {
  switch (expect) {
    case Expect::anything:
      return "anything";
    case Expect::accepted:
      return "an event";
    case Expect::exists:
      return rejection_code(Rejection::exists);
    case Expect::exists_with_different_amount:
      return rejection_code(Rejection::exists_with_different_amount);
    case Expect::out_of_order:
      return rejection_code(Rejection::out_of_order);
    case Expect::wrong_state:
      return rejection_code(Rejection::wrong_state);
    case Expect::idempotency_key_reused:
      return rejection_code(Rejection::idempotency_key_reused);
  }
  return "?";
}

}  // namespace

Simulation::Simulation(std::uint64_t seed, Config config)
    : seed_(seed), config_(config), engine_(seed), now_{1'767'225'600'000} {
  partitions_.resize(static_cast<std::size_t>(config_.partitions));
  for (Partition& partition : partitions_) partition.last_hash = kZeroHash;
  for (int i = 0; i < config_.workers + config_.employers; ++i) {
    bool employer = i >= config_.workers;
    User user;
    user.id = UserId{(employer ? "e" : "w") + std::to_string(i)};
    user.country = kCountries[below(std::size(kCountries))];
    user_index_[user.id] = users_.size();
    users_.push_back(std::move(user));
  }
}

std::string Simulation::where() const {
  return "seed " + std::to_string(seed_) + " step " + std::to_string(step_) + " (last command " +
         last_command_ + "; replay with MICROJOBS_SIM_SEED=" + std::to_string(seed_) + "): ";
}

std::string Simulation::run_steps(std::int64_t steps) {
  for (std::int64_t end = step_ + steps; step_ < end; ++step_) {
    std::string failure = step();
    if (failure.empty()) failure = check_step();
    if (failure.empty() && (step_ + 1) % config_.replay_every == 0) failure = check_all();
    if ((step_ + 1) % config_.snapshot_every == 0) take_snapshots();
    if (!failure.empty()) return where() + failure;
  }
  return {};
}

std::string Simulation::run() {
  std::string failure = run_steps(config_.steps);
  if (!failure.empty()) return failure;
  failure = drain_credits();
  if (failure.empty()) failure = check_all();
  if (failure.empty()) failure = check_final();
  return failure.empty() ? failure : where() + "at the end: " + failure;
}

// One step: the clock moves a little, then one kind of action, chosen at random.
std::string Simulation::step() {
  now_.value += static_cast<std::int64_t>(below(10'000));
  touched_tasks_.clear();
  if (static_cast<std::size_t>(step_) < users_.size()) return register_user(step_);
  if (config_.restart_per_mille > 0 && chance_per_mille(config_.restart_per_mille)) {
    return restart_one();
  }
  std::uint64_t roll = below(100);
  if (roll < 2) {
    if (chance(50)) return register_again();
    return chance(50) ? hostile() : (chance(80) ? register_webhook() : erase_user());
  }
  if (roll < 8) return chance(25) ? withdraw() : deposit();
  if (roll < 16) return chance(20) ? control_task() : post_task();
  if (roll < 44) return claim_slot();
  if (roll < 49) return abandon_claim();
  if (roll < 67) return submit_proof();
  if (roll < 84) return review();
  if (roll < 93) return deliver_credits();
  if (roll < 96) now_.value += 600'000 + static_cast<std::int64_t>(below(3'400'000));
  return run_scheduler();
}

Simulation::User& Simulation::random_user(bool employer) {
  std::size_t workers = static_cast<std::size_t>(config_.workers);
  if (employer) return users_[workers + below(users_.size() - workers)];
  return users_[below(workers)];
}

// Mostly one of the newest tasks, so that workers contend for the same few slots.
Simulation::Task* Simulation::pick_task() {
  if (tasks_.empty()) return nullptr;
  std::size_t recent = std::min<std::size_t>(tasks_.size(), 12);
  if (chance(80)) return &tasks_[tasks_.size() - 1 - below(recent)];
  return &tasks_[below(tasks_.size())];
}

void Simulation::erase_claim(std::vector<ClaimId>& claims, const ClaimId& claim) {
  auto it = std::find(claims.begin(), claims.end(), claim);
  if (it != claims.end()) claims.erase(it);
}

std::string Simulation::register_user(std::size_t index) {
  const User& user = users_[index];
  return execute(RegisterUser{user.id, user.country, "User " + user.id.value}, Expect::accepted);
}

// A repeat of the profile (exists) or a move to another country (a profile update).
std::string Simulation::register_again() {
  User& user = random_user(chance(30));
  std::string country = chance(50) ? user.country : kCountries[below(std::size(kCountries))];
  Expect expect = country == user.country && !user.erased ? Expect::exists : Expect::accepted;
  user.erased = false;
  return execute(RegisterUser{user.id, country, "User " + user.id.value}, expect);
}

// An administrator meets a right-to-erasure request: the user's texts go, its account stays.
std::string Simulation::erase_user() {
  User& user = random_user(chance(30));
  user.erased = true;
  return execute(EraseUser{user.id}, Expect::accepted);
}

// An employer asks for some of its events at a URL; now and then with a type that does not exist.
std::string Simulation::register_webhook() {
  User& user = random_user(chance(30));
  std::vector<std::string> events = {"proof.submitted.v1"};
  if (chance(50)) events.push_back("task.expired.v1");
  if (chance(5)) events.push_back("proof.submitted.v9");
  return execute(RegisterWebhook{user.id, "https://hooks.example.com/" + user.id.value, events});
}

std::string Simulation::deposit() {
  User& user = random_user(chance(90));
  if (!user.deposits.empty() && chance(15)) {
    auto [reference, amount] = user.deposits[below(user.deposits.size())];
    bool same = chance(50);
    Micros asked = same ? amount : Micros{amount.value + 1 + static_cast<std::int64_t>(below(99))};
    return execute(DepositFunds{user.id, asked, reference},
                   same ? Expect::exists : Expect::exists_with_different_amount);
  }
  Micros amount{1 + static_cast<std::int64_t>(below(40'000'000))};
  std::string reference = "bank-" + std::to_string(step_);
  user.deposits.emplace_back(reference, amount);
  return execute(DepositFunds{user.id, amount, reference}, Expect::accepted);
}

// A user asks for money out: mostly within its means, now and then below the minimum or beyond
// the balance; or the payment provider settles one.
std::string Simulation::withdraw() {
  if (!withdrawal_ids_.empty() && chance(50)) return settle_withdrawal();
  User& user = random_user(chance(20));
  Micros amount{500'000 + static_cast<std::int64_t>(below(6'000'000))};
  return execute(RequestWithdrawal{user.id, amount, "wallet:" + user.id.value});
}

// The provider completes (mostly) or fails a withdrawal, sometimes one already settled (exists or
// wrong_state) or one that does not exist.
std::string Simulation::settle_withdrawal() {
  WithdrawalId id = withdrawal_ids_[below(withdrawal_ids_.size())];
  if (chance(3)) id.value += "9";
  if (chance(65)) return execute(CompleteWithdrawal{id});
  return execute(FailWithdrawal{id, "the wallet refused it"});
}

// A withdrawal of at least the minimum, under an id never given before.
std::string Simulation::track_withdrawal(const WithdrawalId& id, Micros amount) {
  if (amount < Policy{}.min_withdrawal) return "a withdrawal below the minimum was accepted";
  if (!withdrawals_.emplace(id, WithdrawalStatus::pending).second) {
    return "withdrawal id " + id.value + " given twice";
  }
  withdrawal_ids_.push_back(id);
  return {};
}

// A withdrawal is settled once, from pending.
std::string Simulation::settle_tracked(const WithdrawalId& id, WithdrawalStatus to) {
  auto it = withdrawals_.find(id);
  if (it == withdrawals_.end() || it->second != WithdrawalStatus::pending) {
    return "withdrawal " + id.value + " became " + std::string(withdrawal_status_name(to)) +
           " from an unexpected state";
  }
  it->second = to;
  return {};
}

std::string Simulation::post_task() {
  PostTask command;
  command.employer_id = random_user(true).id;
  command.title = "Task at step " + std::to_string(step_);
  command.category = chance(50) ? "social" : "";
  std::int64_t cents = 1 + static_cast<std::int64_t>(below(200));
  command.reward =
      Micros{cents * 10'000 + (chance(20) ? static_cast<std::int64_t>(below(10'000)) : 0)};
  command.slots = 1 + static_cast<std::int64_t>(below(4));
  command.claim_timeout_s = 60 + static_cast<std::int64_t>(below(900));
  if (chance(30))
    command.expires_at = UnixMs{now_.value + 600'000 + static_cast<std::int64_t>(below(7'200'000))};
  if (chance(25)) command.countries = {kCountries[below(5)], kCountries[below(5)]};
  if (chance(20)) command.min_approval_rate_bp = 5000 + static_cast<std::int64_t>(below(4001));
  if (chance(10)) command.min_approved = 1 + static_cast<std::int64_t>(below(3));
  command.max_per_worker = 1 + static_cast<std::int64_t>(below(2));
  // Review windows from "pay on submission" (0 s) to the 3-day default.
  const std::int64_t windows[] = {0, 600, 7200, 259200};
  command.auto_approve_after_s = windows[below(std::size(windows))];
  command.per_item = chance(30);
  return execute(command);
}

// The owner (mostly) adds slots, pauses, resumes or now and then cancels one of its tasks.
std::string Simulation::control_task() {
  Task* task = pick_task();
  if (task == nullptr) return post_task();
  UserId owner = chance(95) ? task->employer : random_user(true).id;
  touched_tasks_.push_back(task->id);
  if (task->paused && chance(70)) return execute(ResumeTask{task->id, owner});
  if (chance(15)) {  // a block or an unblock of a worker by the task's employer
    const User& worker = random_user(false);
    if (chance(60)) return execute(BlockWorker{owner, worker.id, "copied proofs"});
    return execute(UnblockWorker{owner, worker.id});
  }
  std::uint64_t roll = below(100);
  if (task->per_item ? roll < 30 : roll < 3) return add_items(*task, owner);
  if (roll < 35) return execute(AddSlots{task->id, owner, 1 + static_cast<std::int64_t>(below(3))});
  if (roll < 60) return execute(PauseTask{task->id, owner});
  if (roll < 90) return execute(ResumeTask{task->id, owner});
  return execute(CancelTask{task->id, owner});
}

// A few items, now and then with a ref the task has or one twice (duplicate_ref), or more than
// the free slots take (too_many_items), or on a plain task (not_per_item).
std::string Simulation::add_items(Task& task, const UserId& owner) {
  AddItems command{task.id, owner, {}};
  std::int64_t count = 1 + static_cast<std::int64_t>(below(4));
  for (std::int64_t i = 0; i < count; ++i) {
    std::string ref = "row-" + std::to_string(step_) + "-" + std::to_string(i);
    if (chance(5) && !task.items.refs.empty()) ref = *task.items.refs.begin();
    if (chance(3) && i > 0) ref = command.items.front().ref;
    command.items.push_back(Item{ref, JsonText{R"({"n":)" + std::to_string(i) + "}"}});
  }
  return execute(command);
}

std::string Simulation::claim_slot() {
  Task* task = pick_task();
  if (task == nullptr) return post_task();
  const User& worker = chance(3) ? users_[user_index_.at(task->employer)] : random_user(false);
  touched_tasks_.push_back(task->id);
  return execute(
      ClaimSlot{task->id, worker.id, {worker.country, worker.approved, worker.rejected}});
}

std::string Simulation::abandon_claim() {
  if (claimed_.empty()) return claim_slot();
  const Claim& claim = claims_.at(claimed_[below(claimed_.size())]);
  UserId worker = chance(90) ? claim.worker : random_user(false).id;
  return execute(AbandonClaim{claim.id, worker});
}

// Mostly a held claim by its worker, sometimes any claim ever made (wrong_state), another
// worker (forbidden) or an empty proof (invalid_argument).
std::string Simulation::submit_proof() {
  if (claimed_.empty()) return claim_slot();
  const ClaimId& id =
      chance(90) ? claimed_[below(claimed_.size())] : all_claims_[below(all_claims_.size())];
  const Claim& claim = claims_.at(id);
  UserId worker = chance(95) ? claim.worker : random_user(false).id;
  std::string proof = chance(3) ? "" : "proof of " + id.value;
  return execute(SubmitProof{id, worker, proof});
}

// Approves (mostly), rejects or sends back a submission; sometimes repeats a review or acts as
// someone else.
std::string Simulation::review() {
  if (submitted_.empty()) return submit_proof();
  const ClaimId& id =
      chance(90) ? submitted_[below(submitted_.size())] : all_claims_[below(all_claims_.size())];
  const Claim& claim = claims_.at(id);
  UserId employer = chance(95) ? claim.employer : random_user(true).id;
  if (!approved_.empty() && chance(8)) {  // a bonus on an approved claim
    const Claim& paid = claims_.at(approved_[below(approved_.size())]);
    UserId owner = chance(95) ? paid.employer : random_user(true).id;
    Micros amount{1 + static_cast<std::int64_t>(below(300'000))};
    return execute(PayBonus{paid.id, owner, amount, "for the extra care"});
  }
  if (!rejected_.empty() && chance(5)) {  // an employer changes its mind about a rejection
    const Claim& rejected = claims_.at(rejected_[below(rejected_.size())]);
    UserId owner = chance(95) ? rejected.employer : random_user(true).id;
    return execute(OverrideRejection{rejected.id, owner});
  }
  if (chance(70)) return execute(ApproveSubmission{id, employer});
  std::string reason = chance(5) ? "" : "not what was asked";
  if (chance(30)) return execute(RequestRevision{id, employer, reason});
  return execute(RejectSubmission{id, employer, reason});
}

std::string Simulation::deliver_credits() {
  std::vector<Route> routes;
  for (const auto& [route, queue] : pending_credits_) {
    if (!queue.empty()) routes.push_back(route);
  }
  if (routes.empty()) return review();
  for (std::uint64_t n = 1 + below(4); n > 0; --n) {
    std::string failure = deliver_one_credit(routes[below(routes.size())]);
    if (!failure.empty()) return failure;
  }
  return {};
}

// The next credit of a route, in order (must apply); or a retry of the last one delivered (must
// be `exists`); or the one after next, ahead of its turn (must be `out_of_order`).
std::string Simulation::deliver_one_credit(const Route& route) {
  std::deque<CreditWorker>& queue = pending_credits_[route];
  if (queue.empty()) return {};
  if (last_delivered_.contains(route) && chance(10)) {
    return execute(last_delivered_.at(route), Expect::exists);
  }
  if (queue.size() >= 2 && chance(10)) return execute(queue[1], Expect::out_of_order);
  CreditWorker credit = queue.front();
  queue.pop_front();
  last_delivered_[route] = credit;
  return execute(credit, Expect::accepted);
}

// The scheduler: every due claim must expire; now and then it also tries a claim that is not
// due yet, which must be refused.
std::string Simulation::run_scheduler() {
  for (std::int32_t p = 0; p < config_.partitions; ++p) {
    for (const ClaimId& claim : due_claims(partitions_[p].state, now_, 16)) {
      std::string failure = execute(ExpireClaim{claim}, Expect::accepted);
      if (!failure.empty()) return failure;
    }
    for (const ClaimId& claim : due_reviews(partitions_[p].state, now_, 16)) {
      std::string failure = execute(AutoApprove{claim}, Expect::accepted);
      if (!failure.empty()) return failure;
    }
    for (const TaskId& task : due_tasks(partitions_[p].state, now_, 16)) {
      std::string failure = execute(ExpireTask{task}, Expect::accepted);
      if (!failure.empty()) return failure;
    }
  }
  if (!claimed_.empty() && chance(30)) {
    const Claim& claim = claims_.at(claimed_[below(claimed_.size())]);
    if (claim.expires_at > now_) return execute(ExpireClaim{claim.id}, Expect::wrong_state);
  }
  return {};
}

// A hostile principal named like a system namespace updates its own profile with a key that
// names a system command of its own partition: the next credit to arrive there, a claim that
// will expire there, a deposit reference there, or the whole text of such an id. Or it reuses
// one of its keys with another body, which must be idempotency_key_reused within 24 h. The
// system's commands must go on as if nothing happened (their Expect values say so).
std::string Simulation::hostile() {
  static constexpr const char* kNames[] = {"credit", "deposit", "expire_claim", "client"};
  const std::string name = kNames[below(std::size(kNames))];
  const std::int32_t home = partition_for(name, config_.partitions);
  const std::string country = kCountries[below(std::size(kCountries))];
  auto& used = hostile_keys_[name];
  if (!used.empty() && chance(25)) {
    const auto& [key, sent_country, at] = used[below(used.size())];
    if (sent_country == country || now_.value - at.value > 23LL * 3600 * 1000) return {};
    return execute_as(RegisterUser{UserId{name}, country, name}, client_command_id(name, key),
                      Expect::idempotency_key_reused);
  }
  std::vector<CommandId> targets;
  for (const auto& [route, queue] : pending_credits_) {
    if (route.second == home && !queue.empty()) targets.push_back(id_for(queue.front()));
  }
  for (const ClaimId& claim : claimed_) {
    if (partition_for(claims_.at(claim).employer.value, config_.partitions) == home) {
      targets.push_back(expire_claim_command_id(claim));
    }
  }
  for (const User& user : users_) {
    if (partition_for(user.id.value, config_.partitions) != home) continue;
    targets.push_back(deposit_command_id(user.id, "bank-" + std::to_string(step_ + 1)));
  }
  if (targets.empty()) return {};
  const CommandId& target = targets[below(targets.size())];
  const std::string keys[] = {target.key, target.text(), target.principal + ":" + target.key,
                              target.principal + "/" + target.key};
  std::string key = keys[below(std::size(keys))];
  const std::size_t before = partitions_[home].log.size();
  std::string failure = execute_as(RegisterUser{UserId{name}, country, name},
                                   client_command_id(name, key), Expect::anything);
  // Only an accepted command is remembered, so only its key can be reused.
  if (partitions_[home].log.size() > before) used.emplace_back(std::move(key), country, now_);
  return failure;
}

std::string Simulation::drain_credits() {
  for (auto& [route, queue] : pending_credits_) {
    while (!queue.empty()) {
      CreditWorker credit = queue.front();
      queue.pop_front();
      std::string failure = execute(credit, Expect::accepted);
      if (!failure.empty()) return failure;
    }
  }
  return {};
}

// The id the production code gives the command: the system's namespaces for deposits, credits
// and expiries, else a client's own key.
CommandId Simulation::id_for(const Command& command) const {
  if (const auto* deposit = std::get_if<DepositFunds>(&command)) {
    return deposit_command_id(deposit->account, deposit->reference);
  }
  if (const auto* credit = std::get_if<CreditWorker>(&command)) {
    return credit_command_id(credit->source_event_id);
  }
  if (const auto* expire = std::get_if<ExpireClaim>(&command)) {
    return expire_claim_command_id(expire->claim_id);
  }
  if (const auto* approve = std::get_if<AutoApprove>(&command)) {
    return auto_approve_command_id(approve->claim_id);
  }
  return client_command_id("sim", "cmd-" + std::to_string(stats_.commands));
}

std::string Simulation::execute(const Command& command, Expect expect) {
  return execute_as(command, id_for(command), expect);
}

// Decides the command on its stream's partition as the processor does: a remembered id is
// answered from memory (a repeat appends nothing; another body is idempotency_key_reused), else
// decide; an event is appended to the log, applied and its id remembered.
std::string Simulation::execute_as(const Command& command, const CommandId& id, Expect expect) {
  stats_.commands += 1;
  last_command_ = command_name(command);
  const std::string stream = stream_of(command);
  if (stream.empty()) return "the simulation made a command without a stream";
  const std::int32_t p = partition_for(stream, config_.partitions);
  const std::uint64_t fingerprint = command_fingerprint(command);
  auto seen = partitions_[p].idempotency.check(id, fingerprint);
  if (seen.verdict == IdempotencyTable::Verdict::repeat) {
    // Settles what `exists` would: nothing is appended. Never right where an event must come.
    stats_.outcomes["repeat"] += 1;
    if (expect == Expect::anything || expect == Expect::exists) return {};
    return "expected " + std::string(expected_code(expect)) + ", got a repeat of " + id.text();
  }
  Decision decision = seen.verdict == IdempotencyTable::Verdict::reused
                          ? Decision{Rejection::idempotency_key_reused}
                          : decide(partitions_[p].state, command, now_);
  if (const auto* rejection = std::get_if<Rejection>(&decision)) {
    stats_.outcomes[std::string(rejection_code(*rejection))] += 1;
    if (expect == Expect::anything || expected_code(expect) == rejection_code(*rejection))
      return {};
    if (expect == Expect::exists_with_different_amount &&
        *rejection == Rejection::idempotency_key_reused) {
      return {};  // within the window the reference's id refuses another amount first
    }
    return "expected " + std::string(expected_code(expect)) + ", got " +
           std::string(rejection_code(*rejection));
  }
  const Event& event = std::get<Event>(decision);
  if (expect != Expect::anything && expect != Expect::accepted) {
    return "expected " + std::string(expected_code(expect)) + ", got " +
           std::string(event_type(event));
  }
  if (config_.append_fails_per_mille > 0 && chance_per_mille(config_.append_fails_per_mille)) {
    std::string failure = fail_append(p, command, id, fingerprint, event);
    if (!failure.empty()) return failure;
  }
  partitions_[p].idempotency.forget_expired(now_.value);
  partitions_[p].idempotency.remember(
      id, {static_cast<std::int64_t>(partitions_[p].log.size()), fingerprint, now_.value});
  if (std::string why = misfit(partitions_[p].state, event); !why.empty()) {
    return std::string(event_type(event)) + " was decided, yet misfit() refuses it: " + why;
  }
  append(p, stream, event, id, fingerprint);
  evolve(partitions_[p].state, event);
  if (std::string broken = check_decided(partitions_[p].state, event); !broken.empty()) {
    return std::string(event_type(event)) + " broke an invariant: " + broken;
  }
  if (config_.fault_apply_twice_at_step > 0 && step_ >= config_.fault_apply_twice_at_step &&
      std::holds_alternative<SlotClaimed>(event)) {
    evolve(partitions_[p].state, event);
    config_.fault_apply_twice_at_step = 0;
  }
  std::string failure = on_event(p, event);
  if (failure.empty() && config_.append_ambiguous_per_mille > 0 &&
      chance_per_mille(config_.append_ambiguous_per_mille)) {
    failure = retry_after_ambiguous_append(p, command, id, fingerprint);
  }
  return failure;
}

// Fault: the append fails after the processor applied the event in memory, remembered its command
// and moved the chain's head. It rebuilds the partition from its snapshot and log, which must give
// the partition as it was before, and answers `unavailable`; the client sends the command again,
// which the rebuilt partition (at the same clock) must decide exactly as before, to the byte.
std::string Simulation::fail_append(std::int32_t p, const Command& command, const CommandId& id,
                                    std::uint64_t fingerprint, const Event& event) {
  stats_.outcomes["fault:append_failed"] += 1;
  Partition& partition = partitions_[p];
  const PartitionState before = partition.state;
  const std::string head_before = partition.last_hash;
  partition.idempotency.forget_expired(now_.value);
  const std::string remembered_before = remembered_text(partition.idempotency);
  partition.idempotency.remember(
      id, {static_cast<std::int64_t>(partition.log.size()), fingerprint, now_.value});
  evolve(partition.state, event);
  partition.last_hash = sha256_hex(encode_envelope(next_meta(p, stream_of(command), id, fingerprint), event));
  std::string failure = restart(p, /*compare=*/false);
  if (!failure.empty()) return "after a failed append: " + failure;
  std::string difference = test_support::state_difference(before, partition.state);
  if (!difference.empty()) return "after a failed append the rebuilt state differs: " + difference;
  if (partition.last_hash != head_before) return "after a failed append the chain's head moved";
  if (remembered_text(partition.idempotency) != remembered_before) {
    return "after a failed append other commands are remembered";
  }
  if (partition.idempotency.check(id, fingerprint).verdict != IdempotencyTable::Verdict::fresh) {
    return "after a failed append its command " + id.text() + " is still remembered";
  }
  Decision again = decide(partition.state, command, now_);
  const auto* retried = std::get_if<Event>(&again);
  const std::string stream = stream_of(command);
  if (retried == nullptr || encode_envelope(next_meta(p, stream, id, fingerprint), *retried) !=
                                encode_envelope(next_meta(p, stream, id, fingerprint), event)) {
    return "the retry of a failed append was decided otherwise";
  }
  return {};
}

// Fault: the append was durable but the processor was told it failed (a timeout after the write).
// It rebuilds from its snapshot and log; the client's retry must be a repeat, appending nothing.
std::string Simulation::retry_after_ambiguous_append(std::int32_t p, const Command& command,
                                                     const CommandId& id,
                                                     std::uint64_t fingerprint) {
  stats_.outcomes["fault:append_ambiguous"] += 1;
  std::string failure = restart(p, /*compare=*/true);
  if (!failure.empty()) return "after an ambiguous append: " + failure;
  const auto seen = partitions_[p].idempotency.check(id, fingerprint);
  if (seen.verdict != IdempotencyTable::Verdict::repeat) {
    return "the retry of a durable append of " + std::string(command_name(command)) +
           " is not a repeat";
  }
  // The repeat is answered from the record it points at: it must be this command's.
  const auto& log = partitions_[p].log;
  auto record = seen.offset >= 0 && static_cast<std::size_t>(seen.offset) < log.size()
                    ? decode_envelope(log[static_cast<std::size_t>(seen.offset)])
                    : std::nullopt;
  if (!record || record->meta.command_id != id.text()) {
    return "the repeat of " + id.text() + " points at another record";
  }
  return {};
}

// Fault: one partition's processor restarts at a random moment.
std::string Simulation::restart_one() {
  stats_.outcomes["fault:restart"] += 1;
  return restart(static_cast<std::int32_t>(below(partitions_.size())), /*compare=*/true);
}

// What a processor keeps of each partition: the state, the commands it remembers, and where in
// the log they stand.
void Simulation::take_snapshots() {
  for (Partition& partition : partitions_) {
    partition.snapshot.state = encode_snapshot(partition.state);
    partition.snapshot.remembered.clear();
    partition.idempotency.for_each([&](const std::string& id, const RememberedCommand& entry) {
      partition.snapshot.remembered.emplace_back(id, entry);
    });
    partition.snapshot.log_size = partition.log.size();
    partition.snapshot.last_hash = partition.last_hash;
  }
}

// Rebuilds the partition as a restarted processor does, from its snapshot and the log's tail,
// and goes on from the rebuilt state. With `compare`, the rebuilt state and remembered commands
// must equal the live ones first.
std::string Simulation::restart(std::int32_t p, bool compare) {
  Partition& partition = partitions_[p];
  const PartitionSnapshot& snapshot = partition.snapshot;
  auto state = snapshot.state.empty() ? std::optional<PartitionState>(PartitionState{})
                                      : decode_snapshot(snapshot.state);
  if (!state) return "the snapshot of partition " + std::to_string(p) + " does not decode";
  IdempotencyTable remembered = remembered_commands();
  for (const auto& [id, entry] : snapshot.remembered) remembered.remember_text(id, entry);
  std::string head = snapshot.last_hash;
  for (std::size_t i = snapshot.log_size; i < partition.log.size(); ++i) {
    auto envelope = decode_envelope(partition.log[i]);
    if (!envelope) return "a record of partition " + std::to_string(p) + " does not decode";
    if (envelope->meta.prev_hash != head) return "the log's tail does not follow the snapshot's head";
    head = sha256_hex(partition.log[i]);
    evolve(*state, envelope->event);
    if (auto id = parse_command_id(envelope->meta.command_id)) {
      remembered.remember(*id, {static_cast<std::int64_t>(i), envelope->meta.command_fingerprint,
                                envelope->meta.time.value});
    }
  }
  remembered.forget_expired(now_.value);
  partition.idempotency.forget_expired(now_.value);
  if (compare) {
    std::string difference = test_support::state_difference(partition.state, *state);
    if (!difference.empty()) return "the restarted partition's state differs: " + difference;
    if (remembered_text(remembered) != remembered_text(partition.idempotency)) {
      return "the restarted partition remembers other commands";
    }
    if (head != partition.last_hash) return "the restarted partition's chain head differs";
  }
  partition.state = std::move(*state);
  partition.last_hash = std::move(head);
  partition.idempotency.clear();
  remembered.for_each([&](const std::string& id, const RememberedCommand& entry) {
    partition.idempotency.remember_text(id, entry);
  });
  return {};
}

EnvelopeMeta Simulation::next_meta(std::int32_t partition, const std::string& stream,
                                   const CommandId& id, std::uint64_t fingerprint) const {
  const Partition& log = partitions_[partition];
  const std::int64_t seq = static_cast<std::int64_t>(log.log.size()) + 1;
  return EnvelopeMeta{event_id(partition, seq), event_source(partition), now_, stream, seq,
                      id.text(), log.last_hash, fingerprint};
}

// Writes the event as the partition processor does: seq contiguous from 1, prev_hash the
// SHA-256 of the previous record's bytes.
void Simulation::append(std::int32_t partition, const std::string& stream, const Event& event,
                        const CommandId& id, std::uint64_t fingerprint) {
  Partition& log = partitions_[partition];
  std::string bytes = encode_envelope(next_meta(partition, stream, id, fingerprint), event);
  log.last_hash = sha256_hex(bytes);
  log.log.push_back(std::move(bytes));
}

// Folds the event's transfers into the ledger and keeps the simulation's own model of claims,
// tasks, reputation and pending credits.
void Simulation::post_transfers(const Event& event) {
  if (const auto* transfers = event_transfers(event)) {
    for (const Transfer& transfer : *transfers) {
      ledger_[transfer.debit] -= transfer.amount.value;
      ledger_[transfer.credit] += transfer.amount.value;
    }
  }
}

std::string Simulation::on_event(std::int32_t partition, const Event& event) {
  stats_.outcomes[std::string(event_type(event))] += 1;
  post_transfers(event);
  if (const auto* e = std::get_if<UserProfileUpdated>(&event)) {
    // Hostile principals (hostile()) are not among the modelled users.
    if (auto it = user_index_.find(e->user_id); it != user_index_.end()) {
      users_[it->second].country = e->country;
    }
  } else if (const auto* e = std::get_if<TaskPosted>(&event)) {
    task_index_[e->task_id] = tasks_.size();
    tasks_.push_back(Task{e->task_id, e->employer_id, e->slots, 0, e->expires_at, e->max_per_worker,
                          e->claim_timeout_s, false, false, e->per_item, {}});
  } else if (const auto* e = std::get_if<SlotClaimed>(&event)) {
    return track_claim(*e);
  } else if (const auto* e = std::get_if<ItemsAdded>(&event)) {
    return track_items(*e);
  } else if (const auto* e = std::get_if<WithdrawalRequested>(&event)) {
    return track_withdrawal(e->withdrawal_id, e->amount);
  } else if (const auto* e = std::get_if<WithdrawalCompleted>(&event)) {
    return settle_tracked(e->withdrawal_id, WithdrawalStatus::completed);
  } else if (const auto* e = std::get_if<WithdrawalFailed>(&event)) {
    return settle_tracked(e->withdrawal_id, WithdrawalStatus::failed);
  } else if (const auto* e = std::get_if<ClaimAbandoned>(&event)) {
    holdings_[{e->task_id, e->worker_id}].active -= 1;
    return track_claim_end(e->claim_id, true, claimed_);
  } else if (const auto* e = std::get_if<ClaimExpired>(&event)) {
    holdings_[{e->task_id, e->worker_id}].active -= 1;
    return track_claim_end(e->claim_id, true, claimed_);
  } else if (const auto* e = std::get_if<ProofSubmitted>(&event)) {
    return track_submission(*e);
  } else if (const auto* e = std::get_if<SubmissionApproved>(&event)) {
    users_[user_index_.at(e->worker_id)].approved += 1;
    queue_credit(partition, e->worker_id, e->paid, e->claim_id);
    approved_.push_back(e->claim_id);
    if (++approvals_[e->claim_id] > 1) return "claim " + e->claim_id.value + " approved twice";
    return track_claim_end(e->claim_id, false, submitted_);
  } else if (const auto* e = std::get_if<SubmissionRejected>(&event)) {
    users_[user_index_.at(e->worker_id)].rejected += 1;
    rejected_.push_back(e->claim_id);
    return track_claim_end(e->claim_id, true, submitted_);
  } else if (const auto* e = std::get_if<RejectionOverridden>(&event)) {
    return track_override(partition, *e);
  } else if (const auto* e = std::get_if<WorkerBlocked>(&event)) {
    blocks_.insert({e->employer_id, e->worker_id});
  } else if (const auto* e = std::get_if<WorkerUnblocked>(&event)) {
    blocks_.erase({e->employer_id, e->worker_id});
  } else if (const auto* e = std::get_if<SlotsAdded>(&event)) {
    tasks_[task_index_.at(e->task_id)].slots = e->slots;
  } else if (const auto* e = std::get_if<TaskPaused>(&event)) {
    tasks_[task_index_.at(e->task_id)].paused = true;
  } else if (const auto* e = std::get_if<TaskResumed>(&event)) {
    tasks_[task_index_.at(e->task_id)].paused = false;
  } else if (const auto* e = std::get_if<TaskCancelled>(&event)) {
    return track_task_end(e->task_id, e->refunded_slots);
  } else if (const auto* e = std::get_if<TaskExpired>(&event)) {
    if (now_ < tasks_[task_index_.at(e->task_id)].expires_at) return "task expired before its time";
    return track_task_end(e->task_id, e->refunded_slots);
  } else if (const auto* e = std::get_if<BonusPaid>(&event)) {
    if (claims_.at(e->claim_id).employer != e->employer_id) return "a bonus paid by a stranger";
    queue_credit(partition, e->worker_id, e->amount, e->claim_id);
  } else if (const auto* e = std::get_if<RevisionRequested>(&event)) {
    return track_revision(*e);
  } else if (const auto* e = std::get_if<WorkerCredited>(&event)) {
    if (++credits_[e->source_event_id] > 1) return "payout " + e->source_event_id + " credited twice";
  }
  return {};
}

// Checks a granted claim against the rules as the model sees them: the task is open, the worker
// is not its employer, holds no other claim on it and has submissions left; the claim lasts the
// task's claim timeout.
std::string Simulation::track_claim(const SlotClaimed& e) {
  Task& task = tasks_[task_index_.at(e.task_id)];
  Holding& holding = holdings_[{e.task_id, e.worker_id}];
  if (now_ >= task.expires_at) return "claim " + e.claim_id.value + " granted after task expiry";
  if (task.paused || task.ended) return "claim " + e.claim_id.value + " on a paused or ended task";
  if (blocks_.contains({task.employer, e.worker_id})) {
    return "claim " + e.claim_id.value + " granted to a worker its employer blocked";
  }
  if (e.worker_id == task.employer)
    return "claim " + e.claim_id.value + " on the worker's own task";
  if (e.expires_at.value != now_.value + task.claim_timeout_s * 1000) {
    return "claim " + e.claim_id.value + " does not last the task's claim timeout";
  }
  if (holding.active > 0) return "worker " + e.worker_id.value + " holds two claims on a task";
  if (holding.submissions >= task.max_per_worker) {
    return "worker " + e.worker_id.value + " claimed beyond max_per_worker";
  }
  if (std::string failure = track_item(task, e); !failure.empty()) return failure;
  holding.active += 1;
  task.live += 1;
  claims_[e.claim_id] = Claim{e.claim_id, e.worker_id, task.employer, e.expires_at, e.item.value};
  all_claims_.push_back(e.claim_id);
  claimed_.push_back(e.claim_id);
  return {};
}

// Items join a per_item task in order, with refs new to it, never more than its slots.
std::string Simulation::track_items(const ItemsAdded& e) {
  Task& task = tasks_[task_index_.at(e.task_id)];
  Items& items = task.items;
  if (!task.per_item || task.ended) return "items added to a plain or ended task";
  std::int64_t before = static_cast<std::int64_t>(items.refs.size());
  if (e.first != before + 1 || e.total != before + static_cast<std::int64_t>(e.items.size())) {
    return "items of " + e.task_id.value + " not numbered in order";
  }
  for (const Item& item : e.items) {
    if (!items.refs.insert(item.ref).second) return "duplicate ref " + item.ref + " accepted";
  }
  if (e.total > task.slots) return "task " + e.task_id.value + " holds more items than slots";
  return {};
}

// A claim on a per_item task takes the lowest returned item, else the next one never handed out;
// a plain task's claim takes none.
std::string Simulation::track_item(Task& task, const SlotClaimed& e) {
  Items& items = task.items;
  if (!task.per_item) return e.item.value == 0 ? "" : "a plain task's claim got an item";
  std::int64_t expected = items.returned.empty() ? items.next : *items.returned.begin();
  if (expected > static_cast<std::int64_t>(items.refs.size())) {
    return "claim " + e.claim_id.value + " granted without an item to work on";
  }
  if (e.item.value != expected) {
    return "claim " + e.claim_id.value + " got item " + std::to_string(e.item.value) + ", not " +
           std::to_string(expected);
  }
  if (items.returned.erase(expected) == 0) items.next += 1;
  return {};
}

// A proof is accepted only before the claim's deadline.
std::string Simulation::track_submission(const ProofSubmitted& e) {
  if (now_ >= claims_.at(e.claim_id).expires_at) {
    return "proof for " + e.claim_id.value + " accepted after the claim's deadline";
  }
  Holding& holding = holdings_[{e.task_id, e.worker_id}];
  holding.active -= 1;
  holding.submissions += 1;
  submitted_.push_back(e.claim_id);
  return track_claim_end(e.claim_id, false, claimed_);
}

// A submission goes back to its worker once, who holds the slot again for the task's claim timeout.
std::string Simulation::track_revision(const RevisionRequested& e) {
  if (++revisions_[e.claim_id] > 1) return "claim " + e.claim_id.value + " sent back twice";
  const Task& task = tasks_[task_index_.at(e.task_id)];
  if (e.resubmit_by.value != now_.value + task.claim_timeout_s * 1000) {
    return "revision of " + e.claim_id.value + " does not last the task's claim timeout";
  }
  Holding& holding = holdings_[{e.task_id, e.worker_id}];
  holding.active += 1;
  holding.submissions -= 1;
  claims_.at(e.claim_id).expires_at = e.resubmit_by;
  std::string failure = track_claim_end(e.claim_id, false, submitted_);
  claimed_.push_back(e.claim_id);
  return failure;
}

// An override pays a rejected claim once, like an approval; from the escrow it takes a free slot.
std::string Simulation::track_override(std::int32_t partition, const RejectionOverridden& e) {
  auto it = std::find(rejected_.begin(), rejected_.end(), e.claim_id);
  if (it == rejected_.end()) return "claim " + e.claim_id.value + " overridden but not rejected";
  rejected_.erase(it);
  if (claims_.at(e.claim_id).employer != e.employer_id) return "an override by a stranger";
  User& worker = users_[user_index_.at(e.worker_id)];
  worker.rejected -= 1;
  worker.approved += 1;
  queue_credit(partition, e.worker_id, e.paid, e.claim_id);
  approved_.push_back(e.claim_id);
  if (++approvals_[e.claim_id] > 1) return "claim " + e.claim_id.value + " approved twice";
  Task& task = tasks_[task_index_.at(e.task_id)];
  if (e.from_escrow) task.live += 1;
  std::int64_t item = claims_.at(e.claim_id).item;
  if (task.per_item && e.from_escrow && task.items.returned.erase(item) == 0) {
    return "override of " + e.claim_id.value + " took a slot without its item";
  }
  if (task.live > task.slots) return "override of " + e.claim_id.value + " oversold its task";
  touched_tasks_.push_back(e.task_id);
  return {};
}

// A task ends: no claim may be granted on it again, and it refunds exactly its free slots.
std::string Simulation::track_task_end(const TaskId& id, std::int64_t refunded_slots) {
  Task& task = tasks_[task_index_.at(id)];
  if (task.ended) return "task " + id.value + " ended twice";
  task.ended = true;
  if (refunded_slots != task.slots - task.live) {
    return "task " + id.value + " refunded " + std::to_string(refunded_slots) + " slots, not " +
           std::to_string(task.slots - task.live);
  }
  touched_tasks_.push_back(id);
  return {};
}

// A claim leaves the list it was in; if the slot returns to the pool, its task holds one less.
std::string Simulation::track_claim_end(const ClaimId& claim, bool frees_slot,
                                        std::vector<ClaimId>& from) {
  auto it = std::find(from.begin(), from.end(), claim);
  if (it == from.end()) return "claim " + claim.value + " changed state from an unexpected state";
  from.erase(it);
  TaskId task = *task_of_claim(claim.value);
  if (frees_slot) {
    Task& model = tasks_[task_index_.at(task)];
    model.live -= 1;
    if (std::int64_t item = claims_.at(claim).item; item > 0) model.items.returned.insert(item);
  }
  touched_tasks_.push_back(task);
  return {};
}

// The process manager: the approval at (partition, seq) becomes a credit on the worker's
// partition, naming the previous credit queued on the same route.
void Simulation::queue_credit(std::int32_t partition, const UserId& worker, Micros amount,
                              const ClaimId& claim) {
  const std::int64_t seq = static_cast<std::int64_t>(partitions_[partition].log.size());
  payouts_.push_back(event_id(partition, seq));
  const Route route{partition, partition_for(worker.value, config_.partitions)};
  std::int64_t& previous = last_queued_seq_[route];
  const std::int64_t lose_every = config_.fault_lose_every_nth_credit;
  if (lose_every > 0 && ++credits_queued_ % lose_every == 0) return;
  pending_credits_[route].push_back(
      CreditWorker{worker, amount, claim, event_id(partition, seq), partition, seq, previous});
  previous = seq;
}

// After every step: every partition's invariants, the ledger, and no task oversold.
std::string Simulation::check_step() {
  for (std::int32_t p = 0; p < config_.partitions; ++p) {
    std::string violation = check_invariants(partitions_[p].state);
    if (!violation.empty()) return "partition " + std::to_string(p) + ": " + violation;
  }
  for (const TaskId& id : touched_tasks_) {
    const Task& task = tasks_[task_index_.at(id)];
    if (task.live > task.slots) return "task " + id.value + " oversold";
    const TaskState* state =
        partitions_[partition_for(task.employer.value, config_.partitions)].state.find_task(id);
    if (state == nullptr) return "task " + id.value + " is missing from its partition";
    if (state->claimed + state->submitted + state->slots_approved() != task.live) {
      return "task " + id.value + " counters disagree with its claims";
    }
  }
  return check_ledger();
}

// The ledger over all events of all partitions: sums to zero, no user account and no
// clearing balance below zero.
std::string Simulation::check_ledger() const {
  std::int64_t sum = 0;
  for (const auto& [account, balance] : ledger_) {
    sum += balance;
    if (balance < 0 && (account.starts_with("user:") || account == accounts::kClearingPayouts ||
                        account == accounts::kPlatformFees)) {
      return account + " is negative: " + format_money(Micros{balance});
    }
  }
  if (sum != 0) return "the ledger sums to " + format_money(Micros{sum});
  return {};
}

std::string Simulation::verify_replay(std::int32_t partition) const {
  const Partition& live = partitions_[partition];
  PartitionState rebuilt;
  std::string previous_hash = kZeroHash;
  for (std::size_t i = 0; i < live.log.size(); ++i) {
    const std::string& bytes = live.log[i];
    const std::int64_t seq = static_cast<std::int64_t>(i) + 1;
    const std::string at = "partition " + std::to_string(partition) + " seq " + std::to_string(seq);
    std::string error;
    auto envelope = decode_envelope(bytes, &error);
    if (!envelope) return at + " does not decode: " + error;
    if (envelope->meta.seq != seq || envelope->meta.id != event_id(partition, seq) ||
        envelope->meta.source != event_source(partition)) {
      return at + " has wrong seq, id or source";
    }
    if (envelope->meta.prev_hash != previous_hash) return at + " breaks the hash chain";
    if (encode_envelope(envelope->meta, envelope->event) != bytes) {
      return at + " does not re-encode byte for byte";
    }
    previous_hash = sha256_hex(bytes);
    evolve(rebuilt, envelope->event);
  }
  if (previous_hash != live.last_hash) return "the last hash of the log differs";
  std::string difference = test_support::state_difference(live.state, rebuilt);
  if (!difference.empty()) return "state replayed from the log differs: " + difference;
  auto snapshot = decode_snapshot(encode_snapshot(live.state));
  if (!snapshot) return "the snapshot does not decode";
  difference = test_support::state_difference(live.state, *snapshot);
  if (!difference.empty()) return "state from the snapshot differs: " + difference;
  return {};
}

// Periodically: a rebuild of every partition from its log, every task's slots, and the user
// balances of the ledger against the states that hold them.
std::string Simulation::check_all() const {
  for (std::int32_t p = 0; p < config_.partitions; ++p) {
    std::string failure = verify_replay(p);
    if (!failure.empty()) return failure;
  }
  for (const Task& task : tasks_) {
    if (task.live > task.slots) return "task " + task.id.value + " oversold";
  }
  for (const User& user : users_) {
    const UserState* state =
        partitions_[partition_for(user.id.value, config_.partitions)].state.find_user(user.id);
    if (state == nullptr) return "user " + user.id.value + " is missing from its partition";
    auto balance = [&](const std::string& account) {
      auto it = ledger_.find(account);
      return Micros{it == ledger_.end() ? 0 : it->second};
    };
    if (state->available != balance(accounts::available(user.id)) ||
        state->escrow != balance(accounts::escrow(user.id))) {
      return "user " + user.id.value + "'s balances differ from the ledger";
    }
  }
  return {};
}

// After every credit was delivered: clearing drained to zero, every approval credited once.
std::string Simulation::check_final() const {
  Micros clearing;
  for (const Partition& partition : partitions_) {
    auto it = partition.state.shared_accounts.find(accounts::kClearingPayouts);
    if (it != partition.state.shared_accounts.end()) clearing += it->second;
  }
  if (clearing != Micros{0}) return "clearing:payouts holds " + format_money(clearing);
  auto it = ledger_.find(std::string(accounts::kClearingPayouts));
  if (it != ledger_.end() && it->second != 0) return "the ledger's clearing:payouts is not zero";
  // Every payout (approval or bonus) credited exactly once, and nothing else credited.
  if (payouts_.size() != credits_.size()) return "payouts and credits differ in number";
  for (const std::string& source : payouts_) {
    auto credit = credits_.find(source);
    if (credit == credits_.end() || credit->second != 1) {
      return "payout " + source + " was not credited exactly once";
    }
  }
  return {};
}

}  // namespace microjobs::simulation
