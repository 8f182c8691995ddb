#pragma once
// The API process's Prometheus metrics, served at GET /metrics in the text format (0.0.4). Kept
// with prometheus-cpp's core library; only metrics.cpp includes its headers. What is counted:
//   microjobs_http_requests_total{method,route,status}  every answered request
//   microjobs_http_request_duration_seconds{method,route}  from the request to its answer
//   microjobs_commands_total{command,outcome}         every command the bus answered: accepted,
//                                                     the rejection code, overloaded or unavailable
//   microjobs_projection_applied_offset{partition}    the next offset the read models will apply
//   microjobs_feed_pages_total{source}                feed pages answered from the page cache
//                                                     ("cache") or written from the read models
//                                                     ("read_models")
//   microjobs_memtable_bytes                          what RocksDB's memtables hold in this process
//                                                     (bounded by serve --memtable-mb)
//   microjobs_token_cache_entries                     verified tokens remembered (at most 65,536)
//   microjobs_build_info{version}                     1
// Routes are the route table's patterns ("/v1/tasks/{id}/claims"), never raw paths, so the
// number of series is bounded by the table.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace microjobs {

class ApiMetrics {
 public:
  ApiMetrics();
  ~ApiMetrics();
  ApiMetrics(const ApiMetrics&) = delete;
  ApiMetrics& operator=(const ApiMetrics&) = delete;

  // `method` and `pattern` are the route table's ("{}" for a path parameter), or "" and
  // "unmatched" for a request no route took.
  void request_answered(std::string_view method, std::string_view pattern, int status,
                        double seconds);
  // `command` as command_name() gives it; `outcome` as above.
  void command_answered(std::string_view command, std::string_view outcome);
  void feed_page(bool from_cache);
  // The gauges read when /metrics is asked. A gauge this process cannot tell is left out: no
  // applied offsets, or -1.
  struct Gauges {
    std::vector<std::int64_t> applied_offsets;  // one per partition
    std::int64_t memtable_bytes = -1;
    std::int64_t token_cache_entries = -1;
  };
  // The exposition, with `now`'s gauges.
  std::string render(const Gauges& now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace microjobs
