// The task feed read model on real RocksDB: filters, both sort orders, cursor pagination, and a
// task leaving the feed when its last slot is taken and coming back when one frees.
#include <gtest/gtest.h>

#include <set>

#include "test_support.h"
#include "tools/node.h"

namespace microjobs {
namespace {

using testing::call;
using testing::eventually;
using testing::money;
using testing::TempDir;
using Kind = CommandOutcome::Kind;

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NodeConfig config;
    config.data_dir = dir_.str();
    config.partitions = 4;
    config.clock = &clock_;
    auto node = EmbeddedNode::open(config);
    ASSERT_TRUE(node.ok());
    node_ = std::move(*node);
    ASSERT_TRUE(node_->start().ok());
    ASSERT_EQ(call(node_->bus(), "r", RegisterUser{UserId{"emp"}, "US", ""}).kind, Kind::accepted);
    ASSERT_EQ(call(node_->bus(), "d", DepositFunds{UserId{"emp"}, money("1000"), "x"}).kind, Kind::accepted);
  }

  // Posts a task one second after the previous one (so "newest" has a strict order).
  TaskId post(const std::string& category, const std::string& reward, std::int64_t slots,
              std::vector<std::string> countries = {}) {
    clock_.advance(std::chrono::seconds(1));
    PostTask command;
    command.employer_id = UserId{"emp"};
    command.title = category + " " + reward;
    command.category = category;
    command.reward = money(reward);
    command.slots = slots;
    command.countries = std::move(countries);
    CommandOutcome outcome = call(node_->bus(), "post-" + std::to_string(++posted_), command);
    EXPECT_EQ(outcome.kind, Kind::accepted);
    last_position_ = outcome.position;
    return std::get<TaskPosted>(outcome.event).task_id;
  }

  void wait_projected() {
    ASSERT_TRUE(node_->projector().wait_for(last_position_, std::chrono::seconds(20)));
  }

  std::vector<std::string> ids(FeedQuery query) {
    auto page = node_->reads().feed(query);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    for (const auto& item : page->items) out.push_back(item.task_id.value);
    return out;
  }

  TempDir dir_;
  ManualClock clock_{UnixMs{1'795'000'000'000}};
  std::unique_ptr<EmbeddedNode> node_;
  int posted_ = 0;
  Position last_position_;
};

TEST_F(FeedTest, SortsNewestFirstOrByRewardThenNewest) {
  TaskId a = post("survey", "0.10", 5);
  TaskId b = post("survey", "0.50", 5);
  TaskId c = post("signup", "0.10", 5);
  wait_projected();
  EXPECT_EQ(ids(FeedQuery{}), (std::vector<std::string>{c.value, b.value, a.value}));
  FeedQuery by_reward;
  by_reward.sort_by_reward = true;
  EXPECT_EQ(ids(by_reward), (std::vector<std::string>{b.value, c.value, a.value}));
}

TEST_F(FeedTest, FiltersByCategoryCountryAndMinimumReward) {
  TaskId anywhere = post("survey", "0.10", 5);
  TaskId indonesia = post("survey", "0.20", 5, {"ID"});
  TaskId signup = post("signup", "0.30", 5, {"US", "DE"});
  wait_projected();
  FeedQuery surveys;
  surveys.category = "survey";
  EXPECT_EQ(ids(surveys), (std::vector<std::string>{indonesia.value, anywhere.value}));
  FeedQuery german;
  german.country = "DE";
  EXPECT_EQ(ids(german), (std::vector<std::string>{signup.value, anywhere.value}));
  FeedQuery rich;
  rich.min_reward = money("0.20");
  EXPECT_EQ(ids(rich), (std::vector<std::string>{signup.value, indonesia.value}));
}

TEST_F(FeedTest, CursorPagesVisitEveryTaskOnceInOrder) {
  std::vector<std::string> posted;
  for (int i = 0; i < 23; ++i) posted.push_back(post(i % 2 ? "a" : "b", "0." + std::to_string(10 + i), 3).value);
  wait_projected();
  for (bool by_reward : {false, true}) {
    SCOPED_TRACE(by_reward ? "reward" : "newest");
    FeedQuery query;
    query.sort_by_reward = by_reward;
    query.limit = 5;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = node_->reads().feed(query);
      ASSERT_TRUE(page.ok());
      for (const auto& item : page->items) seen.push_back(item.task_id.value);
      if (page->next_cursor.empty()) break;
      query.cursor = page->next_cursor;
    }
    // Rewards grow with the posting order here, so both orders are newest first.
    EXPECT_EQ(seen, std::vector<std::string>(posted.rbegin(), posted.rend()));
  }
  FeedQuery bad;
  bad.cursor = "../../etc";
  EXPECT_FALSE(node_->reads().feed(bad).ok());
}

TEST_F(FeedTest, AFullTaskLeavesTheFeedAndComesBackWhenASlotFrees) {
  TaskId task = post("survey", "0.10", 1);
  wait_projected();
  EXPECT_EQ(ids(FeedQuery{}).size(), 1u);
  CommandOutcome claimed = call(node_->bus(), "c", ClaimSlot{task, UserId{"w"}, {"US", 0, 0}});
  ASSERT_EQ(claimed.kind, Kind::accepted);
  ASSERT_TRUE(node_->projector().wait_for(claimed.position, std::chrono::seconds(20)));
  EXPECT_TRUE(ids(FeedQuery{}).empty());
  ClaimId claim = std::get<SlotClaimed>(claimed.event).claim_id;
  CommandOutcome abandoned = call(node_->bus(), "a", AbandonClaim{claim, UserId{"w"}});
  ASSERT_EQ(abandoned.kind, Kind::accepted);
  ASSERT_TRUE(node_->projector().wait_for(abandoned.position, std::chrono::seconds(20)));
  EXPECT_EQ(ids(FeedQuery{}), std::vector<std::string>{task.value});
  FeedQuery later;
  later.now = UnixMs{clock_.now().value + 31LL * 86400 * 1000};  // past the default 30 days
  EXPECT_TRUE(ids(later).empty());
}

}  // namespace
}  // namespace microjobs
