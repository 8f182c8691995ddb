// `microjobs audit`: the auditor's command. Reads a log from the start — a local data dir (read
// only, so it may run beside a live server) or a Kafka topic — and checks it with LedgerAudit
// (commands/ledger_audit.h): hash chains and seqs, the ledger, the domain's invariants, payouts
// and their credits. Progress on stderr (a bar on a terminal, plain lines otherwise); violations,
// balances or a statement on stdout; the last line is one JSON summary. Exit status: 0 when every
// check holds, 1 on any violation, 2 when the log cannot be opened or the arguments are wrong.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "api/auth.h"
#include "commands/clock.h"
#include "commands/command_bus.h"
#include "commands/ledger_audit.h"
#include "tools/audit_diff.h"
#include "domain/codec/csv.h"
#include "domain/codec/json_writer.h"
#include "domain/money.h"
#include "infra/kafka/kafka_log.h"
#include "infra/rocksdb/stores.h"
#include "tools/subcommands.h"

namespace microjobs {
namespace {

struct AuditArgs {
  std::string data_dir = "./data";
  std::string event_log;  // kafka://host:port, else the local log under data_dir
  std::string as_of;      // "partition:offset" or RFC 3339
  std::string statement;  // a user id
  std::string diff_url;   // http://host:port of a live node to compare with
  bool csv = false;
  int threads = 2;
};

Result<std::unique_ptr<EventLog>> open_for_audit(const AuditArgs& args) {
  if (args.event_log.empty()) {
    auto log = LocalEventLog::open_read_only(args.data_dir + "/log");
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
  auto topics = parse_kafka_url(args.event_log);
  if (!topics.ok()) return topics.error();
  auto log = KafkaEventLog::open(KafkaConfig{topics->bootstrap(), topics->events(), 0});
  if (!log.ok()) return log.error();
  return std::unique_ptr<EventLog>(std::move(*log));
}

// --as-of: a time, or a position (the time of that record, and its partition cut exactly there).
Status set_cut(EventLog& log, const std::string& as_of, AuditOptions& options) {
  if (as_of.empty()) return Ok{};
  if (auto time = parse_rfc3339(as_of)) {
    options.until = *time;
    return Ok{};
  }
  if (auto position = parse_position(as_of)) {
    if (auto time = record_time(log, position->partition, position->offset)) {
      options.until = *time;
      options.cut_partition = position->partition;
      options.cut_offset = position->offset;
      return Ok{};
    }
  }
  return Error{"--as-of must be an RFC 3339 time or the position (partition:offset) of a record"};
}

// Progress on stderr at most ten times a second: a bar redrawn in place on a terminal, a plain
// line per second otherwise.
class Progress {
 public:
  explicit Progress(std::int64_t total) : total_(total), tty_(isatty(STDERR_FILENO) != 0) {}
  void update(std::int64_t done) {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(1))) return;
    last_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    int percent = total_ > 0 ? static_cast<int>(100 * done / total_) : 100;
    std::string bar(static_cast<std::size_t>(percent / 5), '#');
    bar.resize(20, '.');
    std::fprintf(stderr, tty_ ? "\r[%s] %3d%% %lld/%lld records, %.0f/s, ETA %.0f s " :
                                "audit: [%s] %d%% %lld/%lld records, %.0f/s, ETA %.0f s\n",
                 bar.c_str(), percent, static_cast<long long>(done), static_cast<long long>(total_), rate, eta);
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\n");
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const std::int64_t total_;
  const bool tty_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
  std::mutex mutex_;
};

void print_statement(const std::vector<AuditLine>& lines, bool csv) {
  if (csv) std::printf("position,time,event_id,event_type,bucket,amount,balance,ref\r\n");
  for (const AuditLine& line : lines) {
    std::string position = std::to_string(line.partition) + ":" + std::to_string(line.offset);
    if (csv) {  // as the HTTP statement writes it
      std::string row;
      for (const std::string& field :
           {position, format_rfc3339(line.time), line.event_id, line.event_type, line.bucket,
            format_money(Micros{line.amount}), format_money(Micros{line.balance}), line.ref}) {
        row += csv_field(field) + ",";
      }
      row.back() = '\r';
      std::printf("%s\n", row.c_str());
      continue;
    }
    std::string out;
    JsonWriter json(out);
    json.begin_object().field("position", position).field("time", format_rfc3339(line.time))
        .field("event_id", line.event_id).field("event_type", line.event_type)
        .field("bucket", line.bucket).field("amount", format_money(Micros{line.amount}))
        .field("balance", format_money(Micros{line.balance})).field("ref", line.ref).end_object();
    std::printf("%s\n", out.c_str());
  }
}

std::string summary(const AuditReport& report, double seconds) {
  std::string out;
  JsonWriter json(out);
  std::int64_t sum = 0;
  for (const auto& [account, balance] : report.balances) sum += balance;
  json.begin_object().key("ok").boolean(report.ok())
      .field("records", report.records).field("events", report.events)
      .field("duplicates_skipped", report.skipped)
      .field("violations", static_cast<std::int64_t>(report.violations.size()))
      .field("payouts_in_flight", static_cast<std::int64_t>(report.payouts_in_flight.size()))
      .field("ledger_sum", format_money(Micros{sum}))
      .field("seconds", std::to_string(seconds))
      .field("events_per_second", static_cast<std::int64_t>(seconds > 0 ? report.records / seconds : 0))
      .end_object();
  return out;
}

// Prints what the node at `url` says that the log does not; false when anything differs or the
// node cannot be read. The token is an auditor's, from MICROJOBS_JWT_SECRET (or the development
// secret, as `microjobs token` mints it).
bool diff(const AuditReport& report, const std::string& url) {
  const char* env = std::getenv("MICROJOBS_JWT_SECRET");
  const std::string secret = env != nullptr && *env != '\0' ? env : std::string(kDevelopmentSecret);
  auto diffs = diff_with_node(report, url, mint_token(secret, "audit", {"auditor"}, 3600, SystemClock().now()));
  if (!diffs.ok()) {
    std::printf("DIFF cannot read the node: %s\n", diffs.error().message.c_str());
    return false;
  }
  for (const std::string& line : *diffs) std::printf("%s\n", line.c_str());
  return diffs->empty();
}

int run_audit(const AuditArgs& args, bool print_balances) {
  auto log = open_for_audit(args);
  if (!log.ok()) {
    std::fprintf(stderr, "audit: cannot open the log: %s\n", log.error().message.c_str());
    return 2;
  }
  if (!args.diff_url.empty() && !args.as_of.empty()) {
    std::fprintf(stderr, "audit: --diff compares the whole log with a node's present; it cannot take --as-of\n");
    return 2;
  }
  AuditOptions options;
  options.threads = args.threads;
  options.statement_user = args.statement;
  options.for_diff = !args.diff_url.empty();
  if (Status cut = set_cut(**log, args.as_of, options); !cut.ok()) {
    std::fprintf(stderr, "audit: %s\n", cut.error().message.c_str());
    return 2;
  }
  std::int64_t total = 0;
  for (std::int32_t p = 0; p < (*log)->partitions(); ++p) total += (*log)->end(p);
  Progress progress(total);
  options.progress = [&](std::int64_t done) { progress.update(done); };
  AuditReport report = audit_log(**log, options);
  progress.finish();
  for (const AuditViolation& v : report.violations) {
    std::printf("VIOLATION partition=%d seq=%lld offset=%lld: %s\n", v.partition,
                static_cast<long long>(v.seq), static_cast<long long>(v.offset), v.what.c_str());
  }
  for (const std::string& id : report.payouts_in_flight) std::printf("IN_FLIGHT payout %s\n", id.c_str());
  if (!args.statement.empty()) print_statement(report.statement, args.csv);
  if (!args.diff_url.empty() && !diff(report, args.diff_url)) report.violations.push_back({-1, 0, -1, "the node differs"});
  if (print_balances) {
    for (const auto& [account, balance] : report.balances) {
      std::printf("BALANCE %s %s\n", account.c_str(), format_money(Micros{balance}).c_str());
    }
  }
  std::printf("%s\n", summary(report, progress.seconds()).c_str());
  return report.ok() ? 0 : 1;
}

}  // namespace

void register_audit(CLI::App& app, SubcommandRunners& runners) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "verify a log: hash chains, the ledger, the domain's invariants, payouts");
  cmd->add_option("--data-dir", args->data_dir, "a node's data directory (read only)")->capture_default_str();
  cmd->add_option("--event-log", args->event_log, "kafka://host:port[/prefix]: audit the topic microjobs.events (or prefix.events) instead");
  cmd->add_option("--as-of", args->as_of,
                  "stop at this RFC 3339 time or record position (partition:offset); prints the balances then");
  cmd->add_option("--statement", args->statement, "print this user's statement lines (as the HTTP statement)");
  cmd->add_flag("--csv", args->csv, "the statement as CSV");
  cmd->add_option("--diff", args->diff_url,
                  "http://host:port: compare balances and task counters with a live node's read models");
  cmd->add_option("--threads", args->threads, "partitions audited at once")->capture_default_str()
      ->check(CLI::Range(1, 64));
  runners.push_back([cmd, args] { return *cmd ? run_audit(*args, !args->as_of.empty()) : -1; });
}

}  // namespace microjobs
