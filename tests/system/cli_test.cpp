// The CLI as a user meets it: the real binary's output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

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

}  // namespace
