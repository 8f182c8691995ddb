#pragma once
// Folds a whole log the way an auditor would: every partition's hash chain must be intact, the
// transfers must sum to zero, and no user account may be negative after any event.
#include <gtest/gtest.h>

#include <map>

#include "commands/event_log.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"

namespace microjobs::testing {

struct LedgerFold {
  std::map<std::string, std::int64_t> balances;
  std::size_t events = 0;   // records applied
  std::size_t skipped = 0;  // repeats and forks
};

inline LedgerFold expect_ledger_sound(EventLog& log) {
  LedgerFold fold;
  for (std::int32_t p = 0; p < log.partitions(); ++p) {
    auto records = log.read(p, 0, 10'000'000);
    EXPECT_TRUE(records.ok());
    if (!records.ok()) return fold;
    std::string previous = kZeroHash;
    std::int64_t seq = 0;
    for (const LogRecord& record : *records) {
      auto envelope = decode_envelope(record.value);
      EXPECT_TRUE(envelope.has_value()) << "partition " << p << " offset " << record.offset;
      if (!envelope) return fold;
      // Like every reader: the first record of each seq counts; repeats and forks do not.
      std::string hash = sha256_hex(record.value);
      ChainStep step = classify_record(seq, previous, envelope->meta.seq, envelope->meta.prev_hash, hash);
      EXPECT_NE(step, ChainStep::gap) << "partition " << p << " offset " << record.offset;
      if (step != ChainStep::apply) {
        ++fold.skipped;
        continue;
      }
      ++fold.events;
      seq = envelope->meta.seq;
      EXPECT_EQ(envelope->meta.stream, record.key);
      previous = std::move(hash);
      const auto* transfers = event_transfers(envelope->event);
      if (transfers == nullptr) continue;
      for (const Transfer& t : *transfers) {
        EXPECT_GT(t.amount.value, 0);
        fold.balances[t.debit] -= t.amount.value;
        fold.balances[t.credit] += t.amount.value;
        if (t.debit.starts_with("user:")) {
          EXPECT_GE(fold.balances[t.debit], 0) << t.debit << " after " << envelope->meta.id;
        }
      }
    }
  }
  std::int64_t sum = 0;
  for (const auto& [account, balance] : fold.balances) sum += balance;
  EXPECT_EQ(sum, 0);
  EXPECT_EQ(fold.balances[std::string(accounts::kClearingPayouts)], 0);
  return fold;
}

inline std::int64_t total_records(EventLog& log) {
  std::int64_t total = 0;
  for (std::int32_t p = 0; p < log.partitions(); ++p) total += log.end(p);
  return total;
}

}  // namespace microjobs::testing
