#include "infra/webhook/deliverer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "domain/assert.h"
#include "domain/codec/binary.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/events.h"
#include "infra/webhook/http_post.h"
#include "infra/webhook/signature.h"

namespace microjobs {
namespace {

constexpr std::size_t kAttemptsPerHookPerStep = 64;

template <class T> std::optional<T> read_record(ReadStore& store, const std::string& key) {
  auto bytes = store.get(key);
  if (!bytes) return std::nullopt;
  return binary::decode<T>(*bytes);
}

}  // namespace

WebhookDeliverer::WebhookDeliverer(EventLog& log, ReadStore& store, const Clock& clock,
                                   WebhookConfig config)
    : log_(log), store_(store), clock_(clock), config_(std::move(config)) {
  load();
}

void WebhookDeliverer::load() {
  chain_.clear();
  hooks_.clear();
  by_employer_.clear();
  for (std::int32_t p = 0; p < log_.partitions(); ++p) {
    auto chain = read_record<ChainPosition>(store_, webhook_keys::position(p));
    chain_.push_back(chain ? *chain : ChainPosition{0, 0, kZeroHash});
  }
  store_.scan("hook/", "hook/", [&](std::string_view, std::string_view value) {
    auto view = binary::decode<WebhookView>(value);
    MJ_ASSERT(view.has_value());
    Hook hook{*view, {view->events.begin(), view->events.end()}, {}, UnixMs{0}};
    if (auto cursor = read_record<WebhookCursor>(store_, webhook_keys::cursor(view->webhook_id.value))) {
      hook.cursor = *cursor;
    }
    if (hook.cursor.head < hook.cursor.next) {
      auto head = read_record<DeliveryView>(store_, webhook_keys::delivery(view->webhook_id.value, hook.cursor.head));
      if (head) hook.head_due = head->next_attempt_at;
    }
    by_employer_.emplace(view->employer_id.value, view->webhook_id.value);
    hooks_.emplace(view->webhook_id.value, std::move(hook));
    return true;
  });
}

Result<std::size_t> WebhookDeliverer::step() {
  try {
    if (reload_) load();
    reload_ = false;
    return deliver_step();
  } catch (const ReadStoreError& error) {
    reload_ = true;  // as after a failed write, memory goes back to what the store has
    return Error{std::string("webhooks: ") + error.what()};
  }
}

Result<std::size_t> WebhookDeliverer::deliver_step() {
  std::size_t work = 0;
  WriteSet batch;
  Status read = ingest(batch, work);
  // The batch holds what was read up to any error, with the positions of exactly that; memory
  // ran ahead of it, so a failed write puts memory back to what the store has.
  if (!batch.entries.empty()) {
    if (Status written = store_.write(batch); !written.ok()) {
      load();
      return written.error();
    }
  }
  MJ_RETURN_IF_ERROR(read);
  MJ_RETURN_IF_ERROR(attempt_due(work));
  return work;
}

Status WebhookDeliverer::ingest(WriteSet& batch, std::size_t& work) {
  const std::vector<std::int64_t> ends = log_.ends();
  for (std::int32_t p = 0; p < log_.partitions(); ++p) {
    ChainPosition& chain = chain_[p];
    if (ends[static_cast<std::size_t>(p)] <= chain.next_offset) continue;
    auto records = log_.read(p, chain.next_offset, config_.records_per_step);
    if (!records.ok()) return records.error();
    Status read = ingest_records(*records, chain, batch, work);
    batch.put(webhook_keys::position(p), binary::encode(chain));  // as far as it got
    if (!read.ok()) return Error{"webhooks: partition " + std::to_string(p) + ": " + read.error().message};
  }
  return ok_status();
}

Status WebhookDeliverer::ingest_records(const std::vector<LogRecord>& records, ChainPosition& chain,
                                        WriteSet& batch, std::size_t& work) {
  for (const LogRecord& record : records) {
    const std::string where = "offset " + std::to_string(record.offset);
    auto seq = peek_seq(record.value);
    if (!seq) return Error{where + ": not an envelope"};
    std::string hash = sha256_hex(record.value);
    ChainStep step = classify_record(chain.seq, chain.hash, *seq,
                                     peek_attribute(record.value, "prev_hash"), hash);
    if (step == ChainStep::gap) return Error{where + ": gap in the chain"};
    if (step == ChainStep::apply) {
      MJ_RETURN_IF_ERROR(ingest_record(record, batch));
      chain.seq = *seq;
      chain.hash = std::move(hash);
    }
    chain.next_offset = record.after();
    ++work;
  }
  return ok_status();
}

Status WebhookDeliverer::ingest_record(const LogRecord& record, WriteSet& batch) {
  const std::string_view type = peek_type(record.value);
  const std::string_view stream = peek_attribute(record.value, "stream");
  const UnixMs now = clock_.now();
  if (type == WebhookRegistered::kType) {
    std::string error;
    auto envelope = decode_envelope(record.value, &error);
    if (!envelope) return Error{"webhooks: " + error};
    const auto& e = std::get<WebhookRegistered>(envelope->event);
    WebhookView view{e.webhook_id, e.employer_id, e.url, e.events, envelope->meta.time};
    batch.put(webhook_keys::hook(e.webhook_id.value), binary::encode(view));
    batch.put(webhook_keys::cursor(e.webhook_id.value), binary::encode(WebhookCursor{}));
    by_employer_.emplace(e.employer_id.value, e.webhook_id.value);
    hooks_.insert_or_assign(e.webhook_id.value,
                            Hook{view, {e.events.begin(), e.events.end()}, {}, UnixMs{0}});
  }
  auto [first, last] = by_employer_.equal_range(stream);
  for (auto it = first; it != last; ++it) {
    Hook& hook = hooks_.at(it->second);
    if (!hook.events.contains(type)) continue;
    DeliveryView delivery;
    delivery.number = hook.cursor.next;
    delivery.event_id = std::string(peek_attribute(record.value, "id"));
    delivery.event_type = std::string(type);
    delivery.created_at = now;
    delivery.next_attempt_at = now;
    delivery.body = record.value;
    batch.put(webhook_keys::delivery(it->second, delivery.number), binary::encode(delivery));
    if (hook.cursor.head == hook.cursor.next) hook.head_due = now;
    ++hook.cursor.next;
    batch.put(webhook_keys::cursor(it->second), binary::encode(hook.cursor));
  }
  return ok_status();
}

Status WebhookDeliverer::attempt_due(std::size_t& work) {
  for (auto& [id, hook] : hooks_) {
    for (std::size_t n = 0; n < kAttemptsPerHookPerStep; ++n) {
      if (stop_.stop_requested()) return ok_status();  // each attempt may take its whole deadline
      if (hook.cursor.head >= hook.cursor.next || hook.head_due > clock_.now()) break;
      MJ_RETURN_IF_ERROR(attempt(hook));
      ++work;
    }
  }
  return ok_status();
}

Status WebhookDeliverer::attempt(Hook& hook) {
  const std::string& id = hook.view.webhook_id.value;
  const std::string key = webhook_keys::delivery(id, hook.cursor.head);
  auto delivery = read_record<DeliveryView>(store_, key);
  MJ_ASSERT(delivery.has_value());  // written with the cursor that names it
  const UnixMs started = clock_.now();
  PostResult result = post(hook, *delivery, started);
  const UnixMs now = clock_.now();
  delivery->attempts.push_back({started, result.status, result.error, now.value - started.value});
  if (delivery->attempts.size() > DeliveryView::kAttemptsKept) {
    delivery->attempts.erase(delivery->attempts.begin());
  }
  if (delivery->attempt_count++ == 0) delivery->first_attempt_at = started;
  const bool delivered = result.status >= 200 && result.status < 300;
  // The window runs from the first attempt, not from the event: deliveries queued behind a
  // failing one have not been tried yet.
  const bool expired = now.value - delivery->first_attempt_at.value >= config_.give_up_after.count();
  if (delivered || expired) {
    delivery->status = delivered ? "delivered" : "failed";
    delivery->body.clear();
    delivery->next_attempt_at = UnixMs{0};
    ++hook.cursor.head;
    hook.head_due = UnixMs{0};
    if (!delivered) spdlog::warn("webhooks: {} gave up delivering {} after {} attempts", id, delivery->event_id, delivery->attempt_count);
  } else {
    delivery->next_attempt_at = UnixMs{now.value + retry_delay(delivery->attempt_count).count()};
    hook.head_due = delivery->next_attempt_at;
  }
  WriteSet batch;
  batch.put(key, binary::encode(*delivery));
  batch.put(webhook_keys::cursor(id), binary::encode(hook.cursor));
  return store_.write(batch);
}

PostResult WebhookDeliverer::post(const Hook& hook, const DeliveryView& delivery, UnixMs now) {
  auto target = parse_webhook_url(hook.view.url);
  if (!target.ok()) return PostResult{0, target.error().message};
  const std::string secret = webhook_secret(config_.signing_key, hook.view.webhook_id.value);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/cloudevents+json; charset=utf-8"},
      {"User-Agent", "microjobs-webhooks"},
      {"X-Microjobs-Webhook-Id", hook.view.webhook_id.value},
      {"X-Microjobs-Event-Id", delivery.event_id},
      {"X-Microjobs-Delivery", std::to_string(delivery.number)},
      {"X-Microjobs-Attempt", std::to_string(delivery.attempt_count + 1)},
      {"X-Microjobs-Signature", webhook_signature(secret, now.value / 1000, delivery.body)},
  };
  return http_post(*target, headers, delivery.body, config_.attempt_timeout, config_.allow_private);
}

std::chrono::milliseconds WebhookDeliverer::retry_delay(std::int64_t attempts) {
  // Doubling from first_retry, capped; then "equal jitter": half fixed, half at random, so that
  // receivers that failed together are not retried together.
  std::int64_t delay = config_.first_retry.count();
  for (std::int64_t i = 1; i < attempts && delay < config_.max_retry.count(); ++i) delay *= 2;
  delay = std::min(delay, static_cast<std::int64_t>(config_.max_retry.count()));
  std::uniform_int_distribution<std::int64_t> half(0, delay / 2);
  return std::chrono::milliseconds(delay - delay / 2 + half(jitter_));
}

void WebhookDeliverer::run(std::stop_token stop) {
  stop_ = stop;
  while (!stop.stop_requested()) {
    const std::uint64_t seen = log_.append_count();
    auto done = step();
    if (!done.ok()) {
      spdlog::error("{}", done.error().message);
      log_.wait_for_append(log_.append_count(), std::chrono::seconds(1));
      continue;
    }
    if (*done > 0) continue;
    std::int64_t wait_ms = 200;
    const UnixMs now = clock_.now();
    for (const auto& [id, hook] : hooks_) {
      if (hook.cursor.head < hook.cursor.next) {
        wait_ms = std::clamp<std::int64_t>(hook.head_due.value - now.value, 0, wait_ms);
      }
    }
    if (wait_ms > 0) log_.wait_for_append(seen, std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace microjobs
