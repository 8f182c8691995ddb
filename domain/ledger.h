#pragma once
// Double entry: the accounts money moves between, and one move.
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
inline constexpr std::string_view kPlatformFees = "platform:fees";
inline constexpr std::string_view kClearingPayouts = "clearing:payouts";
inline constexpr std::string_view kWorldDeposits = "world:deposits";
inline constexpr std::string_view kWorldWithdrawals = "world:withdrawals";
}  // namespace accounts

}  // namespace microjobs
