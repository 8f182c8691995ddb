#include <gtest/gtest.h>

#include "tools/loadgen/stats.h"

using namespace microjobs::loadgen;

TEST(Percentile, NearestRankOfOneToHundred) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(percentile(v, 50), 50u);
  EXPECT_EQ(percentile(v, 99), 99u);
  EXPECT_EQ(percentile(v, 99.9), 100u);
  EXPECT_EQ(percentile(v, 100), 100u);
  EXPECT_EQ(percentile(v, 0), 1u);
}

TEST(Percentile, EmptyIsZeroAndSingleIsItself) {
  EXPECT_EQ(percentile({}, 99), 0u);
  EXPECT_EQ(percentile({7}, 50), 7u);
  EXPECT_EQ(percentile({7}, 99.9), 7u);
}

TEST(Percentile, TailOfAThousandSeesTheOutlier) {
  std::vector<std::uint64_t> v(999, 1);
  v.push_back(1000);
  EXPECT_EQ(percentile(v, 99), 1u);
  EXPECT_EQ(percentile(v, 99.9), 1u);
  EXPECT_EQ(percentile(v, 99.95), 1000u);
}

TEST(Samples, SummarizeSortsAndCountsErrors) {
  Samples s;
  for (std::uint64_t x : {5, 3, 9, 1}) s.add(x);
  s.fail();
  auto sum = s.summarize();
  EXPECT_EQ(sum.count, 4u);
  EXPECT_EQ(sum.errors, 1u);
  EXPECT_EQ(sum.p50_us, 3u);
  EXPECT_EQ(sum.max_us, 9u);
}

TEST(ParseMicros, AcceptsTheApiMoneyFormat) {
  EXPECT_EQ(parse_micros("0.05"), 50'000);
  EXPECT_EQ(parse_micros("100"), 100'000'000);
  EXPECT_EQ(parse_micros("-1.000001"), -1'000'001);
  EXPECT_EQ(parse_micros("1.1234567"), std::nullopt);
  EXPECT_EQ(parse_micros("1."), std::nullopt);
  EXPECT_EQ(parse_micros(".5"), std::nullopt);
  EXPECT_EQ(parse_micros("x"), std::nullopt);
}

TEST(JsonFields, FindsStringsAndIntegers) {
  std::string body = R"({"task_id":"e.1","claimed":12,"next_cursor":null})";
  EXPECT_EQ(json_string_field(body, "task_id"), "e.1");
  EXPECT_EQ(json_integer_field(body, "claimed"), 12);
  EXPECT_EQ(json_string_field(body, "next_cursor"), std::nullopt);
  EXPECT_EQ(json_integer_field(body, "missing"), std::nullopt);
}
