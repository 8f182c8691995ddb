// The JSON Schemas of the event stream (domain/codec/schema.h) against a validator that is not
// ours: Python's jsonschema (tools/install-test-deps puts it in build/venv) checks every golden
// fixture — one envelope per event type, as the codec writes it — and finds broken copies broken.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "domain/codec/schema.h"
#include "run_command.h"
#include "test_support.h"

namespace microjobs {
namespace {

namespace json = boost::json;
using testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes every schema into dir/schemas and runs tests/system/validate_events.py over `files`.
testing::Ran validate(const TempDir& dir, const std::vector<std::string>& files) {
  std::filesystem::create_directories(dir.str() + "/schemas");
  for (const std::string& type : event_type_names()) {
    std::ofstream(dir.str() + "/schemas/" + type + ".json") << *event_schema(type);
  }
  std::string command = std::string(MICROJOBS_BUILD_DIR) + "/venv/bin/python " MICROJOBS_SOURCE_DIR
                        "/tests/system/validate_events.py " + dir.str() + "/schemas";
  for (const std::string& file : files) command += " " + file;
  return testing::run_command(command);
}

std::string fixture(const std::string& type) { return std::string(MICROJOBS_DOMAIN_FIXTURE_DIR) + "/" + type + ".json"; }

TEST(EventSchemas, EveryGoldenFixtureValidates) {
  TempDir dir;
  std::vector<std::string> files;
  for (const std::string& type : event_type_names()) {
    ASSERT_TRUE(std::filesystem::exists(fixture(type))) << type;
    files.push_back(fixture(type));
  }
  EXPECT_EQ(files.size(), 27u);
  testing::Ran validated = validate(dir, files);
  EXPECT_EQ(validated.exit_code, 0) << validated.out;
  EXPECT_EQ(validated.out, "");
}

// Each broken copy of a fixture fails, named: a required field gone, a field no one knows, money
// as a JSON number, an unparseable time, a hash of the wrong length.
TEST(EventSchemas, BrokenEventsFail) {
  TempDir dir;
  json::object original = json::parse(read_file(fixture("task.posted.v1"))).as_object();
  std::vector<std::pair<std::string, std::function<void(json::object&)>>> breaks = {
      {"no_title", [](json::object& e) { e["data"].as_object().erase("title"); }},
      {"unknown_field", [](json::object& e) { e["data"].as_object()["colour"] = "red"; }},
      {"money_as_number", [](json::object& e) { e["data"].as_object()["reward"] = 1.5; }},
      {"bad_time", [](json::object& e) { e["time"] = "yesterday"; }},
      {"short_hash", [](json::object& e) { e["prev_hash"] = "abc"; }},
  };
  std::vector<std::string> files;
  for (auto& [name, mutate] : breaks) {
    json::object broken = original;
    mutate(broken);
    files.push_back(dir.str() + "/" + name + ".json");
    std::ofstream(files.back()) << json::serialize(broken);
  }
  testing::Ran validated = validate(dir, files);
  EXPECT_EQ(validated.exit_code, 1) << validated.out;
  for (const std::string& file : files) {
    EXPECT_NE(validated.out.find(file + ":"), std::string::npos) << file << "\n" << validated.out;
  }
}

}  // namespace
}  // namespace microjobs
