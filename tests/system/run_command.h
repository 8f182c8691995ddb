#pragma once
// Runs a shell command for a test and keeps what it printed (stdout and stderr) and its exit code:
// the outside programs the suite drives (kcat, Kafka's tools, the Python and Java consumers).
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace microjobs::testing {

struct Ran {
  std::string out;  // stdout and stderr
  int exit_code = -1;
};

inline Ran run_command(const std::string& command) {
  Ran ran;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return ran;
  char buffer[65536];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) ran.out.append(buffer, n);
  int status = pclose(pipe);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

}  // namespace microjobs::testing
