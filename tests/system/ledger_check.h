#pragma once
// Folds a whole log the way an auditor would, with the audit's own fold (commands/ledger_audit.h,
// the same code `microjobs audit` runs): every partition's hash chain intact, the transfers summing
// to zero, no user bucket negative after any event, the domain's invariants at the end.
#include <gtest/gtest.h>

#include <map>

#include "commands/event_log.h"
#include "commands/ledger_audit.h"
#include "domain/codec/envelope.h"
#include "domain/ledger.h"

namespace microjobs::testing {

struct LedgerFold {
  std::map<std::string, std::int64_t> balances;
  std::size_t events = 0;   // records applied
  std::size_t skipped = 0;  // repeats
};

inline LedgerFold expect_ledger_sound(EventLog& log) {
  AuditReport report = audit_log(log, AuditOptions{});
  for (const AuditViolation& v : report.violations) {
    ADD_FAILURE() << "partition " << v.partition << " seq " << v.seq << " offset " << v.offset << ": "
                  << v.what;
  }
  EXPECT_EQ(report.balances[std::string(accounts::kClearingPayouts)], 0);
  return LedgerFold{report.balances, static_cast<std::size_t>(report.events),
                    static_cast<std::size_t>(report.skipped)};
}

// Records, not offsets: on Kafka with fenced writers commit markers take offsets too.
inline std::int64_t total_records(EventLog& log) {
  std::int64_t total = 0;
  for (std::int32_t p = 0; p < log.partitions(); ++p) {
    for (std::int64_t next = 0; next < log.end(p);) {
      auto records = log.read(p, next, 10'000);
      EXPECT_TRUE(records.ok());
      if (!records.ok() || records->empty()) break;
      total += static_cast<std::int64_t>(records->size());
      next = records->back().after();
    }
  }
  return total;
}

}  // namespace microjobs::testing
