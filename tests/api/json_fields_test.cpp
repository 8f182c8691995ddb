// Request bodies: the JSON tree from simdjson, and the exact readings of numbers, money and rates.
#include <gtest/gtest.h>

#include "api/fields.h"
#include "api/json_body.h"

namespace microjobs {
namespace {

TEST(JsonBody, ParsesObjectsArraysAndKeepsNumberText) {
  auto parsed = parse_json(R"({"a":1.50,"b":[true,null,"x\u00e9"],"c":{"d":-0}} )");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->kind, JsonValue::Kind::object);
  EXPECT_EQ(parsed->find("a")->text, "1.50");
  const JsonValue& b = *parsed->find("b");
  ASSERT_EQ(b.items.size(), 3u);
  EXPECT_TRUE(b.items[0].boolean);
  EXPECT_EQ(b.items[1].kind, JsonValue::Kind::null);
  EXPECT_EQ(b.items[2].text, "x\xc3\xa9");
  EXPECT_EQ(parsed->find("c")->find("d")->text, "-0");
}

TEST(JsonBody, RejectsMalformedInput) {
  for (std::string_view bad : {"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":tru}",
                               "[1,2", "{\"a\":01}", "{\"a\":1.}", "\"scalar\"", "12",
                               "{\"a\":1,\"a\":2}", "{\"a\":\"\xff\"}", "{\"a\":nul}"}) {
    EXPECT_FALSE(parse_json(bad).ok()) << bad;
  }
}

TEST(JsonBody, RejectsNestingDeeperThanTheLimit) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(parse_json(deep).ok());
  std::string fine(kMaxJsonDepth, '[');
  fine += std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parse_json(fine).ok());
}

TEST(JsonBody, NumberGrammar) {
  for (std::string_view good : {"0", "-0", "12", "1.5", "1e5", "1E+5", "-1.25e-3"}) {
    EXPECT_TRUE(is_json_number(good)) << good;
  }
  for (std::string_view bad : {"", "-", "01", "1.", ".5", "1e", "+1", "1.5.5", "0x10", "1e+"}) {
    EXPECT_FALSE(is_json_number(bad)) << bad;
  }
}

TEST(Fields, IntegerTokensAreExact) {
  EXPECT_EQ(parse_integer_token("42"), 42);
  EXPECT_EQ(parse_integer_token("-7"), -7);
  EXPECT_EQ(parse_integer_token("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(parse_integer_token("9223372036854775808"));
  EXPECT_FALSE(parse_integer_token("1.0"));
  EXPECT_FALSE(parse_integer_token("1e2"));
}

TEST(Fields, RatesBecomeBasisPointsWithoutRounding) {
  EXPECT_EQ(parse_rate_token("0.9"), 9000);
  EXPECT_EQ(parse_rate_token("0.29"), 2900);  // 0.29 is 0.28999999999999998 as a double
  EXPECT_EQ(parse_rate_token("0.0001"), 1);
  EXPECT_EQ(parse_rate_token("0.95000"), 9500);
  EXPECT_EQ(parse_rate_token("1"), 10'000);
  EXPECT_EQ(parse_rate_token("1.0"), 10'000);
  EXPECT_EQ(parse_rate_token("0"), 0);
  EXPECT_FALSE(parse_rate_token("0.00005"));
  EXPECT_FALSE(parse_rate_token("1.0001"));
  EXPECT_FALSE(parse_rate_token("2"));
  EXPECT_FALSE(parse_rate_token("-0.5"));
  EXPECT_FALSE(parse_rate_token("9e-1"));
}

JsonValue object(std::string_view json) {
  auto parsed = parse_json(json);
  EXPECT_TRUE(parsed.ok()) << json;
  return parsed.ok() ? std::move(*parsed) : JsonValue{};
}

TEST(Fields, MoneyMustBeADecimalString) {
  JsonValue body = object(R"({"s":"0.05","n":0.05,"seven":"0.0000001","neg":"-1","zero":"0"})");
  FieldReader good(body);
  EXPECT_EQ(good.money("s", Presence::required), Micros{50'000});
  EXPECT_TRUE(good.ok());
  for (std::string_view name : {"n", "seven", "neg", "zero"}) {
    FieldReader reader(body);
    EXPECT_FALSE(reader.money(name, Presence::required)) << name;
    EXPECT_FALSE(reader.ok()) << name;
    EXPECT_EQ(reader.problem().status, 400);
    EXPECT_NE(reader.problem().body.find("invalid_field"), std::string::npos);
    EXPECT_NE(reader.problem().body.find(std::string(name)), std::string::npos);
  }
}

TEST(Fields, TheFirstProblemIsReportedWithTheNestedFieldName) {
  JsonValue body = object(R"({"targeting":{"min_approved":-1},"slots":"3"})");
  FieldReader reader(body);
  FieldReader& targeting = reader.object("targeting");
  EXPECT_FALSE(targeting.integer("min_approved", Presence::optional, 0, 100));
  EXPECT_FALSE(reader.integer("slots", Presence::required, 1, 10));
  EXPECT_FALSE(reader.text("title", Presence::required, 1, 10));
  EXPECT_FALSE(reader.ok());
  EXPECT_NE(reader.problem().body.find("targeting.min_approved"), std::string::npos);
}

TEST(Fields, FinishRefusesAMemberNoReadAskedForAtAnyDepth) {
  JsonValue good = object(R"({"title":"t","targeting":{"countries":["ID"]},"note":null})");
  FieldReader all_read(good);
  all_read.text("title", Presence::required, 1, 10);
  all_read.object("targeting").countries("countries", 5);
  all_read.text("note", Presence::optional, 1, 10);
  EXPECT_TRUE(all_read.finish());

  FieldReader top(good);
  top.text("title", Presence::required, 1, 10);
  top.object("targeting").countries("countries", 5);
  EXPECT_FALSE(top.finish());
  EXPECT_NE(top.problem().body.find("note: unknown field; this object takes title, targeting"),
            std::string::npos) << top.problem().body;

  // Nested, and ahead of a problem found before it.
  JsonValue nested = object(R"({"slots":"3","targeting":{"contries":["ID"]}})");
  FieldReader reader(nested);
  EXPECT_FALSE(reader.integer("slots", Presence::required, 1, 10));
  reader.object("targeting").countries("countries", 5);
  EXPECT_FALSE(reader.finish());
  EXPECT_NE(reader.problem().body.find("unknown_field"), std::string::npos);
  EXPECT_NE(reader.problem().body.find("targeting.contries: unknown field; this object takes countries"),
            std::string::npos) << reader.problem().body;
}

TEST(Fields, MissingAndNullRequiredFieldsAreMissing) {
  JsonValue body = object(R"({"title":null})");
  FieldReader reader(body);
  EXPECT_FALSE(reader.text("title", Presence::required, 1, 10));
  EXPECT_NE(reader.problem().body.find("missing_field"), std::string::npos);
  FieldReader optional(body);
  EXPECT_FALSE(optional.text("title", Presence::optional, 1, 10));
  EXPECT_TRUE(optional.ok());
}

TEST(Fields, ParseObjectBody) {
  Response problem;
  EXPECT_TRUE(parse_object_body("  ", true, problem));
  EXPECT_FALSE(parse_object_body("", false, problem));
  EXPECT_FALSE(parse_object_body("[1]", true, problem));
  EXPECT_NE(problem.body.find("malformed_json"), std::string::npos);
  EXPECT_EQ(problem.headers["Content-Type"], "application/problem+json");
}

}  // namespace
}  // namespace microjobs
