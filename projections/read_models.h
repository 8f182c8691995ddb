#pragma once
// Queries over the read models that the Projector maintains. Any thread.
#include <optional>

#include "domain/result.h"
#include "projections/read_store.h"
#include "projections/views.h"

namespace microjobs {

struct ScopeScan;  // one feed scope's part of a page (read_models.cpp)

class ReadModels {
 public:
  explicit ReadModels(ReadStore& store) : store_(store) {}

  std::optional<TaskView> task(const TaskId& id);
  std::optional<ClaimView> claim(const ClaimId& id);
  std::optional<UserView> user(const UserId& id);
  std::optional<WithdrawalView> withdrawal(const WithdrawalId& id);
  // Zero balances for a user the projection has not seen.
  AccountView account(const UserId& id);
  ReputationView reputation(const UserId& id);
  // The exact median of an employer's `reviews` review times in seconds; -1 when there are none.
  std::int64_t median_review_s(const UserId& employer, std::int64_t reviews);
  // Open tasks with free slots; for a worker, only those it may claim. Fails (with a message for
  // a 400) on a malformed cursor.
  Result<FeedPage> feed(const FeedQuery& query);
  // A task's claims in one status, oldest first, with their proofs. Fails (with a message for a
  // 400) on a malformed cursor.
  Result<ClaimPage> review_queue(const ReviewQueueQuery& query);
  // A worker's claims, newest first: all of them (`status` empty) or those in one status.
  // Fails on a malformed cursor.
  Result<ClaimPage> worker_claims(const UserId& worker, std::string_view status,
                                  const std::string& cursor, std::size_t limit);
  // The workers an employer blocked, by worker id from after `cursor` (a worker id), at most
  // `limit`. Fails on a malformed cursor.
  Result<BlockPage> blocks(const UserId& employer, const std::string& cursor, std::size_t limit);
  // An employer's tasks, newest first, in every status. Fails on a malformed cursor.
  Result<FeedPage> employer_tasks(const UserId& employer, const std::string& cursor, std::size_t limit);
  // Item `number` of a per_item task.
  std::optional<ItemView> item(const TaskId& task, std::int64_t number);
  // A task's items in number order: all (`status` empty) or those in one status. Fails on a
  // malformed cursor.
  Result<ItemPage> items(const TaskId& task, std::string_view status, const std::string& cursor,
                         std::size_t limit);
  // A user's statement lines with from <= time < to (to 0: no end), oldest first. Fails on a
  // malformed cursor.
  Result<StatementPage> statement(const UserId& user, UnixMs from, UnixMs to,
                                  const std::string& cursor, std::size_t limit);
  // Balance of a shared account (platform:fees, clearing:payouts, world:deposits) over all
  // partitions.
  Micros shared_account(std::string_view account);

  // The most statement lines one page reads (the time filter skips some) before it returns.
  static constexpr std::size_t kStatementScanBudget = 10'000;
  // The most entries one feed page may scan before it returns what it has with a cursor.
  static constexpr std::size_t kFeedScanBudget = 20'000;

 private:
  bool visible(const TaskView& task, const FeedQuery& query);
  ScopeScan scan_scope(std::string_view scope, const FeedQuery& query);

  ReadStore& store_;
};

}  // namespace microjobs
