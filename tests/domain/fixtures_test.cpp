// Golden fixtures: one envelope per event type under tests/domain/fixtures/<type>.json, written
// once from the encoder. Each is decoded and re-encoded byte for byte, so any change to the wire
// format (a renamed field, another money or time format, a new attribute) fails here first.
// A deliberate new event version gets a new fixture; regenerate with MICROJOBS_WRITE_FIXTURES=1
// only for a type whose fixture does not exist yet, never to make a failing test pass.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/domain/sample_events.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

std::filesystem::path fixture_dir() { return MICROJOBS_DOMAIN_FIXTURE_DIR; }

std::filesystem::path fixture_path(const Event& event) {
  return fixture_dir() / (std::string(event_type(event)) + ".json");
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string text = bytes.str();
  // An editor may add a final newline; it is not part of the record.
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Writes the fixtures that do not exist yet, when asked to; existing ones are never rewritten.
void write_missing_fixtures() {
  if (std::getenv("MICROJOBS_WRITE_FIXTURES") == nullptr) return;
  std::filesystem::create_directories(fixture_dir());
  for (const Event& event : sample_events()) {
    if (std::filesystem::exists(fixture_path(event))) continue;
    std::ofstream out(fixture_path(event), std::ios::binary);
    out << encode_envelope(sample_meta(event), event);
  }
}

TEST(GoldenFixtures, EachEventTypeDecodesAndReencodesByteForByte) {
  write_missing_fixtures();
  for (const Event& sample : sample_events()) {
    SCOPED_TRACE(fixture_path(sample).string());
    auto bytes = read_file(fixture_path(sample));
    ASSERT_TRUE(bytes.has_value()) << "missing fixture";
    std::string error;
    auto envelope = decode_envelope(*bytes, &error);
    ASSERT_TRUE(envelope.has_value()) << error;
    EXPECT_EQ(encode_envelope(envelope->meta, envelope->event), *bytes);
    // The fixture holds exactly the sample, so every field of the type is decoded from it.
    EXPECT_TRUE(envelope->event == sample) << describe(envelope->event);
    EXPECT_EQ(envelope->meta.seq, 42);
  }
}

// A fixture whose type no event has any more means a type was renamed or dropped, which breaks
// every consumer holding old records.
TEST(GoldenFixtures, EveryFixtureNamesAKnownEventType) {
  std::set<std::string> known;
  for (const Event& event : sample_events()) known.insert(std::string(event_type(event)) + ".json");
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir())) {
    EXPECT_TRUE(known.contains(entry.path().filename().string())) << entry.path();
    count += 1;
  }
  EXPECT_EQ(count, known.size());
}

}  // namespace
}  // namespace microjobs
