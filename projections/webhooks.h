#pragma once
// The webhook deliverer's records, in its own store (data_dir/webhooks, a ReadStore): written by
// infra/webhook's WebhookDeliverer, read by the API for GET /v1/webhooks/{id}/deliveries. Kept
// apart from the read models because `rebuild` drops those, and a rebuilt delivery log would
// deliver every event again.
#include <cstdint>
#include <string>
#include <vector>

#include "domain/ids.h"
#include "domain/result.h"
#include "domain/time.h"
#include "projections/read_store.h"

namespace microjobs {

struct WebhookView {
  WebhookId webhook_id;
  UserId employer_id;
  std::string url;
  std::vector<std::string> events;
  UnixMs registered_at;
  template <class V> void visit(V& v) {
    v("webhook_id", webhook_id); v("employer_id", employer_id); v("url", url); v("events", events);
    v("registered_at", registered_at);
  }
};

struct DeliveryAttempt {
  UnixMs at;
  std::int64_t status = 0;  // the receiver's HTTP status; 0 when there was none
  std::string error;        // why there was no status (timeout, refused address, TLS…)
  std::int64_t duration_ms = 0;
  template <class V> void visit(V& v) {
    v("at", at); v("status", status); v("error", error); v("duration_ms", duration_ms);
  }
};

struct DeliveryView {
  std::int64_t number = 0;  // 1, 2, … per webhook, in the order the events were appended
  std::string event_id;
  std::string event_type;
  std::string status = "pending";  // pending, delivered, or failed (given up after the window)
  UnixMs created_at;
  UnixMs next_attempt_at;          // while pending
  std::int64_t attempt_count = 0;
  std::vector<DeliveryAttempt> attempts;  // the last kAttemptsKept
  std::string body;                       // the event's envelope, while pending
  UnixMs first_attempt_at;                // the retry window (24 h) runs from here
  static constexpr std::size_t kAttemptsKept = 10;
  template <class V> void visit(V& v) {
    v("number", number); v("event_id", event_id); v("event_type", event_type); v("status", status);
    v("created_at", created_at); v("next_attempt_at", next_attempt_at);
    v("attempt_count", attempt_count); v("attempts", attempts); v("body", body);
    v("first_attempt_at", first_attempt_at);
  }
};

// A webhook's deliveries [head, next) are pending: head is the one being tried, and the others
// wait behind it, so each webhook receives its events in the order they were appended.
struct WebhookCursor {
  std::int64_t head = 1;
  std::int64_t next = 1;
  template <class V> void visit(V& v) { v("head", head); v("next", next); }
};

namespace webhook_keys {
inline std::string hook(std::string_view id) { return "hook/" + std::string(id); }
inline std::string cursor(std::string_view id) { return "cursor/" + std::string(id); }
inline std::string deliveries(std::string_view id) { return "delivery/" + std::string(id) + "/"; }
std::string delivery(std::string_view id, std::int64_t number);  // number zero-padded: key order
std::string position(std::int32_t partition);
}  // namespace webhook_keys

struct DeliveryPage {
  std::vector<DeliveryView> items;
  std::string next_cursor;  // empty at the end
};

std::optional<WebhookView> find_webhook(ReadStore& store, const WebhookId& id);
// A webhook's deliveries, oldest first, after `cursor` (a delivery number), at most `limit`.
Result<DeliveryPage> webhook_deliveries(ReadStore& store, const WebhookId& id,
                                        const std::string& cursor, std::size_t limit);

}  // namespace microjobs
