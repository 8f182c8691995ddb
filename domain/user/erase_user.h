#pragma once
// EraseUser: an administrator meets a person's right to erasure. Stream: the user.
//
// The event changes no balance and keeps the user's id: the ledger must still add up. What it
// erases is the person's free text (display name, proofs, withdrawal destinations, the
// instructions of its tasks), which the log holds only sealed under the user's key
// (domain/personal_data.h): folding `user.erased.v1` destroys that key, so every copy of the
// text — in the log, on Kafka, in exports and backups — is unreadable from then on, while every
// record's bytes, and so the hash chain, stay as they were.
#include <string_view>

#include "domain/rules.h"

namespace microjobs {

struct EraseUser {
  static constexpr std::string_view kName = "EraseUser";
  UserId user_id;
  template <class V> void visit(V& v) { v("user_id", user_id); }
  const std::string& stream() const { return user_id.value; }
};

struct UserErased {
  static constexpr std::string_view kType = "user.erased.v1";
  UserId user_id;
  bool operator==(const UserErased&) const = default;
  template <class V> void visit(V& v) { v("user_id", user_id); }
};

Decision decide_one(const PartitionState& state, const EraseUser& command, UnixMs now,
                    const Policy& policy);
void evolve_one(PartitionState& state, const UserErased& event);

}  // namespace microjobs
