#include "projections/webhooks.h"

#include <charconv>
#include <cstdio>

#include "domain/codec/binary.h"

namespace microjobs {

namespace webhook_keys {

std::string delivery(std::string_view id, std::int64_t number) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(number));
  return deliveries(id) + digits;
}

std::string position(std::int32_t partition) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06d", partition);
  return std::string("position/") + digits;
}

}  // namespace webhook_keys

std::optional<WebhookView> find_webhook(ReadStore& store, const WebhookId& id) {
  auto bytes = store.get(webhook_keys::hook(id.value));
  if (!bytes) return std::nullopt;
  return binary::decode<WebhookView>(*bytes);
}

Result<DeliveryPage> webhook_deliveries(ReadStore& store, const WebhookId& id,
                                        const std::string& cursor, std::size_t limit) {
  std::int64_t after = 0;
  if (!cursor.empty()) {
    auto [end, error] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), after);
    if (error != std::errc{} || end != cursor.data() + cursor.size() || after < 0) {
      return Error{"not a cursor this endpoint gave"};
    }
  }
  DeliveryPage page;
  const std::string prefix = webhook_keys::deliveries(id.value);
  store.scan(prefix, webhook_keys::delivery(id.value, after + 1),
             [&](std::string_view, std::string_view value) {
               if (page.items.size() == limit) {
                 page.next_cursor = std::to_string(page.items.back().number);
                 return false;
               }
               if (auto view = binary::decode<DeliveryView>(value)) page.items.push_back(std::move(*view));
               return true;
             });
  return page;
}

}  // namespace microjobs
