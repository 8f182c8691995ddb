// The README's blocks, run as a new user pastes them, so that the README cannot rot:
// tests/system/readme_blocks.py says how, and the two things that differ from a paste.
#include <gtest/gtest.h>

#include <string>

#include "run_command.h"
#include "test_support.h"

namespace microjobs {
namespace {

TEST(Readme, TheTryingItBlockPlaysTheLifecycleAndTheReceiverSnippetVerifies) {
  testing::TempDir dir;
  testing::Ran ran = testing::run_command("python3 " MICROJOBS_SOURCE_DIR "/tests/system/readme_blocks.py "
                                          MICROJOBS_SOURCE_DIR "/README.md " MICROJOBS_BUILD_DIR " " + dir.str());
  EXPECT_EQ(ran.exit_code, 0) << ran.out << "\nthe server's log: " << dir.str() << "/server.log";
  EXPECT_NE(ran.out.find("none a problem, the withdrawal pending"), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("verified(): good True, forged False, stale False"), std::string::npos) << ran.out;
}

// Starts a real broker of its own (tools/kafka/broker, jars from tools/install-test-deps) and the
// three processes, as the README's "On Kafka" block does.
TEST(Readme, TheKafkaBlockStartsABrokerAndThreeProcessesThatServeAWrite) {
  testing::TempDir dir;
  testing::Ran ran = testing::run_command("python3 " MICROJOBS_SOURCE_DIR "/tests/system/readme_blocks.py "
                                          MICROJOBS_SOURCE_DIR "/README.md " MICROJOBS_BUILD_DIR " " + dir.str() +
                                          " --kafka");
  EXPECT_EQ(ran.exit_code, 0) << ran.out;
  EXPECT_NE(ran.out.find("alice registered through the api process, read back, and on the topic"), std::string::npos)
      << ran.out;
}

}  // namespace
}  // namespace microjobs
