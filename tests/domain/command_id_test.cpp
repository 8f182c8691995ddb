// Command ids (issue 7): typed namespaces whose text form no client input can forge, body
// fingerprints that tell a retry from a reused key, and the idempotency table's rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>

#include "domain/codec/envelope.h"
#include "domain/command_id.h"
#include "domain/idempotency.h"
#include "domain/personal_data.h"

namespace microjobs {
namespace {

TEST(CommandId, TextRoundTripsForEveryOrigin) {
  for (const CommandId& id :
       {client_command_id("alice", "k-1"), client_command_id("alice", "a/b//c"),
        client_command_id("alice", ""), deposit_command_id(UserId{"bob"}, "wire/77"),
        credit_command_id("3-35"), expire_claim_command_id(ClaimId{"emp.7.3"})}) {
    auto parsed = parse_command_id(id.text());
    ASSERT_TRUE(parsed.has_value()) << id.text();
    EXPECT_EQ(*parsed, id) << id.text();
  }
}

TEST(CommandId, NoClientKeyEqualsASystemId) {
  // Whatever a client calls itself and whatever key it sends, its id stays in `client`.
  const std::vector<CommandId> system = {credit_command_id("0-35"),
                                         expire_claim_command_id(ClaimId{"emp.7.3"}),
                                         deposit_command_id(UserId{"victim1"}, "wire-77")};
  for (const char* name : {"credit", "deposit", "expire", "expire_claim", "client", "system"}) {
    for (const CommandId& target : system) {
      for (const std::string& key :
           {target.key, target.text(), target.principal + "/" + target.key,
            target.principal + ":" + target.key, "/" + target.key, "//" + target.key}) {
        CommandId forged = client_command_id(name, key);
        EXPECT_NE(forged.text(), target.text()) << name << " " << key;
        EXPECT_EQ(parse_command_id(forged.text())->origin, CommandOrigin::client);
      }
    }
  }
}

TEST(CommandId, RefusesTextNoIdWrites) {
  for (std::string_view text : {"", "alice:k1", "credit:3-35", "nope/a/b", "client//k", "client/a"}) {
    EXPECT_FALSE(parse_command_id(text).has_value()) << text;
  }
}

TEST(CommandId, WithoutAKeyIsNotRemembered) {
  EXPECT_FALSE(client_command_id("alice", "").remembered());
  EXPECT_TRUE(client_command_id("alice", "k").remembered());
}

TEST(CommandFingerprint, TellsCommandsAndBodiesApart) {
  const ClaimId claim{"emp.1.1"};
  const auto submit = command_fingerprint(SubmitProof{claim, UserId{"w"}, "proof"});
  EXPECT_EQ(submit, command_fingerprint(SubmitProof{claim, UserId{"w"}, "proof"}));
  EXPECT_NE(submit, command_fingerprint(SubmitProof{ClaimId{"emp.1.2"}, UserId{"w"}, "proof"}));
  EXPECT_NE(submit, command_fingerprint(AbandonClaim{claim, UserId{"w"}}));
  // Field boundaries count: ("ab", "c") is not ("a", "bc").
  EXPECT_NE(command_fingerprint(RegisterUser{UserId{"ab"}, "c", ""}),
            command_fingerprint(RegisterUser{UserId{"a"}, "bc", ""}));
  EXPECT_NE(submit, 0u);
}

// command_hash is in the stream in the clear: a hash of a short display name or proof could be
// reversed by guessing, and would outlive the erasure of the text (domain/personal_data.h).
TEST(CommandFingerprint, LeavesPersonalDataOut) {
  const ClaimId claim{"emp.1.1"};
  EXPECT_EQ(command_fingerprint(SubmitProof{claim, UserId{"w"}, "my home address"}),
            command_fingerprint(SubmitProof{claim, UserId{"w"}, "another proof"}));
  EXPECT_EQ(command_fingerprint(RegisterUser{UserId{"w"}, "ID", "Wayan"}),
            command_fingerprint(RegisterUser{UserId{"w"}, "ID", "Made"}));
  EXPECT_NE(command_fingerprint(RegisterUser{UserId{"w"}, "ID", "Wayan"}),
            command_fingerprint(RegisterUser{UserId{"w"}, "MY", "Wayan"}));
  for (const char* name : {"proof", "display_name", "instructions", "destination"}) {
    EXPECT_TRUE(is_personal_field(name)) << name;
  }
  EXPECT_FALSE(is_personal_field("title"));
}

TEST(CommandFingerprint, IgnoresTheProfileTheServerFillsIn) {
  const TaskId task{"emp.1"};
  EXPECT_EQ(command_fingerprint(ClaimSlot{task, UserId{"w"}, {"US", 1, 0}}),
            command_fingerprint(ClaimSlot{task, UserId{"w"}, {"US", 9, 3}}));
  EXPECT_NE(command_fingerprint(ClaimSlot{task, UserId{"w"}, {}}),
            command_fingerprint(ClaimSlot{TaskId{"emp.2"}, UserId{"w"}, {}}));
}

TEST(CommandFingerprint, TravelsInTheEnvelopeAndIsOptional) {
  EnvelopeMeta meta{"0-1", event_source(0), UnixMs{1'795'000'000'000}, "u", 1, "client/u/k",
                    std::string(64, '0'), 0x0123456789abcdefULL};
  Event event = UserRegistered{UserId{"u"}, "US", ""};
  std::string bytes = encode_envelope(meta, event);
  EXPECT_NE(bytes.find(R"("command_hash":"0123456789abcdef")"), std::string::npos) << bytes;
  auto decoded = decode_envelope(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->meta.command_fingerprint, 0x0123456789abcdefULL);
  EXPECT_EQ(encode_envelope(decoded->meta, decoded->event), bytes);
  meta.command_fingerprint = 0;
  std::string without = encode_envelope(meta, event);
  EXPECT_EQ(without.find("command_hash"), std::string::npos);
  EXPECT_EQ(decode_envelope(without)->meta.command_fingerprint, 0u);
}

TEST(IdempotencyTable, RemembersAcceptedCommandsWithTheirBody) {
  IdempotencyTable table(1000, 100);
  const CommandId id = client_command_id("alice", "k");
  EXPECT_EQ(table.check(id, 7).verdict, IdempotencyTable::Verdict::fresh);
  table.remember(id, {42, 7, 0});
  EXPECT_EQ(table.check(id, 7).verdict, IdempotencyTable::Verdict::repeat);
  EXPECT_EQ(table.check(id, 7).offset, 42);
  EXPECT_EQ(table.check(id, 8).verdict, IdempotencyTable::Verdict::reused);
  EXPECT_EQ(table.check(client_command_id("bob", "k"), 7).verdict, IdempotencyTable::Verdict::fresh);
}

TEST(IdempotencyTable, AnUnknownFingerprintMatchesAnyBody) {
  IdempotencyTable table(1000, 100);
  table.remember_text("client/alice/k", {1, 0, 0});  // a record from before fingerprints
  EXPECT_EQ(table.check(client_command_id("alice", "k"), 99).verdict,
            IdempotencyTable::Verdict::repeat);
}

TEST(IdempotencyTable, ForgetsAfterTheWindowAndBeyondItsSize) {
  IdempotencyTable table(1000, 2);
  table.remember(client_command_id("a", "1"), {1, 1, 0});
  table.remember(client_command_id("a", "2"), {2, 1, 500});
  table.remember(client_command_id("a", ""), {3, 1, 500});  // no key: never remembered
  EXPECT_EQ(table.size(), 2u);
  table.forget_expired(1001);
  EXPECT_EQ(table.check(client_command_id("a", "1"), 1).verdict, IdempotencyTable::Verdict::fresh);
  EXPECT_EQ(table.check(client_command_id("a", "2"), 1).verdict, IdempotencyTable::Verdict::repeat);
  table.remember(client_command_id("a", "3"), {4, 1, 600});
  table.remember(client_command_id("a", "4"), {5, 1, 600});
  table.forget_expired(600);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.check(client_command_id("a", "2"), 1).verdict, IdempotencyTable::Verdict::fresh);
}

// A snapshot's load remembers in batches: the same as one by one, in order, so an id already
// known or twice in a batch keeps its first offset, and a batch larger than the table's 16
// first slots makes room for itself.
TEST(IdempotencyTable, ABatchIsRememberedAsOneByOneInOrder) {
  IdempotencyTable table(1000, 100);
  table.remember_text("client/a/known", {1, 7, 0});
  std::vector<IdempotencyTable::Entry> batch;
  for (int i = 0; i < 40; ++i) batch.push_back({"client/a/" + std::to_string(i), {100 + i, 7, 0}});
  batch.push_back({"client/a/known", {200, 7, 0}});
  batch.push_back({"client/a/3", {201, 7, 0}});
  table.remember_all(batch);
  EXPECT_EQ(table.size(), 41u);
  EXPECT_EQ(table.check_text("client/a/known", 7).offset, 1);
  EXPECT_EQ(table.check_text("client/a/3", 7).offset, 103);
  EXPECT_EQ(table.check_text("client/a/39", 7).offset, 139);
  EXPECT_EQ(table.check_text("client/a/40", 7).verdict, IdempotencyTable::Verdict::fresh);
}

// The index is open addressing with deletions from the front: a random mix of remembers, expiries
// and lookups on a table that grows from 16 slots and is trimmed to 64 entries must answer as a
// plain map of the same entries does, for ids it holds and ids it forgot.
TEST(IdempotencyTable, AnswersAsAPlainMapThroughGrowthAndForgetting) {
  constexpr std::size_t kMaxEntries = 64;
  IdempotencyTable table(1'000'000, kMaxEntries);
  std::deque<std::pair<std::string, std::int64_t>> model;  // oldest first, (id, offset)
  std::mt19937_64 random(20261204);
  for (std::int64_t step = 1; step <= 20'000; ++step) {
    const std::string id = "client/u/" + std::to_string(random() % 400);
    const bool known = std::any_of(model.begin(), model.end(),
                                   [&](const auto& entry) { return entry.first == id; });
    const auto lookup = table.check_text(id, 1);
    ASSERT_EQ(lookup.verdict, known ? IdempotencyTable::Verdict::repeat
                                    : IdempotencyTable::Verdict::fresh) << "step " << step;
    if (known) {
      const auto it = std::find_if(model.begin(), model.end(),
                                   [&](const auto& entry) { return entry.first == id; });
      ASSERT_EQ(lookup.offset, it->second) << "step " << step;
      continue;
    }
    table.remember_text(id, {step, 1, 0});
    model.emplace_back(id, step);
    if (random() % 3 == 0) {
      table.forget_expired(0);
      while (model.size() > kMaxEntries) model.pop_front();
    }
    ASSERT_EQ(table.size(), model.size());
  }
}

}  // namespace
}  // namespace microjobs
