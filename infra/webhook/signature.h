#pragma once
// Webhook secrets and signatures (HMAC-SHA256, OpenSSL).
//
// A webhook's secret is derived, not stored: hex HMAC-SHA256(signing key, "microjobs webhook " +
// webhook id). The API shows it once when the webhook is registered; the deliverer derives it
// again to sign. Nothing holds it at rest, and the event stream never carries it.
//
// A delivery's signature header is "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>":
// the receiver recomputes it from the raw body and refuses a stale t (replay protection).
#include <cstdint>
#include <string>
#include <string_view>

namespace microjobs {

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string webhook_secret(std::string_view signing_key, std::string_view webhook_id);
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

}  // namespace microjobs
