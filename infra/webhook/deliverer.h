#pragma once
// WebhookDeliverer: one more reader of the event log. It folds webhook.registered events into the
// webhooks it knows, queues for each webhook the events of its employer's stream whose type it
// asked for, and POSTs each one — the envelope's exact bytes, signed (signature.h) — until the
// receiver answers 2xx, retrying with exponential backoff and jitter for `give_up_after` (24 h
// from its first attempt), then marks it failed and goes on. At least once, and in log order per webhook: a
// delivery waits behind the one being retried.
//
// Its positions, the queues and the delivery log live in its own store, written in one batch per
// step, so a crash repeats at most the attempts of the step it was in (at least once).
//
// Lifecycle: construct (reads the store), then run() on one thread, or step() in tests.
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "commands/clock.h"
#include "commands/event_log.h"
#include "infra/webhook/http_post.h"
#include "projections/projector.h"  // ChainPosition
#include "projections/webhooks.h"

namespace microjobs {

struct WebhookConfig {
  std::string signing_key;     // derives each webhook's secret (signature.h)
  bool allow_private = false;  // deliver to loopback and private addresses (tests only)
  std::chrono::milliseconds attempt_timeout{10'000};
  std::chrono::milliseconds first_retry{10'000};   // then doubling, capped at max_retry; half of
  std::chrono::milliseconds max_retry{3'600'000};  // each delay fixed, half random (equal jitter)
  std::chrono::milliseconds give_up_after{86'400'000};
  std::size_t records_per_step = 512;  // per partition
};

class WebhookDeliverer {
 public:
  WebhookDeliverer(EventLog& log, ReadStore& store, const Clock& clock, WebhookConfig config);

  // Reads new records into the queues, then makes every due attempt. Returns the records read
  // plus the attempts made, or the first error (a gap in a partition's chain, an unreadable
  // record, a failed write or read of its store).
  Result<std::size_t> step();
  void run(std::stop_token stop);

 private:
  struct Hook {
    WebhookView view;
    std::set<std::string, std::less<>> events;
    WebhookCursor cursor;
    UnixMs head_due{0};  // when the head delivery is due (0: now)
  };

  // Reads the positions, webhooks and cursors from the store (at start, and after a failed write
  // or read).
  void load();
  Result<std::size_t> deliver_step();
  Status ingest(WriteSet& batch, std::size_t& work);
  Status ingest_records(const std::vector<LogRecord>& records, ChainPosition& chain, WriteSet& batch,
                        std::size_t& work);
  Status ingest_record(const LogRecord& record, WriteSet& batch);
  // Attempts every due head delivery, each written with its webhook's cursor as it ends.
  Status attempt_due(std::size_t& work);
  Status attempt(Hook& hook);
  PostResult post(const Hook& hook, const DeliveryView& delivery, UnixMs now);
  std::chrono::milliseconds retry_delay(std::int64_t attempts);

  bool reload_ = false;  // memory may have run ahead of the store: load() before the next step
  EventLog& log_;
  ReadStore& store_;
  const Clock& clock_;
  const WebhookConfig config_;
  std::vector<ChainPosition> chain_;
  std::map<std::string, Hook, std::less<>> hooks_;                     // by webhook id
  std::multimap<std::string, std::string, std::less<>> by_employer_;  // employer -> webhook ids
  std::mt19937_64 jitter_{std::random_device{}()};
  std::stop_token stop_;  // run()'s: attempts stop between one and the next
};

}  // namespace microjobs
