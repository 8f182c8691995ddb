#include "api/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <unordered_map>

namespace microjobs {
namespace {

// "/v1/tasks/{}/claims" -> "/v1/tasks/{id}/claims": what a reader of a dashboard expects.
std::string route_label(std::string_view route) {
  std::string label;
  for (std::size_t i = 0; i < route.size(); ++i) {
    if (route.substr(i, 2) == "{}") {
      label += "{id}";
      ++i;
    } else {
      label += route[i];
    }
  }
  return label;
}

}  // namespace

struct ApiMetrics::Impl {
  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("microjobs_http_requests_total")
          .Help("HTTP requests answered, by route and status")
          .Register(registry);
  prometheus::Family<prometheus::Histogram>& durations =
      prometheus::BuildHistogram()
          .Name("microjobs_http_request_duration_seconds")
          .Help("Time from a request's arrival at the handler to its answer, by route")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& commands =
      prometheus::BuildCounter()
          .Name("microjobs_commands_total")
          .Help("Commands answered by the bus, by command and outcome (accepted, a rejection "
                "code, overloaded or unavailable)")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& applied =
      prometheus::BuildGauge()
          .Name("microjobs_projection_applied_offset")
          .Help("The next offset of each partition that the read models will apply")
          .Register(registry);

  prometheus::Family<prometheus::Gauge>& memtable_bytes =
      prometheus::BuildGauge()
          .Name("microjobs_memtable_bytes")
          .Help("Bytes RocksDB's memtables hold in this process, under the budget of serve --memtable-mb")
          .Register(registry);
  prometheus::Family<prometheus::Gauge>& token_cache_entries =
      prometheus::BuildGauge()
          .Name("microjobs_token_cache_entries")
          .Help("Verified bearer tokens remembered for their lifetime (at most 65,536)")
          .Register(registry);

  prometheus::Family<prometheus::Counter>& feed_pages =
      prometheus::BuildCounter()
          .Name("microjobs_feed_pages_total")
          .Help("Feed pages answered, by source: the page cache or the read models")
          .Register(registry);
  prometheus::Counter& feed_from_cache = feed_pages.Add({{"source", "cache"}});
  prometheus::Counter& feed_from_models = feed_pages.Add({{"source", "read_models"}});

  // Series are found once and then by key: Family::Add locks and compares label maps.
  std::mutex mutex;
  std::unordered_map<std::string, prometheus::Counter*> counters;  // of both counter families
  std::unordered_map<std::string, prometheus::Histogram*> histograms;

  prometheus::Counter& counter(prometheus::Family<prometheus::Counter>& family,
                               const std::string& key, const prometheus::Labels& labels) {
    std::lock_guard lock(mutex);
    auto [it, added] = counters.try_emplace(key, nullptr);
    if (added) it->second = &family.Add(labels);
    return *it->second;
  }
};

ApiMetrics::ApiMetrics() : impl_(std::make_unique<Impl>()) {
  prometheus::BuildGauge()
      .Name("microjobs_build_info")
      .Help("The microjobs version serving")
      .Register(impl_->registry)
      .Add({{"version", MICROJOBS_VERSION}})
      .Set(1);
}

ApiMetrics::~ApiMetrics() = default;

void ApiMetrics::request_answered(std::string_view method, std::string_view pattern, int status,
                                  double seconds) {
  std::string route = std::string(method) + " " + std::string(pattern);
  impl_->counter(impl_->requests, "r " + route + " " + std::to_string(status),
                 {{"method", std::string(method)},
                  {"route", route_label(pattern)},
                  {"status", std::to_string(status)}})
      .Increment();
  prometheus::Histogram* histogram = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    auto [it, added] = impl_->histograms.try_emplace(route, nullptr);
    if (added) {
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
      it->second = &impl_->durations.Add(
          {{"method", std::string(method)}, {"route", route_label(pattern)}}, kBuckets);
    }
    histogram = it->second;
  }
  histogram->Observe(seconds);
}

void ApiMetrics::feed_page(bool from_cache) {
  (from_cache ? impl_->feed_from_cache : impl_->feed_from_models).Increment();
}

void ApiMetrics::command_answered(std::string_view command, std::string_view outcome) {
  std::string key = "c " + std::string(command) + " " + std::string(outcome);
  impl_->counter(impl_->commands, key,
                 {{"command", std::string(command)}, {"outcome", std::string(outcome)}})
      .Increment();
}

std::string ApiMetrics::render(const Gauges& now) const {
  for (std::size_t p = 0; p < now.applied_offsets.size(); ++p) {
    impl_->applied.Add({{"partition", std::to_string(p)}})
        .Set(static_cast<double>(now.applied_offsets[p]));
  }
  if (now.memtable_bytes >= 0) impl_->memtable_bytes.Add({}).Set(static_cast<double>(now.memtable_bytes));
  if (now.token_cache_entries >= 0) {
    impl_->token_cache_entries.Add({}).Set(static_cast<double>(now.token_cache_entries));
  }
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

}  // namespace microjobs
