// The README's first command, `tools/run`, on the built tree. Its own executable, run alone
// (RUN_SERIAL): tools/run re-runs CMake and would relink the server under any test running it
// when the tree is not up to date.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace {

// The README's first command builds the server alone (the tests and benchmarks are tools/test's),
// then hands its options to `microjobs serve` (here --help, so that it stops at once).
TEST(FirstCommand, BuildsOnlyTheServerThenServes) {
  std::FILE* pipe = popen("bash " MICROJOBS_SOURCE_DIR "/tools/run --help 2>&1", "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("Built target microjobs"), std::string::npos) << out;
  EXPECT_EQ(out.find("Built target api_tests"), std::string::npos) << "built the tests too:\n" << out;
  EXPECT_NE(out.find("--data-dir"), std::string::npos) << "no serve help:\n" << out;
}

}  // namespace
