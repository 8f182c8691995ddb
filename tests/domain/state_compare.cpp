#include "tests/domain/state_compare.h"

#include <vector>

namespace microjobs::test_support {
namespace {

std::string text(std::int64_t value) { return std::to_string(value); }
std::string text(bool value) { return value ? "true" : "false"; }
std::string text(const std::string& value) { return '"' + value + '"'; }
std::string text(Micros value) { return format_money(value); }
std::string text(UnixMs value) { return std::to_string(value.value) + "ms"; }
std::string text(ClaimStatus value) { return std::string(claim_status_name(value)); }
std::string text(TaskStatus value) { return std::string(task_status_name(value)); }
template <class Tag>
std::string text(const Id<Tag>& id) {
  return text(id.value);
}
std::string text(const std::pair<UnixMs, ClaimId>& deadline) {
  return "(" + text(deadline.first) + ", " + text(deadline.second) + ")";
}
std::string text(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& value : values) out += text(value) + ",";
  return out + "]";
}

// Collects the first difference; later checks are skipped once one is found.
struct Differ {
  std::string first;

  template <class T>
  void check(const std::string& path, const T& expected, const T& actual) {
    if (!first.empty() || expected == actual) return;
    first = path + ": expected " + text(expected) + ", actual " + text(actual);
  }
  // Same keys on both sides, and each pair of values equal under `compare`.
  template <class Map, class Compare>
  void check_map(const std::string& path, const Map& expected, const Map& actual, Compare compare) {
    if (!first.empty()) return;
    if (expected.size() != actual.size()) {
      first = path + ": expected " + std::to_string(expected.size()) + " entries, actual " +
              std::to_string(actual.size());
      return;
    }
    for (const auto& [key, value] : expected) {
      auto it = actual.find(key);
      if (it == actual.end()) {
        first = path + ": " + text(key) + " is missing";
        return;
      }
      compare(*this, path + "[" + text(key) + "]", value, it->second);
      if (!first.empty()) return;
    }
  }
  template <class Map>
  void check_plain_map(const std::string& path, const Map& e, const Map& a) {
    check_map(path, e, a, [](Differ& d, const std::string& p, const auto& x, const auto& y) {
      d.check(p, x, y);
    });
  }
};

void compare_user(Differ& d, const std::string& path, const UserState& e, const UserState& a) {
  const auto& [e_registered, e_country, e_name, e_available, e_escrow, e_next_task, e_refs] = e;
  const auto& [a_registered, a_country, a_name, a_available, a_escrow, a_next_task, a_refs] = a;
  d.check(path + ".registered", e_registered, a_registered);
  d.check(path + ".country", e_country, a_country);
  d.check(path + ".display_name", e_name, a_name);
  d.check(path + ".available", e_available, a_available);
  d.check(path + ".escrow", e_escrow, a_escrow);
  d.check(path + ".next_task_number", e_next_task, a_next_task);
  d.check_plain_map(path + ".deposit_references", e_refs, a_refs);
}

void compare_claim(Differ& d, const std::string& path, const ClaimState& e, const ClaimState& a) {
  const auto& [e_worker, e_status, e_expires_at, e_submitted_at, e_revisions, e_bonuses] = e;
  const auto& [a_worker, a_status, a_expires_at, a_submitted_at, a_revisions, a_bonuses] = a;
  d.check(path + ".worker_id", e_worker, a_worker);
  d.check(path + ".status", e_status, a_status);
  d.check(path + ".expires_at", e_expires_at, a_expires_at);
  d.check(path + ".submitted_at", e_submitted_at, a_submitted_at);
  d.check(path + ".revisions", e_revisions, a_revisions);
  d.check(path + ".bonuses", e_bonuses, a_bonuses);
}

void compare_worker(Differ& d, const std::string& path, const WorkerOnTask& e,
                    const WorkerOnTask& a) {
  const auto& [e_active, e_submissions] = e;
  const auto& [a_active, a_submissions] = a;
  d.check(path + ".active_claims", e_active, a_active);
  d.check(path + ".submissions", e_submissions, a_submissions);
}

void compare_task(Differ& d, const std::string& path, const TaskState& e, const TaskState& a) {
  const auto& [e_employer, e_status, e_reward, e_fee, e_slots, e_timeout, e_window, e_expires, e_countries,
               e_rate, e_min_approved, e_max_per_worker, e_claimed, e_submitted, e_approved,
               e_rejected, e_next_claim, e_escrow, e_claims, e_workers] = e;
  const auto& [a_employer, a_status, a_reward, a_fee, a_slots, a_timeout, a_window, a_expires, a_countries,
               a_rate, a_min_approved, a_max_per_worker, a_claimed, a_submitted, a_approved,
               a_rejected, a_next_claim, a_escrow, a_claims, a_workers] = a;
  d.check(path + ".employer_id", e_employer, a_employer);
  d.check(path + ".status", e_status, a_status);
  d.check(path + ".reward", e_reward, a_reward);
  d.check(path + ".fee", e_fee, a_fee);
  d.check(path + ".slots", e_slots, a_slots);
  d.check(path + ".claim_timeout_s", e_timeout, a_timeout);
  d.check(path + ".auto_approve_after_s", e_window, a_window);
  d.check(path + ".expires_at", e_expires, a_expires);
  d.check(path + ".countries", e_countries, a_countries);
  d.check(path + ".min_approval_rate_bp", e_rate, a_rate);
  d.check(path + ".min_approved", e_min_approved, a_min_approved);
  d.check(path + ".max_per_worker", e_max_per_worker, a_max_per_worker);
  d.check(path + ".claimed", e_claimed, a_claimed);
  d.check(path + ".submitted", e_submitted, a_submitted);
  d.check(path + ".approved", e_approved, a_approved);
  d.check(path + ".rejected", e_rejected, a_rejected);
  d.check(path + ".next_claim_number", e_next_claim, a_next_claim);
  d.check(path + ".escrow", e_escrow, a_escrow);
  d.check_map(path + ".claims", e_claims, a_claims, compare_claim);
  d.check_map(path + ".workers", e_workers, a_workers, compare_worker);
}

void compare_deadlines(Differ& d, const std::string& name,
                       const std::set<std::pair<UnixMs, ClaimId>>& e,
                       const std::set<std::pair<UnixMs, ClaimId>>& a) {
  if (!d.first.empty() || e == a) return;
  for (const auto& deadline : e) {
    if (!a.contains(deadline)) {
      d.first = name + ": " + text(deadline) + " is missing";
      return;
    }
  }
  for (const auto& deadline : a) {
    if (!e.contains(deadline)) {
      d.first = name + ": " + text(deadline) + " is unexpected";
      return;
    }
  }
}

}  // namespace

std::string state_difference(const PartitionState& expected, const PartitionState& actual) {
  const auto& [e_users, e_tasks, e_deadlines, e_reviews, e_credits, e_shared] = expected;
  const auto& [a_users, a_tasks, a_deadlines, a_reviews, a_credits, a_shared] = actual;
  Differ d;
  d.check_map("users", e_users, a_users, compare_user);
  d.check_map("tasks", e_tasks, a_tasks, compare_task);
  compare_deadlines(d, "claim_deadlines", e_deadlines, a_deadlines);
  compare_deadlines(d, "review_deadlines", e_reviews, a_reviews);
  d.check_plain_map("last_credit_seq", e_credits, a_credits);
  d.check_plain_map("shared_accounts", e_shared, a_shared);
  return d.first;
}

}  // namespace microjobs::test_support
