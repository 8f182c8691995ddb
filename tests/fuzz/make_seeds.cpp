// Writes the seed corpus of each fuzz target under the directory given (tools/fuzz --seeds
// writes tests/fuzz/corpus): envelopes and snapshots of a seeded simulation, every example
// request of the route table as HTTP bytes, and money and times as the API takes them. The
// event fixtures of tests/domain/fixtures are envelope seeds too (tools/fuzz passes them).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/routes.h"
#include "domain/snapshot.h"
#include "tests/domain/simulation.h"

namespace microjobs {
namespace {

namespace fs = std::filesystem;

void write_seed(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

void simulation_seeds(const fs::path& out) {
  simulation::Config config;
  config.steps = 3'000;
  simulation::Simulation sim(7, config);
  if (std::string failure = sim.run_steps(config.steps); !failure.empty()) {
    std::fprintf(stderr, "the simulation failed: %s\n", failure.c_str());
    std::exit(1);
  }
  for (std::size_t p = 0; p < sim.partitions().size(); ++p) {
    const simulation::Partition& partition = sim.partitions()[p];
    write_seed(out / "snapshot", "partition-" + std::to_string(p), encode_snapshot(partition.state));
    for (std::size_t i = 0; i < partition.log.size(); i += 97) {  // a spread of event types
      write_seed(out / "envelope", "p" + std::to_string(p) + "-seq" + std::to_string(i + 1), partition.log[i]);
    }
  }
}

// The token selector of http_fuzz.cpp: 0 none, then alice and bob in each of five roles.
char token_selector(const RouteExample& example) {
  static const std::vector<std::string> kRoles = {"employer", "worker", "auditor", "payments", "admin"};
  std::size_t role = 0;
  while (role < kRoles.size() && kRoles[role] != example.role) ++role;
  if (role == kRoles.size()) return 0;
  return static_cast<char>(1 + (example.user == "bob" ? 5 : 0) + role);
}

void http_seeds(const fs::path& out) {
  int number = 0;
  for (const Route& route : routes()) {
    const RouteExample& example = route.doc.example;
    if (example.target.empty()) continue;
    std::string bytes(1, token_selector(example));
    bytes += std::string(route.method) + " " + example.target + " HTTP/1.1\r\nHost: localhost\r\n";
    if (route.method != "GET") bytes += "Idempotency-Key: seed-" + std::to_string(number) + "\r\n";
    bytes += "Content-Length: " + std::to_string(example.body.size()) + "\r\n\r\n" + example.body;
    write_seed(out / "http", "route-" + std::to_string(number++), bytes);
  }
}

void money_time_seeds(const fs::path& out) {
  const std::vector<std::string> texts = {"0.05", "12.34", "1000000.000001", "0", "-1.00",
                                          "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.999Z",
                                          "1970-01-01T00:00:00+00:00"};
  for (std::size_t i = 0; i < texts.size(); ++i) write_seed(out / "money_time", "seed-" + std::to_string(i), texts[i]);
}

}  // namespace
}  // namespace microjobs

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  microjobs::simulation_seeds(out);
  microjobs::http_seeds(out);
  microjobs::money_time_seeds(out);
  return 0;
}
