#pragma once
// RegisterWebhook: an employer asks for events of its own stream (its tasks, claims, reviews and
// money) to be POSTed to a URL as they are appended. Stream: the employer.
//
// The event carries no secret: the stream goes to analytics teams. The secret that signs the
// deliveries is derived from the server's webhook key and the webhook id (infra/webhook), so the
// API can show it once and the deliverer can sign with it, and nothing stores it.
#include <string>
#include <string_view>
#include <vector>

#include "domain/rules.h"

namespace microjobs {

struct RegisterWebhook {
  static constexpr std::string_view kName = "RegisterWebhook";
  static constexpr std::string_view kActor = "employer_id";
  UserId employer_id;
  std::string url;                  // valid_http_url(); where it may point is infra/webhook's rule
  std::vector<std::string> events;  // 1 to 64 event types ("submission.submitted.v1"), no repeats
  template <class V> void visit(V& v) {
    v("employer_id", employer_id);
    v("url", url);
    v("events", events);
  }
  const std::string& stream() const { return employer_id.value; }
};

struct WebhookRegistered {
  static constexpr std::string_view kType = "webhook.registered.v1";
  WebhookId webhook_id;
  UserId employer_id;
  std::string url;
  std::vector<std::string> events;
  bool operator==(const WebhookRegistered&) const = default;
  template <class V> void visit(V& v) {
    v("webhook_id", webhook_id); v("employer_id", employer_id); v("url", url); v("events", events);
  }
};

// One of the Event list's kType names.
bool is_event_type(std::string_view type);

Decision decide_one(const PartitionState& state, const RegisterWebhook& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const WebhookRegistered& event);

}  // namespace microjobs
