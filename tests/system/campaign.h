#pragma once
// The campaign of the skeleton issue, played through any CommandBus of an EmbeddedNode (local or
// Kafka event log), and the results every deployment must agree on.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "domain/partitioner.h"
#include "test_support.h"
#include "tools/node.h"

namespace microjobs::testing {

using Kind = CommandOutcome::Kind;

// Waits until the projector has applied everything in the log and no credit is outstanding.
inline void settle(EmbeddedNode& node) {
  const bool settled = eventually([&] {
    for (std::int32_t p = 0; p < node.log().partitions(); ++p) {
      if (node.projector().chain_position(p).next_offset < node.log().end(p)) return false;
    }
    return node.reads().shared_account(accounts::kClearingPayouts).value == 0;
  }, std::chrono::seconds(60));
  if (settled) return;
  std::string where;
  for (std::int32_t p = 0; p < node.log().partitions(); ++p) {
    where += " p" + std::to_string(p) + ": projected to " + std::to_string(node.projector().chain_position(p).next_offset) +
             " of " + std::to_string(node.log().end(p)) + ";";
  }
  FAIL() << "not settled within 60 s:" << where << " clearing "
         << node.reads().shared_account(accounts::kClearingPayouts).value;
}

struct Campaign {
  std::vector<std::string> workers;
  std::vector<std::string> claims;             // sorted; the first 12 are approved
  std::map<std::string, std::string> worker_of;  // claim -> worker, from the SlotClaimed events
  std::map<std::string, std::string> status_of;  // worker -> approved | rejected
  std::string task_id;
  // An accepted claim's command id and worker, for tests of repeats (a rejected claim is not
  // remembered, so its repeat would be decided again).
  std::string first_claim_command;
  std::string first_claim_worker;
};

// The campaign of the issue: deposit 100.00, post 20 slots at 0.05, 30 workers race for them,
// all winners submit, 12 are approved and 8 rejected.
inline Campaign play_campaign(EmbeddedNode& node) {
  Campaign campaign;
  CommandBus& bus = node.bus();
  EXPECT_EQ(call(bus, "reg-emp", RegisterUser{UserId{"emp"}, "US", "Employer"}).kind, Kind::accepted);
  EXPECT_EQ(call(bus, "dep-1", DepositFunds{UserId{"emp"}, money("100.00"), "bank-1"}).kind,
            Kind::accepted);
  for (int i = 0; i < 30; ++i) {
    campaign.workers.push_back("w" + std::to_string(i));
    EXPECT_EQ(call(bus, "reg-w" + std::to_string(i),
                   RegisterUser{UserId{campaign.workers.back()}, "ID", ""}).kind,
              Kind::accepted);
  }
  PostTask post;
  post.employer_id = UserId{"emp"};
  post.title = "Sign up and review";
  post.category = "signup";
  post.reward = money("0.05");
  post.slots = 20;
  CommandOutcome posted = call(bus, "post-1", post);
  EXPECT_EQ(posted.kind, Kind::accepted);
  campaign.task_id = std::get<TaskPosted>(posted.event).task_id.value;

  // 30 claims at once, from 30 threads.
  std::vector<CommandOutcome> outcomes(30);
  std::vector<std::thread> racers;
  for (int i = 0; i < 30; ++i) {
    racers.emplace_back([&, i] {
      std::string id = "w" + std::to_string(i) + ":claim";
      outcomes[i] = call(bus, id, ClaimSlot{TaskId{campaign.task_id}, UserId{campaign.workers[i]},
                                            WorkerProfile{"ID", 0, 0}});
    });
  }
  for (auto& racer : racers) racer.join();
  int no_free_slot = 0;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const CommandOutcome& outcome = outcomes[i];
    if (outcome.kind == Kind::accepted && campaign.first_claim_command.empty()) {
      campaign.first_claim_command = "w" + std::to_string(i) + ":claim";
      campaign.first_claim_worker = campaign.workers[i];
    }
    if (outcome.kind == Kind::accepted) {
      const auto& claimed = std::get<SlotClaimed>(outcome.event);
      campaign.claims.push_back(claimed.claim_id.value);
      campaign.worker_of[claimed.claim_id.value] = claimed.worker_id.value;
    } else if (outcome.kind == Kind::rejected && outcome.rejection == Rejection::no_free_slot) {
      ++no_free_slot;
    }
  }
  EXPECT_EQ(campaign.claims.size(), 20u);
  EXPECT_EQ(no_free_slot, 10);
  std::sort(campaign.claims.begin(), campaign.claims.end());
  for (const auto& claim : campaign.claims) {
    const UserId worker{campaign.worker_of[claim]};
    EXPECT_EQ(call(bus, "submit-" + claim, SubmitProof{ClaimId{claim}, worker, "done"}).kind,
              Kind::accepted);
  }
  for (std::size_t i = 0; i < campaign.claims.size(); ++i) {
    const ClaimId claim{campaign.claims[i]};
    CommandOutcome reviewed =
        i < 12 ? call(bus, "review-" + claim.value, ApproveSubmission{claim, UserId{"emp"}})
               : call(bus, "review-" + claim.value, RejectSubmission{claim, UserId{"emp"}, "blurry"});
    EXPECT_EQ(reviewed.kind, Kind::accepted);
    campaign.status_of[campaign.worker_of[claim.value]] = i < 12 ? "approved" : "rejected";
  }
  return campaign;
}

inline void expect_campaign_results(EmbeddedNode& node, const Campaign& campaign) {
  ReadModels& reads = node.reads();
  AccountView employer = reads.account(UserId{"emp"});
  EXPECT_EQ(employer.available, money("98.80"));  // 100 - 20 x (0.05 + 0.01)
  EXPECT_EQ(employer.escrow, money("0.48"));      // 8 unpaid slots x 0.06
  std::map<std::string, std::string> status_by_worker = campaign.status_of;
  int paid = 0;
  for (const auto& worker : campaign.workers) {
    AccountView account = reads.account(UserId{worker});
    ReputationView reputation = reads.reputation(UserId{worker});
    const std::string status = status_by_worker.count(worker) ? status_by_worker[worker] : "none";
    if (status == "approved") {
      ++paid;
      EXPECT_EQ(account.available, money("0.05")) << worker;
      EXPECT_EQ(reputation.approved, 1) << worker;
    } else {
      EXPECT_EQ(account.available, Micros{}) << worker;
      EXPECT_EQ(reputation.approved, 0) << worker;
    }
    EXPECT_EQ(reputation.rejected, status == "rejected" ? 1 : 0) << worker;
  }
  EXPECT_EQ(paid, 12);
  auto view = reads.task(TaskId{campaign.task_id});
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->approved, 12);
  EXPECT_EQ(view->rejected, 8);
  EXPECT_EQ(view->claimed, 0);
  EXPECT_EQ(view->submitted, 0);
  EXPECT_EQ(view->free_slots(), 8);
  EXPECT_EQ(view->status, "open");
  auto feed = reads.feed(FeedQuery{});
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].task_id.value, campaign.task_id);
  EXPECT_EQ(reads.shared_account(accounts::kPlatformFees), money("0.12"));
  EXPECT_EQ(reads.shared_account(accounts::kClearingPayouts), Micros{});
  EXPECT_EQ(reads.shared_account(accounts::kWorldDeposits), Micros{-100'000'000});
  ReputationView employer_reputation = reads.reputation(UserId{"emp"});
  EXPECT_EQ(employer_reputation.reviews_given, 20);
}

}  // namespace microjobs::testing
