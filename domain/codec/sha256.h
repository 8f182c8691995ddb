#pragma once
#include <array>
#include <string>
#include <string_view>

namespace microjobs {

// The lower-case hex SHA-256 of some bytes (OpenSSL, with the CPU's SHA extensions where it has
// them), in a fixed buffer: hashing allocates nothing.
using Sha256Hex = std::array<char, 64>;
Sha256Hex sha256(std::string_view bytes);
inline std::string_view view(const Sha256Hex& hex) { return {hex.data(), hex.size()}; }

// The same as a string.
std::string sha256_hex(std::string_view bytes);
// The prev_hash of a partition's first record: 64 zeros.
inline const std::string kZeroHash(64, '0');

}  // namespace microjobs
