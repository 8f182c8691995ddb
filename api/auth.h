#pragma once
// Bearer tokens: JWT signed with HS256 (libjwt), carrying `sub` (the user id), `roles`, `iat` and
// `exp`. Only HS256 is accepted: a token whose header names any other algorithm, `none` included,
// is invalid whatever its signature.
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
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

// What a token's signature and claims establish: who, and from when until when (in seconds,
// with the policy's leeway applied) the token stands.
struct VerifiedToken {
  Principal principal;
  std::int64_t valid_from_s = std::numeric_limits<std::int64_t>::min();  // nbf - leeway
  std::int64_t valid_until_s = 0;                                          // exp + leeway
  bool valid_at(UnixMs now) const;
};

// verify_token's checks except the time: what the token says, whenever it is asked.
std::optional<VerifiedToken> verify_token_claims(std::string_view secret, std::string_view token,
                                                 const TokenPolicy& policy = {});

// verify_token for one secret and policy, remembering each verified token for its lifetime: a
// token seen before costs a hash lookup instead of a base64 decode, a JSON parse and an HMAC.
// The cache is keyed by the token's exact bytes, so a hit is the same verification; the
// lifetime is checked against `now` every time. Refused tokens are not kept. Thread-safe.
// At most max_entries tokens, in two generations of half that each: a lookup tries the current
// generation, then the previous one (a hit there moves the token to the current). When the
// current one is full it becomes the previous and the old previous is freed outside the lock. So
// a token in steady use is never verified twice, and no request waits while tens of thousands of
// entries are freed (the cache used to start again empty when full, under its lock).
class TokenVerifier {
 public:
  static constexpr std::size_t kMaxEntries = 65'536;

  TokenVerifier(std::string secret, TokenPolicy policy, std::size_t max_entries = kMaxEntries);
  std::optional<Principal> verify(std::string_view token, UnixMs now);
  std::size_t size() const;
  std::uint64_t full_verifications() const;  // the lookups that missed and verified the token

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  using Generation = std::unordered_map<std::string, VerifiedToken, Hash, std::equal_to<>>;
  // The token's entry in the current generation (moved there from the previous), or null.
  const VerifiedToken* find_locked(std::string_view token);

  const std::string secret_;
  const TokenPolicy policy_;
  const std::size_t generation_size_;
  mutable std::mutex mutex_;
  Generation current_, previous_;
  std::uint64_t full_verifications_ = 0;
};

// The development secret: fine on a laptop, never in production. `microjobs serve` and
// `microjobs token` use it when MICROJOBS_JWT_SECRET is unset, and the server warns.
inline constexpr std::string_view kDevelopmentSecret = "microjobs-dev-secret-change-me";

}  // namespace microjobs
