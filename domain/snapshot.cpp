#include "domain/snapshot.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace microjobs {
namespace {

// "MJS" + version. Any change of the state's fields (their visit() lists) changes the bytes:
// bump it then, so an old snapshot is refused and the log replayed rather than misread.
constexpr std::uint32_t kFormat = 0x4d4a5307;  // 7: claims saved by number (TaskClaims)

template <class T> struct is_map : std::false_type {};
template <class K, class V, class... R> struct is_map<std::map<K, V, R...>> : std::true_type {};
template <class K, class V, class... R>
struct is_map<std::unordered_map<K, V, R...>> : std::true_type {};

template <class T> struct is_unordered_map : std::false_type {};
template <class K, class V, class... R>
struct is_unordered_map<std::unordered_map<K, V, R...>> : std::true_type {};

template <class T> struct is_id : std::false_type {};
template <class Tag> struct is_id<Id<Tag>> : std::true_type {};

// A vector or set: a count, then each element in order.
template <class T> struct is_sequence : std::false_type {};
template <class T, class A> struct is_sequence<std::vector<T, A>> : std::true_type {};
template <class T, class C, class A> struct is_sequence<std::set<T, C, A>> : std::true_type {};

// Writes a value of any type the state is made of; a struct through its visit() list, an ordered
// map in its order, a hash map sorted by key when `canonical` (so that equal states give equal
// bytes) or else in the order it holds its entries.
class Writer {
 public:
  Writer(std::string& out, bool canonical) : out_(out), canonical_(canonical) {}

  template <class T> void operator()(std::string_view, const T& value) { write(value); }

  template <class T> void write(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      u64(value ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      u64(static_cast<std::uint64_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      u64(static_cast<std::uint64_t>(value));
    } else if constexpr (std::is_same_v<T, Micros> || std::is_same_v<T, UnixMs>) {
      u64(static_cast<std::uint64_t>(value.value));
    } else if constexpr (is_id<T>::value) {
      str(value.value);
    } else if constexpr (std::is_same_v<T, std::string>) {
      str(value);
    } else if constexpr (is_sequence<T>::value) {
      u64(value.size());
      for (const auto& item : value) write(item);
    } else if constexpr (is_map<T>::value) {
      write_map(value);
    } else {
      const_cast<T&>(value).visit(*this);  // visit() only reads here
    }
  }
 private:
  template <class Map> void write_map(const Map& map) {
    if (!canonical_ || !is_unordered_map<Map>::value) {
      u64(map.size());
      for (const auto& [key, value] : map) {
        write(key);
        write(value);
      }
      return;
    }
    std::vector<const typename Map::value_type*> entries;
    entries.reserve(map.size());
    for (const auto& entry : map) entries.push_back(&entry);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    u64(entries.size());
    for (const auto* entry : entries) {
      write(entry->first);
      write(entry->second);
    }
  }
  void u64(std::uint64_t value) { out_.append(reinterpret_cast<const char*>(&value), 8); }
  void str(std::string_view text) {
    u64(text.size());
    out_.append(text);
  }

  std::string& out_;
  const bool canonical_;
};

// Bounds on what a snapshot may hold, far beyond what the rules let a state reach, so that the
// arithmetic on a state read back (deadlines, sums of balances) cannot overflow however the
// bytes were damaged (found by tests/fuzz snapshot_fuzz: a timeout of 3e18 s overflowed a
// deadline).
constexpr std::int64_t kMaxSnapshotInteger = std::int64_t{1} << 53;  // counts, seconds, seq
constexpr std::int64_t kMaxSnapshotMicros = std::int64_t{1} << 60;   // ~1.15e12 units of money

// Reads what Writer wrote; any overrun or value out of bounds sets failed() and yields zeros
// from then on.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : in_(bytes) {}
  template <class T> void operator()(std::string_view, T& value) { read(value); }

  template <class T> void read(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      value = u64() != 0;
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      value = static_cast<T>(signed_within(kMaxSnapshotInteger));
    } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
      value = static_cast<T>(u64());
    } else if constexpr (std::is_same_v<T, Micros>) {
      value.value = signed_within(kMaxSnapshotMicros);
    } else if constexpr (std::is_same_v<T, UnixMs>) {
      value.value = signed_within(kMaxUnixMs.value);
    } else if constexpr (is_id<T>::value) {
      value.value = str();
    } else if constexpr (std::is_same_v<T, std::string>) {
      value = str();
    } else if constexpr (is_sequence<T>::value) {
      for (std::uint64_t n = count(); n > 0 && !failed_; --n) {
        typename T::value_type item{};
        read(item);
        value.insert(value.end(), std::move(item));
      }
    } else if constexpr (is_map<T>::value) {
      for (std::uint64_t n = count(); n > 0 && !failed_; --n) {
        typename T::key_type key{};
        read(key);
        read(value[key]);
      }
    } else {
      value.visit(*this);
    }
  }
  std::uint64_t u64() {
    std::uint64_t value = 0;
    if (in_.size() < 8) {
      failed_ = true;
      return 0;
    }
    std::memcpy(&value, in_.data(), 8);
    in_.remove_prefix(8);
    return value;
  }
  bool failed() const { return failed_; }
  bool at_end() const { return in_.empty(); }

  std::int64_t signed_within(std::int64_t limit) {
    const auto value = static_cast<std::int64_t>(u64());
    if (value > limit || value < -limit) {
      failed_ = true;
      return 0;
    }
    return value;
  }

 private:
  std::string str() {
    std::uint64_t size = u64();
    if (size > in_.size()) {
      failed_ = true;
      return {};
    }
    std::string text(in_.substr(0, size));
    in_.remove_prefix(size);
    return text;
  }
  // A count of items that each take at least 8 bytes; fails if the bytes cannot hold it.
  std::uint64_t count() {
    std::uint64_t n = u64();
    if (n > in_.size() / 8) {
      failed_ = true;
      return 0;
    }
    return n;
  }

  std::string_view in_;
  bool failed_ = false;
};

}  // namespace

std::string encode_snapshot(const PartitionState& state) {
  std::string out;
  Writer writer(out, /*canonical=*/true);
  writer.write(std::uint64_t{kFormat});
  writer.write(state);
  return out;
}

void append_snapshot_unordered(const PartitionState& state, std::string& out) {
  Writer writer(out, /*canonical=*/false);
  writer.write(std::uint64_t{kFormat});
  writer.write(state);
}

std::optional<PartitionState> decode_snapshot(std::string_view bytes) {
  Reader reader(bytes);
  if (reader.u64() != kFormat) return std::nullopt;
  PartitionState state;
  reader.read(state);
  if (reader.failed() || !reader.at_end()) return std::nullopt;
  state.rebuild_deadlines();
  return state;
}

}  // namespace microjobs
