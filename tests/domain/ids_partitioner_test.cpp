// Unit tests of ids (routing a task or claim to its employer) and of the Kafka-compatible
// partitioner.
#include <gtest/gtest.h>

#include <array>

#include "domain/commands.h"
#include "domain/partitioner.h"
#include "domain/state.h"
#include "tests/domain/test_support.h"

namespace microjobs {
namespace {

TEST(UserId, AcceptsOneTo64LettersDigitsUnderscoresAndDashes) {
  EXPECT_TRUE(valid_user_id("a"));
  EXPECT_TRUE(valid_user_id("Worker_01-x"));
  EXPECT_TRUE(valid_user_id(std::string(64, 'z')));
  for (const std::string& bad :
       {std::string(), std::string(65, 'z'), std::string("a.b"), std::string("a b"),
        std::string("a/b"), std::string("a:b"), std::string("ü"), std::string("a\0b", 3)}) {
    EXPECT_FALSE(valid_user_id(bad)) << bad;
  }
}

TEST(TaskId, EmbedsTheEmployerAndANumber) {
  EXPECT_EQ(make_task_id(UserId{"emp"}, 7), TaskId{"emp.7"});
  EXPECT_EQ(make_claim_id(TaskId{"emp.7"}, 3), ClaimId{"emp.7.3"});
  EXPECT_EQ(owner_of_task("emp.7"), UserId{"emp"});
  EXPECT_EQ(owner_of_task("a-b_c.123456789012345678"), UserId{"a-b_c"});
}

TEST(TaskId, RejectsMalformedIds) {
  for (const char* bad : {"", "emp", "emp.", ".7", "emp.x", "emp.7.3", "emp.-7", "e p.7",
                          "emp.1234567890123456789", "emp.7 "}) {
    EXPECT_FALSE(owner_of_task(bad).has_value()) << bad;
  }
}

TEST(ClaimId, NamesItsTaskAndEmployer) {
  EXPECT_EQ(task_of_claim("emp.7.3"), TaskId{"emp.7"});
  EXPECT_EQ(owner_of_claim("emp.7.3"), UserId{"emp"});
  for (const char* bad :
       {"", "emp", "emp.7", "emp.7.", "emp.7.x", "emp..3", ".7.3", "emp.x.3", "emp.7.3.1"}) {
    EXPECT_FALSE(task_of_claim(bad).has_value()) << bad;
    EXPECT_FALSE(owner_of_claim(bad).has_value()) << bad;
    EXPECT_FALSE(claim_number(bad).has_value()) << bad;
  }
}

// A task keeps its claims by number (TaskClaims): only the id make_claim_id() writes names one,
// so "emp.7.03" is not claim 3 under another name.
TEST(ClaimId, HasANumberOnlyInTheFormMakeClaimIdWrites) {
  EXPECT_EQ(claim_number("emp.7.3"), 3);
  EXPECT_EQ(claim_number(make_claim_id(TaskId{"emp.7"}, 123456789012345678).value), 123456789012345678);
  for (const char* other : {"emp.7.03", "emp.7.00", "emp.7.0003", "emp.7.1234567890123456789"}) {
    EXPECT_FALSE(claim_number(other).has_value()) << other;
  }
  EXPECT_EQ(claim_number("emp.7.0"), 0);
  TaskClaims claims;
  claims[ClaimId{"emp.7.3"}].item = 9;
  ASSERT_NE(claims.find(ClaimId{"emp.7.3"}), nullptr);
  EXPECT_EQ(claims.find(ClaimId{"emp.7.3"})->item, 9);
  for (const char* absent : {"emp.7.03", "emp.7.4", "emp.7", "emp.7.x"}) {
    EXPECT_EQ(claims.find(ClaimId{absent}), nullptr) << absent;
  }
}

TEST(StreamOf, RoutesEveryCommandToItsOwnersStream) {
  PostTask post;
  post.employer_id = UserId{"emp"};
  CreditWorker credit;
  credit.worker_id = UserId{"w1"};
  EXPECT_EQ(stream_of(RegisterUser{UserId{"u1"}, "ID", ""}), "u1");
  EXPECT_EQ(stream_of(DepositFunds{UserId{"u2"}, Micros{1}, "r"}), "u2");
  EXPECT_EQ(stream_of(post), "emp");
  EXPECT_EQ(stream_of(ClaimSlot{TaskId{"emp.4"}, UserId{"w1"}, {}}), "emp");
  EXPECT_EQ(stream_of(AbandonClaim{ClaimId{"emp.4.1"}, UserId{"w1"}}), "emp");
  EXPECT_EQ(stream_of(SubmitProof{ClaimId{"emp.4.1"}, UserId{"w1"}, "p"}), "emp");
  EXPECT_EQ(stream_of(ApproveSubmission{ClaimId{"emp.4.1"}, UserId{"emp"}}), "emp");
  EXPECT_EQ(stream_of(RejectSubmission{ClaimId{"emp.4.1"}, UserId{"emp"}, "r"}), "emp");
  EXPECT_EQ(stream_of(ExpireClaim{ClaimId{"emp.4.1"}}), "emp");
  EXPECT_EQ(stream_of(credit), "w1");
  EXPECT_EQ(stream_of(ClaimSlot{TaskId{"bad"}, UserId{"w1"}, {}}), "");
  EXPECT_EQ(stream_of(ExpireClaim{ClaimId{"emp.4"}}), "");
}

TEST(CommandName, NamesEachAlternative) {
  EXPECT_EQ(command_name(RegisterUser{}), "RegisterUser");
  EXPECT_EQ(command_name(ClaimSlot{}), "ClaimSlot");
  EXPECT_EQ(command_name(CreditWorker{}), "CreditWorker");
}

// The vectors of Kafka's own UtilsTest.testMurmur2 (clients/src/test/java/.../UtilsTest.java):
// Java's Utils.murmur2 of the UTF-8 bytes, as a signed 32-bit int.
TEST(Murmur2, EqualsKafkasJavaClient) {
  struct Case {
    const char* key;
    std::int32_t hash;
  };
  for (const Case& c : {Case{"21", -973932308}, Case{"foobar", -790332482},
                        Case{"a-little-bit-long-string", -985981536},
                        Case{"a-little-bit-longer-string", -1486304829},
                        Case{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
                        Case{"abc", 479470107}, Case{"", 275646681}}) {
    EXPECT_EQ(murmur2(c.key), c.hash) << '"' << c.key << '"';
  }
}

// Bytes above 0x7f are signed in Java; the hash must mask them (& 0xff) as Java does. The
// expected values are Utils.murmur2 over these exact bytes, computed by a reference
// implementation in this test (Java semantics with explicit 32-bit wrap-around).
std::int32_t java_murmur2(std::string_view key) {
  const std::uint32_t m = 0x5bd1e995;
  std::uint32_t h = 0x9747b28cu ^ static_cast<std::uint32_t>(key.size());
  std::size_t i = 0;
  for (; i + 4 <= key.size(); i += 4) {
    std::uint32_t k = 0;
    for (int b = 3; b >= 0; --b) k = (k << 8) | static_cast<unsigned char>(key[i + b]);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h = h * m ^ k;
  }
  std::size_t rest = key.size() - i;
  if (rest == 3) h ^= static_cast<std::uint32_t>(static_cast<unsigned char>(key[i + 2])) << 16;
  if (rest >= 2) h ^= static_cast<std::uint32_t>(static_cast<unsigned char>(key[i + 1])) << 8;
  if (rest >= 1) h = (h ^ static_cast<unsigned char>(key[i])) * m;
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

TEST(Murmur2, AgreesWithAReferenceOnEveryTailLengthAndHighBytes) {
  ASSERT_EQ(java_murmur2("foobar"), -790332482);  // The reference itself matches Kafka.
  ASSERT_EQ(java_murmur2("abc"), 479470107);
  std::string key;
  for (int length = 0; length < 40; ++length) {
    EXPECT_EQ(murmur2(key), java_murmur2(key)) << "length " << length;
    key.push_back(static_cast<char>(0x80 + length * 3));
  }
  EXPECT_EQ(murmur2("Zürich-東京"), java_murmur2("Zürich-東京"));
}

TEST(PartitionFor, IsThePositiveHashModuloPartitions) {
  // Java: Utils.toPositive(murmur2("foobar")) % 50 = (-790332482 & 0x7fffffff) % 50 = 16.
  EXPECT_EQ(partition_for("foobar", 50), 16);
  EXPECT_EQ(partition_for("21", 4), ((-973932308) & 0x7fffffff) % 4);
  EXPECT_EQ(partition_for("abc", 7), 479470107 % 7);
  EXPECT_EQ(partition_for("anything", 1), 0);
}

TEST(PartitionFor, StaysInRangeAndSpreadsKeys) {
  std::array<int, 8> counts{};
  for (int i = 0; i < 8000; ++i) {
    std::int32_t p = partition_for("user-" + std::to_string(i), 8);
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 8);
    counts[static_cast<std::size_t>(p)] += 1;
  }
  for (int count : counts) EXPECT_GT(count, 800);
}

}  // namespace
}  // namespace microjobs
