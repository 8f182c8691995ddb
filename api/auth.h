#pragma once
// Bearer tokens: JWT signed with HS256 (libjwt), carrying `sub` (the user id), `roles`, `iat` and
// `exp`. Only HS256 is accepted: a token whose header names any other algorithm, `none` included,
// is invalid whatever its signature.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace microjobs {

namespace roles {
inline constexpr std::string_view kEmployer = "employer";
inline constexpr std::string_view kWorker = "worker";
inline constexpr std::string_view kAuditor = "auditor";
inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kPayments = "payments";
}  // namespace roles

// Who is asking, as the token says.
struct Principal {
  std::string user_id;
  std::vector<std::string> roles;
  bool has_role(std::string_view role) const;
};

// A token for `user_id` with `roles`, valid from `now` for `ttl_s` seconds. Empty when the secret
// is empty or libjwt fails (out of memory).
std::string mint_token(std::string_view secret, std::string_view user_id,
                       const std::vector<std::string>& roles, std::int64_t ttl_s, UnixMs now);

// The principal of a token that is HS256-signed with `secret`, not expired at `now` (and not
// before its `nbf`, if it has one), and whose `sub` is a valid user id; nullopt otherwise.
std::optional<Principal> verify_token(std::string_view secret, std::string_view token, UnixMs now);

// The development secret: fine on a laptop, never in production. `microjobs serve` and
// `microjobs token` use it when MICROJOBS_JWT_SECRET is unset, and the server warns.
inline constexpr std::string_view kDevelopmentSecret = "microjobs-dev-secret-change-me";

}  // namespace microjobs
