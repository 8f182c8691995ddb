// microjobs: the command line. `serve` runs an embedded node with the HTTP API in front of it,
// `token` mints a bearer token, `rebuild` folds the log into fresh read models.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "api/auth.h"
#include "api/http.h"
#include "api/server.h"
#include "infra/rocksdb/stores.h"
#include "infra/webhook/signature.h"
#include "tools/node.h"
#include "tools/subcommands.h"

namespace microjobs {
namespace {

struct Secret {
  std::string value;
  bool is_dev;
};

Secret jwt_secret() {
  const char* env = std::getenv("MICROJOBS_JWT_SECRET");
  if (env != nullptr && *env != '\0') return {env, false};
  return {std::string(kDevelopmentSecret), true};
}

// A server key: the environment variable `env_name`, else one derived from the JWT secret, so
// that a development server needs no second secret. It logs where the key comes from and a
// fingerprint, so that the processes of a deployment can be seen to agree; with the development
// secret anyone can derive it, and it warns with `risk`.
std::string server_key(const Secret& jwt, const char* env_name, std::string_view what, std::string_view risk) {
  const char* env = std::getenv(env_name);
  const bool own = env != nullptr && *env != '\0';
  std::string key = own ? std::string(env) : hmac_sha256_hex(jwt.value, "microjobs " + std::string(what));
  const std::string fingerprint = hmac_sha256_hex(key, "fingerprint").substr(0, 12);
  if (!own && jwt.is_dev) {
    spdlog::warn("the {} derives from the development secret: {}; set {} (or MICROJOBS_JWT_SECRET) in "
                 "production", what, risk, env_name);
  }
  spdlog::info("{}: {} (fingerprint {})", what, own ? env_name : "derived from the JWT secret", fingerprint);
  return key;
}

// The key each webhook's secret is derived from (infra/webhook/signature.h). Changing it changes
// every webhook's secret.
std::string webhook_signing_key(const Secret& jwt) {
  return server_key(jwt, "MICROJOBS_WEBHOOK_KEY", "webhook signing key",
                    "anyone can forge webhook signatures");
}

// The vault's master key (infra/vault), which wraps every user's key. Changing it makes every
// sealed text unreadable: keep it like the data itself.
std::string data_key(const Secret& jwt) {
  return server_key(jwt, "MICROJOBS_DATA_KEY", "data key", "anyone with the key store can read personal data");
}

void print_first_screen(const std::string& address, int port, const NodeConfig& config, bool dev_secret) {
  std::string host = address == "0.0.0.0" ? "localhost" : address;
  std::string data = config.data_dir + "  (state/, read/, keys/; " + std::to_string(config.partitions) + " partitions)";
  if (!config.read_from.empty()) data = "the read models of " + config.read_from + " (a projector process)";
  std::printf(
      "microjobs is serving (%s)\n"
      "  listening   http://%s:%d\n"
      "  event log   %s\n"
      "  data        %s\n"
      "  secret      %s\n\n"
      "Try it (in another shell):\n"
      "  TOKEN=$(build/tools/microjobs token --user alice --role employer --role payments)\n"
      "  curl -s -X PUT http://%s:%d/v1/users/alice -H \"Authorization: Bearer $TOKEN\" \\\n"
      "       -d '{\"country\":\"US\",\"display_name\":\"Alice\"}'\n"
      "  curl -s -X POST http://%s:%d/v1/deposits -H \"Authorization: Bearer $TOKEN\" \\\n"
      "       -d '{\"account\":\"alice\",\"amount\":\"100.00\",\"reference\":\"first\"}'\n"
      "  curl -s http://%s:%d/v1/accounts/alice -H \"Authorization: Bearer $TOKEN\"\n\n"
      "Stop with Ctrl-C.\n",
      config.event_log.empty() ? "embedded mode" : "on Kafka", host.c_str(), port,
      config.event_log.empty() ? (config.data_dir + "/log (local RocksDB, synced WAL)").c_str()
                               : config.event_log.c_str(),
      data.c_str(),
      dev_secret ? "DEVELOPMENT SECRET (set MICROJOBS_JWT_SECRET before production use)"
                 : "from MICROJOBS_JWT_SECRET",
      host.c_str(), port, host.c_str(), port, host.c_str(), port);
  std::fflush(stdout);
}

// Blocks SIGINT and SIGTERM in every thread (call before starting any), then waits for one.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// serve's way out of a stop that does not finish: say why and end the process now.
[[noreturn]] void exit_without_finishing_the_stop(const std::string& why) {
  spdlog::error("{}: exiting without finishing the stop (the log is durable: a restart recovers)", why);
  spdlog::default_logger()->flush();
  std::_Exit(1);
}

// Waits for SIGINT or SIGTERM, then runs `stop` within `stop_timeout` (stop_within).
void stop_on_signal(const sigset_t& signals, std::chrono::seconds stop_timeout, const std::function<void()>& stop) {
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("stopping on signal {}", received);
  stop_within(signals, stop_timeout, stop, exit_without_finishing_the_stop);
}

int serve(NodeConfig config, ApiConfig api_config, const std::string& roles, const std::string& address,
          int port, const std::string& port_file, std::chrono::seconds stop_timeout) {
  sigset_t signals = block_stop_signals();
  if (auto parsed = parse_roles(roles, config); !parsed.ok()) {
    spdlog::error("--role: {}", parsed.error().message);
    return 2;
  }
  Secret secret = jwt_secret();  // the server itself warns when it is the development secret
  config.webhooks.signing_key = webhook_signing_key(secret);
  config.data_key = data_key(secret);
  auto node = EmbeddedNode::open(config);
  if (!node.ok()) {
    spdlog::error("{}", node.error().message);
    return 1;
  }
  if (auto status = (*node)->start(); !status.ok()) {
    spdlog::error("start: {}", status.error().message);
    return 1;
  }
  if (!config.api_role) {
    if (!port_file.empty()) std::ofstream(port_file) << 0 << "\n";  // started; no HTTP port here
    std::printf("microjobs is running as %s%s on %s (no HTTP API in this process)\nStop with Ctrl-C.\n",
                config.processor_role ? "processor " : "", config.projector_role ? "projector" : "",
                config.event_log.c_str());
    std::fflush(stdout);
    stop_on_signal(signals, stop_timeout, [&] { (*node)->stop(); });
    return 0;
  }
  api_config.jwt_secret = secret.value;
  api_config.dev_secret = secret.is_dev;
  api_config.partitions = config.partitions;
  api_config.webhook_signing_key = config.webhooks.signing_key;
  api_config.webhooks_allow_private = config.webhooks.allow_private;
  EventLog& log = (*node)->log();
  for (std::int32_t p = 0; p < log.partitions(); ++p) api_config.ready_after.push_back(log.end(p));
  ApiContext context((*node)->bus(), (*node)->reads(), (*node)->progress(), (*node)->clock(),
                     api_config);
  context.webhook_store = (*node)->webhook_store();
  context.vault = &(*node)->vault();
  context.memtable_bytes = [] { return static_cast<std::int64_t>(memtable_usage()); };
  HttpServer server(context);
  auto bound = server.start(address, static_cast<unsigned short>(port));
  if (!bound.ok()) {
    spdlog::error("listen on {}:{}: {}", address, port, bound.error().message);
    return 1;
  }
  if (!port_file.empty()) std::ofstream(port_file) << *bound << "\n";
  print_first_screen(address, *bound, config, secret.is_dev);
  stop_on_signal(signals, stop_timeout, [&] {
    server.stop();
    (*node)->stop();
  });
  return 0;
}


struct ServeArgs {
  NodeConfig config;
  ApiConfig api;
  std::string address = "127.0.0.1";
  int port = 8080;
  std::string port_file;
  std::string roles = "all";
  std::string min_withdrawal;
  std::int64_t webhook_first_retry_ms = 10'000;
  int stop_timeout_s = 30;
};

// The HTTP API's limits and what it asks of a token (api/http.h).
void add_api_options(CLI::App* cmd, ApiConfig& api) {
  cmd->add_option("--jwt-issuer", api.token_policy.issuer, "when set, a token's iss must equal it");
  cmd->add_option("--jwt-audience", api.token_policy.audience, "when set, a token's aud must hold it");
  cmd->add_option("--jwt-leeway", api.token_policy.leeway_s, "seconds of clock difference allowed at exp and nbf")
      ->capture_default_str()->check(CLI::Range(0, 300));
  cmd->add_option("--rate-limit", api.rate_limit_per_s, "requests per second one user may keep up (0: no limit)")
      ->capture_default_str()->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000}));
  cmd->add_option("--rate-burst", api.rate_limit_burst, "requests one user may send at once")
      ->capture_default_str()->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}));
  cmd->add_option("--max-connections", api.connection_limit, "open connections; beyond it 503 and closed")
      ->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--max-header-fields", api.header_count_limit, "header fields of one request; beyond it 431")
      ->capture_default_str()->check(CLI::Range(1, 10'000));
  cmd->add_option("--request-timeout", api.request_timeout,
                  "seconds to read one request or write one response; a slower client is cut off")
      ->capture_default_str()->check(CLI::Range(1, 3600));
}

CLI::App* add_serve(CLI::App& app, ServeArgs& args) {
  NodeConfig& config = args.config;
  CLI::App* cmd = app.add_subcommand("serve", "run the embedded node and the HTTP API");
  cmd->add_option("--data-dir", config.data_dir, "where the log and read models live")->capture_default_str();
  cmd->add_option("--address", args.address, "address to listen on")->capture_default_str();
  cmd->add_option("--port", args.port, "port to listen on (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--port-file", args.port_file, "write the bound port to this file once serving (0 without the api role)");
  cmd->add_option("--partitions", config.partitions, "partitions of a new log")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--memtable-mb", config.memtable_budget_mb,
                  "MB of newest writes all stores together hold in memory before flushing to files")
      ->capture_default_str()->check(CLI::Range(std::size_t{4}, std::size_t{65'536}));
  cmd->add_option("--role", args.roles, "all, or a comma list of api, processor, projector, webhooks (Kafka only; one process with webhooks)")
      ->capture_default_str();
  cmd->add_option("--node-id", config.node_id, "Kafka: this node's reply key (default: random)");
  cmd->add_option("--read-from", config.read_from,
                  "Kafka, --role api alone: the data dir of a projector process on this machine");
  cmd->add_option("--event-log", config.event_log,
                  "empty: the local log under --data-dir; kafka://host:port[/prefix]: topic microjobs.events (or prefix.events) on Kafka");
  cmd->add_option("--kafka-transactions", config.kafka_transactions,
                  "Kafka, processor: fenced writers, one transaction per append (off for dev-kafka's mock, which cannot fence)")
      ->capture_default_str();
  cmd->add_option("--processor-group", config.processor_group,
                  "Kafka, processor: the consumer group (default PREFIX-processors)");
  cmd->add_flag("--webhooks-allow-private", config.webhooks.allow_private,
               "accept and deliver webhooks to loopback and private addresses (tests; never in production)");
  cmd->add_option("--webhooks-first-retry-ms", args.webhook_first_retry_ms,
                  "a failed webhook delivery's first retry, doubling after (with jitter) up to an hour")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}));
  cmd->add_option("--stop-timeout", args.stop_timeout_s,
                  "seconds a stop may take after SIGINT/SIGTERM; past it, or on a second signal, exit at once (status 1)")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  add_api_options(cmd, args.api);
  args.min_withdrawal = format_money(config.processor.policy.min_withdrawal);
  cmd->add_option("--min-withdrawal", args.min_withdrawal, "the smallest withdrawal a worker may request")
      ->capture_default_str()
      ->check([](const std::string& text) {
        auto amount = parse_money(text);
        return amount && amount->value > 0 ? std::string() : "a positive amount such as 1.00";
      });
  return cmd;
}

struct TokenArgs {
  std::string user;
  std::vector<std::string> roles;
  std::int64_t ttl_s = 86400;
  TokenPolicy policy;  // its issuer and audience, when the server asks for them
};

CLI::App* add_token(CLI::App& app, TokenArgs& args) {
  CLI::App* cmd = app.add_subcommand("token", "mint a bearer token (JWT HS256) from MICROJOBS_JWT_SECRET");
  cmd->add_option("--user", args.user, "the user id (sub)")->required();
  cmd->add_option("--role", args.roles, "employer, worker, auditor, admin or payments (repeatable)")->required()
      ->check(CLI::IsMember({"employer", "worker", "auditor", "admin", "payments"}));
  cmd->add_option("--ttl", args.ttl_s, "seconds the token is valid")->capture_default_str()->check(CLI::Range(1, 365 * 86400));
  cmd->add_option("--issuer", args.policy.issuer, "the iss claim (as the server's --jwt-issuer)");
  cmd->add_option("--audience", args.policy.audience, "the aud claim (as the server's --jwt-audience)");
  return cmd;
}

int run_token(const TokenArgs& args) {
  if (!valid_user_id(args.user)) {
    std::fprintf(stderr, "--user must be 1-64 characters of [A-Za-z0-9_-]\n");
    return 2;
  }
  Secret secret = jwt_secret();
  if (secret.is_dev) std::fprintf(stderr, "warning: signed with the development secret\n");
  std::printf("%s\n", mint_token(secret.value, args.user, args.roles, args.ttl_s, SystemClock().now(), args.policy).c_str());
  return 0;
}

int run_rebuild(const std::string& data_dir) {
  auto applied = rebuild_read_models(data_dir, 0);
  if (!applied.ok()) {
    const std::string& message = applied.error().message;
    // RocksDB cannot take the LOCK file of a data dir a server holds.
    const bool locked = message.find("/LOCK") != std::string::npos;
    spdlog::error("rebuild: {}{}", message,
                  locked ? " -- is a server running on this data dir? Stop it first: rebuild needs the "
                           "data dir to itself"
                         : "");
    return 1;
  }
  std::printf("rebuilt the read models from %zu events\n", *applied);
  return 0;
}

}  // namespace
}  // namespace microjobs

int main(int argc, char** argv) {
  using namespace microjobs;
  CLI::App app{"microjobs: an event-sourced microtask marketplace backend"};
  app.set_version_flag("--version", std::string("microjobs ") + MICROJOBS_VERSION);
  app.require_subcommand(1);
  ServeArgs serve_args;
  CLI::App* serve_cmd = add_serve(app, serve_args);
  TokenArgs token_args;
  CLI::App* token_cmd = add_token(app, token_args);
  std::string rebuild_dir = "./data";
  CLI::App* rebuild_cmd = app.add_subcommand("rebuild", "drop the read models and fold the whole log into new ones");
  rebuild_cmd->add_option("--data-dir", rebuild_dir, "the node's data directory")->capture_default_str();

  // Subcommands that live in their own files register themselves here (tools/subcommands.h).
  SubcommandRunners extra;
  register_subcommands(app, extra);

  CLI11_PARSE(app, argc, argv);
  for (auto& run : extra) {
    if (int code = run(); code >= 0) return code;
  }
  if (*serve_cmd) {
    serve_args.config.processor.policy.min_withdrawal = *parse_money(serve_args.min_withdrawal);
    serve_args.config.webhooks.first_retry = std::chrono::milliseconds(serve_args.webhook_first_retry_ms);
    return serve(serve_args.config, serve_args.api, serve_args.roles, serve_args.address,
                 serve_args.port, serve_args.port_file, std::chrono::seconds(serve_args.stop_timeout_s));
  }
  if (*token_cmd) return run_token(token_args);
  if (*rebuild_cmd) return run_rebuild(rebuild_dir);
  return 0;
}
