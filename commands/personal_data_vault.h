#pragma once
// The port through which the write side seals personal data and the read side opens it
// (domain/personal_data.h). infra/vault implements it: AES-256-GCM under one key per user, the
// keys in a store that can forget (RocksDB under data_dir/keys, or a compacted Kafka topic).
//
// Thread-safe: every partition thread seals, every API thread opens.
#include <optional>
#include <string>
#include <string_view>

#include "domain/ids.h"
#include "domain/result.h"
#include "domain/time.h"
#include "domain/vocabulary.h"

namespace microjobs {

class PersonalDataVault {
 public:
  virtual ~PersonalDataVault() = default;
  // `text` sealed under `owner`'s key, the key made first if the owner has none. A key made here
  // is durable only after make_durable().
  virtual Result<std::string> seal(const UserId& owner, std::string_view text) = 0;
  // Makes every key made since the last call durable (one sync for many, not one per new user):
  // the processor calls it before it appends a batch whose texts were sealed under them. On
  // failure those keys are forgotten, and the batch must not be appended.
  virtual Status make_durable() = 0;
  // The text of something seal() made; nullopt when its key was destroyed (or it is not sealed
  // text of ours, or it was tampered with). An error only when the key store cannot answer.
  virtual Result<std::optional<std::string>> open(std::string_view sealed) = 0;
  // Destroys every key of `owner` made at or before `erased_at` (the erasure event's time): what
  // was sealed under them cannot be opened again. Keys made later (a new profile after the
  // erasure) stay, so folding an old erasure again — a new projector replaying the log — destroys
  // nothing new. Idempotent.
  virtual Status erase(const UserId& owner, UnixMs erased_at) = 0;
};

// Seals each personal field of `event` that is not empty and not already sealed for its owner
// (a profile update carries the current display name as the read models have it, sealed).
Status seal_personal_data(Event& event, PersonalDataVault& vault);

}  // namespace microjobs
