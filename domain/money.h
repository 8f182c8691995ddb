#pragma once
// Money is integer micros (1 unit = 1,000,000 micros). No floating point anywhere near money.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace microjobs {

struct Micros {
  std::int64_t value = 0;
  auto operator<=>(const Micros&) const = default;
  Micros operator+(Micros other) const { return {value + other.value}; }
  Micros operator-(Micros other) const { return {value - other.value}; }
  Micros& operator+=(Micros other) { value += other.value; return *this; }
  Micros& operator-=(Micros other) { value -= other.value; return *this; }
};

inline constexpr std::int64_t kMicrosPerUnit = 1'000'000;
// The largest amount accepted from outside and the largest any account may hold: 10^9 units.
// Far above any real deposit, far below the point where sums of amounts could overflow int64.
inline constexpr std::int64_t kMaxMoneyMicros = 1'000'000'000LL * kMicrosPerUnit;

// Parses a non-negative decimal string with at most 6 fraction digits ("0.05", "100", "1.000001").
// Rejects signs, exponents, spaces, empty parts ("1.", ".5") and values above kMaxMoneyMicros.
std::optional<Micros> parse_money(std::string_view text);

// Formats with at least two fraction digits and no trailing zeros beyond them: "100.00", "0.05",
// "0.012345", "-3.50".
std::string format_money(Micros amount);

// Checked arithmetic for slots x price; nullopt on overflow or above kMaxMoneyMicros.
std::optional<Micros> multiply_money(Micros price, std::int64_t count);

}  // namespace microjobs
