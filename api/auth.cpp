#include "api/auth.h"

#include <jwt.h>

#include <algorithm>
#include <cerrno>
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

// libjwt reports a missing or non-integer claim through errno only.
std::optional<long> integer_claim(jwt_t* jwt, const char* name) {
  errno = 0;
  long value = jwt_get_grant_int(jwt, name);
  if (errno != 0) return std::nullopt;
  return value;
}

// The `roles` claim: absent means none; anything but an array of strings is invalid.
std::optional<std::vector<std::string>> roles_of(jwt_t* jwt) {
  CString json(jwt_get_grants_json(jwt, "roles"));
  if (json == nullptr) return std::vector<std::string>{};
  auto parsed = parse_json(json.get());
  if (!parsed.ok() || parsed->kind != JsonValue::Kind::array) return std::nullopt;
  std::vector<std::string> roles;
  for (const JsonValue& item : parsed->items) {
    if (item.kind != JsonValue::Kind::string) return std::nullopt;
    roles.push_back(item.text);
  }
  return roles;
}

}  // namespace

bool Principal::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string mint_token(std::string_view secret, std::string_view user_id,
                       const std::vector<std::string>& roles, std::int64_t ttl_s, UnixMs now) {
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
  if (!ok) return {};
  CString token(jwt_encode_str(jwt.get()));
  return token == nullptr ? std::string{} : std::string(token.get());
}

std::optional<Principal> verify_token(std::string_view secret, std::string_view token,
                                      UnixMs now) {
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
  const std::int64_t now_s = now.value / 1000;
  auto expires = integer_claim(jwt.get(), "exp");
  if (!expires || now_s >= *expires) return std::nullopt;
  if (auto not_before = integer_claim(jwt.get(), "nbf"); not_before && now_s < *not_before) {
    return std::nullopt;
  }
  const char* subject = jwt_get_grant(jwt.get(), "sub");
  if (subject == nullptr || !valid_user_id(subject)) return std::nullopt;
  auto roles = roles_of(jwt.get());
  if (!roles) return std::nullopt;
  return Principal{subject, std::move(*roles)};
}

}  // namespace microjobs
