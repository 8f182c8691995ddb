#pragma once
// A seeded, deterministic simulation of the write side at the domain level (TigerBeetle's VOPR
// in miniature): P partitions, each with its PartitionState and a log of envelope bytes written
// exactly as a partition processor writes them (seq from 1, prev_hash chain from kZeroHash);
// commands routed by partition_for(stream_of(command), P); a manual clock that sometimes jumps
// past claim deadlines; and a process manager that turns each SubmissionApproved into a
// CreditWorker on the worker's partition, sometimes late, repeated or out of order.
//
// Faults where the write side meets them, each followed by a check: an append that fails after
// the processor applied the event in memory (it rebuilds the partition from its snapshot and log,
// and the client's retry must be decided exactly as before), an append reported failed that was
// durable (the rebuilt partition must answer the retry as a repeat), and a processor restarted
// at a random moment (its snapshot plus the log's tail must give the live state and the same
// remembered commands, and the chain's head). The processor snapshots each partition every N events
// and at stop; the simulation snapshots all partitions every `snapshot_every` steps.
//
// Single-threaded; one Simulation per run. The same seed and config give the same run, bit for
// bit: all randomness comes from one std::mt19937_64 (fully specified by the standard) and
// choices are never made by iterating an unordered container.
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/decider.h"
#include "domain/idempotency.h"

namespace microjobs::simulation {

struct Config {
  std::int32_t partitions = 4;
  int workers = 30;
  int employers = 8;
  std::int64_t steps = 25'000;
  std::int64_t replay_every = 1'000;  // steps between full rebuilds from the logs
  // Faults injected on purpose by the tests that prove the checks can fail (0: none).
  // The live state applies the first SlotClaimed at or after this step twice.
  std::int64_t fault_apply_twice_at_step = 0;
  std::int64_t fault_lose_every_nth_credit = 0;  // the process manager loses some approvals
  // Faults of the write side, in thousandths: of accepted commands, and of steps for restarts.
  std::uint64_t append_fails_per_mille = 10;
  std::uint64_t append_ambiguous_per_mille = 10;
  std::uint64_t restart_per_mille = 3;
  std::int64_t snapshot_every = 500;  // steps between snapshots of every partition
};

// What a processor's snapshot holds: the state, the commands it remembers, how much log it covers
// and the chain's head there.
struct PartitionSnapshot {
  std::string state;
  std::vector<std::pair<std::string, RememberedCommand>> remembered;
  std::size_t log_size = 0;
  std::string last_hash = kZeroHash;
};

// What a processor remembers of accepted commands: 24 h, as in production.
inline IdempotencyTable remembered_commands() { return IdempotencyTable{24LL * 3600 * 1000, 4'000'000}; }

struct Partition {
  PartitionState state;
  // What the partition's processor remembers of accepted commands (24 h, as in production).
  IdempotencyTable idempotency = remembered_commands();
  std::vector<std::string> log;  // envelope bytes, seq = index + 1
  std::string last_hash;
  PartitionSnapshot snapshot;
};

struct Stats {
  std::int64_t commands = 0;
  std::map<std::string, std::int64_t> outcomes;  // event type or rejection code -> count
};

// What a command's outcome must be; the simulation knows it for some commands (a due claim must
// expire, a credit delivered in order must apply, a repeated deposit must be `exists`).
enum class Expect {
  anything,
  accepted,
  exists,
  exists_with_different_amount,
  out_of_order,
  wrong_state,
  idempotency_key_reused
};

class Simulation {
 public:
  Simulation(std::uint64_t seed, Config config);

  // Runs all steps, then delivers every pending credit and checks the final state. Returns empty
  // on success, else the first failure, naming the seed, the step and the last command.
  std::string run();
  // Runs `steps` steps (no final drain); for tests of the checks themselves.
  std::string run_steps(std::int64_t steps);

  // Rebuilds the partition from its log alone and compares it with the live state; also checks
  // the hash chain, seq numbering, byte-exact re-encoding and a snapshot round trip.
  std::string verify_replay(std::int32_t partition) const;
  // Rebuilds the partition from its last snapshot and the log's tail, as a restarted processor
  // does, and goes on from there; with `compare`, first checks that it equals the live partition.
  std::string restart(std::int32_t partition, bool compare);

  const Stats& stats() const { return stats_; }
  std::vector<Partition>& partitions() { return partitions_; }

 private:
  struct User {
    UserId id;
    std::string country;
    std::int64_t approved = 0;
    std::int64_t rejected = 0;
    std::vector<std::pair<std::string, Micros>> deposits;
    bool erased = false;  // its display name was erased: the same profile again is an update
  };
  struct Claim {
    ClaimId id;
    UserId worker;
    UserId employer;
    UnixMs expires_at;
    std::int64_t item = 0;
  };
  // A per_item task's items as the model sees them: how many, which refs, which one a claim gets.
  struct Items {
    std::set<std::string> refs;
    std::int64_t next = 1;          // never handed out from here on
    std::set<std::int64_t> returned;  // came back from a claim: they go first, lowest first
  };
  struct Task {
    TaskId id;
    UserId employer;
    std::int64_t slots = 0;
    std::int64_t live = 0;  // claims that hold a slot: claimed, submitted or approved
    UnixMs expires_at;
    std::int64_t max_per_worker = 1;
    std::int64_t claim_timeout_s = 0;
    bool paused = false;
    bool ended = false;  // cancelled or expired
    bool per_item = false;
    Items items;
  };
  // One worker on one task, as the simulation's own model sees it.
  struct Holding {
    std::int64_t active = 0;
    std::int64_t submissions = 0;
  };
  using Route = std::pair<std::int32_t, std::int32_t>;  // (source, destination) partition

  std::string step();
  std::string register_user(std::size_t index);
  std::string register_again();
  std::string register_webhook();
  std::string erase_user();
  std::string deposit();
  std::string withdraw();
  std::string settle_withdrawal();
  std::string track_withdrawal(const WithdrawalId& id, Micros amount);
  std::string settle_tracked(const WithdrawalId& id, WithdrawalStatus to);
  std::string post_task();
  std::string control_task();
  std::string add_items(Task& task, const UserId& owner);
  std::string claim_slot();
  std::string abandon_claim();
  std::string submit_proof();
  std::string review();
  std::string deliver_credits();
  std::string deliver_one_credit(const Route& route);
  std::string run_scheduler();
  std::string drain_credits();

  std::string hostile();
  void take_snapshots();
  std::string restart_one();
  std::string fail_append(std::int32_t partition, const Command& command, const CommandId& id,
                          std::uint64_t fingerprint, const Event& event);
  std::string retry_after_ambiguous_append(std::int32_t partition, const Command& command,
                                           const CommandId& id, std::uint64_t fingerprint);
  EnvelopeMeta next_meta(std::int32_t partition, const std::string& stream, const CommandId& id,
                         std::uint64_t fingerprint) const;
  CommandId id_for(const Command& command) const;
  std::string execute(const Command& command, Expect expect = Expect::anything);
  std::string execute_as(const Command& command, const CommandId& id, Expect expect);
  void append(std::int32_t partition, const std::string& stream, const Event& event,
              const CommandId& id, std::uint64_t fingerprint);
  std::string on_event(std::int32_t partition, const Event& event);
  void post_transfers(const Event& event);
  std::string track_claim(const SlotClaimed& event);
  std::string track_items(const ItemsAdded& event);
  std::string track_item(Task& task, const SlotClaimed& event);
  std::string track_submission(const ProofSubmitted& event);
  std::string track_revision(const RevisionRequested& event);
  std::string track_override(std::int32_t partition, const RejectionOverridden& event);
  std::string track_task_end(const TaskId& task, std::int64_t refunded_slots);
  std::string track_claim_end(const ClaimId& claim, bool frees_slot, std::vector<ClaimId>& from);
  void queue_credit(std::int32_t partition, const UserId& worker, Micros amount,
                    const ClaimId& claim);

  std::string check_step();
  std::string check_ledger() const;
  std::string check_all() const;
  std::string check_final() const;
  std::string where() const;

  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : engine_() % n; }
  bool chance(std::uint64_t percent) { return below(100) < percent; }
  bool chance_per_mille(std::uint64_t per_mille) { return below(1000) < per_mille; }
  User& random_user(bool employer);
  Task* pick_task();
  static void erase_claim(std::vector<ClaimId>& claims, const ClaimId& claim);

  std::uint64_t seed_;
  Config config_;
  std::mt19937_64 engine_;
  UnixMs now_;
  std::int64_t step_ = 0;
  std::string last_command_;
  std::vector<Partition> partitions_;
  std::vector<User> users_;  // workers first, then employers
  std::unordered_map<UserId, std::size_t> user_index_;
  std::vector<Task> tasks_;
  std::unordered_map<TaskId, std::size_t> task_index_;
  std::unordered_map<ClaimId, Claim> claims_;
  std::vector<ClaimId> all_claims_, claimed_, submitted_;
  std::vector<TaskId> touched_tasks_;
  std::map<std::pair<TaskId, UserId>, Holding> holdings_;
  std::map<std::string, std::int64_t> ledger_;  // account -> balance, folded from all transfers
  std::unordered_map<ClaimId, int> approvals_, revisions_;
  std::vector<ClaimId> approved_;            // in approval order, for bonuses
  std::vector<ClaimId> rejected_;            // rejected and not overridden (yet)
  std::set<std::pair<UserId, UserId>> blocks_;  // (employer, worker)
  std::map<WithdrawalId, WithdrawalStatus> withdrawals_;  // as the model saw them settle
  std::vector<WithdrawalId> withdrawal_ids_;              // in request order
  std::vector<std::string> payouts_;         // event ids of approvals and bonuses, in log order
  std::unordered_map<std::string, int> credits_;  // payout event id -> credits applied
  std::map<Route, std::deque<CreditWorker>> pending_credits_;
  std::map<Route, std::int64_t> last_queued_seq_;
  std::map<Route, CreditWorker> last_delivered_;
  std::int64_t credits_queued_ = 0;
  // Hostile principals named like the system's namespaces, each with the keys it used:
  // (key, country it sent, when).
  std::map<std::string, std::vector<std::tuple<std::string, std::string, UnixMs>>> hostile_keys_;
  Stats stats_;
};

}  // namespace microjobs::simulation
