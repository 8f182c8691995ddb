// Tests of the codecs: the JSON envelope (round trips, defaults for missing fields, errors), JSON
// escaping, SHA-256, and the binary form of visit() structs.
#include <gtest/gtest.h>

#include "domain/codec/binary.h"
#include "domain/codec/envelope.h"
#include "domain/codec/json_writer.h"
#include "domain/codec/sha256.h"
#include "tests/domain/sample_events.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

// Decodes bytes that must decode; a failure names the decoder's error.
Envelope must_decode(std::string_view bytes) {
  std::string error;
  auto envelope = decode_envelope(bytes, &error);
  EXPECT_TRUE(envelope.has_value()) << error << "\n  in " << bytes;
  return envelope.value_or(Envelope{});
}

void expect_same_meta(const EnvelopeMeta& actual, const EnvelopeMeta& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.source, expected.source);
  EXPECT_EQ(actual.time, expected.time);
  EXPECT_EQ(actual.stream, expected.stream);
  EXPECT_EQ(actual.seq, expected.seq);
  EXPECT_EQ(actual.command_id, expected.command_id);
  EXPECT_EQ(actual.prev_hash, expected.prev_hash);
}

TEST(Envelope, SamplesCoverEveryEventTypeOnce) {
  std::vector<Event> samples = sample_events();
  ASSERT_EQ(samples.size(), std::variant_size_v<Event>);
  for (std::size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(samples[i].index(), i);
}

TEST(Envelope, EveryEventTypeRoundTrips) {
  for (const Event& event : sample_events()) {
    SCOPED_TRACE(event_type(event));
    EnvelopeMeta meta = sample_meta(event);
    Envelope decoded = must_decode(encode_envelope(meta, event));
    EXPECT_TRUE(decoded.event == event) << describe(decoded.event) << "\n  vs " << describe(event);
    expect_same_meta(decoded.meta, meta);
    EXPECT_EQ(decoded.subject, event_subject(event));
  }
}

TEST(Envelope, EveryDefaultConstructedEventRoundTrips) {
  for (std::size_t i = 0; i < std::variant_size_v<Event>; ++i) {
    Event event = default_event(i);
    SCOPED_TRACE(event_type(event));
    Envelope decoded = must_decode(encode_envelope(EnvelopeMeta{}, event));
    EXPECT_TRUE(decoded.event == event) << describe(decoded.event);
  }
}

TEST(Envelope, AppendsToTheCallersBuffer) {
  Event event = sample_events()[4];
  std::string buffer = "prefix";
  encode_envelope_to(buffer, sample_meta(event), event);
  EXPECT_EQ(buffer, "prefix" + encode_envelope(sample_meta(event), event));
}

TEST(Envelope, CarriesTheCloudEventsAttributes) {
  Event event = sample_events()[4];
  std::string bytes = encode_envelope(sample_meta(event), event);
  EXPECT_EQ(bytes.rfind("{\"specversion\":\"1.0\",\"id\":\"3-42\",\"type\":\"slot.claimed.v1\","
                        "\"source\":\"/microjobs/partitions/3\",\"subject\":\"emp-1.7.12\","
                        "\"time\":\"2026-01-01T00:00:00.123Z\","
                        "\"datacontenttype\":\"application/json\",\"stream\":\"emp-1\","
                        "\"seq\":42,",
                        0),
            0u)
      << bytes;
  EXPECT_EQ(peek_type(bytes), "slot.claimed.v1");
}

// Removes `"name":value` (and one adjacent comma) from the envelope's JSON.
std::string without_field(std::string json, const std::string& name, const std::string& value) {
  std::string field = "\"" + name + "\":" + value;
  auto at = json.find("," + field);
  if (at != std::string::npos) return json.erase(at, field.size() + 1);
  at = json.find(field + ",");
  EXPECT_NE(at, std::string::npos) << field << " not in " << json;
  return at == std::string::npos ? json : json.erase(at, field.size() + 1);
}

// Fields added to an event later are absent from old records: they keep their defaults.
TEST(Envelope, AFieldMissingFromDataKeepsItsDefault) {
  Event event = sample_events()[3];
  std::string json = encode_envelope(sample_meta(event), event);
  json = without_field(json, "max_per_worker", "2");
  json = without_field(json, "countries", "[\"ID\",\"PH\",\"VN\"]");
  json = without_field(json, "min_approved", "3");
  Envelope decoded = must_decode(json);
  ASSERT_TRUE(std::holds_alternative<TaskPosted>(decoded.event));
  const TaskPosted& task = std::get<TaskPosted>(decoded.event);
  EXPECT_EQ(task.max_per_worker, 1);
  EXPECT_TRUE(task.countries.empty());
  EXPECT_EQ(task.min_approved, 0);
  TaskPosted expected = std::get<TaskPosted>(event);
  expected.max_per_worker = 1;
  expected.countries.clear();
  expected.min_approved = 0;
  EXPECT_EQ(task, expected);
}

TEST(Envelope, AMissingEnvelopeAttributeFails) {
  Event event = sample_events()[4];
  std::string json = encode_envelope(sample_meta(event), event);
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"seq", "42"},
                                                        {"id", "\"3-42\""},
                                                        {"time", "\"2026-01-01T00:00:00.123Z\""},
                                                        {"stream", "\"emp-1\""}}) {
    SCOPED_TRACE(name);
    std::string error;
    EXPECT_FALSE(decode_envelope(without_field(json, name, value), &error).has_value());
    EXPECT_NE(error, "");
  }
}

TEST(Envelope, AnUnknownTypeFailsWithAnError) {
  Event event = sample_events()[4];
  std::string json = encode_envelope(sample_meta(event), event);
  json.replace(json.find("slot.claimed.v1"), 15, "slot.claimed.v9");
  std::string error;
  EXPECT_FALSE(decode_envelope(json, &error).has_value());
  EXPECT_NE(error.find("slot.claimed.v9"), std::string::npos) << error;
}

TEST(Envelope, AFieldOfTheWrongTypeFails) {
  Event event = sample_events()[3];
  const std::string json = encode_envelope(sample_meta(event), event);
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"slots\":25", "\"slots\":\"25\""},
           {"\"reward\":\"0.123456\"", "\"reward\":0.123456"},
           {"\"reward\":\"0.123456\"", "\"reward\":\"0.1234567\""},
           {"\"reward\":\"0.123456\"", "\"reward\":\"-0.123456\""},
           {"\"slots\":25", "\"slots\":25.5"},
           {"\"countries\":[\"ID\"", "\"countries\":[7"},
           {"\"expires_at\":\"2027", "\"expires_at\":\"1027"},
           {"\"title\":\"", "\"title\":null,\"x\":\""},
           {"\"transfers\":[{", "\"transfers\":[7,{"},
           {"\"seq\":42", "\"seq\":\"42\""}}) {
    SCOPED_TRACE(to);
    std::string changed = json;
    ASSERT_NE(changed.find(from), std::string::npos) << from;
    changed.replace(changed.find(from), from.size(), to);
    std::string error;
    EXPECT_FALSE(decode_envelope(changed, &error).has_value());
    EXPECT_NE(error, "");
  }
}

TEST(Envelope, MalformedJsonFailsWithAnError) {
  Event event = sample_events()[4];
  const std::string json = encode_envelope(sample_meta(event), event);
  for (const std::string& bad :
       {std::string(), std::string("null"), std::string("[]"), std::string("{"),
        std::string("not json"), std::string("{\"type\":\"slot.claimed.v1\"}"),
        json.substr(0, json.size() / 2), "[" + json + "]"}) {
    SCOPED_TRACE(bad);
    std::string error;
    EXPECT_FALSE(decode_envelope(bad, &error).has_value());
    EXPECT_NE(error, "");
  }
}

// A torn write leaves a prefix of a record: no prefix of a valid record may decode.
TEST(Envelope, EveryTruncationOfARecordFails) {
  Event event = sample_events()[3];
  const std::string json = encode_envelope(sample_meta(event), event);
  for (std::size_t length = 0; length < json.size(); ++length) {
    EXPECT_FALSE(decode_envelope(std::string_view(json).substr(0, length)).has_value())
        << "prefix of " << length << " bytes: " << json.substr(0, length);
  }
}

// A record read by a log (padded_copy) is decoded where it is: the same envelope as from a copy,
// and what lies in its capacity past its end is never read as part of it. Here the record's
// own last bytes sit right there, and every prefix must still fail.
TEST(Envelope, APaddedRecordDecodesInPlaceOnlyUpToItsEnd) {
  Event event = sample_events()[3];
  const std::string json = encode_envelope(sample_meta(event), event);
  const std::string padded = padded_copy(json);
  ASSERT_GE(padded.capacity(), padded.size() + kDecodePadding);
  auto in_place = decode_envelope(padded);
  ASSERT_TRUE(in_place.has_value());
  EXPECT_EQ(in_place->event, decode_envelope(std::string_view(json))->event);
  EXPECT_EQ(in_place->meta.id, decode_envelope(std::string_view(json))->meta.id);
  for (std::size_t cut = 1; cut <= 8; ++cut) {
    std::string prefix = padded_copy(json);
    prefix.resize(json.size() - cut);  // the capacity keeps the cut bytes
    EXPECT_FALSE(decode_envelope(prefix).has_value()) << "decoded past its end when " << cut << " bytes were cut";
  }
}

// On-demand parsing checks only what it reads: a nested object whose rest is malformed after the
// fields read from it must be refused, not leave the decoder where simdjson assumes well-formed
// input (undefined behaviour that tests/fuzz envelope_fuzz found: `"amount":"0.02"m]}`).
TEST(Envelope, ANestedObjectMalformedAfterItsLastFieldFails) {
  Event event = sample_events()[3];
  const std::string json = encode_envelope(sample_meta(event), event);
  const std::size_t list = json.find("\"transfers\":[{");
  ASSERT_NE(list, std::string::npos);
  const std::size_t object_end = json.find("}]", list);
  ASSERT_NE(object_end, std::string::npos);
  for (const char* bad : {"m", "x", "1", "\"", "}}", ",", ",\"a\"", "]"}) {
    std::string changed = json;
    changed.replace(object_end, 1, bad);
    SCOPED_TRACE(changed.substr(list));
    std::string error;
    EXPECT_FALSE(decode_envelope(changed, &error).has_value());
    EXPECT_NE(error, "");
  }
  // And an object malformed between two of its fields, in data and in the envelope itself.
  for (const char* after : {"\"data\":{", "\"specversion\":"}) {
    std::string changed = json;
    const std::size_t comma = changed.find(',', changed.find(after));
    ASSERT_NE(comma, std::string::npos);
    changed[comma] = ':';
    SCOPED_TRACE(changed);
    EXPECT_FALSE(decode_envelope(changed).has_value());
  }
}

TEST(Envelope, TrailingGarbageFails) {
  Event event = sample_events()[4];
  const std::string json = encode_envelope(sample_meta(event), event);
  for (const char* tail : {"x", "{}", "}", ",", " 1"}) {
    SCOPED_TRACE(tail);
    EXPECT_FALSE(decode_envelope(json + tail).has_value());
  }
}

// The decider accepts any bytes up to a length in names, proofs and reasons; every event it
// produces is written to the log and must read back, or replay of that partition stops.
TEST(Envelope, RoundTripsEveryStringTheDeciderAccepts) {
  PartitionState state;
  const std::string name = "Wayan \"W\" \\ \x01\x1f\x7f \xc3\xbc \xe6\x9d\xb1 \xf0\x9f\x98\x80";
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "ID", name}, test_support::at_s(0));
  ASSERT_NE(test_support::event_of(decision), nullptr);
  Event event = *test_support::event_of(decision);
  EXPECT_TRUE(must_decode(encode_envelope(EnvelopeMeta{}, event)).event == event);
}

TEST(Envelope, RoundTripsInvalidUtf8TheDeciderAccepts) {
  PartitionState state;
  const std::string name = "bad \xff\xfe byte";
  Decision decision = decide(state, RegisterUser{UserId{"w1"}, "ID", name}, test_support::at_s(0));
  const Event* event = test_support::event_of(decision);
  if (event == nullptr) return;  // Rejecting such a name outright is a correct answer too.
  std::string error;
  auto decoded = decode_envelope(encode_envelope(EnvelopeMeta{}, *event), &error);
  ASSERT_TRUE(decoded.has_value()) << error;
  EXPECT_TRUE(decoded->event == *event);
}

TEST(JsonEscaping, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  append_json_escaped(out, std::string_view("a\"b\\c\n\r\t\b\f\x01\x1f\x7f/\0z", 16));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\\u0000z\"");
}

TEST(JsonEscaping, PassesUtf8Through) {
  std::string out;
  append_json_escaped(out, "Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(out, "\"Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80\"");
}

// Every byte below 0x20 comes back from the decoder as the same byte.
TEST(JsonEscaping, EveryControlCharacterRoundTripsThroughTheEnvelope) {
  std::string proof;
  for (int c = 1; c < 0x20; ++c) proof.push_back(static_cast<char>(c));
  proof += std::string("\0\"\\/end", 7);
  Event event = ProofSubmitted{TaskId{"e.1"}, ClaimId{"e.1.1"}, UserId{"w"}, proof, UnixMs{5}};
  EXPECT_EQ(
      std::get<ProofSubmitted>(must_decode(encode_envelope(EnvelopeMeta{}, event)).event).proof,
      proof);
}

TEST(JsonWriter, PlacesCommasInNestedContainers) {
  std::string out;
  JsonWriter json(out);
  json.begin_object().field("a", std::int64_t{1}).key("b").begin_array();
  json.number(-2).string("x").begin_object().end_object().begin_array().end_array().boolean(true);
  json.null().end_array().field("c", "d").key("e").raw("{\"f\":1}").end_object();
  EXPECT_EQ(out, "{\"a\":1,\"b\":[-2,\"x\",{},[],true,null],\"c\":\"d\",\"e\":{\"f\":1}}");
}

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  EXPECT_EQ(kZeroHash, std::string(64, '0'));
}

TEST(Binary, RoundTripsAVisitStruct) {
  SlotClaimed event{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w\0"}, UnixMs{-5}, ItemNumber{3}};
  std::string bytes = binary::encode(event);
  EXPECT_EQ(binary::decode<SlotClaimed>(bytes), event);
  ProofSubmitted proof{TaskId{"a.1"}, ClaimId{"a.1.1"}, UserId{"w"}, std::string(300, 'p'),
                       UnixMs{9}};
  EXPECT_EQ(binary::decode<ProofSubmitted>(binary::encode(proof)), proof);
}

// Bytes appended in place (a processor's snapshot) read back as put(text) would have written them.
TEST(Binary, AFieldAppendedInPlaceReadsBackAsAString) {
  std::string in_place, whole;
  binary::Writer appended{in_place};
  appended.put(std::int64_t{7});
  appended.put_appended([](std::string& out) { out.append("snapshot bytes"); });
  appended.put(std::int64_t{9});
  binary::Writer written{whole};
  written.put(std::int64_t{7});
  written.put(std::string_view("snapshot bytes"));
  written.put(std::int64_t{9});
  EXPECT_EQ(in_place, whole);
  binary::Reader reader{in_place};
  std::int64_t first = 0, last = 0;
  std::string text;
  reader.get(first);
  reader.get(text);
  reader.get(last);
  EXPECT_FALSE(reader.failed);
  EXPECT_EQ(text, "snapshot bytes");
  EXPECT_EQ(last, 9);
}

TEST(Binary, FailsOnATruncatedField) {
  SlotClaimed event{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w1"}, UnixMs{77}, {}};
  std::string bytes = binary::encode(event);
  for (std::size_t length : {std::size_t{3}, std::size_t{8}, std::size_t{12}, bytes.size() - 1}) {
    EXPECT_FALSE(binary::decode<SlotClaimed>(std::string_view(bytes).substr(0, length)).has_value())
        << length;
  }
}

// A value written before a field existed ends early: the missing trailing fields keep defaults.
TEST(Binary, KeepsDefaultsForTrailingFieldsOfOlderValues) {
  SlotClaimed event{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w1"}, UnixMs{77}, ItemNumber{4}};
  std::string bytes = binary::encode(event);
  auto decoded = binary::decode<SlotClaimed>(std::string_view(bytes).substr(0, bytes.size() - 8));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->expires_at, UnixMs{77});
  EXPECT_EQ(decoded->item, ItemNumber{0});
  decoded = binary::decode<SlotClaimed>(std::string_view(bytes).substr(0, bytes.size() - 16));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->worker_id, UserId{"w1"});
  EXPECT_EQ(decoded->expires_at, UnixMs{0});
}

// The item weight the domain counts is what the codec writes.
TEST(Codec, JsonStringBytesIsTheEscapedLength) {
  std::string every;
  for (int c = 1; c < 128; ++c) every.push_back(static_cast<char>(c));
  every += "\xc3\xbc\"\\";
  std::string out;
  append_json_escaped(out, every);
  EXPECT_EQ(json_string_bytes(every), out.size() - 2);
}

// A claim's item is in its event only when there is one, so a plain claim's bytes are as before;
// an item's data is JSON inside the event, of any kind, and comes back byte for byte.
TEST(Codec, ItemNumbersAndItemDataRoundTrip) {
  EnvelopeMeta meta = sample_meta(SlotClaimed{});
  SlotClaimed plain{TaskId{"emp.1"}, ClaimId{"emp.1.2"}, UserId{"w1"}, UnixMs{77}, {}};
  EXPECT_EQ(encode_envelope(meta, plain).find("\"item\""), std::string::npos);
  SlotClaimed with_item = plain;
  with_item.item = ItemNumber{12};
  std::string bytes = encode_envelope(meta, with_item);
  EXPECT_NE(bytes.find("\"item\":12"), std::string::npos) << bytes;
  auto decoded = decode_envelope(bytes, nullptr);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(std::get<SlotClaimed>(decoded->event), with_item);
  for (const char* data : {"{\"a\":[1,{\"b\":null}]}", "[]", "\"text\"", "-2.5e3", "true", "null"}) {
    ItemsAdded added{TaskId{"emp.1"}, UserId{"emp"}, 1, 1, {{"r", JsonText{data}}}};
    auto back = decode_envelope(encode_envelope(meta, added), nullptr);
    ASSERT_TRUE(back.has_value()) << data;
    EXPECT_EQ(std::get<ItemsAdded>(back->event), added) << data;
  }
}

// Regression (found by tests/fuzz envelope_fuzz): an item read without its "data" member kept
// empty text, which the encoder wrote as nothing, `"data":}`, so the re-encoded envelope was no
// JSON. It is written as null now, and that form reads back to itself.
TEST(Codec, AnItemReadWithoutDataReencodesAsValidJson) {
  EnvelopeMeta meta = sample_meta(ItemsAdded{});
  ItemsAdded added{TaskId{"emp.1"}, UserId{"emp"}, 1, 1, {{"r", JsonText{"1"}}}};
  std::string bytes = encode_envelope(meta, added);
  const std::string with_data = R"("data":1)";
  ASSERT_NE(bytes.find(with_data), std::string::npos) << bytes;
  bytes.replace(bytes.find(with_data), with_data.size(), R"("danta":1)");
  auto read = decode_envelope(bytes, nullptr);
  ASSERT_TRUE(read.has_value());
  std::string canonical = encode_envelope(read->meta, read->event);
  EXPECT_NE(canonical.find(R"("data":null)"), std::string::npos) << canonical;
  auto again = decode_envelope(canonical, nullptr);
  ASSERT_TRUE(again.has_value()) << canonical;
  EXPECT_EQ(encode_envelope(again->meta, again->event), canonical);
}

// Regression (found by tests/fuzz envelope_fuzz): an item's data is kept as raw text, and the
// on-demand parser hands an object's text over without looking inside, so malformed JSON there
// was kept and written again. Such an envelope is refused now.
TEST(Codec, AnItemWhoseDataIsNoJsonIsRefused) {
  EnvelopeMeta meta = sample_meta(ItemsAdded{});
  ItemsAdded added{TaskId{"emp-1.7"}, UserId{"emp-1"}, 1, 2, {{"row-1", JsonText{"1"}}}};
  std::string bytes = encode_envelope(meta, added);
  ASSERT_TRUE(decode_envelope(bytes, nullptr).has_value());
  // The fuzzer's items: brackets that balance by depth alone, and a second item with a control
  // character where its colon was (tests/fuzz/corpus/envelope/regression-item-data-no-json).
  const std::string broken_items = R"("items":[{"ref":"row-1","data":{"url":"hts":["cat",1.}5,]}{"ref":"row-2","data")" "\x1a" R"("plain text"}]}})";
  bytes.replace(bytes.find("\"items\":["), std::string::npos, broken_items);
  EXPECT_FALSE(decode_envelope(bytes, nullptr).has_value()) << bytes;
}

}  // namespace
}  // namespace microjobs
