// Given-When-Then tests of RegisterWebhook: an employer "emp" (registered) asks for some of its
// stream's event types to be POSTed to a URL. The deliverer itself is tested in
// tests/system/webhook_test.cpp.
#include <gtest/gtest.h>

#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

const UserId kEmployer{"emp"};
const std::string kUrl = "https://hooks.example.com/microjobs?team=7";

RegisterWebhook webhook(std::string url = kUrl,
                        std::vector<std::string> events = {"proof.submitted.v1"}) {
  return RegisterWebhook{kEmployer, std::move(url), std::move(events)};
}

TEST(RegisterWebhook, GivesTheEmployerNumberedWebhooks) {
  PartitionState state = given({user_registered("emp", "US")});
  EXPECT_TRUE(is_event(decide(state, webhook(), at_s(10)),
                       WebhookRegistered{WebhookId{"emp.h1"}, kEmployer, kUrl, {"proof.submitted.v1"}}));
  WebhookRegistered first{WebhookId{"emp.h1"}, kEmployer, kUrl, {"proof.submitted.v1"}};
  state = given({user_registered("emp", "US"), first});
  EXPECT_TRUE(is_event(decide(state, webhook("http://b.example/x", {"task.posted.v1", "slot.claimed.v1"}), at_s(10)),
                       WebhookRegistered{WebhookId{"emp.h2"}, kEmployer, "http://b.example/x",
                                         {"task.posted.v1", "slot.claimed.v1"}}));
  EXPECT_EQ(owner_of_webhook("emp.h2"), kEmployer);
  EXPECT_EQ(owner_of_webhook("emp.2"), std::nullopt);
}

TEST(RegisterWebhook, RefusesBadUrlsUnknownOrRepeatedTypesAndTooMany) {
  PartitionState state = given({user_registered("emp", "US")});
  for (const std::string& url : {std::string("ftp://example.com/"), std::string("https://"),
                                 std::string("https://exa mple.com/"), std::string("example.com/hook"),
                                 "https://example.com/" + std::string(2048, 'a')}) {
    EXPECT_TRUE(is_rejection(decide(state, webhook(url), at_s(10)), Rejection::invalid_argument)) << url;
  }
  EXPECT_TRUE(is_rejection(decide(state, webhook(kUrl, {}), at_s(10)), Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, webhook(kUrl, {"task.posted.v9"}), at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(state, webhook(kUrl, {"task.posted.v1", "task.posted.v1"}), at_s(10)),
                           Rejection::invalid_argument));
  EXPECT_TRUE(is_rejection(decide(given({}), webhook(), at_s(10)), Rejection::user_not_found));
  std::vector<Event> ten = {user_registered("emp", "US")};
  for (int n = 1; n <= 10; ++n) {
    ten.push_back(WebhookRegistered{WebhookId{"emp.h" + std::to_string(n)}, kEmployer, kUrl, {"task.posted.v1"}});
  }
  EXPECT_TRUE(is_rejection(decide(given(ten), webhook(), at_s(10)), Rejection::too_many_webhooks));
}

}  // namespace
}  // namespace microjobs
