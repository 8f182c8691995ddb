#include "projections/read_models.h"

#include <algorithm>
#include <cstring>

#include "domain/codec/binary.h"
#include "projections/keys.h"
#include "projections/progress.h"

namespace microjobs {
namespace {

template <class View>
std::optional<View> load(ReadStore& store, const std::string& key) {
  auto bytes = store.get(key);
  if (!bytes) return std::nullopt;
  return binary::decode<View>(*bytes);
}

bool cursor_is_safe(std::string_view cursor) {
  if (cursor.size() > 256) return false;
  return std::all_of(cursor.begin(), cursor.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '.' || c == '_' || c == '-';
  });
}

// Filters over the scanned index entries; the country is the scope's job (ReadModels::feed).
bool matches(const TaskView& task, const FeedQuery& query) {
  if (task.status != "open" || task.claimable_slots() <= 0) return false;
  if (query.now.value != 0 && task.expires_at <= query.now) return false;
  if (!query.category.empty() && task.category != query.category) return false;
  if (task.reward < query.min_reward) return false;
  return true;
}

// One page of an index whose keys are prefix + 16 hex digits of time + an id: `add` gets each
// id after the cursor (the last key returned, after the prefix) until `limit` items were added.
// Every entry scanned is an item, so a page reads `limit` entries and `add`'s Gets.
template <class Page, class Add>
Result<Page> index_page(ReadStore& store, const std::string& prefix, const std::string& cursor,
                        std::size_t limit, Add add) {
  if (!cursor_is_safe(cursor)) return Error{"cursor is malformed"};
  std::string start = prefix + cursor;
  if (!cursor.empty()) start.push_back('\0');
  Page page;
  std::string last_key;
  store.scan(prefix, start, [&](std::string_view key, std::string_view) {
    if (page.items.size() >= limit) {
      page.next_cursor = last_key;
      return false;
    }
    last_key.assign(key.substr(prefix.size()));
    constexpr std::size_t kTimeColumn = 16;
    if (last_key.size() > kTimeColumn) add(page, last_key.substr(kTimeColumn));
    return true;
  });
  return page;
}

}  // namespace

std::int64_t StoredProgress::applied_end(std::int32_t partition) const {
  if (partition < 0 || partition >= partitions_) return 0;
  std::optional<std::string> bytes;
  try {
    bytes = store_.get(keys::position(partition));
  } catch (const ReadStoreError&) {
    return 0;  // not known to be reached: a wait for it ends in 503, never in a stale answer
  }
  if (!bytes) return 0;
  std::int64_t next_offset = 0;
  binary::Reader reader{*bytes};
  reader.get(next_offset);
  return reader.failed ? 0 : next_offset;
}

std::int64_t ReadModels::median_review_s(const UserId& employer, std::int64_t reviews) {
  if (reviews <= 0) return -1;
  // The middle review times in ascending order: index (n-1)/2 and n/2 (the same one when n is
  // odd); the median is their mean, rounded down to whole seconds.
  const std::int64_t low_index = (reviews - 1) / 2, high_index = reviews / 2;
  std::int64_t seen = 0, low = -1, high = -1;
  const std::string prefix = keys::review_time_prefix(employer.value);
  store_.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::int64_t count = 0;
    if (value.size() == 8) std::memcpy(&count, value.data(), 8);
    const std::int64_t seconds =
        static_cast<std::int64_t>(std::stoull(std::string(key.substr(prefix.size())), nullptr, 16));
    seen += count;
    if (low < 0 && seen > low_index) low = seconds;
    if (seen > high_index) {
      high = seconds;
      return false;
    }
    return true;
  });
  if (low < 0 || high < 0) return -1;
  return (low + high) / 2;
}

std::optional<TaskView> ReadModels::task(const TaskId& id) {
  return load<TaskView>(store_, keys::task(id.value));
}

std::optional<ClaimView> ReadModels::claim(const ClaimId& id) {
  return load<ClaimView>(store_, keys::claim(id.value));
}

std::optional<UserView> ReadModels::user(const UserId& id) {
  return load<UserView>(store_, keys::user(id.value));
}

std::optional<WithdrawalView> ReadModels::withdrawal(const WithdrawalId& id) {
  return load<WithdrawalView>(store_, keys::withdrawal(id.value));
}

AccountView ReadModels::account(const UserId& id) {
  auto view = load<AccountView>(store_, keys::account(id.value));
  if (!view) return AccountView{id, {}, {}, {}};
  return *view;
}

ReputationView ReadModels::reputation(const UserId& id) {
  auto view = load<ReputationView>(store_, keys::reputation(id.value));
  if (!view) {
    ReputationView empty;
    empty.user_id = id;
    return empty;
  }
  return *view;
}

Micros ReadModels::shared_account(std::string_view account) {
  auto bytes = store_.get(keys::shared_account(account));
  std::int64_t balance = 0;
  if (bytes && bytes->size() == 8) std::memcpy(&balance, bytes->data(), 8);
  return Micros{balance};
}

// One scope's part of a feed page: the visible tasks found (with their sort key), how far the
// scan got, and whether it reached the end of the scope.
struct ScopeScan {
  std::vector<std::pair<std::string, TaskView>> items;
  std::string reached;
  bool exhausted = true;
};

namespace {

// The task id follows the fixed-width sort columns (16 hex digits each).
std::size_t sort_columns(const FeedQuery& query) { return query.sort_by_reward ? 32 : 16; }

// Whether a worker meets the task's targeting by reputation (its country chose the scope).
bool qualified(const TaskView& task, const FeedQuery::Worker& worker) {
  if (worker.approved < task.min_approved) return false;
  const std::int64_t reviewed = worker.approved + worker.rejected;
  return task.min_approval_rate_bp == 0 || reviewed == 0 ||
         worker.approved * 10'000 >= task.min_approval_rate_bp * reviewed;
}

}  // namespace

bool ReadModels::visible(const TaskView& task, const FeedQuery& query) {
  if (!matches(task, query)) return false;
  if (!query.worker) return true;
  if (!qualified(task, *query.worker)) return false;
  return !store_.get(keys::block(task.employer_id.value, query.worker->id.value));
}

// Scans one scope from the cursor for up to `limit` visible tasks, reading at most
// kFeedScanBudget index entries.
ScopeScan ReadModels::scan_scope(std::string_view scope, const FeedQuery& query) {
  const std::string prefix = keys::feed_prefix(query.sort_by_reward, scope);
  std::string start = prefix + query.cursor;
  if (!query.cursor.empty()) start.push_back('\0');
  ScopeScan scan;
  std::size_t scanned = 0;
  store_.scan(prefix, start, [&](std::string_view key, std::string_view) {
    if (scan.items.size() >= query.limit || scanned >= kFeedScanBudget) {
      scan.exhausted = false;
      return false;
    }
    ++scanned;
    scan.reached.assign(key.substr(prefix.size()));
    if (scan.reached.size() <= sort_columns(query)) return true;
    auto task = this->task(TaskId{scan.reached.substr(sort_columns(query))});
    if (task && visible(*task, query)) scan.items.emplace_back(scan.reached, std::move(*task));
    return true;
  });
  return scan;
}

// A page merges the scopes the query may see ("all"; or "open" and a country), in sort-key order.
// The cursor is the sort key (the index key after its scope's prefix) to go on after. A scope
// that stopped early (a full page, or its scan budget spent) bounds the page: nothing past where
// it stopped is returned, so no task of it is skipped.
Result<FeedPage> ReadModels::feed(const FeedQuery& query) {
  if (!cursor_is_safe(query.cursor)) return Error{"cursor is malformed"};
  std::vector<std::string_view> scopes = {keys::kFeedAll};
  if (!query.country.empty()) scopes = {keys::kFeedOpen, query.country};
  std::vector<std::pair<std::string, TaskView>> found;
  std::optional<std::string> frontier;  // the least point a scope stopped at
  for (std::string_view scope : scopes) {
    ScopeScan scan = scan_scope(scope, query);
    for (auto& item : scan.items) found.push_back(std::move(item));
    if (!scan.exhausted && (!frontier || scan.reached < *frontier)) frontier = scan.reached;
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  FeedPage page;
  std::string last;
  for (auto& [key, task] : found) {
    if (page.items.size() >= query.limit) {
      page.next_cursor = last;
      return page;
    }
    if (frontier && key > *frontier) break;
    last = key;
    page.items.push_back(std::move(task));
  }
  if (frontier) page.next_cursor = *frontier;
  return page;
}

Result<ClaimPage> ReadModels::review_queue(const ReviewQueueQuery& query) {
  return index_page<ClaimPage>(store_, keys::review_queue_prefix(query.task_id.value, query.status),
                               query.cursor, query.limit, [this](ClaimPage& page, std::string id) {
                                 if (auto found = claim(ClaimId{std::move(id)})) page.items.push_back(std::move(*found));
                               });
}

Result<ClaimPage> ReadModels::worker_claims(const UserId& worker, std::string_view status,
                                            const std::string& cursor, std::size_t limit) {
  return index_page<ClaimPage>(store_, keys::worker_claims_prefix(worker.value, status.empty() ? "all" : status),
                               cursor, limit, [this](ClaimPage& page, std::string id) {
                                 if (auto found = claim(ClaimId{std::move(id)})) page.items.push_back(std::move(*found));
                               });
}

Result<FeedPage> ReadModels::employer_tasks(const UserId& employer, const std::string& cursor,
                                            std::size_t limit) {
  return index_page<FeedPage>(store_, keys::employer_tasks_prefix(employer.value), cursor, limit,
                              [this](FeedPage& page, std::string id) {
                                if (auto found = task(TaskId{std::move(id)})) page.items.push_back(std::move(*found));
                              });
}


Result<BlockPage> ReadModels::blocks(const UserId& employer, const std::string& cursor,
                                     std::size_t limit) {
  if (!cursor_is_safe(cursor)) return Error{"cursor is malformed"};
  const std::string prefix = keys::blocks_prefix(employer.value);
  std::string start = prefix + cursor;
  if (!cursor.empty()) start.push_back('\0');
  BlockPage page;
  store_.scan(prefix, start, [&](std::string_view key, std::string_view value) {
    if (page.items.size() >= limit) {
      page.next_cursor = page.items.back().worker_id.value;
      return false;
    }
    if (auto view = binary::decode<BlockView>(value)) page.items.push_back(std::move(*view));
    (void)key;
    return true;
  });
  return page;
}


std::optional<ItemView> ReadModels::item(const TaskId& task, std::int64_t number) {
  return load<ItemView>(store_, keys::item(task.value, number));
}

// All items in number order, or those in one status through its index; the cursor is the last
// item's number (16 hex digits), so every entry scanned is an item of the page.
Result<ItemPage> ReadModels::items(const TaskId& task, std::string_view status,
                                   const std::string& cursor, std::size_t limit) {
  if (!cursor_is_safe(cursor)) return Error{"cursor is malformed"};
  const std::string prefix = status.empty() ? keys::items_prefix(task.value)
                                            : keys::item_status_prefix(task.value, status);
  std::string start = prefix + cursor;
  if (!cursor.empty()) start.push_back('\0');
  ItemPage page;
  std::string last_number;
  store_.scan(prefix, start, [&](std::string_view key, std::string_view value) {
    if (page.items.size() >= limit) {
      page.next_cursor = last_number;
      return false;
    }
    last_number.assign(key.substr(prefix.size()));
    std::optional<ItemView> view = status.empty() ? binary::decode<ItemView>(value)
                                                  : load<ItemView>(store_, keys::items_prefix(task.value) + last_number);
    if (view) page.items.push_back(std::move(*view));
    return true;
  });
  return page;
}

// The cursor is the last line's key after the prefix. `from` and `to` (0: open) filter by time
// while scanning (lines are in log order, which the clock need not follow strictly), so a page
// reads the lines outside the range too, at most kStatementScanBudget of them: then it ends early
// with a cursor, possibly with fewer than `limit` lines.
Result<StatementPage> ReadModels::statement(const UserId& user, UnixMs from, UnixMs to,
                                            const std::string& cursor, std::size_t limit) {
  if (!cursor_is_safe(cursor)) return Error{"cursor is malformed"};
  const std::string prefix = keys::statement_prefix(user.value);
  std::string start = prefix + cursor;
  if (!cursor.empty()) start.push_back('\0');
  StatementPage page;
  std::string last_key;
  std::size_t scanned = 0;
  store_.scan(prefix, start, [&](std::string_view key, std::string_view value) {
    auto line = binary::decode<StatementLine>(value);
    if (!line) return true;
    const bool wanted = line->time >= from && (to.value == 0 || line->time < to);
    if ((wanted && page.items.size() >= limit) || scanned++ >= kStatementScanBudget) {
      page.next_cursor = last_key;
      return false;
    }
    last_key.assign(key.substr(prefix.size()));
    if (wanted) page.items.push_back(std::move(*line));
    return true;
  });
  return page;
}


}  // namespace microjobs
