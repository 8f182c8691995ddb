#pragma once
// RegisterUser: a user registers itself (or updates its profile). Stream: the user.
#include <string>
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct RegisterUser {
  static constexpr std::string_view kName = "RegisterUser";
  UserId user_id;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string display_name;
  template <class V> void visit(V& v) {
    v("user_id", user_id);
    v("country", country);
    v("display_name", display_name);
  }
  const std::string& stream() const { return user_id.value; }
};

struct UserRegistered {
  static constexpr std::string_view kType = "user.registered.v1";
  UserId user_id;
  std::string country;
  std::string display_name;
  bool operator==(const UserRegistered&) const = default;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("country", country); v("display_name", display_name);
  }
  template <class F> void personal(F&& f) { f(user_id, display_name); }
};

struct UserProfileUpdated {
  static constexpr std::string_view kType = "user.profile_updated.v1";
  UserId user_id;
  std::string country;
  std::string display_name;
  bool operator==(const UserProfileUpdated&) const = default;
  template <class V> void visit(V& v) {
    v("user_id", user_id); v("country", country); v("display_name", display_name);
  }
  template <class F> void personal(F&& f) { f(user_id, display_name); }
};

Decision decide_one(const PartitionState& state, const RegisterUser& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const UserRegistered& event);
void evolve_one(PartitionState& state, const UserProfileUpdated& event);

}  // namespace microjobs
