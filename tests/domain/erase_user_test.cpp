// Given-When-Then tests of EraseUser, and of the personal fields every event names
// (domain/personal_data.h): what the processor seals, under whose key.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "domain/personal_data.h"
#include "tests/domain/sample_events.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

using namespace test_support;

TEST(EraseUser, ErasesARegisteredUser) {
  PartitionState state = given({user_registered("w1", "ID", "mj-sealed:v1:w1:k:AAAA")});
  Decision decision = decide(state, EraseUser{UserId{"w1"}}, at_s(0));
  EXPECT_TRUE(is_event(decision, UserErased{UserId{"w1"}}));
}

TEST(EraseUser, RefusesAnUnknownUser) {
  EXPECT_TRUE(is_rejection(decide(given({}), EraseUser{UserId{"w1"}}, at_s(0)), Rejection::user_not_found));
}

TEST(EraseUser, ForgetsTheSealedNameAndKeepsTheUser) {
  PartitionState state = given({user_registered("w1", "ID", "mj-sealed:v1:w1:k:AAAA"), UserErased{UserId{"w1"}}});
  const UserState* user = state.find_user(UserId{"w1"});
  ASSERT_NE(user, nullptr);
  EXPECT_TRUE(user->registered);
  EXPECT_EQ(user->display_name, "");
  // Erasing again is allowed (a second request after new data), and a new profile may follow.
  EXPECT_TRUE(is_event(decide(state, EraseUser{UserId{"w1"}}, at_s(0)), UserErased{UserId{"w1"}}));
  EXPECT_TRUE(is_event(decide(state, RegisterUser{UserId{"w1"}, "ID", "W"}, at_s(0)),
                       UserProfileUpdated{UserId{"w1"}, "ID", "W"}));
}

// A profile update carries the current name as the read models have it, sealed and long.
TEST(RegisterUser, TakesTheCurrentNameSealed) {
  const std::string sealed = "mj-sealed:v1:w1:0123456789abcdef:" + std::string(400, 'A');
  PartitionState state = given({user_registered("w1", "ID", sealed)});
  EXPECT_TRUE(is_rejection(decide(state, RegisterUser{UserId{"w1"}, "ID", sealed}, at_s(0)), Rejection::exists));
  EXPECT_TRUE(is_event(decide(state, RegisterUser{UserId{"w1"}, "MY", sealed}, at_s(0)),
                       UserProfileUpdated{UserId{"w1"}, "MY", sealed}));
}

// Each event's personal fields, with their owner: the texts that can name a person.
TEST(PersonalData, EveryFreeTextThatCanNameAPersonHasAnOwner) {
  std::map<std::string, std::string> owner_of_field;  // "type/text" -> owner
  for (Event event : sample_events()) {
    for_each_personal_field(event, [&](const UserId& owner, std::string& text) {
      owner_of_field[std::string(event_type(event)) + "/" + text] = owner.value;
    });
  }
  std::map<std::string, std::string> expected;
  for (const Event& event : sample_events()) {
    std::visit([&](const auto& e) {
      using T = std::decay_t<decltype(e)>;
      if constexpr (std::is_same_v<T, ProofSubmitted>) expected["proof.submitted.v1/" + e.proof] = e.worker_id.value;
      if constexpr (std::is_same_v<T, TaskPosted>) expected["task.posted.v1/" + e.instructions] = e.employer_id.value;
      if constexpr (std::is_same_v<T, UserRegistered> || std::is_same_v<T, UserProfileUpdated>) {
        expected[std::string(T::kType) + "/" + e.display_name] = e.user_id.value;
      }
      if constexpr (std::is_same_v<T, WithdrawalRequested>) {
        expected["withdrawal.requested.v1/" + e.destination] = e.user_id.value;
      }
    }, event);
  }
  EXPECT_EQ(owner_of_field, expected);
  EXPECT_EQ(expected.size(), 5u);
}

// The two lists cannot drift: every string field of every event whose name is_personal_field()
// (and so is left out of command_hash) is one that personal() seals, and nothing else is.
struct PersonalFieldTexts {
  std::multiset<std::string> texts;
  void operator()(std::string_view name, const std::string& value) {
    if (is_personal_field(name)) texts.insert(value);
  }
  template <class T> void operator()(std::string_view, const T&) {}
};

TEST(PersonalData, TheFieldsLeftOutOfTheFingerprintAreTheFieldsSealed) {
  for (Event event : sample_events()) {
    SCOPED_TRACE(std::string(event_type(event)));
    PersonalFieldTexts named;
    std::visit([&](auto& e) { e.visit(named); }, event);
    std::multiset<std::string> sealed;
    for_each_personal_field(event, [&](const UserId&, std::string& text) { sealed.insert(text); });
    EXPECT_EQ(named.texts, sealed);
  }
}

}  // namespace
}  // namespace microjobs
