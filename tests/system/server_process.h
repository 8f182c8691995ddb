#pragma once
// Runs `microjobs serve` as a real child process on a loopback port chosen by the kernel, for the
// end-to-end tests: start, read the port it wrote, stop with SIGTERM (or SIGKILL), start again.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace microjobs::testing {

// The binary under test; CMake passes its path (MICROJOBS_BINARY is defined for e2e_test).
inline std::string microjobs_binary() { return MICROJOBS_BINARY; }

class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::string secret)
      : data_dir_(std::move(data_dir)), secret_(std::move(secret)) {}
  ~ServerProcess() { stop(SIGKILL); }

  // Starts the server and waits (bounded) until it has written its port.
  bool start(std::vector<std::string> extra = {}) {
    std::string port_file = data_dir_ + "/port";
    std::vector<std::string> args = {microjobs_binary(), "serve", "--data-dir", data_dir_,
                                     "--address", "127.0.0.1", "--port", "0",
                                     "--port-file", port_file, "--partitions", "8"};
    args.insert(args.end(), extra.begin(), extra.end());
    return launch(args, port_file);
  }

  // Starts any microjobs command line and waits (bounded) until it has written `ready_file`.
  bool launch(std::vector<std::string> args, const std::string& ready_file) {
    std::remove(ready_file.c_str());
    pid_ = fork();
    if (pid_ == 0) {
      setenv("MICROJOBS_JWT_SECRET", secret_.c_str(), 1);
      std::string log = data_dir_ + "/server.log";
      freopen(log.c_str(), "a", stdout);
      freopen(log.c_str(), "a", stderr);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    bool exited = false;
    bool listening = eventually([&] {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;  // it died before listening: stop waiting and say so
        pid_ = -1;
        return true;
      }
      std::ifstream in(ready_file);
      return static_cast<bool>(in >> ready_) && !ready_.empty();
    }, std::chrono::seconds(60));
    if (!listening || exited) return false;
    port_ = std::atoi(ready_.c_str());
    return true;
  }

  // Stops it and waits for the exit; true when it exited cleanly (status 0) after SIGTERM.
  bool stop(int signal = SIGTERM) {
    if (pid_ <= 0) return true;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  // Sends a signal and does not wait (SIGSTOP freezes the process, SIGCONT thaws it).
  void signal(int signal) const {
    if (pid_ > 0) kill(pid_, signal);
  }

  // How many lines of its log contain `text`.
  int log_lines_with(const std::string& text) const {
    std::ifstream in(data_dir_ + "/server.log");
    int count = 0;
    for (std::string line; std::getline(in, line);) count += line.find(text) != std::string::npos;
    return count;
  }

  int port() const { return port_; }
  // The first word the process wrote to its ready file (the port, or a bootstrap string).
  const std::string& ready() const { return ready_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::string secret_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ready_;
};

}  // namespace microjobs::testing
