// PageCache: what it keeps, for which version, until when, and its bounds.
#include <gtest/gtest.h>

#include "api/page_cache.h"

namespace microjobs {
namespace {

constexpr UnixMs kNow{1'767'225'600'000};

TEST(PageCache, AnswersAPageOnlyAtTheVersionItWasPutAt) {
  PageCache cache;
  cache.put("q", 7, PageCache::kForever, "page");
  EXPECT_EQ(cache.find("q", 7, kNow), "page");
  EXPECT_EQ(cache.find("q", 8, kNow), std::nullopt);
  EXPECT_EQ(cache.find("other", 7, kNow), std::nullopt);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(PageCache, AnswersAPageOnlyBeforeItsValidUntil) {
  PageCache cache;
  cache.put("q", 1, UnixMs{kNow.value + 1}, "page");
  EXPECT_EQ(cache.find("q", 1, kNow), "page");
  EXPECT_EQ(cache.find("q", 1, UnixMs{kNow.value + 1}), std::nullopt);
}

TEST(PageCache, ANewerVersionDropsEveryOlderPageAndAnOlderPutIsIgnored) {
  PageCache cache;
  cache.put("a", 1, PageCache::kForever, "a1");
  cache.put("b", 1, PageCache::kForever, "b1");
  cache.put("a", 2, PageCache::kForever, "a2");
  EXPECT_EQ(cache.size(), 1u);
  cache.put("b", 1, PageCache::kForever, "late");  // written from older models: never kept
  EXPECT_EQ(cache.find("b", 1, kNow), std::nullopt);
  EXPECT_EQ(cache.find("b", 2, kNow), std::nullopt);
  EXPECT_EQ(cache.find("a", 2, kNow), "a2");
}

TEST(PageCache, KeepsAtMostItsEntriesAndBytes) {
  PageCache cache;
  for (std::size_t i = 0; i < PageCache::kMaxEntries + 10; ++i) {
    cache.put(std::to_string(i), 1, PageCache::kForever, "x");
  }
  EXPECT_EQ(cache.size(), PageCache::kMaxEntries);
  cache.put("0", 1, PageCache::kForever, "replaced");  // a key it holds is replaced in place
  EXPECT_EQ(cache.find("0", 1, kNow), "replaced");

  PageCache small;
  small.put("big", 1, PageCache::kForever, std::string(PageCache::kMaxBytes, 'x'));
  EXPECT_EQ(small.size(), 1u);
  small.put("more", 1, PageCache::kForever, "y");
  EXPECT_EQ(small.size(), 1u);
  EXPECT_EQ(small.find("more", 1, kNow), std::nullopt);
}

}  // namespace
}  // namespace microjobs
