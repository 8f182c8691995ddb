// The API reference (api/routes.cpp, api/reference.md, /openapi.json) held to the server. One
// campaign plays every route's example against the real write side (partition processors on a
// RocksDB log, the credit manager stepped by hand) and read side (a projector thread), and each
// answer must be the documented one; then every documented body is probed for the fields the
// handler really reads, every role a route leaves out must be refused, and the Markdown in the
// repository must be what the table gives.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stop_token>
#include <thread>
#include <variant>

#include "api/http.h"
#include "api/openapi.h"
#include "api_test_support.h"
#include "commands/credit_manager.h"
#include "commands/in_process_bus.h"
#include "projections/projector.h"
#include "projections/read_models.h"

namespace microjobs {
namespace {

using namespace api_testing;
using namespace std::chrono_literals;

// A request of the campaign that no route documents (more workers, a second submission).
struct Preparation {
  std::string user, role, method, target, body;
};
// Or a route's own example, named "METHOD pattern".
using Step = std::variant<Preparation, std::string>;

Preparation worker_registers(const std::string& name) {
  return {name, "worker", "PUT", "/v1/users/" + name, R"({"country":"ID","display_name":"Worker )" + name + "\"}"};
}
Preparation claims(const std::string& worker) { return {worker, "worker", "POST", "/v1/tasks/alice.1/claims", ""}; }
Preparation submits(const std::string& worker, const std::string& claim) {
  return {worker, "worker", "POST", "/v1/claims/" + claim + "/submission", R"({"proof":"Toko Maju"})"};
}

// The campaign: every route's example in an order where each finds what it needs.
std::vector<Step> campaign() {
  return {"PUT /v1/users/{}", worker_registers("bob"), worker_registers("carol"), worker_registers("dave"),
          worker_registers("erin"), worker_registers("mallory"), "GET /v1/users/{}", "POST /v1/deposits",
          "POST /v1/tasks", "POST /v1/tasks/{}/items", "GET /v1/tasks", "GET /v1/tasks/{}",
          "POST /v1/tasks/{}/claims", "GET /v1/tasks/{}/items", "POST /v1/claims/{}/submission",
          "GET /v1/tasks/{}/submissions", "POST /v1/claims/{}/revision", submits("bob", "alice.1.1"),
          "POST /v1/claims/{}/approve", "POST /v1/claims/{}/bonus", claims("carol"), submits("carol", "alice.1.2"),
          "POST /v1/claims/{}/reject", "POST /v1/claims/{}/override", claims("dave"), "POST /v1/claims/{}/abandon",
          claims("erin"), submits("erin", "alice.1.4"), "POST /v1/reviews", "GET /v1/claims/{}",
          "GET /v1/users/{}/claims", "GET /v1/users/{}/tasks", "GET /v1/users/{}/reputation",
          "POST /v1/tasks/{}/slots", "POST /v1/tasks/{}/pause", "POST /v1/tasks/{}/resume", "POST /v1/withdrawals",
          "GET /v1/withdrawals/{}", "POST /v1/withdrawals/{}/complete",
          Preparation{"carol", "worker", "POST", "/v1/withdrawals", R"({"amount":"1.00","destination":"OVO 0813-0000-2222"})"},
          "POST /v1/withdrawals/{}/fail", "GET /v1/accounts/{}", "GET /v1/accounts/{}/statement", "POST /v1/blocks",
          "GET /v1/blocks", "DELETE /v1/blocks/{}", "POST /v1/webhooks", "POST /v1/tasks/{}/cancel",
          "POST /v1/users/{}/erasure"};
}

// Routes whose example the campaign cannot play here, and why.
const std::map<std::string, std::string> kNotPlayed = {
    {"GET /v1/webhooks/{}/deliveries",
     "needs a webhook deliverer beside the API; tests/system/webhook_test.cpp plays it"}};

std::string route_key(const Route& route) { return std::string(route.method) + " " + std::string(route.pattern); }

const Route& route_named(const std::string& key) {
  for (const Route& route : routes()) {
    if (route_key(route) == key) return route;
  }
  ADD_FAILURE() << "no route " << key;
  return routes().front();
}

// Where `expected` and `actual` differ, as a path; empty when equal. A "position" may be any
// string: offsets depend on every event before them.
std::string difference(const boost::json::value& expected, const boost::json::value& actual,
                       const std::string& path) {
  if (expected.is_object() && actual.is_object()) {
    const auto& want = expected.as_object();
    const auto& got = actual.as_object();
    for (const auto& [key, value] : want) {
      if (!got.contains(key)) return path + "." + std::string(key) + " is missing";
    }
    for (const auto& [key, value] : got) {
      const std::string at = path + "." + std::string(key);
      if (!want.contains(key)) return at + " is not documented";
      if (key == "position" && value.is_string() && want.at(key).is_string()) continue;
      if (std::string d = difference(want.at(key), value, at); !d.empty()) return d;
    }
    return "";
  }
  if (expected.is_array() && actual.is_array()) {
    const auto& want = expected.as_array();
    const auto& got = actual.as_array();
    if (want.size() != got.size()) return path + " has " + std::to_string(got.size()) + " elements";
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (std::string d = difference(want[i], got[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    }
    return "";
  }
  return expected == actual ? "" : path + " is " + boost::json::serialize(actual);
}

class ReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bus.start().ok());
    ASSERT_TRUE(credits.start().ok());
    projector_thread = std::jthread([this](std::stop_token stop) { projector.run(stop); });
    ApiConfig config;
    config.jwt_secret = std::string(kSecret);
    config.webhook_signing_key = "reference-webhook-key";
    context = std::make_unique<ApiContext>(bus, read_models, projector, clock, config);
  }
  void TearDown() override {
    context.reset();
    bus.stop();
    projector_thread.request_stop();
    projector_thread.join();
  }

  // Every credit sent and every event projected: the next request sees all that came before.
  void settle() {
    for (int round = 0; round < 100; ++round) {
      auto moved = credits.step();
      ASSERT_TRUE(moved.ok()) << moved.error().message;
      if (*moved == 0) break;
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (std::int32_t p = 0; p < bus.partitions(); ++p) {
      while (projector.applied_end(p) < stores.log->end(p)) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "partition " << p << " not projected";
        std::this_thread::yield();
      }
    }
  }

  Response send(const std::string& user, const std::string& role, const std::string& method,
                const std::string& target, const std::string& body) {
    settle();
    return call(*context, make_request(method, target, body, token_for(user, {role})));
  }

  Response play(const Route& route) {
    const RouteExample& example = route.doc.example;
    return send(example.user, example.role, std::string(route.method), example.target, example.body);
  }

  void play_campaign() {
    for (const Step& step : campaign()) {
      if (const auto* setup = std::get_if<Preparation>(&step)) {
        Response response = send(setup->user, setup->role, setup->method, setup->target, setup->body);
        ASSERT_LT(response.status, 300) << setup->method << " " << setup->target << ": " << response.body;
        continue;
      }
      const Route& route = route_named(std::get<std::string>(step));
      Response response = play(route);
      EXPECT_EQ(response.status, route.doc.status) << std::get<std::string>(step) << ": " << response.body;
      const std::string want = route.doc.example.answer.empty() ? "null" : route.doc.example.answer;
      const std::string found = difference(boost::json::parse(want), boost::json::parse(response.body), "$");
      EXPECT_EQ(found, "") << std::get<std::string>(step) << " answers, not as documented:\n" << response.body;
    }
  }

  Stores stores{4};
  ManualClock clock{kNow};
  InProcessCommandBus bus{*stores.log, *stores.state_store, clock};
  CreditManager credits{*stores.log, bus, *stores.state_store};
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  std::jthread projector_thread;
  std::unique_ptr<ApiContext> context;
};

TEST_F(ReferenceTest, TheCampaignPlaysEveryRouteOnceOrSaysWhyNot) {
  std::map<std::string, int> played;
  for (const Step& step : campaign()) {
    if (const auto* key = std::get_if<std::string>(&step)) ++played[*key];
  }
  for (const Route& route : routes()) {
    const std::string key = route_key(route);
    EXPECT_EQ(played[key] + static_cast<int>(kNotPlayed.count(key)), 1) << key;
    played.erase(key);
  }
  EXPECT_TRUE(played.empty()) << played.begin()->first << " is no route";
}

TEST_F(ReferenceTest, EveryExampleAnswersAsDocumented) { play_campaign(); }

// A value just outside what `field` documents, or null when the test has none for its type.
boost::json::value outside(const FieldDoc& field) {
  switch (field.type) {
    case FieldType::text: return boost::json::value(std::string(static_cast<std::size_t>(field.max) + 1, 'x'));
    case FieldType::url: return boost::json::value("ftp://example.com/");
    case FieldType::integer: return boost::json::value(field.max + 1);
    case FieldType::choice: return boost::json::value("zz_not_a_choice");
    case FieldType::money: return boost::json::value(field.min > 0 ? "0" : "-1");
    case FieldType::country: return boost::json::value("zz");
    case FieldType::user_id: return boost::json::value("not an id!");
    case FieldType::boolean: return boost::json::value("yes");
    case FieldType::time: return boost::json::value("tomorrow");
    case FieldType::rate: return boost::json::value(2);
    case FieldType::cursor: return boost::json::value(std::string(static_cast<std::size_t>(field.max) + 1, 'x'));
    default: return nullptr;
  }
}

// The values at the ends of what `field` documents, which the handler must take: the longest text,
// the largest and the smallest integer.
std::vector<boost::json::value> at_the_bounds(const FieldDoc& field) {
  if (field.type == FieldType::text) return {boost::json::value(std::string(static_cast<std::size_t>(field.max), 'x'))};
  if (field.type == FieldType::integer) return {boost::json::value(field.max), boost::json::value(field.min)};
  return {};
}

// The example's body with `path` (one or two member names) set to `value`, or erased when null.
std::string body_with(const RouteExample& example, const std::vector<std::string>& path,
                      const boost::json::value& value) {
  boost::json::value body = boost::json::parse(example.body.empty() ? "{}" : example.body);
  boost::json::object* object = &body.as_object();
  if (path.size() == 2) object = &(*object)[path[0]].emplace_object();
  if (value.is_null()) {
    object->erase(path.back());
  } else {
    (*object)[path.back()] = value;
  }
  return boost::json::serialize(body);
}

// Each documented range and required field, held to the handler: a value just outside the range
// is 400 invalid_field naming the field, a value at its ends is not refused for that field, and a
// required field left out is 400 missing_field naming it.
TEST_F(ReferenceTest, EveryDocumentedRangeAndRequiredFieldHolds) {
  ASSERT_NO_FATAL_FAILURE(play_campaign());
  int probes = 0;
  auto taken = [&](const Route& route, const FieldDoc& field, const boost::json::value& value) {
    const RouteExample& example = route.doc.example;
    Response response = send(example.user, example.role, std::string(route.method), example.target,
                             body_with(example, {field.name}, value));
    const bool refused = response.status == 400 && member(body_of(response), "detail").rfind(field.name + ":", 0) == 0;
    EXPECT_FALSE(refused) << route_key(route) << " " << field.name << " at its documented bound: " << response.body;
    ++probes;
  };
  auto probe = [&](const Route& route, const std::vector<std::string>& path, const boost::json::value& value,
                   std::string_view code) {
    const RouteExample& example = route.doc.example;
    const std::string body = body_with(example, path, value);
    Response response = send(example.user, example.role, std::string(route.method), example.target, body);
    const std::string name = path.size() == 2 ? path[0] + "." + path[1] : path[0];
    const std::string what = route_key(route) + " " + body.substr(0, 200);
    EXPECT_EQ(response.status, 400) << what << ": " << response.body;
    EXPECT_EQ(member(body_of(response), "code"), code) << what;
    EXPECT_EQ(member(body_of(response), "detail").rfind(name + ":", 0), 0u) << what << ": " << response.body;
    ++probes;
  };
  for (const Route& route : routes()) {
    for (const FieldDoc& field : route.doc.body) {
      if (auto bad = outside(field); !bad.is_null()) probe(route, {field.name}, bad, "invalid_field");
      if (field.type == FieldType::integer && field.min > 0) {
        probe(route, {field.name}, boost::json::value(field.min - 1), "invalid_field");
      }
      for (const boost::json::value& good : at_the_bounds(field)) taken(route, field, good);
      if (field.required) probe(route, {field.name}, nullptr, "missing_field");
      if (field.type != FieldType::object) continue;
      for (const FieldDoc& inner : field.fields) {
        if (auto bad = outside(inner); !bad.is_null()) probe(route, {field.name, inner.name}, bad, "invalid_field");
      }
    }
  }
  EXPECT_GE(probes, 40);
}

// A query value as the URL carries it (JSON strings without their quotes), percent-encoding aside:
// the probes' values need none.
std::string query_value(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
}

// The same for query parameters: just outside a documented range is 400 invalid_query naming the
// parameter; at its ends it is not refused for that parameter.
TEST_F(ReferenceTest, EveryDocumentedQueryRangeHolds) {
  ASSERT_NO_FATAL_FAILURE(play_campaign());
  int probes = 0;
  for (const Route& route : routes()) {
    if (kNotPlayed.count(route_key(route)) > 0) continue;  // it cannot get as far as its query here
    const RouteExample& example = route.doc.example;
    const std::string path = example.target.substr(0, example.target.find('?'));
    auto ask = [&](const FieldDoc& field, const boost::json::value& value) {
      const std::string target = path + "?" + field.name + "=" + query_value(value);
      ++probes;
      return std::pair{target, send(example.user, example.role, std::string(route.method), target, "")};
    };
    for (const FieldDoc& field : route.doc.query) {
      if (auto bad = outside(field); !bad.is_null() && field.type != FieldType::boolean) {
        auto [target, response] = ask(field, bad);
        EXPECT_EQ(response.status, 400) << target << ": " << response.body;
        EXPECT_EQ(member(body_of(response), "code"), "invalid_query") << target;
        EXPECT_NE(member(body_of(response), "detail").find(field.name), std::string::npos) << target << ": " << response.body;
      }
      for (const boost::json::value& good : at_the_bounds(field)) {
        auto [target, response] = ask(field, good);
        const bool refused = response.status == 400 && member(body_of(response), "detail").find(field.name) != std::string::npos;
        EXPECT_FALSE(refused) << target << " at its documented bound: " << response.body;
      }
    }
  }
  EXPECT_GE(probes, 30);
}

// The names after "this object takes " in an unknown_field problem.
std::set<std::string> names_taken(const std::string& detail) {
  constexpr std::string_view kTakes = "this object takes ";
  std::set<std::string> names;
  const std::size_t at = detail.find(kTakes);
  if (at == std::string::npos) return {"<" + detail + ">"};
  std::string list = detail.substr(at + kTakes.size());
  if (list == "no fields") return names;
  std::stringstream stream(list);
  for (std::string name; std::getline(stream, name, ',');) names.insert(name.substr(name.front() == ' ' ? 1 : 0));
  return names;
}

std::set<std::string> documented_names(const std::vector<FieldDoc>& fields) {
  std::set<std::string> names;
  for (const FieldDoc& field : fields) names.insert(field.name);
  return names;
}

// A body with one member no endpoint reads, at the top or inside the documented object or list
// `outer`: the answer names the fields the handler reads there, which must be the documented ones.
TEST_F(ReferenceTest, EveryBodyTakesExactlyTheDocumentedFields) {
  ASSERT_NO_FATAL_FAILURE(play_campaign());
  int probes = 0;
  for (const Route& route : routes()) {
    if (!route.doc.reads_body) continue;
    std::vector<std::pair<std::string, const std::vector<FieldDoc>*>> probes_of = {
        {R"({"zz_probe":1})", &route.doc.body}};
    for (const FieldDoc& outer : route.doc.body) {
      if (outer.type == FieldType::object) probes_of.push_back({R"({")" + outer.name + R"(":{"zz_probe":1}})", &outer.fields});
      if (outer.type == FieldType::objects) probes_of.push_back({R"({")" + outer.name + R"(":[{"zz_probe":1}]})", &outer.fields});
    }
    for (const auto& [body, fields] : probes_of) {
      const RouteExample& example = route.doc.example;
      Response response = send(example.user, example.role, std::string(route.method), example.target, body);
      const std::string what = route_key(route) + " " + body;
      ASSERT_EQ(response.status, 400) << what << ": " << response.body;
      EXPECT_EQ(member(body_of(response), "code"), "unknown_field") << what;
      EXPECT_EQ(names_taken(member(body_of(response), "detail")), documented_names(*fields)) << what;
      ++probes;
    }
  }
  EXPECT_GE(probes, 25);
}

// A route with roles refuses a token of every other role (403, nothing appended) and lets each of
// its roles past the role check; every route refuses a request without a token (401).
TEST_F(ReferenceTest, EveryRoleARouteLeavesOutIsRefusedAndEveryRoleItNamesIsLetIn) {
  ASSERT_NO_FATAL_FAILURE(play_campaign());
  const std::vector<std::string> all_roles = {"employer", "worker", "auditor", "payments", "admin"};
  for (const Route& route : routes()) {
    const RouteExample& example = route.doc.example;
    const std::string method(route.method);
    Response anonymous = call(*context, make_request(method, example.target, example.body));
    EXPECT_EQ(anonymous.status, 401) << route_key(route);
    if (route.doc.roles.empty()) continue;
    for (const std::string& role : all_roles) {
      if (std::find(route.doc.roles.begin(), route.doc.roles.end(), role) != route.doc.roles.end()) {
        Response response = send(example.user, role, method, example.target, example.body);
        const bool refused_for_role = response.status == 403 && response.body.find("role") != std::string::npos;
        EXPECT_FALSE(refused_for_role) << route_key(route) << " as " << role << ": " << response.body;
        continue;
      }
      settle();  // the credits of what the admitted roles did before
      const std::int64_t end_before = stores.log->end(0) + stores.log->end(1) + stores.log->end(2) + stores.log->end(3);
      Response response = send(example.user, role, method, example.target, example.body);
      EXPECT_EQ(response.status, 403) << route_key(route) << " as " << role << ": " << response.body;
      settle();
      EXPECT_EQ(stores.log->end(0) + stores.log->end(1) + stores.log->end(2) + stores.log->end(3), end_before)
          << route_key(route) << " as " << role << " appended";
    }
  }
}

// Whether a response refuses for ownership: 403, or a bulk answer whose every result is 403.
bool refused_as_foreign(const Response& response) {
  if (response.status == 403) return true;
  if (response.status != 200) return false;
  const JsonValue body = body_of(response);
  const JsonValue* results = body.find("results");
  if (results == nullptr || results->items.empty()) return false;
  return std::all_of(results->items.begin(), results->items.end(),
                     [](const JsonValue& result) { return member(result, "status") == "403"; });
}

// Own and foreign: every route's example, sent by a stranger (a user named in no resource) in
// each role the route admits, is refused 403 with nothing appended when the route acts on one
// user's resource and the role does not act on anyone's (a bulk review: each decision 403);
// otherwise it is not refused for ownership. The examples themselves, played by the owners, are
// the own side. A route added without saying whose resource it acts on fails here, whichever
// way its handler decides.
TEST_F(ReferenceTest, EveryRouteRefusesAStrangerExactlyWhenItsResourceIsAnothersAndTheRoleSeesOnlyItsOwn) {
  ASSERT_NO_FATAL_FAILURE(play_campaign());
  const std::vector<std::string_view> all_roles = {roles::kEmployer, roles::kWorker, roles::kAuditor,
                                                   roles::kPayments, roles::kAdmin};
  int probes = 0;
  for (const Route& route : routes()) {
    const RouteExample& example = route.doc.example;
    const auto& admitted = route.doc.roles.empty() ? all_roles : route.doc.roles;
    for (std::string_view role : admitted) {
      const auto& any = route.doc.any_owner_roles;
      const bool refused = route.doc.owned && std::find(any.begin(), any.end(), role) == any.end();
      settle();
      const std::int64_t end_before = stores.log->end(0) + stores.log->end(1) + stores.log->end(2) + stores.log->end(3);
      Response response =
          send("stranger", std::string(role), std::string(route.method), example.target, example.body);
      ++probes;
      if (refused) {
        EXPECT_TRUE(refused_as_foreign(response)) << route_key(route) << " as a stranger " << role << ": " << response.body;
        settle();
        EXPECT_EQ(stores.log->end(0) + stores.log->end(1) + stores.log->end(2) + stores.log->end(3), end_before)
            << route_key(route) << " as a stranger " << role << " appended";
      } else {
        EXPECT_FALSE(refused_as_foreign(response)) << route_key(route) << " as a stranger " << role << ": " << response.body;
      }
    }
  }
  std::printf("ownership matrix: %d probes over %zu routes\n", probes, routes().size());
}

TEST(Reference, TheMarkdownInTheRepositoryIsWhatTheRouteTableGives) {
  std::ifstream file(std::string(MICROJOBS_SOURCE_DIR) + "/api/reference.md", std::ios::binary);
  ASSERT_TRUE(file) << "api/reference.md is missing: microjobs reference > api/reference.md";
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_TRUE(text.str() == api_reference_markdown())
      << "api/reference.md is stale: regenerate it with build/tools/microjobs reference > api/reference.md";
}

TEST(Reference, TheOpenApiDocumentIsServedToAnyoneAndNamesEveryRoute) {
  Stores stores{4};
  ManualClock clock{kNow};
  RecordingBus bus;
  Projector projector{*stores.log, *stores.read_store};
  ReadModels read_models{*stores.read_store};
  ApiConfig config;
  config.jwt_secret = std::string(kSecret);
  ApiContext context{bus, read_models, projector, clock, config};
  Response response = call(context, make_request("GET", "/openapi.json"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body, openapi_json());
  boost::json::value document = boost::json::parse(response.body);
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  const auto& paths = document.at("paths").as_object();
  for (const Route& route : routes()) {
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto* path = paths.if_contains(documented_path(route.pattern));
    ASSERT_NE(path, nullptr) << route_key(route);
    EXPECT_TRUE(path->as_object().contains(method)) << route_key(route);
  }
}

}  // namespace
}  // namespace microjobs
