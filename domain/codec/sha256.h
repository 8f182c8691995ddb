#pragma once
#include <string>
#include <string_view>

namespace microjobs {

// Lower-case hex SHA-256 of the bytes (OpenSSL).
std::string sha256_hex(std::string_view bytes);
// The prev_hash of a partition's first record: 64 zeros.
inline const std::string kZeroHash(64, '0');

}  // namespace microjobs
