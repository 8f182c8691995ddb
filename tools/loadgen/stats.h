#pragma once
// Latency samples and their percentiles, for the load generator. No Beast, no I/O: tests use it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microjobs::loadgen {

// The nearest-rank percentile of `sorted` (ascending): the smallest sample such that at least
// `percent` % of the samples are at or below it. 0 for no samples. `percent` is clamped to 0..100.
inline std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double percent) {
  if (sorted.empty()) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // The epsilon keeps 99.9 % of 1,000 at rank 999: in doubles it is 999.0000000000001.
  auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(sorted.size()) - 1e-9));
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

// Latencies of one phase, in microseconds, plus the count of answers that were not the expected
// status. Lives on the load generator's single io thread: no locking.
class Samples {
 public:
  void add(std::uint64_t latency_us) { latencies_us_.push_back(latency_us); }
  void fail() { ++errors_; }
  std::size_t count() const { return latencies_us_.size(); }
  std::uint64_t errors() const { return errors_; }

  struct Summary {
    std::size_t count = 0;
    std::uint64_t errors = 0;
    std::uint64_t p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  };
  Summary summarize() {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    Summary s;
    s.count = latencies_us_.size();
    s.errors = errors_;
    s.p50_us = percentile(latencies_us_, 50);
    s.p99_us = percentile(latencies_us_, 99);
    s.p999_us = percentile(latencies_us_, 99.9);
    s.max_us = latencies_us_.empty() ? 0 : latencies_us_.back();
    return s;
  }

 private:
  std::vector<std::uint64_t> latencies_us_;
  std::uint64_t errors_ = 0;
};

// "12.345678" -> 12345678 micros; nullopt for anything else (the API's money format).
inline std::optional<std::int64_t> parse_micros(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  std::int64_t units = 0, fraction = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9' || units > 9'000'000'000'000) return std::nullopt;
    units = units * 10 + (text[i] - '0');
  }
  if (i == 0) return std::nullopt;
  int digits = 0;
  if (i < text.size()) {
    for (++i; i < text.size(); ++i, ++digits) {
      if (text[i] < '0' || text[i] > '9' || digits == 6) return std::nullopt;
      fraction = fraction * 10 + (text[i] - '0');
    }
    if (digits == 0) return std::nullopt;
  }
  for (; digits < 6; ++digits) fraction *= 10;
  std::int64_t value = units * 1'000'000 + fraction;
  return negative ? -value : value;
}

// `"key":`, as a flat JSON object writes a member's name. Appended piece by piece: GCC 12 at -O3
// warns -Wrestrict on `"\"" + std::string(key)` (GCC bug 105329), which -Werror makes fatal in a
// Release build.
inline std::string member_needle(std::string_view key) {
  std::string needle;
  needle.reserve(key.size() + 3);
  needle += '"';
  needle += key;
  needle += "\":";
  return needle;
}

// The string value of "key" in a flat JSON object, without unescaping (ids, money and cursors
// here are plain ASCII). nullopt when absent or not a string.
inline std::optional<std::string> json_string_field(std::string_view json, std::string_view key) {
  const std::string needle = member_needle(key);
  auto at = json.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  at += needle.size();
  while (at < json.size() && json[at] == ' ') ++at;
  if (at >= json.size() || json[at] != '"') return std::nullopt;
  auto end = json.find('"', at + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(json.substr(at + 1, end - at - 1));
}

// The integer value of "key" in a flat JSON object; nullopt when absent or not an integer.
inline std::optional<std::int64_t> json_integer_field(std::string_view json, std::string_view key) {
  const std::string needle = member_needle(key);
  auto at = json.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  at += needle.size();
  while (at < json.size() && json[at] == ' ') ++at;
  std::int64_t value = 0;
  std::size_t digits = 0;
  for (; at < json.size() && json[at] >= '0' && json[at] <= '9'; ++at, ++digits) value = value * 10 + (json[at] - '0');
  if (digits == 0) return std::nullopt;
  return value;
}

}  // namespace microjobs::loadgen
