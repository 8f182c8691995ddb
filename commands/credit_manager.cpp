#include "commands/credit_manager.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "domain/codec/binary.h"
#include "domain/codec/chain.h"
#include "domain/codec/envelope.h"
#include "domain/codec/sha256.h"
#include "domain/partitioner.h"

namespace microjobs {
namespace {

std::string cursor_key(std::int32_t source) { return "credits/" + std::to_string(source); }

// Counts outstanding replies of one round; any reply that is not a success marks it failed.
struct Round {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t pending = 0;
  std::size_t credited = 0;
  std::string failure;
};

}  // namespace

std::string credit_failure(const CommandOutcome& outcome, std::string_view source_event_id) {
  switch (outcome.kind) {
    case CommandOutcome::Kind::accepted: {
      const auto* credited = std::get_if<WorkerCredited>(&outcome.event);
      if (credited != nullptr && credited->source_event_id == source_event_id) return {};
      return "answered with " + std::string(event_type(outcome.event)) + ", not the credit of " +
             std::string(source_event_id);
    }
    case CommandOutcome::Kind::rejected:
      if (outcome.rejection == Rejection::exists) return {};
      return std::string(rejection_code(outcome.rejection));
    case CommandOutcome::Kind::overloaded: return "the destination's queue is full";
    case CommandOutcome::Kind::unavailable: return "outcome unknown: " + outcome.detail;
  }
  return "unknown outcome";
}

CreditManager::CreditManager(EventLog& log, CommandBus& bus, StateStore& store)
    : log_(log), bus_(bus), store_(store) {}

Status CreditManager::start() {
  const std::int32_t partitions = log_.partitions();
  cursors_.assign(partitions, Cursor{0, 0, kZeroHash, std::vector<std::int64_t>(partitions, 0)});
  failed_rounds_ = std::vector<std::atomic<std::uint64_t>>(static_cast<std::size_t>(partitions));
  for (std::int32_t p = 0; p < partitions; ++p) {
    auto stored = store_.get(cursor_key(p));
    if (!stored.ok()) return stored.error();
    if (stored->empty()) continue;
    binary::Reader reader{*stored};
    Cursor cursor;
    reader.get(cursor.next_offset);
    reader.get(cursor.last_seq);
    reader.get(cursor.last_hash);
    reader.get(cursor.last_credit_seq);
    if (reader.failed || cursor.last_credit_seq.size() != static_cast<std::size_t>(partitions)) {
      return Error{"credit cursor of partition " + std::to_string(p) + " is unreadable"};
    }
    cursors_[p] = std::move(cursor);
  }
  saved_offsets_.clear();
  for (const Cursor& cursor : cursors_) saved_offsets_.push_back(cursor.next_offset);
  return ok_status();
}

Status CreditManager::save(std::int32_t source) {
  std::string bytes;
  binary::Writer writer{bytes};
  writer.put(cursors_[source].next_offset);
  writer.put(cursors_[source].last_seq);
  writer.put(cursors_[source].last_hash);
  writer.put(cursors_[source].last_credit_seq);
  // Unsynced: a cursor lost with the machine means resending credits from an older one, which
  // the destinations answer with `exists`.
  MJ_RETURN_IF_ERROR(store_.put(cursor_key(source), bytes, Durability::unsynced));
  saved_offsets_[source] = cursors_[source].next_offset;
  return ok_status();
}

Result<std::size_t> CreditManager::step(std::size_t max_records_per_partition) {
  // Every partition gets its round, whatever the others do: one source that cannot make
  // progress must not hold back the credits of all the others.
  std::size_t consumed = 0;
  std::string failures;
  const std::vector<std::int64_t> ends = log_.ends();
  for (std::int32_t p = 0; p < log_.partitions(); ++p) {
    auto result = step_partition(p, ends[static_cast<std::size_t>(p)], max_records_per_partition);
    if (result.ok()) {
      consumed += *result;
      if (failed_rounds_[p] > 0) spdlog::info("credit manager: partition {} recovered", p);
      failed_rounds_[p] = 0;
      continue;
    }
    failed_rounds_[p] += 1;
    if (failed_rounds_[p] == kStalledAfterRounds) {
      spdlog::error("credit manager: ALARM partition {} has failed {} rounds in a row: {}", p,
                    kStalledAfterRounds, result.error().message);
    }
    failures += (failures.empty() ? "" : "; ") + result.error().message;
  }
  if (!failures.empty()) return Error{failures};
  return consumed;
}

std::size_t CreditManager::stalled_partitions() const {
  std::size_t stalled = 0;
  for (std::uint64_t rounds : failed_rounds_) stalled += rounds >= kStalledAfterRounds;
  return stalled;
}

Result<std::size_t> CreditManager::step_partition(std::int32_t source, std::int64_t end, std::size_t max_records) {
  Cursor next = cursors_[source];
  if (end <= next.next_offset) return std::size_t{0};
  auto records = log_.read(source, next.next_offset, max_records);
  if (!records.ok()) return records.error();
  auto round = std::make_shared<Round>();
  for (const LogRecord& record : *records) {
    next.next_offset = record.after();
    // Follow the chain like every reader, so a second writer's approval is never credited. Only
    // seq and prev_hash are read from most records; approvals alone are decoded.
    auto seq = peek_seq(record.value);
    if (!seq) return Error{"record without seq at offset " + std::to_string(record.offset)};
    std::string hash = sha256_hex(record.value);
    ChainStep step = classify_record(next.last_seq, next.last_hash, *seq,
                                     peek_attribute(record.value, "prev_hash"), hash);
    if (step == ChainStep::gap) return Error{"gap at offset " + std::to_string(record.offset)};
    if (step != ChainStep::apply) continue;
    next.last_seq = *seq;
    next.last_hash = std::move(hash);
    const std::string_view type = peek_type(record.value);
    if (!pays_worker(type)) continue;
    auto envelope = decode_envelope(record.value);
    if (!envelope) return Error{"undecodable payout at offset " + std::to_string(record.offset)};
    auto payout = payout_of(envelope->event);
    if (!payout) return Error{"not a payout at offset " + std::to_string(record.offset)};
    CreditWorker credit;
    credit.worker_id = payout->worker_id;
    credit.amount = payout->amount;
    credit.claim_id = payout->claim_id;
    credit.source_event_id = envelope->meta.id;
    credit.source_partition = source;
    credit.source_seq = envelope->meta.seq;
    std::int32_t destination = partition_for(credit.worker_id.value, log_.partitions());
    credit.previous_source_seq = next.last_credit_seq[destination];
    next.last_credit_seq[destination] = envelope->meta.seq;
    {
      std::lock_guard lock(round->mutex);
      round->pending += 1;
    }
    std::string source_id = envelope->meta.id;
    bus_.send(credit_command_id(source_id), std::move(credit),
              [round, source_id](CommandOutcome outcome) {
                std::string failure = credit_failure(outcome, source_id);
                std::lock_guard lock(round->mutex);
                if (failure.empty()) {
                  round->credited += 1;
                } else if (round->failure.empty()) {
                  round->failure = std::move(failure);
                }
                if (--round->pending == 0) round->done.notify_all();
              });
  }
  std::unique_lock lock(round->mutex);
  round->done.wait(lock, [&] { return round->pending == 0; });
  if (!round->failure.empty()) {
    return Error{"a credit from partition " + std::to_string(source) + " failed (" +
                 round->failure + "); resending from the cursor"};
  }
  const std::size_t consumed = records->size();
  const bool sent = round->credited > 0;
  cursors_[source] = std::move(next);
  if (sent || cursors_[source].next_offset - saved_offsets_[source] >= kSaveAfterRecords) {
    MJ_RETURN_IF_ERROR(save(source));
  }
  return consumed;
}

void CreditManager::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::uint64_t count = log_.append_count();
    auto result = step();
    if (!result.ok()) {
      spdlog::warn("credit manager: {}", result.error().message);
      // Back off a little before resending; a new append ends the wait early.
      log_.wait_for_append(log_.append_count(), std::chrono::milliseconds(100));
    } else if (*result == 0) {
      log_.wait_for_append(count, std::chrono::milliseconds(200));
    }
  }
}

}  // namespace microjobs
