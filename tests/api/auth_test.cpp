// Tokens: what mint_token makes verify_token accepts, and nothing forged, unsigned, signed with
// another algorithm or expired gets through.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api/auth.h"

namespace microjobs {
namespace {

constexpr std::string_view kSecret = "correct horse battery staple";
constexpr UnixMs kNow{1'767'225'600'000};

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

// A JWT assembled by hand: header and payload as given, signed with HMAC-`digest` (or unsigned).
std::string craft(std::string_view header, std::string_view payload, std::string_view secret,
                  const EVP_MD* digest) {
  std::string signing_input = base64url(header) + "." + base64url(payload);
  if (digest == nullptr) return signing_input + ".";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(digest, secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_size);
  return signing_input + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

std::string payload(std::int64_t exp_s) {
  return R"({"sub":"emp1","roles":["employer"],"exp":)" + std::to_string(exp_s) + "}";
}

constexpr std::int64_t kLater = kNow.value / 1000 + 600;

TEST(Auth, MintedTokenVerifiesWithItsUserAndRoles) {
  std::string token = mint_token(kSecret, "emp1", {"employer", "worker"}, 3600, kNow);
  ASSERT_FALSE(token.empty());
  auto principal = verify_token(kSecret, token, kNow);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->user_id, "emp1");
  EXPECT_EQ(principal->roles, (std::vector<std::string>{"employer", "worker"}));
  EXPECT_TRUE(principal->has_role("worker"));
  EXPECT_FALSE(principal->has_role("admin"));
}

TEST(Auth, HandCraftedHs256TokenVerifies) {
  // The crafting helper itself is right, so the rejections below are about their one defect.
  std::string token = craft(R"({"alg":"HS256","typ":"JWT"})", payload(kLater), kSecret, EVP_sha256());
  EXPECT_TRUE(verify_token(kSecret, token, kNow).has_value());
}

TEST(Auth, RejectsTokenSignedWithAnotherSecret) {
  std::string token = mint_token("another secret", "emp1", {"admin"}, 3600, kNow);
  EXPECT_FALSE(verify_token(kSecret, token, kNow).has_value());
}

TEST(Auth, RejectsTamperedPayload) {
  std::string token = mint_token(kSecret, "emp1", {"worker"}, 3600, kNow);
  auto first_dot = token.find('.');
  auto second_dot = token.find('.', first_dot + 1);
  std::string forged = token.substr(0, first_dot + 1) +
                       base64url(R"({"sub":"emp1","roles":["admin"],"exp":)" +
                                 std::to_string(kLater) + "}") +
                       token.substr(second_dot);
  EXPECT_FALSE(verify_token(kSecret, forged, kNow).has_value());
}

TEST(Auth, RejectsAlgNone) {
  std::string token = craft(R"({"alg":"none","typ":"JWT"})", payload(kLater), kSecret, nullptr);
  EXPECT_FALSE(verify_token(kSecret, token, kNow).has_value());
}

TEST(Auth, RejectsAlgNoneCarryingAValidHs256Signature) {
  std::string token = craft(R"({"alg":"none"})", payload(kLater), kSecret, EVP_sha256());
  EXPECT_FALSE(verify_token(kSecret, token, kNow).has_value());
}

TEST(Auth, RejectsOtherHmacAlgorithmsEvenWithTheRightSecret) {
  std::string token = craft(R"({"alg":"HS384","typ":"JWT"})", payload(kLater), kSecret, EVP_sha384());
  EXPECT_FALSE(verify_token(kSecret, token, kNow).has_value());
}

std::string signed_payload(const std::string& body) {
  return craft(R"({"alg":"HS256"})", body, kSecret, EVP_sha256());
}

UnixMs after_s(std::int64_t seconds) { return UnixMs{kNow.value + seconds * 1000}; }

TokenPolicy no_leeway() {
  TokenPolicy policy;
  policy.leeway_s = 0;
  return policy;
}

TEST(Auth, RejectsExpiredTokenOnceTheLeewayHasPassed) {
  std::string token = mint_token(kSecret, "emp1", {"employer"}, 60, kNow);
  const TokenPolicy policy;  // 30 s of leeway
  EXPECT_TRUE(verify_token(kSecret, token, after_s(60 + 29), policy).has_value());
  EXPECT_FALSE(verify_token(kSecret, token, after_s(60 + 30), policy).has_value());
  const TokenPolicy exact = no_leeway();
  EXPECT_TRUE(verify_token(kSecret, token, after_s(59), exact).has_value());
  EXPECT_FALSE(verify_token(kSecret, token, after_s(60), exact).has_value());
}

TEST(Auth, ATokenNotYetValidPassesOnlyWithinTheLeeway) {
  const std::int64_t now_s = kNow.value / 1000;
  auto with_nbf = [&](std::int64_t nbf) {
    return signed_payload(R"({"sub":"emp1","exp":)" + std::to_string(kLater) + R"(,"nbf":)" +
                          std::to_string(nbf) + "}");
  };
  EXPECT_TRUE(verify_token(kSecret, with_nbf(now_s + 30), kNow).has_value());
  EXPECT_FALSE(verify_token(kSecret, with_nbf(now_s + 31), kNow).has_value());
  EXPECT_FALSE(verify_token(kSecret, with_nbf(now_s + 1), kNow, no_leeway()));
}

TEST(Auth, AClaimOfTheWrongTypeIsRefusedNotTakenAsAbsent) {
  const std::string exp = std::to_string(kLater);
  // A string `nbf` once passed as "no nbf"; a string `exp` or `sub` is no better.
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"sub":"u1","exp":")" + exp + R"("})"), kNow));
  EXPECT_FALSE(verify_token(
      kSecret, signed_payload(R"({"sub":"u1","exp":)" + exp + R"(,"nbf":"0"})"), kNow));
  EXPECT_FALSE(verify_token(
      kSecret, signed_payload(R"({"sub":"u1","exp":)" + exp + R"(,"nbf":null})"), kNow));
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"sub":7,"exp":)" + exp + "}"), kNow));
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"sub":"u1","exp":true})"), kNow));
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"sub":"u1","exp":[1]})"), kNow));
  // A NumericDate may carry a fraction (RFC 7519 section 2).
  EXPECT_TRUE(verify_token(kSecret, signed_payload(R"({"sub":"u1","exp":)" + exp + ".5}"), kNow));
}

TEST(Auth, IssuerAndAudienceAreCheckedWhenThePolicyNamesThem) {
  const TokenPolicy policy{.issuer = "https://id.example", .audience = "microjobs"};
  std::string minted = mint_token(kSecret, "emp1", {"employer"}, 60, kNow, policy);
  EXPECT_TRUE(verify_token(kSecret, minted, kNow, policy).has_value());
  std::string plain = mint_token(kSecret, "emp1", {"employer"}, 60, kNow);
  EXPECT_TRUE(verify_token(kSecret, plain, kNow).has_value());
  EXPECT_FALSE(verify_token(kSecret, plain, kNow, policy).has_value());
  const std::string exp = std::to_string(kLater);
  auto token = [&](const std::string& claims) {
    return signed_payload(R"({"sub":"u1","exp":)" + exp + "," + claims + "}");
  };
  EXPECT_TRUE(verify_token(kSecret, token(R"("iss":"https://id.example","aud":["x","microjobs"])"),
                           kNow, policy));
  EXPECT_FALSE(verify_token(kSecret, token(R"("iss":"https://id.example","aud":["x"])"), kNow,
                            policy));
  EXPECT_FALSE(verify_token(kSecret, token(R"("iss":"https://evil.example","aud":"microjobs")"),
                            kNow, policy));
  EXPECT_FALSE(
      verify_token(kSecret, token(R"("iss":["https://id.example"],"aud":"microjobs")"), kNow, policy));
  EXPECT_FALSE(verify_token(kSecret, token(R"("iss":"https://id.example","aud":{"a":1})"), kNow,
                            policy));
}

TEST(Auth, RejectsTokenWithoutExpiry) {
  std::string token =
      craft(R"({"alg":"HS256"})", R"({"sub":"emp1","roles":["employer"]})", kSecret, EVP_sha256());
  EXPECT_FALSE(verify_token(kSecret, token, kNow).has_value());
}

TEST(Auth, RejectsBadSubjectOrRoles) {
  std::string exp = std::to_string(kLater);
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"exp":)" + exp + "}"), kNow));
  EXPECT_FALSE(verify_token(kSecret, signed_payload(R"({"sub":"a b","exp":)" + exp + "}"), kNow));
  EXPECT_FALSE(verify_token(
      kSecret, signed_payload(R"({"sub":"u1","roles":"admin","exp":)" + exp + "}"), kNow));
  EXPECT_FALSE(verify_token(
      kSecret, signed_payload(R"({"sub":"u1","roles":[1],"exp":)" + exp + "}"), kNow));
  auto no_roles = verify_token(kSecret, signed_payload(R"({"sub":"u1","exp":)" + exp + "}"), kNow);
  ASSERT_TRUE(no_roles.has_value());
  EXPECT_TRUE(no_roles->roles.empty());
}

TEST(Auth, RejectsGarbageAndEmptySecret) {
  EXPECT_FALSE(verify_token(kSecret, "", kNow));
  EXPECT_FALSE(verify_token(kSecret, "not.a.token", kNow));
  EXPECT_FALSE(verify_token(kSecret, "a.b", kNow));
  EXPECT_FALSE(verify_token(kSecret, std::string(10'000, 'a'), kNow));
  EXPECT_TRUE(mint_token("", "emp1", {"admin"}, 60, kNow).empty());
  std::string token = mint_token(kSecret, "emp1", {"admin"}, 60, kNow);
  EXPECT_FALSE(verify_token("", token, kNow));
}

// TokenVerifier: verify_token's answers, remembered.
TEST(TokenVerifier, RemembersAVerifiedTokenAndStillEndsItAtItsExpiry) {
  TokenVerifier verifier(std::string(kSecret), TokenPolicy{});
  std::string token = mint_token(kSecret, "emp1", {"employer"}, 60, kNow);
  auto first = verifier.verify(token, kNow);
  ASSERT_TRUE(first.has_value());
  auto again = verifier.verify(token, after_s(60 + 29));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->user_id, "emp1");
  EXPECT_EQ(again->roles, std::vector<std::string>{"employer"});
  EXPECT_EQ(verifier.size(), 1u);
  EXPECT_FALSE(verifier.verify(token, after_s(60 + 30)).has_value());
}

TEST(TokenVerifier, ARememberedTokenIsNotValidBeforeItsNotBefore) {
  const std::int64_t now_s = kNow.value / 1000;
  std::string token = signed_payload(R"({"sub":"emp1","exp":)" + std::to_string(kLater) +
                                     R"(,"nbf":)" + std::to_string(now_s + 100) + "}");
  TokenVerifier verifier(std::string(kSecret), TokenPolicy{});
  EXPECT_TRUE(verifier.verify(token, after_s(100)).has_value());
  EXPECT_FALSE(verifier.verify(token, kNow).has_value());
}

TEST(TokenVerifier, RefusesWhatVerifyTokenRefusesAndKeepsNoneOfIt) {
  TokenVerifier verifier(std::string(kSecret), TokenPolicy{});
  std::string foreign = mint_token("another secret", "emp1", {"admin"}, 60, kNow);
  EXPECT_FALSE(verifier.verify(foreign, kNow).has_value());
  EXPECT_FALSE(verifier.verify("not.a.token", kNow).has_value());
  EXPECT_EQ(verifier.size(), 0u);
  TokenPolicy policy;
  policy.issuer = "https://issuer.example";
  TokenVerifier strict(std::string(kSecret), policy);
  EXPECT_FALSE(strict.verify(mint_token(kSecret, "emp1", {"admin"}, 60, kNow), kNow).has_value());
}

// An employer's token used between many workers' tokens is verified once, not again each time
// the cache is full (it used to be emptied then).
TEST(TokenVerifier, ATokenInSteadyUseIsVerifiedOnceWhileOthersComeAndGo) {
  TokenVerifier verifier(std::string(kSecret), TokenPolicy{}, 4);
  std::string employer = mint_token(kSecret, "emp1", {"employer"}, 60, kNow);
  ASSERT_TRUE(verifier.verify(employer, kNow).has_value());
  for (int i = 0; i < 20; ++i) {
    std::string worker = mint_token(kSecret, "user" + std::to_string(i), {"worker"}, 60, kNow);
    ASSERT_TRUE(verifier.verify(worker, kNow).has_value());
    auto again = verifier.verify(employer, kNow);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->user_id, "emp1");
    EXPECT_LE(verifier.size(), 4u);
  }
  EXPECT_EQ(verifier.full_verifications(), 21u);  // the employer once, each worker once
}

TEST(TokenVerifier, KeepsAtMostItsBound) {
  TokenVerifier verifier(std::string(kSecret), TokenPolicy{}, 4);
  for (int i = 0; i < 10; ++i) {
    std::string token = mint_token(kSecret, "user" + std::to_string(i), {"worker"}, 60, kNow);
    ASSERT_TRUE(verifier.verify(token, kNow).has_value());
    EXPECT_LE(verifier.size(), 4u);
  }
}

}  // namespace
}  // namespace microjobs
