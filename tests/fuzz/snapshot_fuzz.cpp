// libFuzzer: the snapshot decoder, which reads a partition's state from disk at start. A
// damaged or foreign snapshot must be refused (the processor then replays the log), never
// misread or crash; one that decodes is re-encoded canonically.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/assert.h"
#include "domain/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace microjobs;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto state = decode_snapshot(bytes)) {
    const std::string canonical = encode_snapshot(*state);
    auto again = decode_snapshot(canonical);
    MJ_ASSERT(again.has_value());
    MJ_ASSERT(encode_snapshot(*again) == canonical);
  }
  return 0;
}
