#include "api_test_support.h"

#include <future>
#include <random>

namespace microjobs::api_testing {

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("microjobs-api-test-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Stores::Stores(std::int32_t partitions) {
  auto opened_log = LocalEventLog::open(dir.path("log"), partitions);
  auto opened_read = RocksReadStore::open(dir.path("read"));
  auto opened_state = RocksStateStore::open(dir.path("state"));
  if (!opened_log.ok() || !opened_read.ok() || !opened_state.ok()) {
    ADD_FAILURE() << "cannot open the stores under a temp dir";
    std::abort();
  }
  log = std::move(*opened_log);
  read_store = std::move(*opened_read);
  state_store = std::move(*opened_state);
}

RecordingBus::~RecordingBus() {
  for (std::thread& thread : repliers_) thread.join();
}

void RecordingBus::send(CommandId command_id, Command command, ReplyFn reply) {
  CommandOutcome outcome;
  {
    std::lock_guard lock(mutex_);
    sent_.push_back({command_id, command});
    outcome = answer_ ? answer_(command_id, command) : accepted(UserRegistered{});
    if (reply_delay_.count() > 0) {
      repliers_.emplace_back([this, delay = reply_delay_, outcome, reply = std::move(reply)] {
        std::this_thread::sleep_for(delay);
        reply(outcome);
        delayed_replies_done_ += 1;
      });
      return;
    }
  }
  reply(std::move(outcome));
}

std::vector<RecordingBus::Sent> RecordingBus::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

void RecordingBus::set_answer(Answer answer) {
  std::lock_guard lock(mutex_);
  answer_ = std::move(answer);
}

CommandOutcome accepted(Event event, Position position) {
  CommandOutcome outcome;
  outcome.kind = CommandOutcome::Kind::accepted;
  outcome.event = std::move(event);
  outcome.position = position;
  outcome.time = kNow;
  return outcome;
}

CommandOutcome rejected(Rejection rejection) {
  CommandOutcome outcome;
  outcome.kind = CommandOutcome::Kind::rejected;
  outcome.rejection = rejection;
  return outcome;
}

std::string token_for(std::string_view user, std::vector<std::string> roles) {
  return mint_token(kSecret, user, roles, 3600, kNow);
}

Request make_request(std::string method, std::string target, std::string body,
                     std::string token) {
  Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
  return request;
}

Response call(ApiContext& context, const Request& request, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Response>>();
  auto future = promise->get_future();
  handle(request, context, [promise](Response response) { promise->set_value(std::move(response)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    ADD_FAILURE() << "no answer to " << request.method << " " << request.target;
    return Response{0, {}, {}};
  }
  return future.get();
}

JsonValue body_of(const Response& response) {
  auto parsed = parse_json(response.body);
  if (!parsed.ok()) {
    ADD_FAILURE() << "not JSON: " << response.body;
    return JsonValue{};
  }
  return std::move(*parsed);
}

std::string member(const JsonValue& object, std::string_view name) {
  const JsonValue* value = object.find(name);
  if (value == nullptr) return "<absent>";
  if (value->kind == JsonValue::Kind::null) return "null";
  if (value->kind == JsonValue::Kind::boolean) return value->boolean ? "true" : "false";
  return value->text;
}

}  // namespace microjobs::api_testing
