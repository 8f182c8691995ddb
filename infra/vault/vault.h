#pragma once
// The vault of personal data (commands/personal_data_vault.h): AES-256-GCM under one key per
// user, each user's keys kept (wrapped under the deployment's master key) in a KeyStore that can
// forget them. OpenSSL only; the stores are in rocks_key_store.h and infra/kafka/kafka_key_store.h.
//
// Sealed text: "mj-sealed:v1:<owner>:<key id>:<base64(nonce | ciphertext | tag)>", with
// "<owner>:<key id>" as the associated data, so a sealed text cannot be passed off as another
// user's. A 96-bit random nonce per seal; a key seals few texts (one user's), far below GCM's
// limits. A key id is "<unix ms made>-<8 random hex digits>": two processes that each make a
// first key for the same user (Kafka: processors of different partitions) keep both, and an
// erasure destroys the keys made up to its time.
#include <map>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/clock.h"
#include "commands/personal_data_vault.h"

namespace microjobs {

// Where a vault keeps its keys. Each method is durable when it returns.
class KeyStore {
 public:
  struct StoredKey {
    std::string id;
    std::string wrapped;  // the key sealed under the master key
  };
  virtual ~KeyStore() = default;
  // One key of `owner` to seal with; nullopt when it has none.
  virtual Result<std::optional<StoredKey>> any_key(const UserId& owner) = 0;
  virtual Result<std::optional<std::string>> wrapped_key(const UserId& owner, std::string_view id) = 0;
  // Durable only after sync(); usable at once in this process.
  virtual Status put(const UserId& owner, const StoredKey& key) = 0;
  // Makes every key put since the last sync durable.
  virtual Status sync() = 0;
  // Deletes every key of `owner` made at or before `erased_at` (key_made_at()), durably, and
  // makes the store drop their bytes from its files.
  virtual Status erase(const UserId& owner, UnixMs erased_at) = 0;
};

class Vault final : public PersonalDataVault {
 public:
  // `master_key`: any secret text (MICROJOBS_DATA_KEY); the keys are wrapped under its SHA-256.
  // Every process of a deployment must be given the same one.
  // `clock` stamps the keys it makes: the processors' clock, against which erasures are timed.
  Vault(KeyStore& store, std::string_view master_key, const Clock& clock);

  Result<std::string> seal(const UserId& owner, std::string_view text) override;
  Result<std::optional<std::string>> open(std::string_view sealed) override;
  Status make_durable() override { return store_.sync(); }
  Status erase(const UserId& owner, UnixMs erased_at) override;

 private:
  Result<KeyStore::StoredKey> sealing_key(const UserId& owner);
  Result<std::string> unwrap(const UserId& owner, const KeyStore::StoredKey& key);

  KeyStore& store_;
  const Clock& clock_;
  std::string master_;  // 32 bytes
  std::mutex creating_;  // one first key per owner in this process
  // "<owner>:<id>" -> {wrapped, key}: unwrapping is an AES-GCM init (about 1 µs with OpenSSL
  // 3). The store is still asked every time whether the key exists, so an erasure (another
  // process's, on Kafka, too) is never missed; this one's erase() also drops the keys here.
  std::shared_mutex unwrapped_mutex_;
  std::map<std::string, std::pair<std::string, std::string>> unwrapped_;
};

// The parts of a sealed text, or nullopt when `sealed` is not one.
struct SealedParts {
  std::string_view owner;
  std::string_view key_id;
  std::string_view payload;  // base64
};
std::optional<SealedParts> parse_sealed(std::string_view sealed);

// When a key was made, from its id; 0 for an id without a time (made before ids had one).
UnixMs key_made_at(std::string_view key_id);
// Whether a key of this id goes in an erasure at `erased_at`.
inline bool erased_by(std::string_view key_id, UnixMs erased_at) { return key_made_at(key_id).value <= erased_at.value; }

}  // namespace microjobs
