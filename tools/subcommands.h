#pragma once
// Subcommands of `microjobs` that live in their own files. Each adds itself to the CLI11 app and
// pushes a runner that returns the exit code when its subcommand was chosen, or -1 when not.
#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace microjobs {

using SubcommandRunners = std::vector<std::function<int()>>;

// Registers every subcommand below; add one line per new subcommand in subcommands.cpp.
void register_subcommands(CLI::App& app, SubcommandRunners& runners);

}  // namespace microjobs
