#include "infra/webhook/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "domain/assert.h"

namespace microjobs {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  MJ_ASSERT(result != nullptr && length == 32);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

std::string webhook_secret(std::string_view signing_key, std::string_view webhook_id) {
  return hmac_sha256_hex(signing_key, "microjobs webhook " + std::string(webhook_id));
}

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + hmac_sha256_hex(secret, t + "." + std::string(body));
}

}  // namespace microjobs
