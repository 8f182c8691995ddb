#pragma once
// Semantic comparison of two PartitionStates. The state is made of unordered maps, whose
// iteration order (and so encode_snapshot's bytes) differs between two equal states built in a
// different order, so this compares field by field through lookups instead.
//
// Each struct is unpacked with a structured binding of all its members: when a field is added to
// the state, this stops compiling until the comparison covers the new field too.
#include <string>

#include "domain/state.h"

namespace microjobs::test_support {

// Empty when the states are equal, else a description of the first difference found.
std::string state_difference(const PartitionState& expected, const PartitionState& actual);

}  // namespace microjobs::test_support
