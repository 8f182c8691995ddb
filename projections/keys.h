#pragma once
// Key layout of the read models in the ReadStore. One place, so that the projector (writer) and
// ReadModels (reader) cannot disagree.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace microjobs::keys {

inline std::string position(std::int32_t partition) { return "pos/" + std::to_string(partition); }
inline std::string task(std::string_view id) { return "task/" + std::string(id); }
inline std::string claim(std::string_view id) { return "claim/" + std::string(id); }
inline std::string user(std::string_view id) { return "user/" + std::string(id); }
inline std::string withdrawal(std::string_view id) { return "wdr/" + std::string(id); }
inline std::string account(std::string_view id) { return "acct/" + std::string(id); }
inline std::string reputation(std::string_view id) { return "rep/" + std::string(id); }
inline std::string shared_account(std::string_view name) { return "shared/" + std::string(name); }

inline constexpr std::string_view kFeedNewest = "feed/n/";
inline constexpr std::string_view kFeedReward = "feed/r/";

// Fixed-width hex, so that a forward scan yields the smallest first.
inline std::string ascending(std::int64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

// The review queue: a task's claims by status, ordered by the time they entered it.
inline std::string review_queue_prefix(std::string_view task_id, std::string_view status) {
  return "queue/" + std::string(task_id) + "/" + std::string(status) + "/";
}
inline std::string review_queue(std::string_view task_id, std::string_view status,
                                std::int64_t since_ms, std::string_view claim_id) {
  return review_queue_prefix(task_id, status) + ascending(since_ms) + std::string(claim_id);
}

// The workers an employer blocked, by worker id.
inline std::string blocks_prefix(std::string_view employer) {
  return "block/" + std::string(employer) + "/";
}
inline std::string block(std::string_view employer, std::string_view worker) {
  return blocks_prefix(employer) + std::string(worker);
}

// How many of an employer's reviews took exactly `seconds` (an 8-byte count), in ascending order
// of seconds, so that the exact median is one ordered scan.
inline std::string review_time_prefix(std::string_view employer) {
  return "revtime/" + std::string(employer) + "/";
}
inline std::string review_time(std::string_view employer, std::int64_t seconds) {
  return review_time_prefix(employer) + ascending(seconds);
}

// Fixed-width hex of the bitwise complement, so that a forward scan yields the largest first.
inline std::string descending(std::int64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx",
                static_cast<unsigned long long>(~static_cast<std::uint64_t>(value)));
  return buffer;
}

// The feed is indexed per scope, so that a worker's page never scans what its country may not
// claim: "all" holds every listed task, "open" those without country targeting, and each ISO code
// those targeting that country. A worker's feed merges "open" with its own country.
inline constexpr std::string_view kFeedAll = "all";
inline constexpr std::string_view kFeedOpen = "open";
inline std::string feed_prefix(bool by_reward, std::string_view scope) {
  return std::string(by_reward ? kFeedReward : kFeedNewest) + std::string(scope) + "/";
}
inline std::string feed_newest(std::string_view scope, std::int64_t posted_ms,
                               std::string_view task_id) {
  return feed_prefix(false, scope) + descending(posted_ms) + std::string(task_id);
}
inline std::string feed_reward(std::string_view scope, std::int64_t reward_micros,
                               std::int64_t posted_ms, std::string_view task_id) {
  return feed_prefix(true, scope) + descending(reward_micros) + descending(posted_ms) +
         std::string(task_id);
}

// A worker's claims, newest first: under "all" by the time claimed (never moves), and under the
// claim's status by the time it entered it (moves with the status).
inline std::string worker_claims_prefix(std::string_view worker, std::string_view status) {
  return "wclaim/" + std::string(worker) + "/" + std::string(status) + "/";
}
inline std::string worker_claim(std::string_view worker, std::string_view status,
                                std::int64_t since_ms, std::string_view claim_id) {
  return worker_claims_prefix(worker, status) + descending(since_ms) + std::string(claim_id);
}

// A per_item task's items in number order, and by status in number order (the oldest first).
inline std::string items_prefix(std::string_view task_id) {
  return "item/" + std::string(task_id) + "/";
}
inline std::string item(std::string_view task_id, std::int64_t number) {
  return items_prefix(task_id) + ascending(number);
}
inline std::string item_status_prefix(std::string_view task_id, std::string_view status) {
  return "itemst/" + std::string(task_id) + "/" + std::string(status) + "/";
}
inline std::string item_status(std::string_view task_id, std::string_view status,
                               std::int64_t number) {
  return item_status_prefix(task_id, status) + ascending(number);
}

// An employer's tasks, newest first.
inline std::string employer_tasks_prefix(std::string_view employer) {
  return "etask/" + std::string(employer) + "/";
}
inline std::string employer_task(std::string_view employer, std::int64_t posted_ms,
                                 std::string_view task_id) {
  return employer_tasks_prefix(employer) + descending(posted_ms) + std::string(task_id);
}

// A user's statement: one line per transfer leg on its buckets, in log order.
inline std::string statement_prefix(std::string_view user) {
  return "stmt/" + std::string(user) + "/";
}
inline std::string statement_line(std::string_view user, std::int64_t offset, std::int64_t leg) {
  return statement_prefix(user) + ascending(offset) + ascending(leg);
}

}  // namespace microjobs::keys
