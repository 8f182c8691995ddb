#include "commands/processor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <system_error>

#include "domain/assert.h"
#include "domain/codec/binary.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/snapshot.h"

namespace microjobs {
namespace {

constexpr std::size_t kReplayChunk = 4096;
constexpr std::size_t kMaxIdempotencyEntries = 4'000'000;
// First field of a snapshot; a snapshot of another format is ignored and the log replayed.
constexpr std::int64_t kSnapshotFormat = 0x4d4a'534e'0000'0005;

std::string snapshot_key(std::int32_t partition) {
  return "processor/" + std::to_string(partition) + "/snapshot";
}

CommandOutcome unavailable(std::string detail) {
  CommandOutcome outcome;
  outcome.kind = CommandOutcome::Kind::unavailable;
  outcome.detail = std::move(detail);
  return outcome;
}

void reply_to(PendingCommand& command, CommandOutcome outcome) {
  if (command.reply) command.reply(std::move(outcome));
}

}  // namespace

// What the batch decided for one command, kept until the append is durable.
struct PartitionProcessor::Decided {
  PendingCommand* command;
  CommandOutcome outcome;
  std::optional<std::int64_t> repeat_of;  // the offset of the first outcome's event
};

// One batch between taking commands and replying: the outcomes and the records to append.
struct PartitionProcessor::Batch {
  std::vector<Decided> decided;
  std::vector<std::string> values;
  std::vector<std::string> keys;
  std::vector<std::string> hashes;
};

PartitionProcessor::PartitionProcessor(std::int32_t partition, EventLog& log, StateStore& store,
                                       const Clock& clock, ProcessorConfig config)
    : partition_(partition),
      log_(log),
      store_(store),
      clock_(clock),
      config_(config),
      idempotency_(config.idempotency_window_ms, kMaxIdempotencyEntries) {}

PartitionProcessor::~PartitionProcessor() { stop(); }

Status PartitionProcessor::start() {
  MJ_RETURN_IF_ERROR(log_.become_writer(partition_));
  MJ_RETURN_IF_ERROR(rebuild());
  thread_ = std::thread([this] { run(); });
  return ok_status();
}

void PartitionProcessor::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !thread_.joinable()) return;
    stopping_ = true;
  }
  queue_changed_.notify_all();
  room_.notify_all();
  thread_.join();
  // The last snapshot holds everything: written after any periodic one still on its way.
  finish_snapshot_write();
  start_snapshot();
  finish_snapshot_write();
}

void PartitionProcessor::submit(PendingCommand command, bool wait) {
  std::unique_lock lock(mutex_);
  if (wait) {
    room_.wait(lock, [&] { return stopping_ || queue_.size() < config_.queue_limit; });
  }
  if (stopping_ || queue_.size() >= config_.queue_limit) {
    const bool stopping = stopping_;
    lock.unlock();
    CommandOutcome outcome;
    outcome.kind = stopping ? CommandOutcome::Kind::unavailable : CommandOutcome::Kind::overloaded;
    outcome.detail = stopping ? "the processor is stopping" : "the partition's queue is full";
    reply_to(command, std::move(outcome));
    return;
  }
  queue_.push_back(std::move(command));
  lock.unlock();
  queue_changed_.notify_one();
}

void PartitionProcessor::wake() { queue_changed_.notify_one(); }

PartitionState PartitionProcessor::state_copy() {
  std::lock_guard lock(state_mutex_);
  return state_;
}

std::int64_t PartitionProcessor::last_seq() {
  std::lock_guard lock(state_mutex_);
  return last_seq_;
}

void PartitionProcessor::run() {
  std::vector<PendingCommand> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      queue_changed_.wait_for(lock, std::chrono::milliseconds(config_.scheduler_interval_ms),
                              [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;
      while (!queue_.empty() && batch.size() < config_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    room_.notify_all();
    schedule_due(batch, clock_.now());
    if (!batch.empty()) process(batch);
    batch.clear();
  }
}

void PartitionProcessor::schedule_due(std::vector<PendingCommand>& batch, UnixMs now) {
  // System ids live in their own namespace (domain/command_id.h), so no client key can be
  // remembered under one and answer an expiry in its place.
  for (ClaimId& claim : due_claims(state_, now, config_.expirations_per_batch)) {
    CommandId id = expire_claim_command_id(claim);
    batch.push_back(PendingCommand{std::move(id), ExpireClaim{std::move(claim)}, {}});
  }
  for (ClaimId& claim : due_reviews(state_, now, config_.expirations_per_batch)) {
    CommandId id = auto_approve_command_id(claim);
    batch.push_back(PendingCommand{std::move(id), AutoApprove{std::move(claim)}, {}});
  }
  for (TaskId& task : due_tasks(state_, now, config_.expirations_per_batch)) {
    CommandId id = expire_task_command_id(task);
    batch.push_back(PendingCommand{std::move(id), ExpireTask{std::move(task)}, {}});
  }
}

void PartitionProcessor::process(std::vector<PendingCommand>& commands) {
  const UnixMs now = clock_.now();
  idempotency_.forget_expired(now.value);
  Batch batch;
  batch.decided.reserve(commands.size());
  std::unique_lock lock(state_mutex_);  // state_copy() readers wait for the whole batch
  for (PendingCommand& command : commands) decide_into(command, now, batch);
  lock.unlock();
  if (!append_batch(batch)) return;
  for (Decided& d : batch.decided) {
    if (d.repeat_of) {
      answer_repeat(*d.command, *d.repeat_of);
    } else {
      reply_to(*d.command, std::move(d.outcome));
    }
  }
  if (events_since_snapshot_ >= config_.snapshot_every_events) {
    lock.lock();
    start_snapshot();
  }
}

// Decides one command against the state (evolving it when accepted) and adds its outcome, and
// its record when there is one, to the batch. A remembered id is answered from its first outcome.
void PartitionProcessor::decide_into(PendingCommand& command, UnixMs now, Batch& batch) {
  // A command without a key is never looked up or remembered: no fingerprint for it either.
  const bool remembered = command.command_id.remembered();
  std::string id_text = command.command_id.text();
  const std::uint64_t fingerprint = remembered ? command_fingerprint(command.command) : 0;
  const auto seen =
      remembered ? idempotency_.check_text(id_text, fingerprint) : IdempotencyTable::Lookup{};
  if (seen.verdict == IdempotencyTable::Verdict::repeat) {
    batch.decided.push_back({&command, {}, seen.offset});
    return;
  }
  Decision decision = seen.verdict == IdempotencyTable::Verdict::reused
                          ? Decision{Rejection::idempotency_key_reused}
                          : decide(state_, command.command, now, config_.policy);
  CommandOutcome outcome;
  outcome.time = now;
  if (auto* rejection = std::get_if<Rejection>(&decision)) {
    // Not remembered: a rejection changed nothing, so a retry is decided again.
    if (!command.reply) {
      spdlog::error("partition {}: the scheduler's {} was rejected: {}", partition_,
                    command.command_id.text(), rejection_code(*rejection));
    }
    outcome.kind = CommandOutcome::Kind::rejected;
    outcome.rejection = *rejection;
    batch.decided.push_back({&command, std::move(outcome), std::nullopt});
    return;
  }
  Event& event = std::get<Event>(decision);
  if (config_.vault != nullptr) {
    // Sealed before it is encoded or evolved: the clear text reaches no log, state or snapshot.
    if (auto sealed = seal_personal_data(event, *config_.vault); !sealed.ok()) {
      spdlog::error("partition {}: cannot seal personal data: {}", partition_, sealed.error().message);
      batch.decided.push_back({&command, unavailable(sealed.error().message), std::nullopt});
      return;
    }
  }
  EnvelopeMeta meta{event_id(partition_, last_seq_ + 1), event_source(partition_), now,
                    stream_of(command.command), last_seq_ + 1, id_text, last_hash_,
                    fingerprint};
  std::string value = encode_envelope(meta, event);
  last_hash_ = sha256_hex(value);
  last_seq_ += 1;
  evolve(state_, event);
  // An event that breaks an invariant is a programmer error in a rule (input is refused first):
  // stop before it is appended, in release builds too.
  if (std::string broken = check_decided(state_, event); !broken.empty()) {
    spdlog::critical("partition {}: {} broke an invariant: {}", partition_, event_type(event), broken);
    MJ_ASSERT(broken.empty());
  }
  const std::int64_t offset = next_offset_ + static_cast<std::int64_t>(batch.values.size());
  if (remembered) idempotency_.remember_text(std::move(id_text), {offset, fingerprint, now.value});
  batch.keys.push_back(std::move(meta.stream));
  batch.values.push_back(std::move(value));
  batch.hashes.push_back(last_hash_);
  outcome.kind = CommandOutcome::Kind::accepted;
  outcome.event = std::move(event);
  outcome.position = {partition_, offset};
  batch.decided.push_back({&command, std::move(outcome), std::nullopt});
}

// Makes the batch's records durable in one append. On failure every command of the batch gets
// `unavailable`, the state (and what it remembers) is rebuilt from the log, and false returned.
bool PartitionProcessor::append_batch(Batch& batch) {
  if (batch.values.empty()) return true;
  std::vector<RecordView> records;
  records.reserve(batch.values.size());
  for (std::size_t i = 0; i < batch.values.size(); ++i) {
    records.push_back({batch.keys[i], batch.values[i], batch.hashes[i]});
  }
  // The keys the batch's texts were sealed under are durable before the texts are.
  Status keys = config_.vault != nullptr ? config_.vault->make_durable() : ok_status();
  Result<std::int64_t> appended =
      keys.ok() ? log_.append(partition_, records) : Result<std::int64_t>(Error{"personal data keys: " + keys.error().message});
  if (!appended.ok() || *appended != next_offset_) {
    std::string detail = appended.ok() ? "the log placed the batch at an unexpected offset"
                                       : appended.error().message;
    spdlog::error("partition {}: append failed, rebuilding state: {}", partition_, detail);
    for (Decided& d : batch.decided) reply_to(*d.command, unavailable(detail));
    std::lock_guard lock(state_mutex_);
    if (auto status = rebuild(); !status.ok()) {
      spdlog::critical("partition {}: rebuild failed: {}", partition_, status.error().message);
      std::abort();  // state no longer matches the log and cannot be restored
    }
    return false;
  }
  next_offset_ += static_cast<std::int64_t>(batch.values.size()) + log_.marker_offsets_per_append();
  events_since_snapshot_ += static_cast<std::int64_t>(batch.values.size());
  return true;
}

void PartitionProcessor::answer_repeat(PendingCommand& command, std::int64_t offset) {
  CommandOutcome outcome;
  outcome.repeated = true;
  auto records = log_.read(partition_, offset, 1);
  if (!records.ok() || records->empty() || records->front().offset != offset) {
    reply_to(command, unavailable("cannot read the first outcome back from the log"));
    return;
  }
  auto envelope = decode_envelope(records->front().value);
  if (!envelope) {
    reply_to(command, unavailable("cannot decode the first outcome"));
    return;
  }
  outcome.kind = CommandOutcome::Kind::accepted;
  outcome.event = std::move(envelope->event);
  outcome.position = {partition_, offset};
  outcome.time = envelope->meta.time;
  reply_to(command, std::move(outcome));
}

// ---- start-up: snapshot plus the log's tail ----

namespace {

// The snapshot's remembered commands, in batches whose index slots the table fetches ahead.
// False when the list is cut short: the caller then trusts nothing of the snapshot.
bool load_remembered(binary::Reader& reader, std::int64_t entries, IdempotencyTable& table) {
  constexpr std::size_t kBatch = 64;
  table.reserve(static_cast<std::size_t>(std::max<std::int64_t>(entries, 0)));  // capped by the table
  std::vector<IdempotencyTable::Entry> batch(kBatch);
  for (std::int64_t done = 0; done < entries && !reader.failed;) {
    const auto size = static_cast<std::size_t>(
        std::min<std::int64_t>(entries - done, static_cast<std::int64_t>(kBatch)));
    batch.resize(size);
    for (IdempotencyTable::Entry& loaded : batch) {
      std::int64_t fingerprint = 0;
      reader.get(loaded.id);
      reader.get(loaded.command.offset);
      reader.get(fingerprint);
      reader.get(loaded.command.time_ms);
      loaded.command.fingerprint = static_cast<std::uint64_t>(fingerprint);
    }
    if (reader.failed) return false;
    table.remember_all(batch);
    done += static_cast<std::int64_t>(size);
  }
  return !reader.failed;
}

}  // namespace

Status PartitionProcessor::rebuild() {
  state_ = PartitionState{};
  last_seq_ = 0;
  last_hash_ = kZeroHash;
  next_offset_ = 0;
  idempotency_.clear();
  auto stored = store_.get(snapshot_key(partition_));
  if (!stored.ok()) return stored.error();
  if (!stored->empty()) {
    binary::Reader reader{*stored};
    std::int64_t format = 0, next_offset = 0, last_seq = 0, entries = 0;
    std::string last_hash, state_bytes;
    reader.get(format);
    reader.get(next_offset);
    reader.get(last_seq);
    reader.get(last_hash);
    reader.get(state_bytes);
    reader.get(entries);
    auto state = decode_snapshot(state_bytes);
    // A snapshot whose remembered commands are cut short is unusable as a whole: with some ids
    // missing, a client's retry of one would be decided again.
    if (reader.failed || format != kSnapshotFormat || !state ||
        next_offset > log_.end(partition_) || !load_remembered(reader, entries, idempotency_)) {
      spdlog::warn("partition {}: snapshot unusable, replaying the whole log", partition_);
      idempotency_.clear();
    } else {
      state_ = std::move(*state);
      next_offset_ = next_offset;
      last_seq_ = last_seq;
      last_hash_ = last_hash;
    }
  }
  MJ_RETURN_IF_ERROR(replay_from(next_offset_));
  events_since_snapshot_ = 0;
  return ok_status();
}

Status PartitionProcessor::replay_from(std::int64_t offset) {
  std::int64_t end_before_read = 0;
  while (true) {
    end_before_read = log_.end(partition_);
    auto records = log_.read(partition_, offset, kReplayChunk);
    if (!records.ok()) return records.error();
    if (records->empty()) break;
    for (const LogRecord& record : *records) {
      std::string error;
      auto envelope = decode_envelope(record.value, &error);
      if (!envelope) return Error{"offset " + std::to_string(record.offset) + ": " + error};
      std::string hash = sha256_hex(record.value);
      offset = record.after();
      ChainStep step = classify_record(last_seq_, last_hash_, envelope->meta.seq,
                                       envelope->meta.prev_hash, hash);
      if (step == ChainStep::gap) return Error{"gap in the chain at offset " + std::to_string(record.offset)};
      if (step == ChainStep::skip_fork) {
        spdlog::error("partition {}: fork at offset {} (seq {}) skipped: a second writer's record",
                      partition_, record.offset, envelope->meta.seq);
      }
      if (step != ChainStep::apply) continue;
      if (std::string why = misfit(state_, envelope->event); !why.empty()) {
        return Error{"offset " + std::to_string(record.offset) + " (seq " + std::to_string(envelope->meta.seq) +
                     "): the event cannot follow the partition's state: " + why};
      }
      evolve(state_, envelope->event);
      last_seq_ = envelope->meta.seq;
      last_hash_ = std::move(hash);
      // Records written before typed ids carry ids no new command can have: nothing to remember.
      if (auto id = parse_command_id(envelope->meta.command_id)) {
        idempotency_.remember(*id, {record.offset, envelope->meta.command_fingerprint,
                                    envelope->meta.time.value});
      }
    }
  }
  next_offset_ = offset;
  // Transaction markers (and a fenced writer's aborted records) after the last record take
  // offsets too. The last read, which came back empty, read up to at least `end_before_read`:
  // nothing a reader applies lies below it, so the next append lands there. A record appended
  // later, by a writer that is not fenced, makes that append land elsewhere: the conditional
  // append's check sees it.
  if (log_.marker_offsets_per_append() > 0) next_offset_ = std::max(next_offset_, end_before_read);
  return ok_status();
}

// A snapshot is written in order after the one before it (at most one is on its way), so the
// newest one in the store is always the last one started; it only covers records already durable.
void PartitionProcessor::start_snapshot() {
  if (snapshot_write_.valid()) {
    if (snapshot_write_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    finish_snapshot_write();
  }
  std::string bytes;
  bytes.reserve(last_snapshot_size_ + last_snapshot_size_ / 8);
  binary::Writer writer{bytes};
  writer.put(kSnapshotFormat);
  writer.put(next_offset_);
  writer.put(last_seq_);
  writer.put(last_hash_);
  writer.put_appended([&](std::string& out) { append_snapshot_unordered(state_, out); });
  writer.put(static_cast<std::int64_t>(idempotency_.size()));
  idempotency_.for_each([&](const std::string& id, const RememberedCommand& entry) {
    writer.put(id);
    writer.put(entry.offset);
    writer.put(static_cast<std::int64_t>(entry.fingerprint));
    writer.put(entry.time_ms);
  });
  events_since_snapshot_ = 0;
  last_snapshot_size_ = bytes.size();
  // The put logs its own failure at once; it needs nothing of the processor but the store. The
  // bytes are shared, so that the put can still run here when no thread can be started.
  auto put = [&store = store_, partition = partition_,
              shared = std::make_shared<const std::string>(std::move(bytes))] {
    Status status = store.put(snapshot_key(partition), *shared);
    if (!status.ok()) spdlog::warn("partition {}: snapshot failed: {}", partition, status.error().message);
    return status;
  };
  try {
    snapshot_write_ = std::async(std::launch::async, put);
  } catch (const std::system_error& error) {  // no thread to be had: write it here instead
    spdlog::warn("partition {}: snapshot written on the processor's thread: {}", partition_, error.what());
    (void)put();
  }
}

void PartitionProcessor::finish_snapshot_write() {
  if (snapshot_write_.valid()) (void)snapshot_write_.get();  // a failure was logged by the put
}

}  // namespace microjobs
