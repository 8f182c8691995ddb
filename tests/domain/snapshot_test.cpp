// Tests of the binary snapshot of a PartitionState, and of state_difference(), the comparison the
// snapshot tests and the simulation rely on: it must see a change in any single field.
#include "domain/snapshot.h"
#include "domain/codec/sha256.h"

#include <gtest/gtest.h>

#include <functional>
#include <type_traits>

#include "tests/domain/state_compare.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// Two employers on one partition, two tasks (one per_item, with a returned item), claims in every
// status, deposits, and credits from
// two source partitions: every collection of the state holds something.
PartitionState rich_state() {
  std::vector<Event> events = open_task(
      {.slots = 5, .countries = {"ID", "PH"}, .min_approval_rate_bp = 9000, .max_per_worker = 2});
  for (const Event& event : std::initializer_list<Event>{
           user_registered("boss", "DE", "Boss GmbH"),
           funds_deposited("boss", "7.5", "b-1"),
           funds_deposited("emp", "0.000001", "ref-2"),
           task_posted(
               {.employer = "boss", .reward = "1.00", .fee = "0.20", .slots = 2, .per_item = true}),
           ItemsAdded{TaskId{"boss.1"}, UserId{"boss"}, 1, 2,
                      {{"a", JsonText{"1"}}, {"b", JsonText{"[2]"}}}},
           SlotClaimed{TaskId{"boss.1"}, ClaimId{"boss.1.1"}, UserId{"w7"}, at_s(3606), ItemNumber{1}},
           claim_abandoned("boss.1.1", "w7"),
           SlotClaimed{TaskId{"boss.1"}, ClaimId{"boss.1.2"}, UserId{"w8"}, at_s(3607), ItemNumber{2}},
           slot_claimed("emp.1.1", "w1", at_s(3600)),
           slot_claimed("emp.1.2", "w2", at_s(3601)),
           proof_submitted("emp.1.2", "w2", at_s(50)),
           slot_claimed("emp.1.3", "w3", at_s(3602)),
           proof_submitted("emp.1.3", "w3", at_s(60)),
           submission_approved("emp.1.3", "w3"),
           slot_claimed("emp.1.4", "w4", at_s(3603)),
           claim_abandoned("emp.1.4", "w4"),
           slot_claimed("emp.1.5", "w5", at_s(3604)),
           claim_expired("emp.1.5", "w5"),
           slot_claimed("emp.1.6", "w6", at_s(3605)),
           proof_submitted("emp.1.6", "w6", at_s(70)),
           submission_rejected("emp.1.6", "w6"),
           user_registered("w1", "ID", "Wayan \xc3\xbc"),
           worker_credited("w1", "0.50", 2, 17),
           worker_credited("w1", "0.25", 0, 3),
           UserProfileUpdated{UserId{"w1"}, "PH", "W"}}) {
    events.push_back(event);
  }
  return given(events);
}

TEST(Snapshot, TheRichStateIsValidAndRich) {
  PartitionState state = rich_state();
  EXPECT_EQ(check_invariants(state), "");
  EXPECT_EQ(state.users.size(), 3u);
  EXPECT_EQ(state.tasks.size(), 2u);
  EXPECT_EQ(state.tasks.at(TaskId{"emp.1"}).claims.size(), 6u);
  EXPECT_EQ(state.claim_deadlines.size(), 2u);
  EXPECT_EQ(state.tasks.at(TaskId{"boss.1"}).returned_items.size(), 1u);
  EXPECT_EQ(state.last_credit_seq.size(), 2u);
  EXPECT_GE(state.shared_accounts.size(), 3u);
}

TEST(Snapshot, RoundTripsARichState) {
  PartitionState state = rich_state();
  auto decoded = decode_snapshot(encode_snapshot(state));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(state_difference(state, *decoded), "");
  EXPECT_EQ(check_invariants(*decoded), "");
}

TEST(Snapshot, RoundTripsAnEmptyState) {
  auto decoded = decode_snapshot(encode_snapshot(PartitionState{}));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(state_difference(PartitionState{}, *decoded), "");
}

// The processor's periodic snapshot: hash maps as they hold their entries, appended to what the
// buffer already has, and decoded to the same state as the canonical bytes.
TEST(Snapshot, AnUnorderedSnapshotDecodesToTheSameState) {
  PartitionState state = rich_state();
  std::string bytes = "header";
  append_snapshot_unordered(state, bytes);
  ASSERT_EQ(bytes.substr(0, 6), "header");
  auto decoded = decode_snapshot(std::string_view(bytes).substr(6));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(state_difference(state, *decoded), "");
  EXPECT_EQ(encode_snapshot(*decoded), encode_snapshot(state));
}

// Canonical bytes do not depend on the order the hash maps were filled in (tests compare live and
// rebuilt states by their bytes).
TEST(Snapshot, CanonicalBytesDoNotDependOnTheOrderOfInsertion) {
  PartitionState forward, backward;
  std::vector<std::string> ids;
  for (int i = 0; i < 64; ++i) ids.push_back("u" + std::to_string(i * 7919 % 1000));
  for (const std::string& id : ids) forward.users[UserId{id}].country = "DE";
  for (auto id = ids.rbegin(); id != ids.rend(); ++id) backward.users[UserId{*id}].country = "DE";
  std::string forward_unordered, backward_unordered;
  append_snapshot_unordered(forward, forward_unordered);
  append_snapshot_unordered(backward, backward_unordered);
  ASSERT_NE(forward_unordered, backward_unordered);  // the hash maps do hold them in another order
  EXPECT_EQ(encode_snapshot(forward), encode_snapshot(backward));
}

// The decoded state must also behave the same: the scheduler's deadlines are rebuilt from claims.
TEST(Snapshot, RebuildsClaimDeadlines) {
  auto decoded = decode_snapshot(encode_snapshot(rich_state()));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(due_claims(*decoded, at_s(99'999), 10),
            (std::vector<ClaimId>{ClaimId{"emp.1.1"}, ClaimId{"boss.1.2"}}));
}

TEST(Snapshot, FailsOnEveryTruncation) {
  std::string bytes = encode_snapshot(rich_state());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(decode_snapshot(std::string_view(bytes).substr(0, length)).has_value())
        << length << " of " << bytes.size() << " bytes";
  }
}

// Regression (found by tests/fuzz snapshot_fuzz): a damaged snapshot with a review window of
// 3.3e18 s decoded, and rebuilding the deadlines overflowed. Values beyond any the rules allow
// are refused now, as a damaged snapshot is (the processor then replays the log).
TEST(Snapshot, ValuesNoRuleCouldReachAreRefused) {
  PartitionState state = rich_state();
  state.tasks.at(TaskId{"emp.1"}).auto_approve_after_s = 3'329'622'673'586'349'440;
  EXPECT_FALSE(decode_snapshot(encode_snapshot(state)).has_value());
  state = rich_state();
  state.users.at(UserId{"boss"}).available = Micros{std::int64_t{1} << 61};
  EXPECT_FALSE(decode_snapshot(encode_snapshot(state)).has_value());
  state = rich_state();
  state.tasks.at(TaskId{"emp.1"}).expires_at = UnixMs{kMaxUnixMs.value + 1};
  EXPECT_FALSE(decode_snapshot(encode_snapshot(state)).has_value());
  state = rich_state();
  state.tasks.at(TaskId{"emp.1"}).auto_approve_after_s = 30 * 86400;
  EXPECT_TRUE(decode_snapshot(encode_snapshot(state)).has_value());
}

TEST(Snapshot, FailsOnTrailingBytesAndAnotherFormat) {
  std::string bytes = encode_snapshot(rich_state());
  EXPECT_FALSE(decode_snapshot(bytes + "x").has_value());
  std::string other_version = bytes;
  other_version[0] = static_cast<char>(other_version[0] + 1);
  EXPECT_FALSE(decode_snapshot(other_version).has_value());
  EXPECT_FALSE(decode_snapshot("").has_value());
}

// A count field that claims more items than the bytes can hold must fail, not allocate.
TEST(Snapshot, FailsOnAHugeCount) {
  std::string bytes = encode_snapshot(PartitionState{});
  ASSERT_EQ(bytes.size(), 40u);  // format + four empty collections
  bytes.replace(8, 8, std::string(8, '\xff'));
  EXPECT_FALSE(decode_snapshot(bytes).has_value());
}

using Mutation = std::function<void(PartitionState&)>;

std::vector<std::pair<const char*, Mutation>> mutations() {
  auto task = [](PartitionState& s) -> TaskState& { return s.tasks.at(TaskId{"emp.1"}); };
  auto claim = [task](PartitionState& s) -> ClaimState& {
    return task(s).claims.at(ClaimId{"emp.1.2"});
  };
  auto user = [](PartitionState& s) -> UserState& { return s.users.at(UserId{"w1"}); };
  return {
      {"user.registered", [=](PartitionState& s) { user(s).registered = false; }},
      {"user.country", [=](PartitionState& s) { user(s).country = "ID"; }},
      {"user.display_name", [=](PartitionState& s) { user(s).display_name += "!"; }},
      {"user.available", [=](PartitionState& s) { user(s).available += Micros{1}; }},
      {"user.escrow", [=](PartitionState& s) { user(s).escrow += Micros{1}; }},
      {"user.next_task_number", [=](PartitionState& s) { user(s).next_task_number += 1; }},
      {"user.deposit_reference amount",
       [](PartitionState& s) {
         s.users.at(UserId{"emp"}).extras.write().deposit_references.at("ref-2") += Micros{1};
       }},
      {"user.deposit_reference key",
       [](PartitionState& s) {
         auto& refs = s.users.at(UserId{"emp"}).extras.write().deposit_references;
         refs["ref-3"] = refs.at("ref-2");
         refs.erase("ref-2");
       }},
      {"another user", [](PartitionState& s) { s.users[UserId{"ghost"}]; }},
      {"task.employer_id", [=](PartitionState& s) { task(s).employer_id = UserId{"boss"}; }},
      {"task.status", [=](PartitionState& s) { task(s).status = TaskStatus::paused; }},
      {"task.reward", [=](PartitionState& s) { task(s).reward += Micros{1}; }},
      {"task.fee", [=](PartitionState& s) { task(s).fee += Micros{1}; }},
      {"task.slots", [=](PartitionState& s) { task(s).slots += 1; }},
      {"task.claim_timeout_s", [=](PartitionState& s) { task(s).claim_timeout_s += 1; }},
      {"task.expires_at", [=](PartitionState& s) { task(s).expires_at.value += 1; }},
      {"task.countries", [=](PartitionState& s) { task(s).countries.pop_back(); }},
      {"task.min_approval_rate_bp", [=](PartitionState& s) { task(s).min_approval_rate_bp += 1; }},
      {"task.min_approved", [=](PartitionState& s) { task(s).min_approved += 1; }},
      {"task.max_per_worker", [=](PartitionState& s) { task(s).max_per_worker += 1; }},
      {"task.claimed", [=](PartitionState& s) { task(s).claimed += 1; }},
      {"task.submitted", [=](PartitionState& s) { task(s).submitted += 1; }},
      {"task.approved", [=](PartitionState& s) { task(s).approved += 1; }},
      {"task.rejected", [=](PartitionState& s) { task(s).rejected += 1; }},
      {"task.next_claim_number", [=](PartitionState& s) { task(s).next_claim_number += 1; }},
      {"task.escrow", [=](PartitionState& s) { task(s).escrow += Micros{1}; }},
      {"claim.worker_id", [=](PartitionState& s) { claim(s).worker_id = UserId{"w9"}; }},
      {"claim.status", [=](PartitionState& s) { claim(s).status = ClaimStatus::approved; }},
      {"claim.expires_at", [=](PartitionState& s) { claim(s).expires_at.value += 1; }},
      {"claim.submitted_at", [=](PartitionState& s) { claim(s).submitted_at.value += 1; }},
      {"claim.revisions", [=](PartitionState& s) { claim(s).revisions += 1; }},
      {"claim.bonuses", [=](PartitionState& s) { claim(s).bonuses += 1; }},
      {"claim.rejected_at", [=](PartitionState& s) { claim(s).rejected_at.value += 1; }},
      {"claim.overridden", [=](PartitionState& s) { claim(s).overridden = true; }},
      {"task.approved_beyond_slots", [=](PartitionState& s) { task(s).approved_beyond_slots += 1; }},
      {"task.auto_approve_after_s", [=](PartitionState& s) { task(s).auto_approve_after_s += 1; }},
      {"another claim",
       [=](PartitionState& s) {
         task(s).claims[ClaimId{"emp.1.9"}].status = ClaimStatus::abandoned;
       }},
      {"worker.active_claims",
       [=](PartitionState& s) { task(s).workers.at(UserId{"w2"}).active_claims += 1; }},
      {"worker.submissions",
       [=](PartitionState& s) { task(s).workers.at(UserId{"w2"}).submissions += 1; }},
      {"another worker", [=](PartitionState& s) { task(s).workers[UserId{"w9"}]; }},
      {"another task", [](PartitionState& s) { s.tasks[TaskId{"emp.9"}]; }},
      {"claim_deadlines", [](PartitionState& s) { s.claim_deadlines.clear(); }},
      {"last_credit_seq", [](PartitionState& s) { s.last_credit_seq.at(2) += 1; }},
      {"shared_accounts",
       [](PartitionState& s) { s.shared_accounts.at("platform:fees") += Micros{1}; }},
  };
}

TEST(StateDifference, FindsNoDifferenceBetweenEqualStates) {
  EXPECT_EQ(state_difference(rich_state(), rich_state()), "");
}

// Proves the comparison used by the simulation's replay check sees any single changed field,
// in either direction.
TEST(StateDifference, FindsAChangeInAnySingleField) {
  for (const auto& [name, mutate] : mutations()) {
    SCOPED_TRACE(name);
    PartitionState original = rich_state();
    PartitionState changed = rich_state();
    mutate(changed);
    EXPECT_NE(state_difference(original, changed), "");
    EXPECT_NE(state_difference(changed, original), "");
  }
}

// The same mutations survive a snapshot round trip, so the snapshot writes every field.
TEST(Snapshot, KeepsAChangeInAnySingleField) {
  for (const auto& [name, mutate] : mutations()) {
    SCOPED_TRACE(name);
    if (std::string_view(name) == "claim_deadlines") continue;  // derived from the claims
    PartitionState changed = rich_state();
    mutate(changed);
    changed.rebuild_deadlines();
    auto decoded = decode_snapshot(encode_snapshot(changed));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(state_difference(changed, *decoded), "");
    EXPECT_NE(state_difference(rich_state(), *decoded), "");
  }
}

// Changes the n-th value the state's visit() lists reach (map keys excepted), whatever its type:
// the generic tests below then cover a field the day it is added to a visit() list.
struct MutateNth {
  std::size_t n;
  std::size_t seen = 0;
  bool done() const { return seen > n; }

  template <class T> void operator()(std::string_view, T& value) { change(value); }
  template <class T> void change(T& value) {
    if constexpr (requires { value.visit(*this); }) {
      value.visit(*this);
    } else if constexpr (requires { value.begin()->second; }) {
      for (auto& entry : value) change(entry.second);
    } else if (seen++ == n) {
      if constexpr (std::is_same_v<T, bool>) {
        value = !value;
      } else if constexpr (std::is_enum_v<T>) {
        value = static_cast<T>(static_cast<int>(value) == 0 ? 1 : 0);
      } else if constexpr (std::is_integral_v<T>) {
        value += 1;
      } else if constexpr (requires { value.value += 1; }) {
        value.value += 1;
      } else if constexpr (requires { value.value += "x"; }) {
        value.value += "x";
      } else if constexpr (std::is_same_v<T, std::string>) {
        value += "x";
      } else if constexpr (std::is_same_v<typename T::value_type, std::string>) {
        value.push_back("ZZ");
      } else {
        value.insert(value.end(), typename T::value_type{7});
      }
    }
  }
};

TEST(StateDifference, SeesAndTheSnapshotKeepsAChangeInEveryVisitedValue) {
  std::size_t mutated = 0;
  for (std::size_t n = 0;; ++n) {
    PartitionState changed = rich_state();
    MutateNth mutate{n};
    changed.visit(mutate);
    if (!mutate.done()) break;
    ++mutated;
    SCOPED_TRACE("value #" + std::to_string(n));
    ASSERT_NE(state_difference(rich_state(), changed), "");
    changed.rebuild_deadlines();
    auto decoded = decode_snapshot(encode_snapshot(changed));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(state_difference(changed, *decoded), "");
  }
  EXPECT_GT(mutated, 100u);  // the rich state reaches every kind of field
}

// The rich state with what rich_state() leaves at its defaults: a blocked worker, a webhook and
// a withdrawal (the fields of UserState::extras).
PartitionState golden_state() {
  PartitionState state = rich_state();
  for (const Event& event : std::initializer_list<Event>{
           WorkerBlocked{UserId{"emp"}, UserId{"w9"}, "spam"},
           WebhookRegistered{WebhookId{"emp.h1"}, UserId{"emp"}, "https://example.com/hook", {"task.posted.v1"}},
           WithdrawalRequested{WithdrawalId{"w1.w1"}, UserId{"w1"}, Micros{250'000}, "bank",
                               {{"user:w1:available", "user:w1:pending_withdrawal", Micros{250'000}}}}}) {
    evolve(state, event);
  }
  return state;
}

// A snapshot's bytes are its format: a node restarts from snapshots that an older build wrote.
// Moving fields in memory (UserState::extras out of line) must leave them as they were, and a
// change of them must come with a new kFormat (older snapshots are then ignored and the
// partitions replay their logs). Pinned here by the hash of this state's snapshot in format 7
// (claims by number); format 6 gave 2878206f..., unchanged by UserExtras.
TEST(Snapshot, TheBytesOfASnapshotAreThoseOfItsFormat) {
  EXPECT_EQ(sha256_hex(encode_snapshot(golden_state())),
            "ca898e3b2c43406b88380d5dcff967030a7405377b8d18339a488956847f50d7");
}

// A worker who only claims has no extras, before and after a snapshot: reading one allocates
// them only for users whose extras are not the defaults.
TEST(Snapshot, AUserWithoutExtrasHasNoneAfterARestore) {
  PartitionState state = golden_state();
  auto restored = decode_snapshot(encode_snapshot(state));
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(state_difference(state, *restored), "");
  for (const char* user : {"w1", "emp"}) {
    EXPECT_TRUE(restored->users.at(UserId{user}).extras.allocated()) << user;
  }
  EXPECT_FALSE(state.users.at(UserId{"boss"}).extras->blocked.contains(UserId{"w9"}));
  EXPECT_TRUE(restored->users.at(UserId{"emp"}).extras->blocked.contains(UserId{"w9"}));
  evolve(state, UserRegistered{UserId{"w2"}, "ID", "W2"});
  restored = decode_snapshot(encode_snapshot(state));
  ASSERT_TRUE(restored.has_value());
  EXPECT_FALSE(state.users.at(UserId{"w2"}).extras.allocated());
  EXPECT_FALSE(restored->users.at(UserId{"w2"}).extras.allocated());
}

// A copy of a state owns its extras: changing them in the copy leaves the original as it was.
TEST(Snapshot, ACopiedStateHasExtrasOfItsOwn) {
  PartitionState state = golden_state();
  PartitionState copy = state;
  copy.users.at(UserId{"emp"}).extras.write().blocked.erase(UserId{"w9"});
  EXPECT_TRUE(state.users.at(UserId{"emp"}).extras->blocked.contains(UserId{"w9"}));
  EXPECT_NE(state_difference(state, copy), "");
}

}  // namespace
}  // namespace microjobs
