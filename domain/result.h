#pragma once
// Infrastructure errors are values: Result<T> holds a T or an Error. [[nodiscard]] so that no
// caller drops one by accident; swallowing one is explicit and commented where it happens.
#include <string>
#include <utility>
#include <variant>

namespace microjobs {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : value_(std::move(error)) {}  // NOLINT
  bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(value_); }
  const T& value() const { return std::get<0>(value_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(value_); }

 private:
  std::variant<T, Error> value_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

#define MJ_RETURN_IF_ERROR(expr)                         \
  do {                                                   \
    auto mj_status_ = (expr);                            \
    if (!mj_status_.ok()) return mj_status_.error();     \
  } while (false)

}  // namespace microjobs
