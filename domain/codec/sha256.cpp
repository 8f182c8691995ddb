#include "domain/codec/sha256.h"

#include <openssl/evp.h>

#include <memory>

#include "domain/assert.h"

namespace microjobs {
namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm from its provider on every call (a lock
// and a reference count per hash). The algorithm is fetched once per process, and each thread
// keeps one context to reuse.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  MJ_ASSERT(algorithm != nullptr);
  return algorithm;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
  MJ_ASSERT(context != nullptr);
  return context.get();
}

}  // namespace

Sha256Hex sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* context = thread_context();
  bool hashed = EVP_DigestInit_ex(context, sha256_algorithm(), nullptr) == 1 &&
                EVP_DigestUpdate(context, bytes.data(), bytes.size()) == 1 &&
                EVP_DigestFinal_ex(context, digest, &size) == 1;
  MJ_ASSERT(hashed && size == 32);
  static constexpr char kHex[] = "0123456789abcdef";
  Sha256Hex hex;
  for (unsigned int i = 0; i < 32; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

std::string sha256_hex(std::string_view bytes) { return std::string(view(sha256(bytes))); }

}  // namespace microjobs
