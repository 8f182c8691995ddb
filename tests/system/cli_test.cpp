// The CLI as a user meets it: the real binary's output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "infra/rocksdb/stores.h"

namespace {

struct Printed {
  int status = -1;
  std::string out;  // stdout and stderr
};

Printed run(const std::string& arguments) {
  Printed printed;
  std::FILE* pipe = popen((std::string(MICROJOBS_BINARY) + " " + arguments + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return printed;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) printed.out.append(buffer, n);
  int status = pclose(pipe);
  printed.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return printed;
}

TEST(Cli, VersionPrintsTheVersion) {
  Printed printed = run("--version");
  EXPECT_EQ(printed.status, 0);
  EXPECT_EQ(printed.out, std::string("microjobs ") + MICROJOBS_VERSION + "\n");
}

TEST(Cli, AuditHelpIsTheAuditsOwn) {
  Printed printed = run("audit --help");
  EXPECT_EQ(printed.status, 0);
  EXPECT_NE(printed.out.find("--as-of"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("--statement"), std::string::npos) << printed.out;
}

TEST(Cli, AuditOfNoLogSaysSoAndExits2) {
  Printed printed = run("audit --data-dir /nonexistent-microjobs-dir");
  EXPECT_EQ(printed.status, 2);
  EXPECT_NE(printed.out.find("cannot open the log"), std::string::npos) << printed.out;
}

TEST(Cli, AMalformedMinimumWithdrawalIsRefusedBeforeServing) {
  Printed printed = run("serve --min-withdrawal abc --port 1");
  EXPECT_NE(printed.status, 0);
  EXPECT_NE(printed.out.find("--min-withdrawal"), std::string::npos) << printed.out;
}

// An unreachable server is named as such, without Boost's source paths, and the run fails.
TEST(Cli, LoadgenAgainstNoServerSaysConnectionRefused) {
  Printed printed = run("loadgen hot-task --port 1 -n 10 --quiet");
  EXPECT_EQ(printed.status, 1);
  EXPECT_NE(printed.out.find("Connection refused (127.0.0.1:1)"), std::string::npos) << printed.out;
  EXPECT_EQ(printed.out.find(".hpp"), std::string::npos) << printed.out;
}

// `export` to an address where no broker runs gives up after its 30 s timeout and says so, rather
// than advising to create topics there.
TEST(Cli, ExportToAnAbsentKafkaBrokerSaysNoBrokerAnswered) {
  char dir_template[] = "/tmp/microjobs-cli-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  ASSERT_TRUE(microjobs::LocalEventLog::open(dir + "/log", 2).ok()) << "an empty log to export";
  // A short --timeout: the default 30 s is for a broker that is slow, not absent.
  Printed printed = run("export --data-dir " + dir + " --to kafka://127.0.0.1:1 --timeout 2");
  EXPECT_EQ(printed.status, 1);
  EXPECT_NE(printed.out.find("no Kafka broker answered at 127.0.0.1:1"), std::string::npos) << printed.out;
  std::filesystem::remove_all(dir);
}

// `rebuild` beside a running server says to stop the server, not only RocksDB's lock error.
TEST(Cli, RebuildBesideARunningServerSaysToStopIt) {
  char dir_template[] = "/tmp/microjobs-cli-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  Printed started = run("serve --data-dir " + dir + " --port 0 --port-file " + dir +
                        "/port >/dev/null 2>&1 & echo $!");
  const int pid = std::atoi(started.out.c_str());
  ASSERT_GT(pid, 0) << started.out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(dir + "/port") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling for the port file
  }
  ASSERT_TRUE(std::filesystem::exists(dir + "/port")) << "the server did not start";
  Printed printed = run("rebuild --data-dir " + dir);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(printed.status, 1);
  EXPECT_NE(printed.out.find("Stop it first"), std::string::npos) << printed.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
