#pragma once
// What the tests against `microjobs serve` share to read its answers: a Bearer header, a JSON
// body as a Boost.JSON object, and its string and integer members (with a visible placeholder
// when one is missing, so a failure message says which).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <string>

#include "api/auth.h"
#include "commands/clock.h"
#include "http_client.h"

namespace microjobs::testing {

// A bearer token for `user` with `role`, signed with `secret`, valid for an hour from now.
inline std::string token(const std::string& secret, const std::string& user, const std::string& role) {
  return mint_token(secret, user, {role}, 3600, SystemClock().now());
}

inline std::map<std::string, std::string> auth(const std::string& bearer,
                                               std::map<std::string, std::string> more = {}) {
  more["Authorization"] = "Bearer " + bearer;
  return more;
}

inline boost::json::object object_of(const std::string& text) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  return ec || !value.is_object() ? boost::json::object{} : value.as_object();
}

inline boost::json::object body_of(const HttpResult& result) { return object_of(result.body); }

inline std::string str(const boost::json::object& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->value().is_string()) return "<missing " + std::string(key) + ">";
  return std::string(it->value().as_string());
}

inline std::int64_t num(const boost::json::object& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || !it->value().is_int64() ? -1 : it->value().as_int64();
}

}  // namespace microjobs::testing
