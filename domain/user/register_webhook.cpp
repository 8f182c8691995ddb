#include "domain/user/register_webhook.h"

#include <algorithm>
#include <utility>

#include "domain/events.h"

namespace microjobs {

bool is_event_type(std::string_view type) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return ((std::variant_alternative_t<I, Event>::kType == type) || ...);
  }(std::make_index_sequence<std::variant_size_v<Event>>{});
}

Decision decide_one(const PartitionState& state, const RegisterWebhook& command, UnixMs,
                    const Policy& policy) {
  if (!valid_http_url(command.url)) return Rejection::invalid_argument;
  if (command.events.empty() || command.events.size() > 64) return Rejection::invalid_argument;
  std::vector<std::string> sorted = command.events;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Rejection::invalid_argument;
  }
  if (!std::all_of(sorted.begin(), sorted.end(), is_event_type)) return Rejection::invalid_argument;
  const UserState* employer = state.find_user(command.employer_id);
  if (employer == nullptr || !employer->registered) return Rejection::user_not_found;
  if (employer->extras->next_webhook_number > policy.max_webhooks) return Rejection::too_many_webhooks;
  return WebhookRegistered{make_webhook_id(command.employer_id, employer->extras->next_webhook_number),
                           command.employer_id, command.url, command.events};
}

void evolve_one(PartitionState& state, const WebhookRegistered& e) {
  ++state.users[e.employer_id].extras.write().next_webhook_number;
}

}  // namespace microjobs
