#include "api/auth.h"

#include <jwt.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>

#include "api/json_body.h"
#include "domain/codec/json_writer.h"
#include "domain/ids.h"

namespace microjobs {
namespace {

constexpr std::size_t kMaxTokenBytes = 4096;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct CFree {
  void operator()(char* text) const { std::free(text); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;
using CString = std::unique_ptr<char, CFree>;

const unsigned char* key_bytes(std::string_view secret) {
  return reinterpret_cast<const unsigned char*>(secret.data());
}

std::string roles_claim(const std::vector<std::string>& roles) {
  std::string json;
  JsonWriter writer(json);
  writer.begin_object().key("roles").begin_array();
  for (const std::string& role : roles) writer.string(role);
  writer.end_array().end_object();
  return json;
}

// All claims of a decoded token as one JSON object: each is then read with its type checked
// (libjwt's typed getters cannot tell a missing claim from one of another type).
std::optional<JsonValue> claims_of(jwt_t* jwt) {
  CString json(jwt_get_grants_json(jwt, nullptr));
  if (json == nullptr) return std::nullopt;
  auto parsed = parse_json(json.get());
  if (!parsed.ok() || parsed->kind != JsonValue::Kind::object) return std::nullopt;
  return std::move(*parsed);
}

// A NumericDate claim (RFC 7519 section 2): seconds, a fraction dropped. libjwt hands numbers
// back as its JSON library prints them; one printed with an exponent (beyond 10^17 s) is refused.
struct TimeClaim {
  bool present = false;
  bool valid = true;
  std::int64_t seconds = 0;
};

TimeClaim time_claim(const JsonValue& claims, std::string_view name) {
  const JsonValue* value = claims.find(name);
  if (value == nullptr) return {};
  TimeClaim claim{true, false, 0};
  if (value->kind != JsonValue::Kind::number) return claim;
  std::string_view digits = std::string_view(value->text).substr(0, value->text.find('.'));
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), claim.seconds);
  claim.valid = error == std::errc{} && end == digits.data() + digits.size();
  return claim;
}

// The `roles` claim: absent means none; anything but an array of strings is invalid.
std::optional<std::vector<std::string>> roles_of(const JsonValue& claims) {
  const JsonValue* value = claims.find("roles");
  if (value == nullptr) return std::vector<std::string>{};
  if (value->kind != JsonValue::Kind::array) return std::nullopt;
  std::vector<std::string> roles;
  for (const JsonValue& item : value->items) {
    if (item.kind != JsonValue::Kind::string) return std::nullopt;
    roles.push_back(item.text);
  }
  return roles;
}

bool string_claim_is(const JsonValue& claims, std::string_view name, std::string_view expected) {
  const JsonValue* value = claims.find(name);
  return value != nullptr && value->kind == JsonValue::Kind::string && value->text == expected;
}

// `aud` is one string or an array of strings (RFC 7519 section 4.1.3).
bool audience_holds(const JsonValue& claims, std::string_view audience) {
  const JsonValue* value = claims.find("aud");
  if (value == nullptr) return false;
  if (value->kind == JsonValue::Kind::string) return value->text == audience;
  if (value->kind != JsonValue::Kind::array) return false;
  return std::any_of(value->items.begin(), value->items.end(), [&](const JsonValue& item) {
    return item.kind == JsonValue::Kind::string && item.text == audience;
  });
}

// The token's lifetime, widened by the leeway on both sides; nullopt without a valid `exp` or
// with an invalid `nbf`.
std::optional<VerifiedToken> lifetime_of(const JsonValue& claims, std::int64_t leeway_s) {
  TimeClaim expires = time_claim(claims, "exp");
  TimeClaim not_before = time_claim(claims, "nbf");
  if (!expires.present || !expires.valid || !not_before.valid) return std::nullopt;
  VerifiedToken lifetime;
  lifetime.valid_until_s = expires.seconds + leeway_s;
  if (not_before.present) lifetime.valid_from_s = not_before.seconds - leeway_s;
  return lifetime;
}

bool policy_holds(const JsonValue& claims, const TokenPolicy& policy) {
  if (!policy.issuer.empty() && !string_claim_is(claims, "iss", policy.issuer)) return false;
  return policy.audience.empty() || audience_holds(claims, policy.audience);
}

}  // namespace

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string mint_token(std::string_view secret, std::string_view user_id,
                       const std::vector<std::string>& roles, std::int64_t ttl_s, UnixMs now,
                       const TokenPolicy& policy) {
  if (secret.empty()) return {};
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return {};
  JwtPtr jwt(raw);
  const std::int64_t now_s = now.value / 1000;
  std::string subject(user_id);
  bool ok = jwt_add_grant(jwt.get(), "sub", subject.c_str()) == 0 &&
            jwt_add_grant_int(jwt.get(), "iat", now_s) == 0 &&
            jwt_add_grant_int(jwt.get(), "exp", now_s + ttl_s) == 0 &&
            jwt_add_grants_json(jwt.get(), roles_claim(roles).c_str()) == 0 &&
            jwt_set_alg(jwt.get(), JWT_ALG_HS256, key_bytes(secret),
                        static_cast<int>(secret.size())) == 0;
  if (ok && !policy.issuer.empty()) ok = jwt_add_grant(jwt.get(), "iss", policy.issuer.c_str()) == 0;
  if (ok && !policy.audience.empty()) {
    ok = jwt_add_grant(jwt.get(), "aud", policy.audience.c_str()) == 0;
  }
  if (!ok) return {};
  CString token(jwt_encode_str(jwt.get()));
  return token == nullptr ? std::string{} : std::string(token.get());
}

bool VerifiedToken::valid_at(UnixMs now) const {
  const std::int64_t now_s = now.value / 1000;
  return now_s >= valid_from_s && now_s < valid_until_s;
}

std::optional<VerifiedToken> verify_token_claims(std::string_view secret, std::string_view token,
                                                 const TokenPolicy& policy) {
  if (secret.empty() || token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  std::string token_text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token_text.c_str(), key_bytes(secret), static_cast<int>(secret.size())) !=
      0) {
    return std::nullopt;
  }
  JwtPtr jwt(raw);
  // libjwt decodes whatever algorithm the header names; only HS256 with our key is trusted.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return std::nullopt;
  auto claims = claims_of(jwt.get());
  if (!claims || !policy_holds(*claims, policy)) return std::nullopt;
  auto verified = lifetime_of(*claims, policy.leeway_s);
  if (!verified) return std::nullopt;
  const JsonValue* subject = claims->find("sub");
  if (subject == nullptr || subject->kind != JsonValue::Kind::string ||
      !valid_user_id(subject->text)) {
    return std::nullopt;
  }
  auto roles = roles_of(*claims);
  if (!roles) return std::nullopt;
  verified->principal = Principal{subject->text, std::move(*roles)};
  return verified;
}

std::optional<Principal> verify_token(std::string_view secret, std::string_view token,
                                      UnixMs now, const TokenPolicy& policy) {
  auto verified = verify_token_claims(secret, token, policy);
  if (!verified || !verified->valid_at(now)) return std::nullopt;
  return std::move(verified->principal);
}

TokenVerifier::TokenVerifier(std::string secret, TokenPolicy policy, std::size_t max_entries)
    : secret_(std::move(secret)),
      policy_(std::move(policy)),
      generation_size_(std::max<std::size_t>(1, max_entries / 2)) {}

const VerifiedToken* TokenVerifier::find_locked(std::string_view token) {
  if (auto it = current_.find(token); it != current_.end()) return &it->second;
  auto old = previous_.find(token);
  if (old == previous_.end()) return nullptr;
  if (current_.size() >= generation_size_) return &old->second;  // the current one is full: read it in place
  auto moved = current_.insert(previous_.extract(old));  // the node itself: no copy, no allocation
  return &moved.position->second;
}

std::optional<Principal> TokenVerifier::verify(std::string_view token, UnixMs now) {
  {
    std::lock_guard lock(mutex_);
    if (const VerifiedToken* known = find_locked(token)) {
      if (!known->valid_at(now)) return std::nullopt;
      return known->principal;
    }
    ++full_verifications_;
  }
  auto verified = verify_token_claims(secret_, token, policy_);
  if (!verified || !verified->valid_at(now)) return std::nullopt;
  Principal principal = verified->principal;
  Generation retired;  // declared before the lock: freed after it is released
  std::lock_guard lock(mutex_);
  if (current_.size() >= generation_size_) {
    retired = std::move(previous_);
    previous_ = std::move(current_);
    current_ = Generation{};
  }
  current_.emplace(std::string(token), std::move(*verified));
  return principal;
}

std::size_t TokenVerifier::size() const {
  std::lock_guard lock(mutex_);
  return current_.size() + previous_.size();
}

std::uint64_t TokenVerifier::full_verifications() const {
  std::lock_guard lock(mutex_);
  return full_verifications_;
}

}  // namespace microjobs
