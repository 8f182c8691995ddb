#pragma once
// The webhook deliverer's HTTP client: one POST with a deadline, to http:// or https:// (TLS with
// the system's CA store, or SSL_CERT_FILE; SNI and host name verification), connecting only to
// the public addresses the host resolves to unless `allow_private` (webhook_url.h). The only
// translation unit under infra/webhook that includes Beast, Asio and OpenSSL's TLS.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "infra/webhook/webhook_url.h"

namespace microjobs {

struct PostResult {
  int status = 0;     // the HTTP status; 0 when there was none
  std::string error;  // what failed when there was no status (refused address, timeout, TLS…)
};

PostResult http_post(const WebhookTarget& target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body, std::chrono::milliseconds timeout, bool allow_private);

}  // namespace microjobs
