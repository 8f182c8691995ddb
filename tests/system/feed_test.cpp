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


// A worker's feed holds only what it may claim: its country's and untargeted tasks, whose
// reputation thresholds it meets, of employers that did not block it.
TEST_F(FeedTest, AWorkersFeedShowsOnlyWhatItMayClaim) {
  TaskId open = post("survey", "0.10", 5);
  post("survey", "0.10", 5, {"US"});
  TaskId indonesia = post("survey", "0.10", 5, {"ID"});
  PostTask experienced;
  experienced.employer_id = UserId{"emp"};
  experienced.title = "for the experienced";
  experienced.reward = money("0.10");
  experienced.slots = 5;
  experienced.min_approved = 5;
  ASSERT_EQ(call(node_->bus(), "exp", experienced).kind, Kind::accepted);
  ASSERT_EQ(call(node_->bus(), "r2", RegisterUser{UserId{"emp2"}, "US", ""}).kind, Kind::accepted);
  ASSERT_EQ(call(node_->bus(), "d2", DepositFunds{UserId{"emp2"}, money("10"), "y"}).kind,
            Kind::accepted);
  PostTask blocker_task = experienced;
  blocker_task.employer_id = UserId{"emp2"};
  blocker_task.min_approved = 0;
  ASSERT_EQ(call(node_->bus(), "b-task", blocker_task).kind, Kind::accepted);
  CommandOutcome blocked = call(node_->bus(), "block", BlockWorker{UserId{"emp2"}, UserId{"w"}, "r"});
  ASSERT_EQ(blocked.kind, Kind::accepted);
  ASSERT_TRUE(node_->projector().wait_for(blocked.position, std::chrono::seconds(20)));
  FeedQuery mine;
  mine.country = "ID";
  mine.worker = FeedQuery::Worker{UserId{"w"}, 0, 0};
  EXPECT_EQ(ids(mine), (std::vector<std::string>{indonesia.value, open.value}));
  mine.worker->approved = 5;
  EXPECT_EQ(ids(mine).size(), 3u) << "five approvals qualify for the experienced task";
  FeedQuery anyone;
  EXPECT_EQ(ids(anyone).size(), 5u) << "the public feed lists every open task";
}

// 20,500 tasks for US workers only, newer than the one an Indonesian worker may claim: its first
// page still holds that task, and says there is nothing more (no page of nothing with a cursor).
TEST_F(FeedTest, AWorkersPageIsFoundWhenMostTasksAreHiddenFromIt) {
  TaskId open = post("survey", "0.01", 1);
  constexpr int kHidden = 20'500;
  static_assert(kHidden > static_cast<int>(ReadModels::kFeedScanBudget));
  std::atomic<int> answered{0}, accepted{0};
  std::mutex mutex;
  Position last;
  // In waves of 500, within the processor's bounded queue.
  for (int i = 0; i < kHidden; ++i) {
    if (i % 500 == 0) {
      ASSERT_TRUE(eventually([&] { return answered.load() == i; }, std::chrono::seconds(60)));
    }
    PostTask command;
    command.employer_id = UserId{"emp"};
    command.title = "US only";
    command.reward = money("0.01");
    command.slots = 1;
    command.countries = {"US"};
    node_->bus().send(client_command_id("test", "us-" + std::to_string(i)), command,
                      [&](CommandOutcome outcome) {
                        if (outcome.kind == Kind::accepted) {
                          std::lock_guard lock(mutex);
                          if (outcome.position.offset > last.offset ||
                              outcome.position.partition != last.partition) {
                            last = outcome.position;
                          }
                          accepted.fetch_add(1);
                        }
                        answered.fetch_add(1);
                      });
  }
  ASSERT_TRUE(eventually([&] { return answered.load() == kHidden; }, std::chrono::seconds(120)));
  ASSERT_EQ(accepted.load(), kHidden);
  ASSERT_TRUE(node_->projector().wait_for(last, std::chrono::seconds(120)));
  FeedQuery mine;
  mine.country = "ID";
  mine.worker = FeedQuery::Worker{UserId{"w"}, 0, 0};
  auto page = node_->reads().feed(mine);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].task_id, open);
  EXPECT_TRUE(page->next_cursor.empty());
}

}  // namespace
}  // namespace microjobs
