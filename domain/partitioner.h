#pragma once
// partition = murmur2(key) mod P, exactly as Kafka's Java client's default partitioner computes it
// (Utils.murmur2 with seed 0x9747b28c, then toPositive(hash) % partitions), so that any Kafka
// client puts a user's records where we do.
#include <cstdint>
#include <string_view>

namespace microjobs {

std::int32_t murmur2(std::string_view key);
std::int32_t partition_for(std::string_view key, std::int32_t partitions);

}  // namespace microjobs
