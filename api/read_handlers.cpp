// The query endpoints: answers from ReadModels, as of the projection (after X-Min-Position when
// the client sent one).
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "api/fields.h"
#include "api/handlers.h"
#include "api/metrics.h"
#include "api/page_cache.h"
#include "api/problem.h"
#include "domain/codec/csv.h"
#include "projections/read_models.h"
#include "projections/webhooks.h"

namespace microjobs {
namespace {

constexpr std::size_t kMaxCursorBytes = 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

// Decoded query parameters; the first of repeated names wins, empty values count as absent.
std::optional<std::map<std::string, std::string, std::less<>>> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> params;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    std::size_t equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals));
    auto value = percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    if (!value->empty()) params.emplace(std::move(*name), std::move(*value));
  }
  return params;
}

Response bad_query(std::string_view detail) {
  return problem(400, problem_codes::kInvalidQuery, detail);
}

// The feed's filters; nullopt after answering 400 itself.
std::optional<FeedQuery> read_feed_query(Call& call) {
  auto fail = [&](std::string_view detail) {
    call.done(bad_query(detail));
    return std::optional<FeedQuery>{};
  };
  auto params = parse_query(call.query);
  if (!params) return fail("the query string is not percent-encoded");
  auto get = [&](std::string_view name) -> const std::string* {
    auto it = params->find(name);
    return it == params->end() ? nullptr : &it->second;
  };
  FeedQuery query;
  // A task past its expires_at leaves the feed at once, before the scheduler's ExpireTask.
  query.now = call.context.clock.now();
  if (const auto* category = get("category")) {
    if (category->size() > 64) return fail("category: at most 64 bytes");
    query.category = *category;
  }
  if (const auto* country = get("country")) {
    if (!valid_country(*country)) return fail("country: must be a code such as ID");
    query.country = *country;
  }
  if (const auto* min_reward = get("min_reward")) {
    auto amount = parse_money(*min_reward);
    if (!amount) return fail("min_reward: must be a decimal such as 0.05");
    query.min_reward = *amount;
  }
  if (const auto* sort = get("sort")) {
    if (*sort != "newest" && *sort != "reward") return fail("sort: must be newest or reward");
    query.sort_by_reward = *sort == "reward";
  }
  if (const auto* limit = get("limit")) {
    auto value = parse_integer_token(*limit);
    if (!value || *value < 1 || *value > 100) return fail("limit: must be an integer from 1 to 100");
    query.limit = static_cast<std::size_t>(*value);
  }
  if (const auto* cursor = get("cursor")) {
    if (cursor->size() > kMaxCursorBytes) return fail("cursor: too long");
    query.cursor = *cursor;
  }
  return query;
}

// 0.9 for 9000 bp: the exact decimal, as the client wrote it.
std::string format_rate_bp(std::int64_t bp) {
  std::string out = std::to_string(bp / 10'000);
  std::int64_t fraction = bp % 10'000;
  if (fraction == 0) return out;
  std::string digits = std::to_string(fraction);
  digits.insert(0, 4 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::string format_double(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc{} ? std::string(buffer, end) : "null";
}

void write_task_summary(JsonWriter& json, const TaskView& task) {
  json.field("task_id", task.task_id.value)
      .field("title", task.title)
      .field("category", task.category)
      .field("reward", format_money(task.reward))
      .field("slots", task.slots)
      .field("free_slots", task.claimable_slots())
      .field("employer_id", task.employer_id.value)
      .field("posted_at", format_rfc3339(task.posted_at));
}

void write_task_detail(JsonWriter& json, const TaskView& task) {
  write_task_summary(json, task);
  json.field("status", task.status)
      .field("claimed", task.claimed)
      .field("submitted", task.submitted)
      .field("approved", task.approved)
      .field("rejected", task.rejected)
      .field("abandoned", task.abandoned)
      .field("expired", task.expired)
      .field("instructions", task.instructions);
  json.key("targeting").begin_object();
  json.key("countries").begin_array();
  for (const std::string& country : task.countries) json.string(country);
  json.end_array();
  json.key("min_approval_rate").raw(format_rate_bp(task.min_approval_rate_bp));
  json.field("min_approved", task.min_approved);
  json.end_object();
  json.field("fee", format_money(task.fee))
      .field("expires_at", format_rfc3339(task.expires_at))
      .field("max_per_worker", task.max_per_worker)
      .field("claim_timeout_s", task.claim_timeout_s)
      .field("auto_approve_after_s", task.auto_approve_after_s);
  json.key("proof").begin_object().field("type", task.proof_type).end_object();
  json.key("per_item").boolean(task.per_item);
  if (task.per_item) {
    json.field("items", task.items).field("unassigned_items", task.unassigned_items);
  }
}

// A time that has not happened yet (0) is null.
void write_time_or_null(JsonWriter& json, std::string_view name, UnixMs time) {
  json.key(name);
  if (time.value == 0) {
    json.null();
  } else {
    json.string(format_rfc3339(time));
  }
}

void write_text_or_null(JsonWriter& json, std::string_view name, const std::string& text) {
  json.key(name);
  if (text.empty()) {
    json.null();
  } else {
    json.string(text);
  }
}

}  // namespace

void write_claim_item(JsonWriter& json, ReadModels& models, const TaskId& task,
                      std::int64_t number) {
  write_claim_item(json, number, number == 0 ? std::nullopt : models.item(task, number));
}

void write_claim_item(JsonWriter& json, std::int64_t number, const std::optional<ItemView>& item) {
  json.key("item");
  if (number == 0) {
    json.null();
    return;
  }
  json.begin_object().field("number", number);
  if (item) {
    json.field("ref", item->ref);
    json.key("data").raw(item->data.text);
  } else {
    json.key("ref").null();
    json.key("data").null();
  }
  json.end_object();
}

namespace {

// One claim as the review queue, a worker's claims and GET /v1/claims/{id} show it; `item` is
// null on a plain task.
void write_claim(JsonWriter& json, const ClaimView& claim, ReadModels& models) {
  json.field("claim_id", claim.claim_id.value)
      .field("task_id", claim.task_id.value)
      .field("worker_id", claim.worker_id.value)
      .field("status", claim.status);
  write_text_or_null(json, "proof", claim.proof);
  write_claim_item(json, models, claim.task_id, claim.item);
  write_time_or_null(json, "claimed_at", claim.claimed_at);
  write_time_or_null(json, "expires_at", claim.expires_at);
  write_time_or_null(json, "submitted_at", claim.submitted_at);
  write_time_or_null(json, "reviewed_at", claim.reviewed_at);
  write_text_or_null(json, "reason", claim.reason);
}

// 200 {"items":[…],"next_cursor"} for any page of a read model; `write_item` writes one item's
// members.
template <class Items, class WriteItem>
Response page_response(const Items& items, const std::string& next_cursor, WriteItem write_item) {
  return json_response(200, [&](JsonWriter& json) {
    json.key("items").begin_array();
    for (const auto& item : items) {
      json.begin_object();
      write_item(json, item);
      json.end_object();
    }
    json.end_array();
    write_text_or_null(json, "next_cursor", next_cursor);
  });
}

// Reads `limit` (1..max_limit) or `cursor`; false for another parameter, with `problem` set.
bool read_page_parameter(const std::string& name, const std::string& value, std::size_t max_limit,
                         std::size_t& limit, std::string& cursor, std::string& problem) {
  if (name == "limit") {
    auto parsed = parse_integer_token(value);
    if (!parsed || *parsed < 1 || *parsed > static_cast<std::int64_t>(max_limit)) {
      problem = "limit: must be an integer from 1 to " + std::to_string(max_limit);
      return false;
    }
    limit = static_cast<std::size_t>(*parsed);
    return true;
  }
  if (name == "cursor" && value.size() <= kMaxCursorBytes) {
    cursor = value;
    return true;
  }
  problem = "unknown or too long query parameter: " + name;
  return false;
}

// A query of `limit` (1..max_limit; `limit` holds the default) and `cursor` only; false after
// answering 400.
bool read_page_query(Call& call, std::size_t max_limit, std::size_t& limit, std::string& cursor) {
  auto params = parse_query(call.query);
  if (!params) {
    call.done(bad_query("the query string is not percent-encoded"));
    return false;
  }
  for (const auto& [name, value] : *params) {
    if (std::string bad; !read_page_parameter(name, value, max_limit, limit, cursor, bad)) {
      call.done(bad_query(bad));
      return false;
    }
  }
  return true;
}

bool reads_everything(const Principal& who) {
  return who.has_role(roles::kAuditor) || who.has_role(roles::kAdmin);
}

constexpr std::string_view kQueueStatuses[] = {"submitted", "revision_requested", "approved",
                                               "rejected", "claimed"};

// The review queue's query; nullopt after answering 400 itself.
std::optional<ReviewQueueQuery> read_queue_query(Call& call, const TaskId& task) {
  auto fail = [&](std::string_view detail) {
    call.done(bad_query(detail));
    return std::optional<ReviewQueueQuery>{};
  };
  auto params = parse_query(call.query);
  if (!params) return fail("the query string is not percent-encoded");
  ReviewQueueQuery query;
  query.task_id = task;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      if (std::find(std::begin(kQueueStatuses), std::end(kQueueStatuses), value) ==
          std::end(kQueueStatuses)) {
        return fail("status: must be submitted, revision_requested, approved, rejected or claimed");
      }
      query.status = value;
    } else if (name == "limit") {
      auto limit = parse_integer_token(value);
      if (!limit || *limit < 1 || *limit > 500) return fail("limit: must be an integer from 1 to 500");
      query.limit = static_cast<std::size_t>(*limit);
    } else if (name == "cursor") {
      if (value.size() > kMaxCursorBytes) return fail("cursor: too long");
      query.cursor = value;
    } else {
      return fail("unknown query parameter: " + name);
    }
  }
  return query;
}

}  // namespace

void get_submissions(Call& call) {
  const std::string& id = call.params[0];
  auto owner = owner_of_task(id);
  if (owner && owner->value != call.principal.user_id && !reads_everything(call.principal)) {
    return call.done(forbidden("only the task's owner, auditors and admins may read its submissions"));
  }
  if (!owner || !call.context.read_models.task(TaskId{id})) {
    return call.done(problem(404, "task_not_found", "no task " + id));
  }
  auto query = read_queue_query(call, TaskId{id});
  if (!query) return;
  auto page = call.context.read_models.review_queue(*query);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor,
                          [&](JsonWriter& json, const ClaimView& claim) {
                            write_claim(json, claim, call.context.read_models);
                          }));
}

constexpr std::string_view kItemStatuses[] = {"unassigned", "claimed", "submitted",
                                              "revision_requested", "approved"};

// GET /v1/tasks/{id}/items?status=&limit=&cursor= (owner, auditor): a per_item task's items in
// the order added, each with its last claim and outcome.
void get_items(Call& call) {
  const std::string& id = call.params[0];
  auto owner = owner_of_task(id);
  if (owner && owner->value != call.principal.user_id && !reads_everything(call.principal)) {
    return call.done(forbidden("only the task's owner, auditors and admins may read its items"));
  }
  if (!owner || !call.context.read_models.task(TaskId{id})) {
    return call.done(problem(404, "task_not_found", "no task " + id));
  }
  auto params = parse_query(call.query);
  if (!params) return call.done(bad_query("the query string is not percent-encoded"));
  std::string status, cursor;
  std::size_t limit = 100;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      if (std::find(std::begin(kItemStatuses), std::end(kItemStatuses), value) ==
          std::end(kItemStatuses)) {
        return call.done(bad_query(
            "status: must be one of unassigned, claimed, submitted, revision_requested, approved"));
      }
      status = value;
    } else if (std::string bad; !read_page_parameter(name, value, 1000, limit, cursor, bad)) {
      return call.done(bad_query(bad));
    }
  }
  auto page = call.context.read_models.items(TaskId{id}, status, cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor, [](JsonWriter& json, const ItemView& item) {
    json.field("number", item.number).field("ref", item.ref);
    json.key("data").raw(item.data.text);
    json.field("status", item.status);
    write_text_or_null(json, "claim_id", item.claim_id.value);
    write_text_or_null(json, "worker_id", item.worker_id.value);
    write_text_or_null(json, "last_outcome", item.last_outcome);
    json.field("claims", item.claims);
  }));
}

constexpr std::string_view kClaimStatuses[] = {"claimed",  "submitted", "revision_requested",
                                               "approved", "rejected",  "abandoned", "expired"};

// GET /v1/users/{id}/claims?status=&limit=&cursor=: a worker's own record of its claims, newest
// first, each with its task's title and reward (the pay).
void get_worker_claims(Call& call) {
  const std::string& id = call.params[0];
  if (id != call.principal.user_id && !reads_everything(call.principal)) {
    return call.done(forbidden("a worker's claims are read by the worker, auditors and admins"));
  }
  auto params = parse_query(call.query);
  if (!params) return call.done(bad_query("the query string is not percent-encoded"));
  std::string status, cursor;
  std::size_t limit = 50;
  for (const auto& [name, value] : *params) {
    if (name == "status") {
      if (std::find(std::begin(kClaimStatuses), std::end(kClaimStatuses), value) ==
          std::end(kClaimStatuses)) {
        return call.done(bad_query("status: must be one of claimed, submitted, revision_requested, "
                                   "approved, rejected, abandoned, expired"));
      }
      status = value;
    } else if (std::string bad; !read_page_parameter(name, value, 500, limit, cursor, bad)) {
      return call.done(bad_query(bad));
    }
  }
  if (!valid_user_id(id)) return call.done(problem(404, "user_not_found", "no user " + id));
  auto page = call.context.read_models.worker_claims(UserId{id}, status, cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor, [&](JsonWriter& json, const ClaimView& claim) {
    write_claim(json, claim, call.context.read_models);
    if (auto task = call.context.read_models.task(claim.task_id)) {
      json.field("title", task->title).field("reward", format_money(task->reward));
    }
  }));
}

// GET /v1/blocks?limit=&cursor=: the caller's own blocks (an employer's).
void get_blocks(Call& call) {
  if (!call.principal.has_role(roles::kEmployer)) {
    return call.done(forbidden("blocks are an employer's own list"));
  }
  std::size_t limit = 100;
  std::string cursor;
  if (!read_page_query(call, 500, limit, cursor)) return;
  auto page = call.context.read_models.blocks(UserId{call.principal.user_id}, cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor, [](JsonWriter& json, const BlockView& block) {
    json.field("worker_id", block.worker_id.value)
        .field("reason", block.reason)
        .field("since", format_rfc3339(block.since));
  }));
}

void get_claim(Call& call) {
  const std::string& id = call.params[0];
  auto owner = owner_of_claim(id);
  std::optional<ClaimView> claim;
  if (owner) claim = call.context.read_models.claim(ClaimId{id});
  if (!claim) return call.done(problem(404, "claim_not_found", "no claim " + id));
  const Principal& who = call.principal;
  if (claim->worker_id.value != who.user_id && owner->value != who.user_id &&
      !reads_everything(who)) {
    return call.done(forbidden("only the claim's worker, the task's owner, auditors and admins "
                               "may read a claim"));
  }
  call.done(json_response(200, [&](JsonWriter& json) { write_claim(json, *claim, call.context.read_models); }));
}

// A registered worker's feed shows only what it may claim: its country's and untargeted tasks
// it qualifies for, none of its blockers'. (Its reputation as last projected, as for a claim.)
void restrict_to_worker(Call& call, FeedQuery& query) {
  if (!call.principal.has_role(roles::kWorker)) return;
  const UserId worker{call.principal.user_id};
  if (auto user = call.context.read_models.user(worker)) {
    ReputationView reputation = call.context.read_models.reputation(worker);
    query.country = user->country;
    query.worker = FeedQuery::Worker{worker, reputation.approved, reputation.rejected};
  }
}

// Who sees which page: the query's parameters, and a worker's own id (its country,
// qualifications and blockers are read models, so the cache's version covers their changes).
std::string feed_cache_key(const FeedQuery& query, const Principal& principal) {
  std::string key = principal.has_role(roles::kWorker) ? "worker " + principal.user_id : "any";
  for (const std::string& part : {query.category, query.country, query.cursor,
                                  std::to_string(query.min_reward.value), std::to_string(query.limit)}) {
    key += '\x1f';
    key += part;
  }
  key += query.sort_by_reward ? "\x1freward" : "\x1fnewest";
  return key;
}

// Until when a page stays true with no event: its first task to expire leaves the feed then.
UnixMs page_valid_until(const FeedPage& page) {
  UnixMs until = PageCache::kForever;
  for (const TaskView& task : page.items) until = std::min(until, task.expires_at);
  return until;
}

// A page unchanged since it was last written is answered from the feed cache.
void get_feed(Call& call) {
  auto query = read_feed_query(call);
  if (!query) return;
  PageCache& cache = call.context.feed_cache();
  const std::string key = feed_cache_key(*query, call.principal);
  const std::uint64_t version = call.context.read_model_version();  // before reading the models
  auto cached = cache.find(key, version, query->now);
  call.context.metrics().feed_page(cached.has_value());
  if (cached) return call.done(json_response(200, std::move(*cached)));
  restrict_to_worker(call, *query);
  auto page = call.context.read_models.feed(*query);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  Response response = json_response(200, [&](JsonWriter& json) {
    json.key("items").begin_array();
    for (const TaskView& task : page->items) {
      json.begin_object();
      write_task_summary(json, task);
      json.end_object();
    }
    json.end_array();
    json.key("next_cursor");
    if (page->next_cursor.empty()) {
      json.null();
    } else {
      json.string(page->next_cursor);
    }
  });
  cache.put(key, version, page_valid_until(*page), response.body);
  call.done(std::move(response));
}

void get_task(Call& call) {
  std::optional<TaskView> task;
  if (owner_of_task(call.params[0])) task = call.context.read_models.task(TaskId{call.params[0]});
  if (!task) return call.done(problem(404, "task_not_found", "no task " + call.params[0]));
  call.done(json_response(200, [&](JsonWriter& json) { write_task_detail(json, *task); }));
}

// The account of the path, when the caller may read it (self, auditor, admin) and it exists;
// else nullopt after answering 403 or 404.
std::optional<UserId> readable_account(Call& call) {
  const std::string& id = call.params[0];
  const Principal& who = call.principal;
  if (id != who.user_id && !who.has_role(roles::kAuditor) && !who.has_role(roles::kAdmin)) {
    call.done(forbidden("only the account's owner, auditors and admins may read it"));
    return std::nullopt;
  }
  if (!valid_user_id(id) || !call.context.read_models.user(UserId{id})) {
    call.done(problem(404, "user_not_found", "no user " + id));
    return std::nullopt;
  }
  return UserId{id};
}

Response statement_csv(const StatementPage& page) {
  Response response;
  response.headers["Content-Type"] = "text/csv; charset=utf-8";
  if (!page.next_cursor.empty()) response.headers["X-Next-Cursor"] = page.next_cursor;
  std::string& out = response.body;
  out = "position,time,event_id,event_type,bucket,amount,balance,ref\r\n";
  for (const StatementLine& line : page.items) {
    for (const std::string& field :
         {line.position, format_rfc3339(line.time), line.event_id, line.event_type, line.bucket,
          format_money(line.amount), format_money(line.balance), line.ref}) {
      out += csv_field(field);
      out.push_back(',');
    }
    out.back() = '\r';
    out.push_back('\n');
  }
  return response;
}

// GET /v1/accounts/{id}/statement?from=&to=&limit=&cursor= (self, auditor): one line per ledger
// transfer on the user's buckets, oldest first, as JSON or (Accept: text/csv) CSV.
void get_statement(Call& call) {
  auto user = readable_account(call);
  if (!user) return;
  auto params = parse_query(call.query);
  if (!params) return call.done(bad_query("the query string is not percent-encoded"));
  UnixMs from;
  std::optional<UnixMs> to;
  std::string cursor;
  std::size_t limit = 100;
  for (const auto& [name, value] : *params) {
    if (name == "from" || name == "to") {
      auto time = parse_rfc3339(value);
      if (!time) return call.done(bad_query(name + ": must be an RFC 3339 time"));
      (name == "from" ? from : to.emplace()) = *time;
    } else if (std::string bad; !read_page_parameter(name, value, 1000, limit, cursor, bad)) {
      return call.done(bad_query(bad));
    }
  }
  // A range with to <= from holds no line: an empty page at once, as any empty range (not a 400,
  // and no scan). The read model takes `to` 0 as "no bound".
  const bool empty_range = to && *to <= from;
  auto page = empty_range ? Result<StatementPage>(StatementPage{})
                          : call.context.read_models.statement(*user, from, to.value_or(UnixMs{0}), cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  if (call.request.header("accept").find("text/csv") != std::string_view::npos) {
    return call.done(statement_csv(*page));
  }
  call.done(page_response(page->items, page->next_cursor, [](JsonWriter& json, const StatementLine& line) {
    json.field("position", line.position)
        .field("time", format_rfc3339(line.time))
        .field("event_id", line.event_id)
        .field("event_type", line.event_type)
        .field("bucket", line.bucket)
        .field("amount", format_money(line.amount))
        .field("balance", format_money(line.balance))
        .field("ref", line.ref);
  }));
}

// The accounts every partition moves money in and out of; their balances are summed over all.
constexpr std::string_view kSharedAccounts[] = {accounts::kPlatformFees, accounts::kClearingPayouts,
                                                accounts::kWorldDeposits, accounts::kWorldWithdrawals};

void get_account(Call& call) {
  const std::string& name = call.params[0];
  if (std::find(std::begin(kSharedAccounts), std::end(kSharedAccounts), name) != std::end(kSharedAccounts)) {
    if (!reads_everything(call.principal)) {
      return call.done(forbidden("the shared accounts are read by auditors and admins"));
    }
    Micros balance = call.context.read_models.shared_account(name);
    return call.done(json_response(200, [&](JsonWriter& json) {
      json.field("account", name).field("balance", format_money(balance));
    }));
  }
  auto user = readable_account(call);
  if (!user) return;
  const std::string& id = user->value;
  AccountView account = call.context.read_models.account(UserId{id});
  call.done(json_response(200, [&](JsonWriter& json) {
    json.field("account", id)
        .field("available", format_money(account.available))
        .field("escrow", format_money(account.escrow))
        .field("pending_withdrawal", format_money(account.pending_withdrawal));
  }));
}

// GET /v1/users/{id}/tasks?limit=&cursor= (self, auditor): an employer's tasks, newest first, each
// as GET /v1/tasks/{id} shows it.
void get_employer_tasks(Call& call) {
  const std::string& id = call.params[0];
  if (id != call.principal.user_id && !reads_everything(call.principal)) {
    return call.done(forbidden("an employer's tasks are read by the employer, auditors and admins"));
  }
  std::string cursor;
  std::size_t limit = 50;
  if (!read_page_query(call, 500, limit, cursor)) return;
  if (!valid_user_id(id) || !call.context.read_models.user(UserId{id})) {
    return call.done(problem(404, "user_not_found", "no user " + id));
  }
  auto page = call.context.read_models.employer_tasks(UserId{id}, cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor, write_task_detail));
}

// GET /v1/users/{id}: the public profile, to any caller.
void get_user(Call& call) {
  const std::string& id = call.params[0];
  std::optional<UserView> user;
  if (valid_user_id(id)) user = call.context.read_models.user(UserId{id});
  if (!user) return call.done(problem(404, "user_not_found", "no user " + id));
  call.done(json_response(200, [&](JsonWriter& json) {
    json.field("user_id", id).field("country", user->country).field("display_name", user->display_name);
  }));
}

// GET /v1/withdrawals/{id}: what the payment provider pays out (the destination, opened from its
// sealed form by handle()), for the worker, payments, auditors and admins.
void get_withdrawal(Call& call) {
  const Principal& who = call.principal;
  auto view = call.context.read_models.withdrawal(WithdrawalId{call.params[0]});
  if (!view) return call.done(problem(404, "withdrawal_not_found", "no withdrawal " + call.params[0]));
  if (view->user_id.value != who.user_id && !who.has_role(roles::kPayments) && !who.has_role(roles::kAuditor) &&
      !who.has_role(roles::kAdmin)) {
    return call.done(forbidden("only the withdrawal's worker, payments, auditors and admins may read it"));
  }
  call.done(json_response(200, [&](JsonWriter& json) {
    json.field("withdrawal_id", view->withdrawal_id.value)
        .field("user_id", view->user_id.value)
        .field("amount", format_money(view->amount))
        .field("destination", view->destination)
        .field("status", view->status);
    write_time_or_null(json, "requested_at", view->requested_at);
    write_time_or_null(json, "settled_at", view->settled_at);
    write_text_or_null(json, "reason", view->reason);
  }));
}

void get_reputation(Call& call) {
  const std::string& id = call.params[0];
  if (!valid_user_id(id) || !call.context.read_models.user(UserId{id})) {
    return call.done(problem(404, "user_not_found", "no user " + id));
  }
  ReputationView reputation = call.context.read_models.reputation(UserId{id});
  std::int64_t reviewed = reputation.approved + reputation.rejected;
  std::int64_t median_review_s =
      call.context.read_models.median_review_s(UserId{id}, reputation.reviews_given);
  call.done(json_response(200, [&](JsonWriter& json) {
    json.field("user_id", id)
        .field("approved", reputation.approved)
        .field("rejected", reputation.rejected);
    json.key("approval_rate");
    if (reviewed == 0) {
      json.null();
    } else {
      json.raw(format_double(static_cast<double>(reputation.approved) /
                             static_cast<double>(reviewed)));
    }
    json.field("submitted", reputation.submitted)
        .field("reviews_given", reputation.reviews_given)
        .field("approvals_given", reputation.approvals_given)
        .field("rejections_given", reputation.rejections_given);
    json.key("approval_rate_given");
    if (reputation.reviews_given == 0) {
      json.null();
    } else {
      json.raw(format_double(static_cast<double>(reputation.approvals_given) /
                             static_cast<double>(reputation.reviews_given)));
    }
    json.key("median_review_s");
    if (median_review_s < 0) {
      json.null();
    } else {
      json.number(median_review_s);
    }
  }));
}

}  // namespace microjobs

namespace microjobs {

// GET /v1/webhooks/{id}/deliveries: the webhook's owner (or an auditor) sees every delivery with
// its last attempts, oldest first.
void get_webhook_deliveries(Call& call) {
  const std::string& id = call.params[0];
  auto owner = owner_of_webhook(id);
  const Principal& who = call.principal;
  if (!owner) return call.done(problem(404, problem_codes::kWebhookNotFound, "no webhook " + id));
  if (owner->value != who.user_id && !reads_everything(who)) {
    return call.done(forbidden("a webhook's deliveries are its owner's"));
  }
  ReadStore* store = call.context.webhook_store;
  if (store == nullptr) {
    return call.done(retry_later(503, problem_codes::kNoDeliverer,
                                 "this process has no webhook deliverer beside it"));
  }
  if (!find_webhook(*store, WebhookId{id})) {
    return call.done(problem(404, problem_codes::kWebhookNotFound, "no webhook " + id + " (yet)"));
  }
  std::size_t limit = 100;
  std::string cursor;
  if (!read_page_query(call, 500, limit, cursor)) return;
  auto page = webhook_deliveries(*store, WebhookId{id}, cursor, limit);
  if (!page.ok()) return call.done(bad_query("cursor: " + page.error().message));
  call.done(page_response(page->items, page->next_cursor, [](JsonWriter& json, const DeliveryView& d) {
    json.field("delivery", d.number)
        .field("event_id", d.event_id)
        .field("event_type", d.event_type)
        .field("status", d.status)
        .field("created_at", format_rfc3339(d.created_at))
        .field("attempt_count", d.attempt_count);
    json.key("next_attempt_at");
    if (d.status == "pending") json.string(format_rfc3339(d.next_attempt_at)); else json.null();
    json.key("attempts").begin_array();
    for (const DeliveryAttempt& attempt : d.attempts) {
      json.begin_object().field("at", format_rfc3339(attempt.at)).key("status");
      if (attempt.status > 0) json.number(attempt.status); else json.null();
      json.field("error", attempt.error).field("duration_ms", attempt.duration_ms).end_object();
    }
    json.end_array();
  }));
}

}  // namespace microjobs
