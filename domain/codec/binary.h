#pragma once
// A compact binary form for any struct that lists its fields in visit() (events, read-model
// views): little-endian int64s and length-prefixed strings, in visit() order. For values stored
// on this machine only (read models); the contract with the outside world is the JSON envelope.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ids.h"
#include "domain/money.h"
#include "domain/time.h"

namespace microjobs::binary {

struct Writer {
  std::string& out;
  void put(std::int64_t value) { out.append(reinterpret_cast<const char*>(&value), 8); }
  void put(std::string_view text) {
    put(static_cast<std::int64_t>(text.size()));
    out.append(text);
  }
  void put(const std::string& text) { put(std::string_view(text)); }
  // The same form as put(text) for bytes that `fill(out)` appends in place, so that a large value
  // (a partition's snapshot) is not built apart and copied.
  template <class Fill> void put_appended(Fill&& fill) {
    const std::size_t length_at = out.size();
    put(std::int64_t{0});
    fill(out);
    const auto length = static_cast<std::int64_t>(out.size() - length_at - 8);
    std::memcpy(out.data() + length_at, &length, 8);
  }
  void put(bool value) { put(static_cast<std::int64_t>(value)); }
  void put(Micros value) { put(value.value); }
  void put(UnixMs value) { put(value.value); }
  template <class Tag> void put(const Id<Tag>& id) { put(std::string_view(id.value)); }
  void put(const ItemNumber& number) { put(number.value); }
  void put(const JsonText& json) { put(std::string_view(json.text)); }
  template <class T> void put(const std::vector<T>& values) {
    put(static_cast<std::int64_t>(values.size()));
    for (const auto& value : values) put(value);
  }
  // A nested struct that lists its fields in visit() (a delivery's attempts).
  template <class T>
    requires requires(T& value, Writer& writer) { value.visit(writer); }
  void put(const T& value) {
    const_cast<T&>(value).visit(*this);  // visit() only reads through Writer
  }
  template <class T> void operator()(const char*, const T& value) { put(value); }
};

struct Reader {
  std::string_view in;
  bool failed = false;
  void get(std::int64_t& value) {
    if (in.size() < 8) {
      failed = true;
      value = 0;
      return;
    }
    std::memcpy(&value, in.data(), 8);
    in.remove_prefix(8);
  }
  void get(std::string& text) {
    std::int64_t size = 0;
    get(size);
    if (size < 0 || static_cast<std::uint64_t>(size) > in.size()) {
      failed = true;
      return;
    }
    text.assign(in.substr(0, static_cast<std::size_t>(size)));
    in.remove_prefix(static_cast<std::size_t>(size));
  }
  void get(bool& value) {
    std::int64_t raw = 0;
    get(raw);
    value = raw != 0;
  }
  void get(Micros& value) { get(value.value); }
  void get(UnixMs& value) { get(value.value); }
  template <class Tag> void get(Id<Tag>& id) { get(id.value); }
  void get(ItemNumber& number) { get(number.value); }
  void get(JsonText& json) { get(json.text); }
  template <class T> void get(std::vector<T>& values) {
    std::int64_t size = 0;
    get(size);
    if (size < 0 || static_cast<std::uint64_t>(size) > in.size() / 8) {
      failed = true;
      return;
    }
    values.resize(static_cast<std::size_t>(size));
    for (auto& value : values) get(value);
  }
  template <class T>
    requires requires(T& value, Reader& reader) { value.visit(reader); }
  void get(T& value) {
    value.visit(*this);
  }
  // A value that ends before a field was written by an older version: the field keeps its default.
  template <class T> void operator()(const char*, T& value) {
    if (!in.empty()) get(value);
  }
};

template <class T> std::string encode(const T& value) {
  std::string out;
  Writer writer{out};
  const_cast<T&>(value).visit(writer);  // visit() only reads through Writer
  return out;
}

// A missing or short value decodes to nullopt; trailing bytes (fields added later) are ignored
// and fields absent from older values keep their defaults.
template <class T> std::optional<T> decode(std::string_view bytes) {
  T value;
  Reader reader{bytes};
  value.visit(reader);
  if (reader.failed) return std::nullopt;
  return value;
}

}  // namespace microjobs::binary
