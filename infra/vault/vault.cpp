#include "infra/vault/vault.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <memory>

#include "domain/assert.h"
#include "domain/personal_data.h"

namespace microjobs {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// OpenSSL 3 looks a cipher up by name on every init unless it is fetched once, and a context
// costs an allocation: one fetched cipher, one context per thread (measured: BM_Vault).
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  MJ_ASSERT(cipher != nullptr);
  return cipher;
}

EVP_CIPHER_CTX* thread_context() {
  thread_local CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  MJ_ASSERT(ctx != nullptr);
  return ctx.get();
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// nonce | ciphertext | tag of `plain` under `key` (32 bytes), authenticating `aad` too.
std::string gcm_seal(std::string_view key, std::string_view aad, std::string_view plain) {
  MJ_ASSERT(key.size() == kKeyBytes);
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* data = reinterpret_cast<unsigned char*>(out.data());
  MJ_ASSERT(RAND_bytes(data, kNonceBytes) == 1);
  EVP_CIPHER_CTX* ctx = thread_context();
  int length = 0;
  MJ_ASSERT(EVP_EncryptInit_ex2(ctx, aes_256_gcm(), bytes_of(key), data, nullptr) == 1);
  MJ_ASSERT(EVP_EncryptUpdate(ctx, nullptr, &length, bytes_of(aad), static_cast<int>(aad.size())) == 1);
  MJ_ASSERT(EVP_EncryptUpdate(ctx, data + kNonceBytes, &length, bytes_of(plain), static_cast<int>(plain.size())) == 1);
  MJ_ASSERT(EVP_EncryptFinal_ex(ctx, data + kNonceBytes + length, &length) == 1);
  MJ_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, data + kNonceBytes + plain.size()) == 1);
  return out;
}

// The plain text of gcm_seal()'s output; nullopt when it was not sealed so under `key` and `aad`.
std::optional<std::string> gcm_open(std::string_view key, std::string_view aad, std::string_view sealed) {
  if (key.size() != kKeyBytes || sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::size_t size = sealed.size() - kNonceBytes - kTagBytes;
  std::string plain(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  const unsigned char* in = bytes_of(sealed);
  EVP_CIPHER_CTX* ctx = thread_context();
  int length = 0;
  std::string tag(sealed.substr(kNonceBytes + size));
  bool ok = EVP_DecryptInit_ex2(ctx, aes_256_gcm(), bytes_of(key), in, nullptr) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &length, bytes_of(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx, out, &length, in + kNonceBytes, static_cast<int>(size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx, out + length, &length) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(raw),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(text),
                                static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  MJ_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) == 1);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 0xf];
  }
  return hex;
}

std::string key_aad(const UserId& owner, std::string_view id) {
  return "key:" + owner.value + ":" + std::string(id);
}

}  // namespace

std::optional<SealedParts> parse_sealed(std::string_view sealed) {
  if (!is_sealed(sealed)) return std::nullopt;
  std::string_view rest = sealed.substr(kSealedPrefix.size());
  auto first = rest.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = rest.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  SealedParts parts{rest.substr(0, first), rest.substr(first + 1, second - first - 1), rest.substr(second + 1)};
  if (!valid_user_id(parts.owner) || parts.key_id.empty() || parts.key_id.size() > 64) return std::nullopt;
  return parts;
}

UnixMs key_made_at(std::string_view key_id) {
  std::int64_t ms = 0;
  auto dash = key_id.find('-');
  if (dash == std::string_view::npos) return UnixMs{0};
  auto [end, error] = std::from_chars(key_id.data(), key_id.data() + dash, ms);
  if (error != std::errc() || end != key_id.data() + dash) return UnixMs{0};
  return UnixMs{ms};
}

Vault::Vault(KeyStore& store, std::string_view master_key, const Clock& clock)
    : store_(store), clock_(clock), master_(kKeyBytes, '\0') {
  MJ_ASSERT(!master_key.empty());
  SHA256(bytes_of(master_key), master_key.size(), reinterpret_cast<unsigned char*>(master_.data()));
}

Result<KeyStore::StoredKey> Vault::sealing_key(const UserId& owner) {
  std::lock_guard lock(creating_);
  auto existing = store_.any_key(owner);
  if (!existing.ok()) return existing.error();
  if (*existing) return std::move(**existing);
  KeyStore::StoredKey key{std::to_string(clock_.now().value) + "-" + random_hex(4), {}};
  std::string raw(kKeyBytes, '\0');
  MJ_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), kKeyBytes) == 1);
  key.wrapped = gcm_seal(master_, key_aad(owner, key.id), raw);
  MJ_RETURN_IF_ERROR(store_.put(owner, key));
  return key;
}

Result<std::string> Vault::unwrap(const UserId& owner, const KeyStore::StoredKey& key) {
  const std::string name = owner.value + ":" + key.id;
  {
    std::shared_lock lock(unwrapped_mutex_);
    auto found = unwrapped_.find(name);
    if (found != unwrapped_.end() && found->second.first == key.wrapped) return found->second.second;
  }
  auto raw = gcm_open(master_, key_aad(owner, key.id), key.wrapped);
  if (!raw) {
    return Error{"the key " + key.id + " of " + owner.value +
                 " does not open under this master key: do all processes have the same MICROJOBS_DATA_KEY?"};
  }
  std::unique_lock lock(unwrapped_mutex_);
  unwrapped_[name] = {key.wrapped, *raw};
  return std::move(*raw);
}

Result<std::string> Vault::seal(const UserId& owner, std::string_view text) {
  auto key = sealing_key(owner);
  if (!key.ok()) return key.error();
  auto raw = unwrap(owner, *key);
  if (!raw.ok()) return raw.error();
  std::string aad = owner.value + ":" + key->id;
  return std::string(kSealedPrefix) + aad + ":" + base64(gcm_seal(*raw, aad, text));
}

Result<std::optional<std::string>> Vault::open(std::string_view sealed) {
  auto parts = parse_sealed(sealed);
  if (!parts) return std::optional<std::string>();
  const UserId owner{std::string(parts->owner)};
  auto wrapped = store_.wrapped_key(owner, parts->key_id);
  if (!wrapped.ok()) return wrapped.error();
  if (!*wrapped) return std::optional<std::string>();  // erased
  auto raw = unwrap(owner, {std::string(parts->key_id), std::move(**wrapped)});
  if (!raw.ok()) return raw.error();
  auto payload = unbase64(parts->payload);
  if (!payload) return std::optional<std::string>();
  std::string aad = std::string(parts->owner) + ":" + std::string(parts->key_id);
  return gcm_open(*raw, aad, *payload);
}

Status Vault::erase(const UserId& owner, UnixMs erased_at) {
  std::lock_guard lock(creating_);
  MJ_RETURN_IF_ERROR(store_.erase(owner, erased_at));
  std::unique_lock unwrapped(unwrapped_mutex_);
  unwrapped_.erase(unwrapped_.lower_bound(owner.value + ":"), unwrapped_.lower_bound(owner.value + ";"));
  return ok_status();
}

}  // namespace microjobs
