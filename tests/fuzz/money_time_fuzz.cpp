// libFuzzer: money ("12.34", integer micros) and RFC 3339 times, as every body and query sends
// them. What parses formats back to text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/assert.h"
#include "domain/money.h"
#include "domain/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace microjobs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto amount = parse_money(text)) {
    auto again = parse_money(format_money(*amount));
    MJ_ASSERT(again.has_value() && again->value == amount->value);
    if (auto total = multiply_money(*amount, static_cast<std::int64_t>(size))) {
      MJ_ASSERT(amount->value == 0 || total->value / amount->value == static_cast<std::int64_t>(size));
    }
  }
  if (auto time = parse_rfc3339(text)) {
    auto again = parse_rfc3339(format_rfc3339(*time));
    MJ_ASSERT(again.has_value() && again->value == time->value);
  }
  return 0;
}
