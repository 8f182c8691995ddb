#include "tools/subcommands.h"

#include <CLI/CLI.hpp>

namespace microjobs {

void register_subcommands(CLI::App& app, SubcommandRunners& runners) {
  (void)app;
  (void)runners;
}

}  // namespace microjobs
