#include "tools/subcommands.h"

#include <CLI/CLI.hpp>

namespace microjobs {

void add_kafka_commands(CLI::App& app, SubcommandRunners& runners);  // kafka_commands.cpp

// tools/loadgen/loadgen.cpp
void register_loadgen(CLI::App& app, SubcommandRunners& runners);
void register_audit(CLI::App& app, SubcommandRunners& runners);  // audit.cpp

void register_subcommands(CLI::App& app, SubcommandRunners& runners) {
  add_kafka_commands(app, runners);
  register_loadgen(app, runners);
  register_audit(app, runners);
}

}  // namespace microjobs
