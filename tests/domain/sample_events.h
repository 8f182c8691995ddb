#pragma once
// One sample of every event type, each field set to a value other than its default, so that a
// codec that drops or mixes up a field fails the round-trip and golden-fixture tests.
#include <vector>

#include "domain/codec/envelope.h"

namespace microjobs::test_support {

std::vector<Event> sample_events();
// The envelope attributes the golden fixtures were written with (partition 3, seq 42).
EnvelopeMeta sample_meta(const Event& event);
// A default-constructed event of the variant's alternative `index`.
Event default_event(std::size_t index);

}  // namespace microjobs::test_support
