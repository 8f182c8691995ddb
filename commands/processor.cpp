#include "commands/processor.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "domain/codec/binary.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/snapshot.h"

namespace microjobs {
namespace {

constexpr std::size_t kReplayChunk = 4096;
constexpr std::size_t kMaxIdempotencyEntries = 4'000'000;

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
  std::optional<IdempotencyEntry> repeat_of;  // answered from an earlier outcome
};

PartitionProcessor::PartitionProcessor(std::int32_t partition, EventLog& log, StateStore& store,
                                       const Clock& clock, ProcessorConfig config)
    : partition_(partition), log_(log), store_(store), clock_(clock), config_(config) {}

PartitionProcessor::~PartitionProcessor() { stop(); }

Status PartitionProcessor::start() {
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
  if (auto status = write_snapshot(); !status.ok()) {
    spdlog::warn("partition {}: snapshot at stop failed: {}", partition_, status.error().message);
  }
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
  for (ClaimId& claim : due_claims(state_, now, config_.expirations_per_batch)) {
    std::string id = "expire:" + claim.value;
    batch.push_back(PendingCommand{std::move(id), ExpireClaim{std::move(claim)}, {}});
  }
}

void PartitionProcessor::process(std::vector<PendingCommand>& batch) {
  const UnixMs now = clock_.now();
  forget_expired(now.value);
  std::vector<Decided> decided;
  decided.reserve(batch.size());
  std::vector<std::string> values;
  std::vector<std::string> keys;
  std::vector<std::string> hashes;
  std::unique_lock lock(state_mutex_);  // state_copy() readers wait for the whole batch
  for (PendingCommand& command : batch) {
    if (auto it = idempotency_.find(command.command_id); it != idempotency_.end()) {
      decided.push_back({&command, {}, it->second});
      continue;
    }
    Decision decision = decide(state_, command.command, now, config_.policy);
    CommandOutcome outcome;
    outcome.time = now;
    if (auto* rejection = std::get_if<Rejection>(&decision)) {
      outcome.kind = CommandOutcome::Kind::rejected;
      outcome.rejection = *rejection;
      remember(command.command_id, {-1, *rejection, now.value});
      decided.push_back({&command, std::move(outcome), std::nullopt});
      continue;
    }
    Event& event = std::get<Event>(decision);
    EnvelopeMeta meta{event_id(partition_, last_seq_ + 1), event_source(partition_), now,
                      stream_of(command.command), last_seq_ + 1, command.command_id, last_hash_};
    std::string value = encode_envelope(meta, event);
    last_hash_ = sha256_hex(value);
    last_seq_ += 1;
    evolve(state_, event);
    const std::int64_t offset = next_offset_ + static_cast<std::int64_t>(values.size());
    remember(command.command_id, {offset, Rejection::invalid_argument, now.value});
    keys.push_back(std::move(meta.stream));
    values.push_back(std::move(value));
    hashes.push_back(last_hash_);
    outcome.kind = CommandOutcome::Kind::accepted;
    outcome.event = std::move(event);
    outcome.position = {partition_, offset};
    decided.push_back({&command, std::move(outcome), std::nullopt});
  }
  lock.unlock();

  if (!values.empty()) {
    std::vector<RecordView> records;
    records.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) records.push_back({keys[i], values[i], hashes[i]});
    auto appended = log_.append(partition_, records);
    if (!appended.ok() || *appended != next_offset_) {
      std::string detail = appended.ok() ? "the log placed the batch at an unexpected offset"
                                         : appended.error().message;
      spdlog::error("partition {}: append failed, rebuilding state: {}", partition_, detail);
      for (Decided& d : decided) reply_to(*d.command, unavailable(detail));
      lock.lock();
      idempotency_.clear();
      idempotency_order_.clear();
      if (auto status = rebuild(); !status.ok()) {
        spdlog::critical("partition {}: rebuild failed: {}", partition_, status.error().message);
        std::abort();  // state no longer matches the log and cannot be restored
      }
      return;
    }
    next_offset_ += static_cast<std::int64_t>(values.size());
    events_since_snapshot_ += static_cast<std::int64_t>(values.size());
  }
  for (Decided& d : decided) {
    if (d.repeat_of) {
      answer_repeat(*d.command, *d.repeat_of);
    } else {
      reply_to(*d.command, std::move(d.outcome));
    }
  }
  if (events_since_snapshot_ >= config_.snapshot_every_events) {
    lock.lock();
    if (auto status = write_snapshot(); !status.ok()) {
      spdlog::warn("partition {}: snapshot failed: {}", partition_, status.error().message);
    }
  }
}

void PartitionProcessor::answer_repeat(PendingCommand& command, const IdempotencyEntry& entry) {
  CommandOutcome outcome;
  outcome.repeated = true;
  if (entry.offset < 0) {
    outcome.kind = CommandOutcome::Kind::rejected;
    outcome.rejection = entry.rejection;
    reply_to(command, std::move(outcome));
    return;
  }
  auto records = log_.read(partition_, entry.offset, 1);
  if (!records.ok() || records->empty() || records->front().offset != entry.offset) {
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
  outcome.position = {partition_, entry.offset};
  outcome.time = envelope->meta.time;
  reply_to(command, std::move(outcome));
}

void PartitionProcessor::remember(const std::string& command_id, IdempotencyEntry entry) {
  if (command_id.empty()) return;
  auto [it, inserted] = idempotency_.try_emplace(command_id, entry);
  if (inserted) idempotency_order_.emplace_back(entry.time_ms, command_id);
}

void PartitionProcessor::forget_expired(std::int64_t now_ms) {
  while (!idempotency_order_.empty() &&
         (idempotency_order_.front().first + config_.idempotency_window_ms < now_ms ||
          idempotency_order_.size() > kMaxIdempotencyEntries)) {
    idempotency_.erase(idempotency_order_.front().second);
    idempotency_order_.pop_front();
  }
}

// ---- start-up: snapshot plus the log's tail ----

Status PartitionProcessor::rebuild() {
  state_ = PartitionState{};
  last_seq_ = 0;
  last_hash_ = kZeroHash;
  next_offset_ = 0;
  idempotency_.clear();
  idempotency_order_.clear();
  auto stored = store_.get(snapshot_key(partition_));
  if (!stored.ok()) return stored.error();
  if (!stored->empty()) {
    binary::Reader reader{*stored};
    std::int64_t next_offset = 0, last_seq = 0, entries = 0;
    std::string last_hash, state_bytes;
    reader.get(next_offset);
    reader.get(last_seq);
    reader.get(last_hash);
    reader.get(state_bytes);
    reader.get(entries);
    auto state = decode_snapshot(state_bytes);
    if (reader.failed || !state || next_offset > log_.end(partition_)) {
      spdlog::warn("partition {}: snapshot unusable, replaying the whole log", partition_);
    } else {
      state_ = std::move(*state);
      next_offset_ = next_offset;
      last_seq_ = last_seq;
      last_hash_ = last_hash;
      for (std::int64_t i = 0; i < entries && !reader.failed; ++i) {
        std::string id;
        IdempotencyEntry entry;
        reader.get(id);
        reader.get(entry.offset);
        reader.get(entry.time_ms);
        remember(id, entry);
      }
    }
  }
  MJ_RETURN_IF_ERROR(replay_from(next_offset_));
  events_since_snapshot_ = 0;
  return ok_status();
}

Status PartitionProcessor::replay_from(std::int64_t offset) {
  while (true) {
    auto records = log_.read(partition_, offset, kReplayChunk);
    if (!records.ok()) return records.error();
    if (records->empty()) break;
    for (const LogRecord& record : *records) {
      std::string error;
      auto envelope = decode_envelope(record.value, &error);
      if (!envelope) return Error{"offset " + std::to_string(record.offset) + ": " + error};
      std::string hash = sha256_hex(record.value);
      offset = record.offset + 1;
      ChainStep step = classify_record(last_seq_, last_hash_, envelope->meta.seq,
                                       envelope->meta.prev_hash, hash);
      if (step == ChainStep::gap) return Error{"gap in the chain at offset " + std::to_string(record.offset)};
      if (step == ChainStep::skip_fork) {
        spdlog::error("partition {}: fork at offset {} (seq {}) skipped: a second writer's record",
                      partition_, record.offset, envelope->meta.seq);
      }
      if (step != ChainStep::apply) continue;
      evolve(state_, envelope->event);
      last_seq_ = envelope->meta.seq;
      last_hash_ = std::move(hash);
      remember(envelope->meta.command_id, {record.offset, Rejection::invalid_argument,
                                           envelope->meta.time.value});
    }
  }
  next_offset_ = offset;
  return ok_status();
}

Status PartitionProcessor::write_snapshot() {
  std::string bytes;
  binary::Writer writer{bytes};
  writer.put(next_offset_);
  writer.put(last_seq_);
  writer.put(last_hash_);
  writer.put(encode_snapshot(state_));
  std::int64_t accepted = 0;
  for (const auto& [id, entry] : idempotency_) accepted += entry.offset >= 0;
  writer.put(accepted);
  for (const auto& [id, entry] : idempotency_) {
    if (entry.offset < 0) continue;
    writer.put(id);
    writer.put(entry.offset);
    writer.put(entry.time_ms);
  }
  events_since_snapshot_ = 0;
  return store_.put(snapshot_key(partition_), bytes);
}

}  // namespace microjobs
