#include "tools/subcommands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "api/openapi.h"

namespace microjobs {

void add_kafka_commands(CLI::App& app, SubcommandRunners& runners);  // kafka_commands.cpp

// tools/loadgen/loadgen.cpp
void register_loadgen(CLI::App& app, SubcommandRunners& runners);
void register_audit(CLI::App& app, SubcommandRunners& runners);  // audit.cpp

namespace {

// `microjobs reference [--openapi]`: the API reference as api/reference.md holds it, or the
// OpenAPI document the server serves at /openapi.json.
void register_reference(CLI::App& app, SubcommandRunners& runners) {
  CLI::App* cmd = app.add_subcommand("reference", "print the HTTP API reference (Markdown, as api/reference.md)");
  auto openapi = std::make_shared<bool>(false);
  cmd->add_flag("--openapi", *openapi, "print the OpenAPI 3.1 document instead (as GET /openapi.json)");
  runners.push_back([cmd, openapi] {
    if (!*cmd) return -1;
    const std::string text = *openapi ? openapi_json() + "\n" : api_reference_markdown();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  });
}

}  // namespace

void register_subcommands(CLI::App& app, SubcommandRunners& runners) {
  register_reference(app, runners);
  add_kafka_commands(app, runners);
  register_loadgen(app, runners);
  register_audit(app, runners);
}

}  // namespace microjobs
