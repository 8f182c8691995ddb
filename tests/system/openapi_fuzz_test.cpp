// Our own /openapi.json against the running server, read by tools that are not ours: Python's
// openapi-spec-validator says it is valid OpenAPI 3.1, and schemathesis (PyPI) derives hostile
// and valid requests from it, as an employer, a worker and an auditor, over loopback HTTP. Every
// answer must be a documented status with a body of its documented schema (a problem's code in
// the route's list), none a 5xx; afterwards the log's chains and ledger must still be sound. Every
// role runs, so that the routes of one role are fuzzed past their role check too.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "http_node.h"
#include "run_command.h"

namespace microjobs {
namespace {

using testing::run_command;
using testing::kHttpNodeSecret;
using testing::expect_ledger_sound;

std::string python_tool(const std::string& name) { return std::string(MICROJOBS_BUILD_DIR) + "/venv/bin/" + name; }

class OpenApiFuzz : public testing::HttpNodeTest {
 protected:
  // A world in which routes find something: users of each role, money, a task with a claim.
  void seed() {
    register_user("alice", "employer");
    register_user("bob", "worker");
    ASSERT_EQ(as("pay", "payments", "POST", "/v1/deposits",
                 R"({"account":"alice","amount":"50.00","reference":"fuzz-1"})").status, 201);
    ASSERT_EQ(as("alice", "employer", "POST", "/v1/tasks", R"({"title":"Fuzz","reward":"0.10","slots":5})").status, 201);
    ASSERT_EQ(as("bob", "worker", "POST", "/v1/tasks/alice.1/claims").status, 201);
  }

  // Runs schemathesis against the server with `user`'s token; its report on failure.
  void fuzz_as(const std::string& user, const std::string& role, const std::string& schema_file) {
    const std::string token = mint_token(kHttpNodeSecret, user, {role}, 3600, clock_.now());
    const std::string command =
        python_tool("schemathesis") + " --config-file " MICROJOBS_SOURCE_DIR "/tests/system/schemathesis.toml run " + schema_file + " --url http://127.0.0.1:" +
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
  std::remove(schema_file.c_str());
}

}  // namespace
}  // namespace microjobs
