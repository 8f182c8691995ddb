#pragma once
// `microjobs audit --diff http://host:port`: what a live node's read models say that the audit's
// own fold of the log does not. The only Beast and Boost.JSON user of the audit is audit_diff.cpp.
#include <string>
#include <vector>

#include "commands/ledger_audit.h"
#include "domain/result.h"

namespace microjobs {

// Compares every user's balances, the shared accounts, every task's status and counters and
// every reputation (from `report`) with the node at `url`, read with `token` (an auditor's); the
// node's rate limit is waited out. One line per difference; an error when the node cannot be
// read at all.
Result<std::vector<std::string>> diff_with_node(const AuditReport& report, const std::string& url,
                                                const std::string& token);

}  // namespace microjobs
