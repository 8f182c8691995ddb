#pragma once
// OutOfLine<T>: fields that few values use, kept behind a pointer allocated on the first write.
// An empty one costs 8 bytes and reads as a default T; copies are deep, so a struct holding one
// stays a plain value. visit() passes the fields on to any visitor (snapshot, codecs, tests) as
// if they stood inline: a writer sees the defaults of an empty one, and a reader allocates only
// when what it read is not the default.
#include <memory>
#include <utility>

namespace microjobs {

template <class T> class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& other) : value_(copy_of(other.value_)) {}
  OutOfLine& operator=(const OutOfLine& other) {
    if (this != &other) value_ = copy_of(other.value_);
    return *this;
  }
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(OutOfLine&&) noexcept = default;

  const T& operator*() const { return value_ ? *value_ : kDefault; }
  const T* operator->() const { return &**this; }
  // The fields to change; allocates them on the first call.
  T& write() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }
  bool allocated() const { return value_ != nullptr; }

  template <class V> void visit(V& v) {
    if (value_) {
      value_->visit(v);
      return;
    }
    T probe;
    probe.visit(v);
    if (!(probe == kDefault)) value_ = std::make_unique<T>(std::move(probe));
  }

 private:
  static std::unique_ptr<T> copy_of(const std::unique_ptr<T>& value) {
    return value ? std::make_unique<T>(*value) : nullptr;
  }
  inline static const T kDefault{};
  std::unique_ptr<T> value_;
};

}  // namespace microjobs
