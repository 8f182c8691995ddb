#pragma once
// Semantic comparison of two PartitionStates. The state is made of unordered maps, whose iteration
// order differs between two equal states built in a different order, so both sides are flattened
// through the state's visit() lists into (path, value) lines with maps in key order, and compared
// line by line. A field added to a visit() list is compared without touching this file.
#include <string>
#include <utility>
#include <vector>

#include "domain/state.h"

namespace microjobs::test_support {

// Empty when the states are equal, else a description of the first difference found.
std::string state_difference(const PartitionState& expected, const PartitionState& actual);

// The state as (path, value) lines in a canonical order: "tasks[emp.1].claims[emp.1.2].status".
std::vector<std::pair<std::string, std::string>> flatten(const PartitionState& state);

}  // namespace microjobs::test_support
