#pragma once
// Double entry: the accounts money moves between, and one move.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/ids.h"
#include "domain/money.h"

namespace microjobs {

// One leg of double entry: `amount` leaves `debit` and arrives in `credit`. An account's balance
// is what it was credited minus what it was debited, so the sum over all accounts is always zero.
struct Transfer {
  std::string debit;
  std::string credit;
  Micros amount;
  bool operator==(const Transfer&) const = default;
  template <class V> void visit(V& v) { v("debit", debit); v("credit", credit); v("amount", amount); }
};

namespace accounts {
inline std::string available(const UserId& user) { return "user:" + user.value + ":available"; }
inline std::string escrow(const UserId& user) { return "user:" + user.value + ":escrow"; }
inline std::string pending_withdrawal(const UserId& user) {
  return "user:" + user.value + ":pending_withdrawal";
}

// A user's three buckets: "user:{id}:available", ":escrow" and ":pending_withdrawal".
enum class Bucket : std::uint8_t { available, escrow, pending_withdrawal };
struct UserAccount {
  std::string_view user;
  Bucket bucket;
};
// The user and bucket of a user account; nullopt for a shared account (platform:, clearing:,
// world:) or a malformed name.
inline std::optional<UserAccount> parse_user_account(std::string_view account) {
  constexpr std::string_view kUser = "user:";
  if (!account.starts_with(kUser)) return std::nullopt;
  std::size_t colon = account.rfind(':');
  if (colon < kUser.size()) return std::nullopt;
  std::string_view kind = account.substr(colon + 1);
  std::string_view user = account.substr(kUser.size(), colon - kUser.size());
  if (kind == "available") return UserAccount{user, Bucket::available};
  if (kind == "escrow") return UserAccount{user, Bucket::escrow};
  if (kind == "pending_withdrawal") return UserAccount{user, Bucket::pending_withdrawal};
  return std::nullopt;
}
// The balance of `bucket` in anything with available, escrow and pending_withdrawal members.
template <class Balances> auto& bucket_of(Balances& balances, Bucket bucket) {
  switch (bucket) {
    case Bucket::escrow: return balances.escrow;
    case Bucket::pending_withdrawal: return balances.pending_withdrawal;
    case Bucket::available: break;
  }
  return balances.available;
}
inline std::string_view bucket_name(Bucket bucket) {
  switch (bucket) {
    case Bucket::available: return "available";
    case Bucket::escrow: return "escrow";
    case Bucket::pending_withdrawal: return "pending_withdrawal";
  }
  return "unknown";
}
inline constexpr std::string_view kPlatformFees = "platform:fees";
inline constexpr std::string_view kClearingPayouts = "clearing:payouts";
inline constexpr std::string_view kWorldDeposits = "world:deposits";
inline constexpr std::string_view kWorldWithdrawals = "world:withdrawals";
}  // namespace accounts

}  // namespace microjobs
