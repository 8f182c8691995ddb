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

// What a deployment asks of a token beyond its signature.
struct TokenPolicy {
  std::string issuer;    // when set, the `iss` claim must equal it (and minted tokens carry it)
  std::string audience;  // when set, `aud` (a string or an array) must hold it (minted: carry it)
  // Clocks of the minting and the verifying machine may differ by this much: `exp` is honoured
  // until exp + leeway, `nbf` from nbf - leeway.
  std::int64_t leeway_s = 30;
};

// A token for `user_id` with `roles`, valid from `now` for `ttl_s` seconds, with the policy's
// `iss` and `aud` when it names them. Empty when the secret is empty or libjwt fails (out of
// memory).
std::string mint_token(std::string_view secret, std::string_view user_id,
                       const std::vector<std::string>& roles, std::int64_t ttl_s, UnixMs now,
                       const TokenPolicy& policy = {});

// The principal of a token that is HS256-signed with `secret`, carries an integer `exp` not
// passed at `now`, an `nbf` (if any) that is an integer already reached, a valid user id as
// `sub`, roles as an array of strings, and the policy's issuer and audience; nullopt otherwise.
// A claim of the wrong type is refused, never taken as absent.
std::optional<Principal> verify_token(std::string_view secret, std::string_view token, UnixMs now,
                                      const TokenPolicy& policy = {});

// The development secret: fine on a laptop, never in production. `microjobs serve` and
// `microjobs token` use it when MICROJOBS_JWT_SECRET is unset, and the server warns.
inline constexpr std::string_view kDevelopmentSecret = "microjobs-dev-secret-change-me";

}  // namespace microjobs
