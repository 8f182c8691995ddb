#include "domain/user/erase_user.h"

#include "domain/events.h"

namespace microjobs {

Decision decide_one(const PartitionState& state, const EraseUser& command, UnixMs, const Policy&) {
  const UserState* user = state.find_user(command.user_id);
  if (user == nullptr || !user->registered) return Rejection::user_not_found;
  return UserErased{command.user_id};
}

// The display name kept for decisions is sealed text whose key is gone: nothing to keep.
void evolve_one(PartitionState& state, const UserErased& e) {
  state.users[e.user_id].display_name.clear();
}

}  // namespace microjobs
