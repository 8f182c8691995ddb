// Our own /openapi.json against the running server, read by tools that are not ours: Python's
// openapi-spec-validator says it is valid OpenAPI 3.1, and schemathesis (PyPI) derives hostile
// and valid requests from it, as an employer, a worker and an auditor, over loopback HTTP. Every
// answer must be a documented status with a body of its documented schema (a problem's code in
// the route's list), none a 5xx; afterwards the log's chains and ledger must still be sound, and
// each record a request caused must be the answer to an accepted command (schemathesis_hooks.py
// collects them): nothing was appended for a rejected request. Every
// role runs, so that the routes of one role are fuzzed past their role check too.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <set>

#include "domain/codec/envelope.h"
#include "domain/command_id.h"
#include "http_node.h"
#include "run_command.h"

namespace microjobs {
namespace {

using testing::HttpResult;
using testing::run_command;
using testing::kHttpNodeSecret;
using testing::expect_ledger_sound;

std::string python_tool(const std::string& name) { return std::string(MICROJOBS_BUILD_DIR) + "/venv/bin/" + name; }

class OpenApiFuzz : public testing::HttpNodeTest {
 protected:
  // A world in which routes find something: users of each role, money, a task with a claim.
  // Each command's position goes to the positions file, as the hook writes schemathesis's.
  void seed() {
    auto seeded = [&](const HttpResult& result, int status) {
      ASSERT_EQ(result.status, status) << result.body;
      std::ofstream(positions_file(), std::ios::app) << result.header("x-position") << "\n";
    };
    seeded(as("alice", "employer", "PUT", "/v1/users/alice", R"({"country":"US"})"), 200);
    seeded(as("bob", "worker", "PUT", "/v1/users/bob", R"({"country":"US"})"), 200);
    seeded(as("pay", "payments", "POST", "/v1/deposits",
              R"({"account":"alice","amount":"50.00","reference":"fuzz-1"})"), 201);
    seeded(as("alice", "employer", "POST", "/v1/tasks", R"({"title":"Fuzz","reward":"0.10","slots":5})"), 201);
    seeded(as("bob", "worker", "POST", "/v1/tasks/alice.1/claims"), 201);
  }
  std::string positions_file() const { return dir_.str() + "-positions"; }

  // Every record a request caused (not the credit manager's or the scheduler's) was answered
  // 2xx to an accepted command: nothing was appended for a rejected request.
  void expect_only_accepted_commands_appended() {
    std::set<std::string> answered;
    std::ifstream in(positions_file());
    for (std::string line; std::getline(in, line);) answered.insert(line);
    int records = 0;
    for (std::int32_t p = 0; p < node_->log().partitions(); ++p) {
      auto log = node_->log().read(p, 0, 1'000'000);
      ASSERT_TRUE(log.ok());
      for (const LogRecord& record : *log) {
        auto envelope = decode_envelope(record.value);
        ASSERT_TRUE(envelope.has_value());
        auto id = parse_command_id(envelope->meta.command_id);
        ASSERT_TRUE(id.has_value()) << envelope->meta.command_id;
        if (id->origin != CommandOrigin::client && id->origin != CommandOrigin::deposit) continue;
        const std::string position = std::to_string(p) + ":" + std::to_string(record.offset);
        EXPECT_TRUE(answered.contains(position))
            << envelope->meta.command_id << " at " << position << " answers no accepted command";
        records += 1;
      }
    }
    std::printf("%d records of requests, each answered to an accepted command\n", records);
  }

  // Runs schemathesis against the server with `user`'s token; its report on failure.
  void fuzz_as(const std::string& user, const std::string& role, const std::string& schema_file) {
    const std::string token = mint_token(kHttpNodeSecret, user, {role}, 3600, clock_.now());
    const std::string command =
        "SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH=" MICROJOBS_SOURCE_DIR "/tests/system "
        "MICROJOBS_POSITIONS_FILE=" + positions_file() + " " + python_tool("schemathesis") + " --config-file " MICROJOBS_SOURCE_DIR "/tests/system/schemathesis.toml run " + schema_file + " --url http://127.0.0.1:" +
        std::to_string(port_) + " -H 'Authorization: Bearer " + token + "'" +
        // positive_data_acceptance asks every schema-valid request to succeed, which no schema
        // can promise with server-issued opaque cursors, rules across fields (a reason to
        // reject) and limits of the deployment (its partition count): every other check runs.
        // Hypothesis's health checks judge generation speed, which a busy CI machine varies.
        " --checks all --exclude-checks positive_data_acceptance --suppress-health-check all --max-examples 20 --seed 1 --generation-deterministic --no-color";
    testing::Ran ran = run_command(command);
    EXPECT_EQ(ran.exit_code, 0) << "as " << role << ":\n" << ran.out;
    // schemathesis's own count of what it tried, for the record.
    std::istringstream lines(ran.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" generated, ") != std::string::npos) std::printf("as %s: %s\n", role.c_str(), line.c_str());
    }
  }
};

TEST_F(OpenApiFuzz, TheDocumentIsValidAndTheServerKeepsToIt) {
  const std::string schema_file = dir_.str() + "-openapi.json";
  std::ofstream(schema_file) << as("alice", "employer", "GET", "/openapi.json").body;
  testing::Ran valid = run_command(python_tool("openapi-spec-validator") + " " + schema_file);
  ASSERT_EQ(valid.exit_code, 0) << valid.out;

  seed();
  fuzz_as("alice", "employer", schema_file);
  fuzz_as("bob", "worker", schema_file);
  fuzz_as("audit", "auditor", schema_file);
  fuzz_as("pay", "payments", schema_file);
  fuzz_as("root", "admin", schema_file);
  expect_ledger_sound(node_->log());
  expect_only_accepted_commands_appended();
  std::remove(schema_file.c_str());
  std::remove(positions_file().c_str());
}

}  // namespace
}  // namespace microjobs
