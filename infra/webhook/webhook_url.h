#pragma once
// What a webhook URL may be, shared by the API (at registration) and the deliverer (at each
// delivery): parsing with Boost.URL, and the private-address rule. No I/O here.
//
// Where a webhook may point: every address its host resolves to must be public unless
// `allow_private` (tests), so that an employer cannot make the server reach the operator's own
// network (cloud metadata at 169.254.169.254, a database on 10.0.0.5). The API refuses a private
// IP literal or "localhost" at once; the deliverer checks the addresses it actually connects to
// at each delivery, since a name can resolve elsewhere later.
#include <string>
#include <string_view>

#include "domain/result.h"

namespace microjobs {

struct WebhookTarget {
  bool tls = false;
  std::string host;    // a name or an IP literal (without IPv6 brackets)
  std::string port;    // "443", "80" or the URL's
  std::string target;  // path and query, at least "/"
};

// Parses an http:// or https:// URL (Boost.URL): no user info, no fragment.
Result<WebhookTarget> parse_webhook_url(std::string_view url);

// True for loopback, private, link-local, carrier-grade NAT, multicast, reserved and unspecified
// addresses (IPv4, IPv6 and IPv4-mapped IPv6); false for a public address or a text that is no IP.
bool is_private_address(std::string_view ip);

// Why a URL may not be registered, checked without resolving names: a host that is "localhost"
// or a private IP literal (unless allow_private). Empty when it may.
std::string refused_webhook_host(const WebhookTarget& target, bool allow_private);

}  // namespace microjobs
