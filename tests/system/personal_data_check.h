#pragma once
// Personal data through the HTTP API, for the embedded and the Kafka end-to-end tests: a worker's
// display name and proof and an employer's instructions go in; the API answers them; the stream
// holds only their sealed form; after the worker's erasure the API answers "[erased]" for the
// worker's texts and still the employer's.
#include <gtest/gtest.h>

#include <string>

#include "api/auth.h"
#include "commands/clock.h"
#include "domain/personal_data.h"
#include "http_client.h"
#include "http_json.h"
#include "test_support.h"

namespace microjobs::testing {

struct PersonalTexts {
  std::string employer, worker, task, claim, withdrawal;
  std::string name = "Wayan Rahasia-Sekali";          // the worker's display name
  std::string instructions = "Call Ibu Sari on +62 811 555 0199";  // the employer's
  std::string proof = "Jalan Rahasia 12, Denpasar: photo attached";  // the worker's
  std::string destination = "gcash:0917 555 0101 (Wayan R.)";         // the worker's
};

class PersonalDataCampaign {
 public:
  PersonalDataCampaign(HttpClient& client, std::string secret, std::string suffix)
      : client_(client), secret_(std::move(secret)) {
    texts_.employer = "pd-emp" + suffix;
    texts_.worker = "pd-w" + suffix;
  }

  const PersonalTexts& texts() const { return texts_; }

  // Registers both, funds the employer, posts the task, claims a slot, submits the proof, is paid
  // and withdraws; then the API shows every text as written.
  void play() {
    const PersonalTexts& t = texts_;
    ASSERT_EQ(as(t.employer, "employer", "PUT", "/v1/users/" + t.employer, R"({"country":"DE","display_name":"Emp"})").status, 200);
    ASSERT_EQ(as(t.worker, "worker", "PUT", "/v1/users/" + t.worker,
                 R"({"country":"ID","display_name":")" + t.name + R"("})").status, 200);
    ASSERT_EQ(as("bank", "payments", "POST", "/v1/deposits",
                 R"({"account":")" + t.employer + R"(","amount":"5.00","reference":"pd)" + t.worker + R"("})").status, 201);
    HttpResult posted = as(t.employer, "employer", "POST", "/v1/tasks",
                           R"({"title":"Visit a shop","reward":"1.00","slots":1,"instructions":")" + t.instructions + R"("})");
    ASSERT_EQ(posted.status, 201) << posted.body;
    texts_.task = str(body_of(posted), "task_id");
    HttpResult claimed = eventually_as(t.worker, "worker", "POST", "/v1/tasks/" + texts_.task + "/claims", "", 201);
    texts_.claim = str(body_of(claimed), "claim_id");
    HttpResult submitted = as(t.worker, "worker", "POST", "/v1/claims/" + texts_.claim + "/submission",
                              R"({"proof":")" + t.proof + R"("})");
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    ASSERT_EQ(as(t.employer, "employer", "POST", "/v1/claims/" + texts_.claim + "/approve", "").status, 200);
    // The pay reaches the worker's balance through the credit process: withdrawn once it has.
    HttpResult withdrawn = eventually_as(t.worker, "worker", "POST", "/v1/withdrawals",
                                         R"({"amount":"1.00","destination":")" + t.destination + R"("})", 201);
    texts_.withdrawal = str(body_of(withdrawn), "withdrawal_id");
    expect_shown("display_name", "/v1/users/" + t.worker, t.name);
    expect_shown("proof", "/v1/claims/" + texts_.claim, t.proof);
    expect_shown("instructions", "/v1/tasks/" + texts_.task, t.instructions);
    expect_shown("destination", "/v1/withdrawals/" + texts_.withdrawal, t.destination);
  }

  // An admin erases the worker. The key goes when a projector folds the erasure, and the other
  // processes of a Kafka deployment learn it from the keys topic: polled, with a deadline.
  void erase_worker() {
    HttpResult erased = as("dpo", "admin", "POST", "/v1/users/" + texts_.worker + "/erasure", "");
    ASSERT_EQ(erased.status, 200) << erased.body;
    EXPECT_EQ(as("dpo", "admin", "POST", "/v1/users/nobody-at-all/erasure", "").status, 404);
    HttpResult malformed = as("dpo", "admin", "POST", "/v1/users/not.an.id/erasure", "");
    EXPECT_EQ(malformed.status, 404);
    EXPECT_NE(malformed.body.find("user_not_found"), std::string::npos) << malformed.body;
    EXPECT_EQ(as(texts_.worker, "worker", "POST", "/v1/users/" + texts_.worker + "/erasure", "").status, 403);
    const std::string erased_text(kErasedText);
    expect_shown("display_name", "/v1/users/" + texts_.worker, erased_text);
    expect_shown("proof", "/v1/claims/" + texts_.claim, erased_text);
    expect_shown("instructions", "/v1/tasks/" + texts_.task, texts_.instructions);
    expect_shown("destination", "/v1/withdrawals/" + texts_.withdrawal, erased_text);
  }

  // `bytes` (every record of the stream, or every file of a data dir) hold none of the texts,
  // and the sealed form of both users'.
  void expect_sealed_only(const std::string& bytes, const std::string& where) const {
    for (const std::string* text : {&texts_.name, &texts_.instructions, &texts_.proof, &texts_.destination}) {
      EXPECT_EQ(bytes.find(*text), std::string::npos) << "\"" << *text << "\" in the clear in " << where;
    }
    for (const std::string* user : {&texts_.worker, &texts_.employer}) {
      EXPECT_NE(bytes.find(std::string(kSealedPrefix) + *user + ":"), std::string::npos)
          << "no text sealed for " << *user << " in " << where;
    }
  }

 private:
  HttpResult as(const std::string& user, const std::string& role, const std::string& method,
                const std::string& target, const std::string& body) {
    return client_.request(method, target, body,
                           auth(token(secret_, user, role)));
  }

  // The first answer with `status` (reads lag writes: a claim needs the projected task).
  HttpResult eventually_as(const std::string& user, const std::string& role, const std::string& method,
                           const std::string& target, const std::string& body, int status) {
    HttpResult result;
    EXPECT_TRUE(eventually([&] { return (result = as(user, role, method, target, body)).status == status; }))
        << result.body;
    return result;
  }

  // Until the deadline, an admin reads `target` until its `field` is `expected` (reads lag
  // writes; a Kafka deployment's API process learns of an erased key from the keys topic).
  void expect_shown(const char* field, const std::string& target, const std::string& expected) {
    HttpResult read;
    bool shown = eventually([&] {
      read = as("dpo", "admin", "GET", target, "");
      return read.status == 200 && str(body_of(read), field) == expected;
    }, std::chrono::seconds(30));
    EXPECT_TRUE(shown) << target << " never showed " << field << " = \"" << expected << "\": " << read.body;
  }

  HttpClient& client_;
  std::string secret_;
  PersonalTexts texts_;
};

}  // namespace microjobs::testing
