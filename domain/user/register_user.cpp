#include "domain/user/register_user.h"

#include "domain/events.h"
#include "domain/personal_data.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const RegisterUser& command, UnixMs,
                    const Policy&) {
  if (!valid_user_id(command.user_id.value) || !valid_country(command.country) ||
      !(valid_text(command.display_name, 200) || is_sealed(command.display_name))) {
    return Rejection::invalid_argument;
  }
  const UserState* user = state.find_user(command.user_id);
  if (user == nullptr || !user->registered) {
    return UserRegistered{command.user_id, command.country, command.display_name};
  }
  if (user->country == command.country && user->display_name == command.display_name) {
    return Rejection::exists;
  }
  return UserProfileUpdated{command.user_id, command.country, command.display_name};
}

void evolve_one(PartitionState& state, const UserRegistered& e) {
  UserState& user = state.users[e.user_id];
  user.registered = true;
  user.country = e.country;
  user.display_name = e.display_name;
}

void evolve_one(PartitionState& state, const UserProfileUpdated& e) {
  UserState& user = state.users[e.user_id];
  user.country = e.country;
  user.display_name = e.display_name;
}

}  // namespace microjobs
