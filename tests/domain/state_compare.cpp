#include "tests/domain/state_compare.h"

#include <algorithm>
#include <map>
#include <type_traits>
#include <unordered_map>

namespace microjobs::test_support {
namespace {

template <class T> struct is_map : std::false_type {};
template <class K, class V, class... R> struct is_map<std::map<K, V, R...>> : std::true_type {};
template <class K, class V, class... R>
struct is_map<std::unordered_map<K, V, R...>> : std::true_type {};

template <class T> struct is_id : std::false_type {};
template <class Tag> struct is_id<Id<Tag>> : std::true_type {};

template <class T> std::string text(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, ClaimStatus>) {
    return std::string(claim_status_name(value));
  } else if constexpr (std::is_same_v<T, TaskStatus>) {
    return std::string(task_status_name(value));
  } else if constexpr (std::is_same_v<T, WithdrawalStatus>) {
    return std::string(withdrawal_status_name(value));
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, Micros>) {
    return format_money(value);
  } else if constexpr (std::is_same_v<T, UnixMs>) {
    return std::to_string(value.value) + "ms";
  } else if constexpr (is_id<T>::value) {
    return value.value;
  } else {
    return '"' + std::string(value) + '"';
  }
}

using Lines = std::vector<std::pair<std::string, std::string>>;

struct Flattener {
  Lines& lines;
  std::string prefix;

  template <class T> void operator()(std::string_view name, const T& value) {
    add(prefix + "." + std::string(name), value);
  }
  template <class T> void add(const std::string& path, const T& value) {
    if constexpr (is_map<T>::value) {
      std::vector<const typename T::value_type*> entries;
      for (const auto& entry : value) entries.push_back(&entry);
      std::sort(entries.begin(), entries.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      lines.emplace_back(path + ".size", std::to_string(entries.size()));
      for (const auto* entry : entries) add(path + "[" + text(entry->first) + "]", entry->second);
    } else if constexpr (requires { value.begin(); typename T::value_type; } &&
                         !std::is_same_v<T, std::string>) {
      std::string joined;
      for (const auto& item : value) joined += text(item) + ",";
      lines.emplace_back(path, "[" + joined + "]");
    } else if constexpr (requires(T& t, Flattener& f) { t.visit(f); }) {
      Flattener nested{lines, path};
      const_cast<T&>(value).visit(nested);  // visit() only reads here
    } else {
      lines.emplace_back(path, text(value));
    }
  }
};

void add_deadlines(Lines& lines, const std::string& name,
                   const std::set<std::pair<UnixMs, ClaimId>>& deadlines) {
  lines.emplace_back(name + ".size", std::to_string(deadlines.size()));
  for (const auto& [at, claim] : deadlines) lines.emplace_back(name + "[" + claim.value + "]", text(at));
}

}  // namespace

Lines flatten(const PartitionState& state) {
  Lines lines;
  Flattener flattener{lines, "state"};
  const_cast<PartitionState&>(state).visit(flattener);
  // The deadline indexes are derived, but the live state keeps them by evolve(): compare them too.
  add_deadlines(lines, "state.claim_deadlines", state.claim_deadlines);
  add_deadlines(lines, "state.review_deadlines", state.review_deadlines);
  return lines;
}

std::string state_difference(const PartitionState& expected, const PartitionState& actual) {
  Lines e = flatten(expected);
  Lines a = flatten(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i]) ++i;
  if (i == e.size() && i == a.size()) return {};
  if (i == e.size()) return a[i].first + ": unexpected (" + a[i].second + ")";
  if (i == a.size() || e[i].first != a[i].first) return e[i].first + ": missing (" + e[i].second + ")";
  return e[i].first + ": expected " + e[i].second + ", actual " + a[i].second;
}

}  // namespace microjobs::test_support
