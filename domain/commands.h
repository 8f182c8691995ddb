#pragma once
// Commands: the write side's whole vocabulary. Each is defined in its slice (domain/slices.h) and
// lists its fields once, in visit(), for the command codec (domain/codec/command_codec.h) and the
// API's body reader. A command names the user who asks (worker_id, employer_id…), already
// authenticated by the API; decide() checks what that user may do. The time it is decided at is
// not in the command: the partition processor passes it to decide() from its Clock.
#include <string>
#include <string_view>

#include "domain/slices.h"
#include "domain/vocabulary.h"

namespace microjobs {

// The stream (user id) a command belongs to: its partition is partition_for(stream, P).
// Empty when an id inside the command is malformed (the API rejects such input before).
std::string stream_of(const Command& command);
std::string_view command_name(const Command& command);

}  // namespace microjobs
