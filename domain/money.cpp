#include "domain/money.h"

#include <cstdlib>

namespace microjobs {

std::optional<Micros> parse_money(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  std::int64_t units = 0;
  std::size_t i = 0;
  std::size_t int_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (++int_digits > 13) return std::nullopt;
    units = units * 10 + (c - '0');
  }
  if (int_digits == 0) return std::nullopt;
  std::int64_t fraction = 0;
  std::size_t fraction_digits = 0;
  if (i < text.size()) {
    ++i;  // the '.'
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      if (++fraction_digits > 6) return std::nullopt;
      fraction = fraction * 10 + (c - '0');
    }
  }
  for (std::size_t d = fraction_digits; d < 6; ++d) fraction *= 10;
  if (units > kMaxMoneyMicros / kMicrosPerUnit) return std::nullopt;
  std::int64_t total = units * kMicrosPerUnit + fraction;
  if (total > kMaxMoneyMicros) return std::nullopt;
  return Micros{total};
}

std::string format_money(Micros amount) {
  std::string out;
  std::uint64_t magnitude = amount.value < 0 ? 0ULL - static_cast<std::uint64_t>(amount.value)
                                             : static_cast<std::uint64_t>(amount.value);
  if (amount.value < 0) out.push_back('-');
  out += std::to_string(magnitude / kMicrosPerUnit);
  std::string fraction = std::to_string(magnitude % kMicrosPerUnit);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  out.push_back('.');
  out += fraction;
  return out;
}

std::optional<Micros> multiply_money(Micros price, std::int64_t count) {
  if (price.value < 0 || count < 0) return std::nullopt;
  std::int64_t result = 0;
  if (__builtin_mul_overflow(price.value, count, &result)) return std::nullopt;
  if (result > kMaxMoneyMicros) return std::nullopt;
  return Micros{result};
}

}  // namespace microjobs
