// libFuzzer: the event envelope decoder, which reads whatever a Kafka topic or a copied log holds,
// and the command message decoder of the Kafka command topic. Whatever decodes must encode to a
// canonical form that decodes to itself: decode(encode(decode(bytes))) encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/assert.h"
#include "domain/codec/command_codec.h"
#include "domain/codec/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace microjobs;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto envelope = decode_envelope(bytes)) {
    const std::string canonical = encode_envelope(envelope->meta, envelope->event);
    auto again = decode_envelope(canonical);
    MJ_ASSERT(again.has_value());
    MJ_ASSERT(encode_envelope(again->meta, again->event) == canonical);
    (void)peek_type(bytes);
    (void)peek_seq(bytes);
  }
  if (auto message = decode_command_message(bytes)) {
    const std::string canonical = encode_command_message(*message);
    auto again = decode_command_message(canonical);
    MJ_ASSERT(again.has_value());
    MJ_ASSERT(encode_command_message(*again) == canonical);
  }
  return 0;
}
