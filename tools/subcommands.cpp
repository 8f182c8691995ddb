#include "tools/subcommands.h"

#include <CLI/CLI.hpp>

namespace microjobs {

void add_kafka_commands(CLI::App& app, SubcommandRunners& runners);  // kafka_commands.cpp

void register_subcommands(CLI::App& app, SubcommandRunners& runners) {
  add_kafka_commands(app, runners);
}

}  // namespace microjobs
