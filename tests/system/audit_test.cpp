// `microjobs audit`, run as the auditor runs it (the real binary on a data dir): on the log of a
// whole campaign it exits 0; on copies of that log with one kind of tampering each — a changed
// amount, a dropped event, an inserted event, two events swapped, a forged event whose successor's
// prev_hash was recomputed — it names the partition and seq and exits 1. --as-of a position in the
// middle gives the balances a fold up to there gives, and --statement the HTTP statement's lines.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <cstdio>
#include <functional>

#include "domain/codec/binary.h"
#include "domain/codec/sha256.h"
#include "projections/keys.h"
#include "projections/views.h"
#include "http_json.h"
#include "http_node.h"
#include "run_command.h"
#include "server_process.h"
#include "infra/rocksdb/stores.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::eventually;
using testing::HttpResult;

struct BinaryRun {
  int status = -1;
  std::string out;
};

BinaryRun run_binary(const std::string& arguments) {
  BinaryRun run;
  std::FILE* pipe = popen((std::string(MICROJOBS_BINARY) + " " + arguments + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string last_line(const std::string& out) {
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

using Records = std::vector<std::vector<LogRecord>>;  // per partition

class Audit : public testing::HttpNodeTest {
 protected:
  // A campaign: deposits, a task, approvals and a rejection, credits, a withdrawal.
  void play() {
    register_user("emp", "employer");
    register_user("w0", "worker");
    register_user("w1", "worker");
    deposit("emp", "50.00", "wire-1");
    const std::string task = post_task("emp", 4);
    for (const char* worker : {"w0", "w1"}) {
      const std::string id = claim_and_submit(worker, task);
      ASSERT_EQ(as("emp", "employer", "POST", "/v1/claims/" + id + "/approve", "{}").status, 200);
    }
    ASSERT_TRUE(eventually([&] { return available("w0") == "1.00" && available("w1") == "1.00"; }));
    deposit("w0", "5.00", "topup");
    HttpResult withdrawal = as("w0", "worker", "POST", "/v1/withdrawals",
                               R"({"amount":"3.00","destination":"gcash:1"})");
    ASSERT_EQ(withdrawal.status, 201) << withdrawal.body;
    ASSERT_EQ(as("bank", "payments", "POST", "/v1/withdrawals/" + field(withdrawal, "withdrawal_id") + "/complete",
                 "{}").status, 200);
    statement_w0_ = as("w0", "worker", "GET", "/v1/accounts/w0/statement?limit=1000").body;
    records_.resize(static_cast<std::size_t>(node_->log().partitions()));
    for (std::int32_t p = 0; p < node_->log().partitions(); ++p) {
      auto records = node_->log().read(p, 0, 100'000);
      ASSERT_TRUE(records.ok());
      records_[static_cast<std::size_t>(p)] = *records;
      if (records->size() > records_[busiest_].size()) busiest_ = static_cast<std::size_t>(p);
    }
    close();
  }

  // A new data dir holding the log with `tamper` applied to the busiest partition's records.
  std::string tampered_copy(const std::string& name, const std::function<void(std::vector<LogRecord>&)>& tamper) {
    return tampered_copy(name, busiest_, tamper);
  }
  std::string tampered_copy(const std::string& name, std::size_t tampered,
                            const std::function<void(std::vector<LogRecord>&)>& tamper) {
    const std::string dir = dir_.str() + "/" + name;
    auto log = LocalEventLog::open(dir + "/log", static_cast<std::int32_t>(records_.size()));
    EXPECT_TRUE(log.ok());
    for (std::size_t p = 0; p < records_.size(); ++p) {
      std::vector<LogRecord> records = records_[p];
      if (p == tampered) tamper(records);
      std::vector<RecordView> views;
      for (const LogRecord& record : records) views.push_back(RecordView{record.key, record.value});
      if (!views.empty()) {
        EXPECT_TRUE((*log)->append(static_cast<std::int32_t>(p), views).ok());
      }
    }
    return dir;
  }
  // A copy where one record's bytes are edited and every later link of its partition recomputed,
  // as a forger who knows the hash chain would do it: the chain checks see nothing.
  std::string rechained_copy(const std::string& name, std::size_t partition, std::size_t index,
                             const std::function<void(std::string&)>& edit) {
    return tampered_copy(name, partition, [&](std::vector<LogRecord>& r) {
      edit(r[index].value);
      for (std::size_t j = index + 1; j < r.size(); ++j) {
        const std::string old_hash = sha256_hex(records_[partition][j - 1].value);
        r[j].value.replace(r[j].value.find(old_hash), old_hash.size(), sha256_hex(r[j - 1].value));
      }
    });
  }
  // Where the credit of `worker` is: {partition, index}.
  std::pair<std::size_t, std::size_t> credit_of(const std::string& worker) {
    for (std::size_t p = 0; p < records_.size(); ++p) {
      for (std::size_t i = 0; i < records_[p].size(); ++i) {
        const std::string& value = records_[p][i].value;
        if (value.find("worker.credited.v1") != std::string::npos &&
            value.find("\"worker_id\":\"" + worker + "\"") != std::string::npos) {
          return {p, i};
        }
      }
    }
    ADD_FAILURE() << "no credit of " << worker;
    return {0, 0};
  }
  // The payout a credit names: its source_event_id, as the record's bytes have it.
  static std::string source_field(const std::string& event_id) { return "\"source_event_id\":\"" + event_id + "\""; }
  static std::string source_of(const std::string& credit) {
    const std::string name = "\"source_event_id\":\"";
    const std::size_t from = credit.find(name) + name.size();
    return credit.substr(from, credit.find('"', from) - from);
  }
  void expect_found(const std::string& dir, std::int64_t seq, const std::string& what) {
    BinaryRun run = run_binary("audit --data-dir " + dir);
    EXPECT_EQ(run.status, 1) << run.out;
    const std::string named = "VIOLATION partition=" + std::to_string(busiest_) + " seq=" + std::to_string(seq);
    EXPECT_NE(run.out.find(named), std::string::npos) << "expected " << named << " in:\n" << run.out;
    EXPECT_NE(run.out.find(what), std::string::npos) << run.out;
    EXPECT_FALSE(json::parse(last_line(run.out)).at("ok").as_bool());
  }
  std::int64_t seq_of(const LogRecord& record) { return decode_envelope(record.value)->meta.seq; }
  // The first record after the first few of the busiest partition that moves money, with at
  // least two records after it.
  std::size_t record_with_amount() {
    const std::vector<LogRecord>& records = records_[busiest_];
    for (std::size_t i = 2; i + 2 < records.size(); ++i) {
      if (records[i].value.find("\"amount\":\"") != std::string::npos) return i;
    }
    ADD_FAILURE() << "no record moves money";
    return 2;
  }
  // Another amount in the record's bytes: its first "amount" gets another first digit.
  static void change_amount(std::string& bytes) {
    char& digit = bytes[bytes.find("\"amount\":\"") + 10];
    digit = digit == '9' ? '8' : static_cast<char>(digit + 1);
  }

  Records records_;
  std::size_t busiest_ = 0;
  std::string statement_w0_;
};

TEST_F(Audit, AnIntactLogPassesAndEveryTamperingIsNamed) {
  play();
  BinaryRun clean = run_binary("audit --data-dir " + dir_.str());
  EXPECT_EQ(clean.status, 0) << clean.out;
  const json::value summary = json::parse(last_line(clean.out));
  EXPECT_TRUE(summary.at("ok").as_bool());
  EXPECT_EQ(summary.at("ledger_sum").as_string(), "0.00");
  ASSERT_GE(records_[busiest_].size(), 8u);
  const std::size_t i = record_with_amount();
  const std::int64_t seq = seq_of(records_[busiest_][i]);

  expect_found(tampered_copy("changed", [&](std::vector<LogRecord>& r) { change_amount(r[i].value); }),
               seq + 1, "broken chain");
  expect_found(tampered_copy("dropped", [&](std::vector<LogRecord>& r) { r.erase(r.begin() + i); }),
               seq + 1, "gap");
  expect_found(tampered_copy("inserted", [&](std::vector<LogRecord>& r) {
    LogRecord forged = r[i];
    change_amount(forged.value);
    r.insert(r.begin() + i, forged);
  }), seq, "broken chain");
  expect_found(tampered_copy("swapped", [&](std::vector<LogRecord>& r) { std::swap(r[i], r[i + 1]); }),
               seq + 1, "gap");
  expect_found(tampered_copy("forged", [&](std::vector<LogRecord>& r) {
    const std::string old_hash = sha256_hex(r[i].value);
    change_amount(r[i].value);
    std::string& next = r[i + 1].value;
    next.replace(next.find(old_hash), old_hash.size(), sha256_hex(r[i].value));  // the link recomputed
  }), seq + 2, "broken chain");
}

TEST_F(Audit, AsOfAPositionGivesTheFoldUpToThereAndTheStatementIsTheHttpOne) {
  play();
  const std::size_t i = records_[busiest_].size() / 2;
  const LogRecord& cut = records_[busiest_][i];
  const UnixMs until = decode_envelope(cut.value)->meta.time;
  std::map<std::string, std::int64_t> expected;
  for (std::size_t p = 0; p < records_.size(); ++p) {
    for (const LogRecord& record : records_[p]) {
      auto envelope = decode_envelope(record.value);
      if (envelope->meta.time > until || (p == busiest_ && record.offset > cut.offset)) break;
      const auto* transfers = event_transfers(envelope->event);
      for (const Transfer& t : transfers ? *transfers : std::vector<Transfer>{}) {
        expected[t.debit] -= t.amount.value;
        expected[t.credit] += t.amount.value;
      }
    }
  }
  BinaryRun run = run_binary("audit --data-dir " + dir_.str() + " --as-of " + std::to_string(busiest_) + ":" +
                       std::to_string(cut.offset));
  EXPECT_EQ(run.status, 0) << run.out;
  std::string balances;
  for (const auto& [account, balance] : expected) {
    balances += "BALANCE " + account + " " + format_money(Micros{balance}) + "\n";
  }
  std::string printed;
  for (std::size_t at = run.out.find("BALANCE "); at != std::string::npos; at = run.out.find("BALANCE ", at + 1)) {
    printed += run.out.substr(at, run.out.find('\n', at) + 1 - at);
  }
  EXPECT_EQ(printed, balances);

  BinaryRun statement = run_binary("audit --data-dir " + dir_.str() + " --statement w0");
  ASSERT_EQ(statement.status, 0) << statement.out;
  std::string lines;
  const json::value http_statement = json::parse(statement_w0_);
  for (const json::value& line : http_statement.at("items").as_array()) {
    lines += json::serialize(line) + "\n";
  }
  EXPECT_EQ(statement.out.substr(0, statement.out.rfind('\n', statement.out.size() - 2) + 1), lines);
}

// A forger who recomputes every hash after an edit keeps the chain intact; the ledger checks still
// find a credit that pays another amount than its approval.
TEST_F(Audit, ARechainedLogWithAnInflatedCreditIsStillFound) {
  play();
  std::size_t partition = 0, index = 0;
  for (std::size_t p = 0; p < records_.size(); ++p) {
    for (std::size_t i = 0; i < records_[p].size(); ++i) {
      if (records_[p][i].value.find("worker.credited.v1") != std::string::npos) partition = p, index = i;
    }
  }
  ASSERT_NE(records_[partition][index].value.find("worker.credited.v1"), std::string::npos);
  const std::string dir = rechained_copy("rechained", partition, index, [](std::string& bytes) {
    const std::string paid = "\"amount\":\"1.00\"", inflated = "\"amount\":\"1.10\"";
    for (std::size_t at = bytes.find(paid); at != std::string::npos; at = bytes.find(paid, at)) {
      bytes.replace(at, paid.size(), inflated);
    }
  });
  BinaryRun run = run_binary("audit --data-dir " + dir);
  EXPECT_EQ(run.status, 1) << run.out;
  EXPECT_EQ(run.out.find("broken chain"), std::string::npos) << "the chain itself is intact:\n" << run.out;
  EXPECT_NE(run.out.find("pays w"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("clearing:payouts holds -0.10"), std::string::npos) << run.out;
}

// A rechained approval that names its claim as "emp.1.01" instead of "emp.1.1": an id no decider
// writes, which the domain's fold would assert on (it keeps claims by number). The audit names the
// event and exits 1.
TEST_F(Audit, ARechainedEventNoDeciderWouldWriteIsNamedNotFolded) {
  play();
  std::size_t partition = 0, index = 0;
  for (std::size_t p = 0; p < records_.size(); ++p) {
    for (std::size_t i = 0; i < records_[p].size(); ++i) {
      if (records_[p][i].value.find("submission.approved.v1") != std::string::npos) partition = p, index = i;
    }
  }
  const std::string& approval = records_[partition][index].value;
  ASSERT_NE(approval.find("submission.approved.v1"), std::string::npos);
  const std::size_t id_at = approval.find("\"claim_id\":\"") + 12;
  const std::string claim_id = approval.substr(id_at, approval.find('"', id_at) - id_at);
  const std::string padded = claim_id.substr(0, claim_id.rfind('.') + 1) + "0" + claim_id.substr(claim_id.rfind('.') + 1);
  const std::string dir = rechained_copy("misfit", partition, index, [&](std::string& bytes) {
    bytes.replace(bytes.find("\"claim_id\":\"" + claim_id + "\""), claim_id.size() + 13, "\"claim_id\":\"" + padded + "\"");
  });
  BinaryRun run = run_binary("audit --data-dir " + dir);
  EXPECT_EQ(run.status, 1) << run.out;
  EXPECT_EQ(run.out.find("broken chain"), std::string::npos) << "the chain itself is intact:\n" << run.out;
  EXPECT_NE(run.out.find("submission.approved.v1 cannot follow the state before it: '" + padded +
                         "' is no claim id of task"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("VIOLATION partition=" + std::to_string(partition)), std::string::npos) << run.out;
}

// Each payout is credited once, to its worker: a rechained credit that names w0's payout instead
// of w1's makes w0's payout credited twice and w1's never (still in flight, while the clearing
// account was emptied), and a credit that names no payout at all is found as well.
TEST_F(Audit, ARechainedCreditOfAnotherPayoutOrOfNoneIsFound) {
  play();
  const auto [w0_partition, w0_index] = credit_of("w0");
  const auto [w1_partition, w1_index] = credit_of("w1");
  const std::string w0_payout = source_of(records_[w0_partition][w0_index].value);
  const std::string w1_payout = source_of(records_[w1_partition][w1_index].value);
  ASSERT_NE(w0_payout, w1_payout);
  BinaryRun twice = run_binary("audit --data-dir " + rechained_copy("twice", w1_partition, w1_index, [&](std::string& bytes) {
    bytes.replace(bytes.find(source_field(w1_payout)), source_field(w1_payout).size(), source_field(w0_payout));
  }));
  EXPECT_EQ(twice.status, 1) << twice.out;
  EXPECT_EQ(twice.out.find("broken chain"), std::string::npos) << "the chain itself is intact:\n" << twice.out;
  EXPECT_NE(twice.out.find("a second credit of " + w0_payout), std::string::npos) << twice.out;
  EXPECT_NE(twice.out.find("clearing:payouts holds 0.00, not the payouts in flight 1.00"), std::string::npos) << twice.out;
  EXPECT_EQ(json::parse(last_line(twice.out)).at("payouts_in_flight").as_int64(), 1) << twice.out;

  BinaryRun none = run_binary("audit --data-dir " + rechained_copy("none", w0_partition, w0_index, [&](std::string& bytes) {
    bytes.replace(bytes.find(source_field(w0_payout)), source_field(w0_payout).size(), source_field("no-such-payout"));
  }));
  EXPECT_EQ(none.status, 1) << none.out;
  EXPECT_NE(none.out.find("a credit of no-such-payout, which owes none"), std::string::npos) << none.out;
}

// --diff compares the audit's fold with a live node: nothing on a healthy node; read models damaged
// on purpose (w0's available balance, emp's reputation) are listed, and the audit exits 1.
TEST_F(Audit, DiffAgainstALiveNodeFindsADamagedReadModel) {
  play();
  open();
  const std::string diff = "MICROJOBS_JWT_SECRET=" + std::string(testing::kHttpNodeSecret) + " " +
                           MICROJOBS_BINARY + " audit --data-dir " + dir_.str() +
                           " --diff http://127.0.0.1:";
  auto run_diff = [&] {
    std::FILE* pipe = popen((diff + std::to_string(port_) + " 2>/dev/null").c_str(), "r");
    BinaryRun run;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
    int status = pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  };
  BinaryRun healthy = run_diff();
  EXPECT_EQ(healthy.status, 0) << healthy.out;
  EXPECT_EQ(healthy.out.find("DIFF"), std::string::npos) << healthy.out;
  close();
  {
    auto store = RocksReadStore::open(dir_.str() + "/read");
    ASSERT_TRUE(store.ok());
    auto view = binary::decode<AccountView>(*(*store)->get(keys::account("w0")));
    ASSERT_TRUE(view.has_value());
    view->available.value += 10'000;
    WriteSet damage;
    damage.put(keys::account("w0"), binary::encode(*view));
    // and emp's reputation: one approval given fewer than the log says
    auto reputation = binary::decode<ReputationView>(*(*store)->get(keys::reputation("emp")));
    ASSERT_TRUE(reputation.has_value());
    reputation->approvals_given -= 1;
    damage.put(keys::reputation("emp"), binary::encode(*reputation));
    ASSERT_TRUE((*store)->write(damage).ok());
  }
  open();
  BinaryRun damaged = run_diff();
  EXPECT_EQ(damaged.status, 1) << damaged.out;
  EXPECT_NE(damaged.out.find("DIFF user:w0:available log=3.00 node=3.01"), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.out.find("DIFF reputation emp approvals_given log=2 node=1"), std::string::npos) << damaged.out;
}

// Found by the crash loop (tests/system/crash_test.cpp): --diff reads every account and task as
// one user, and the node's per-user rate limit answered the reads beyond its burst 429, which
// failed the audit of a healthy node. The diff waits out Retry-After instead.
TEST(AuditDiff, WaitsOutTheNodesRateLimit) {
  constexpr char kSecret[] = "audit-rate-secret";
  testing::TempDir dir;
  testing::ServerProcess server(dir.str(), kSecret);
  ASSERT_TRUE(server.start({"--rate-limit", "10", "--rate-burst", "10"}));
  testing::HttpClient client(server.port());
  for (int i = 0; i < 12; ++i) {  // 12 users and 4 shared accounts to read: beyond a burst of 10
    const std::string user = "u" + std::to_string(i);
    const auto as_user = testing::auth(testing::token(kSecret, user, "employer"));
    ASSERT_EQ(client.request("PUT", "/v1/users/" + user, R"({"country":"US"})", as_user).status, 200);
    HttpResult deposit = client.request("POST", "/v1/deposits",
        R"({"account":")" + user + R"(","amount":"1.00","reference":"r"})",
        testing::auth(testing::token(kSecret, "bank" + std::to_string(i), "payments")));
    ASSERT_EQ(deposit.status, 201) << deposit.body;
    // Read back by its own user (a bucket of its own) once projected: the diff finds it there.
    HttpResult projected = client.request("GET", "/v1/accounts/" + user, "",
        testing::auth(testing::token(kSecret, user, "employer"), {{"X-Min-Position", deposit.header("x-position")}}));
    ASSERT_EQ(projected.status, 200) << projected.body;
  }
  testing::Ran diff = testing::run_command("MICROJOBS_JWT_SECRET=" + std::string(kSecret) + " " +
                                           MICROJOBS_BINARY + " audit --data-dir " + dir.str() +
                                           " --diff http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(diff.exit_code, 0) << diff.out;
  EXPECT_EQ(diff.out.find("DIFF"), std::string::npos) << diff.out;
  // And the limit was met: the node answered the diff's reads 429 before it waited.
  HttpResult metrics = client.request("GET", "/metrics");
  EXPECT_NE(metrics.body.find(R"(status="429"})"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace microjobs
