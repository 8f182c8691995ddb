// The route table with its reference. Each entry's example is one step of the reference's example
// campaign (tests/api/reference_test.cpp plays them in its order and compares every answer).
#include "api/routes.h"

#include <string>
#include <utility>

#include "api/command_route.h"
#include "api/handlers.h"
#include "domain/codec/schema.h"

namespace microjobs {
namespace {

constexpr bool kRequired = true;
constexpr bool kOptional = false;

FieldDoc field(std::string name, FieldType type, bool required, std::string about,
               std::int64_t min = 0, std::int64_t max = 0) {
  FieldDoc doc;
  doc.name = std::move(name);
  doc.type = type;
  doc.required = required;
  doc.about = std::move(about);
  doc.min = min;
  doc.max = max;
  return doc;
}

FieldDoc choice(std::string name, bool required, std::vector<std::string> choices, std::string about) {
  FieldDoc doc = field(std::move(name), FieldType::choice, required, std::move(about));
  doc.choices = std::move(choices);
  return doc;
}

FieldDoc required_when(FieldDoc doc, std::string field, std::vector<std::string> values) {
  doc.when_field = std::move(field);
  doc.when_values = std::move(values);
  return doc;
}

FieldDoc nested(FieldDoc outer, std::vector<FieldDoc> fields) {
  outer.fields = std::move(fields);
  return outer;
}

// limit (1..max, default `fallback`) and cursor, as every list reads them.
std::vector<FieldDoc> page_query(std::int64_t max, std::int64_t fallback) {
  return {field("limit", FieldType::integer, kOptional,
                "items per page (default " + std::to_string(fallback) + ")", 1, max),
          field("cursor", FieldType::cursor, kOptional, "the next_cursor of the previous page", 1, 1024)};
}

std::vector<FieldDoc> with_page_query(std::vector<FieldDoc> first, std::int64_t max, std::int64_t fallback) {
  for (FieldDoc& doc : page_query(max, fallback)) first.push_back(std::move(doc));
  return first;
}

// What a command's body field means, by name (the fields command_body_doc derives).
std::string about_command_field(std::string_view name) {
  if (name == "proof") return "the proof of the work: text, or a URL on a task whose proof type is url";
  if (name == "reason") return "why, in words (1 to 1000 bytes)";
  if (name == "amount") return "a decimal string of at most 6 fraction digits";
  if (name == "destination") return "where the payment provider sends the money (personal data)";
  if (name == "add") return "how many slots to add; their escrow is taken now";
  if (name == "worker_id") return "the worker to block";
  return "";
}

template <class C> std::vector<FieldDoc> command_body() {
  std::vector<FieldDoc> fields = command_body_doc<C>();
  for (FieldDoc& doc : fields) doc.about = about_command_field(doc.name);
  return fields;
}

RouteExample as(std::string user, std::string role, std::string target, std::string body,
                std::string answer) {
  return {std::move(user), std::move(role), std::move(target), std::move(body), std::move(answer)};
}

void add_user_routes(std::vector<Route>& out) {
  out.push_back({"PUT", "/v1/users/{}", put_user, RouteDoc{
      .summary = "Register a user, or update its profile",
      .access = "the user itself, or an admin",
      .owned = true, .any_owner_roles = {roles::kAdmin},
      .reads_body = true,
      .body = {field("country", FieldType::country, kRequired, "where the user lives: targeting reads it"),
               field("display_name", FieldType::text, kOptional,
                     "the name others see (personal data; kept when left out)", 0, 200)},
      .details = "The same profile again changes nothing: 200 with the profile and no position.",
      .errors = {"forbidden"},
      .example = as("alice", "employer", "/v1/users/alice",
          R"({"country":"ID","display_name":"Toko Alice"})",
          R"({"user_id":"alice","country":"ID","display_name":"Toko Alice","position":"1:0"})")}});
  out.push_back({"GET", "/v1/users/{}", get_user, RouteDoc{
      .summary = "A user's public profile",
      .access = "any caller",
      .errors = {"user_not_found"},
      .example = as("alice", "employer", "/v1/users/bob", "",
          R"({"user_id":"bob","country":"ID","display_name":"Worker bob"})")}});
  out.push_back({"GET", "/v1/users/{}/reputation", get_reputation, RouteDoc{
      .summary = "A user's record as a worker and as a reviewer",
      .access = "any caller",
      .details = "approval_rate is null before the first review; median_review_s is the employer's "
                 "median time from submission to review.",
      .errors = {"user_not_found"},
      .example = as("alice", "employer", "/v1/users/bob/reputation", "",
          R"({"user_id":"bob","approved":1,"rejected":0,"approval_rate":1,"submitted":2,)"
          R"("reviews_given":0,"approvals_given":0,"rejections_given":0,)"
          R"("approval_rate_given":null,"median_review_s":null})")}});
  out.push_back({"GET", "/v1/users/{}/claims", get_worker_claims, RouteDoc{
      .summary = "A worker's claims, newest first: the worker's own record of its work and pay",
      .access = "the worker itself, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = with_page_query({choice("status", kOptional,
                                       {"claimed", "submitted", "revision_requested", "approved",
                                        "rejected", "abandoned", "expired"},
                                       "only claims in this status")},
                               500, 50),
      .errors = {"forbidden", "user_not_found"},
      .example = as("bob", "worker", "/v1/users/bob/claims?limit=1", "",
          R"({"items":[{"claim_id":"alice.1.1","task_id":"alice.1","worker_id":"bob",)"
          R"("status":"approved","proof":"Toko Maju","item":{"number":1,"ref":"photo-001",)"
          R"("data":{"url":"https://cdn.example.com/001.jpg"}},)"
          R"("claimed_at":"2026-01-01T00:00:00.000Z","expires_at":"2026-01-01T01:00:00.000Z",)"
          R"("submitted_at":"2026-01-01T00:00:00.000Z",)"
          R"("reviewed_at":"2026-01-01T00:00:00.000Z",)"
          R"("reason":"Add the sign above the pharmacy too.",)"
          R"("title":"Read the shop signs in a street photo","reward":"1.00"}],)"
          R"("next_cursor":null})")}});
  out.push_back({"GET", "/v1/users/{}/tasks", get_employer_tasks, RouteDoc{
      .summary = "An employer's tasks in every status, newest first",
      .access = "the employer itself, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = page_query(500, 50),
      .errors = {"forbidden", "user_not_found"},
      .example = as("alice", "employer", "/v1/users/alice/tasks", "",
          R"({"items":[{"task_id":"alice.1","title":"Read the shop signs in a street photo",)"
          R"("category":"labeling","reward":"1.00","slots":3,"free_slots":0,)"
          R"("employer_id":"alice","posted_at":"2026-01-01T00:00:00.000Z",)"
          R"("status":"completed","claimed":0,"submitted":0,"approved":3,"rejected":0,)"
          R"("abandoned":1,"expired":0,"instructions":"List every shop name you can read.",)"
          R"("targeting":{"countries":["ID"],"min_approval_rate":0,"min_approved":0},)"
          R"("fee":"0.20","expires_at":"2026-01-31T00:00:00.000Z","max_per_worker":1,)"
          R"("claim_timeout_s":3600,"auto_approve_after_s":259200,"proof":{"type":"text"},)"
          R"("per_item":true,"items":3,"unassigned_items":0}],"next_cursor":null})")}});
  out.push_back({"POST", "/v1/users/{}/erasure", post_erasure, RouteDoc{
      .summary = "Erase a user's personal data (crypto-shredding)",
      .access = "admins",
      .roles = {roles::kAdmin},
      .reads_body = true,
      .details = "Destroys the user's data keys: every proof, name and destination the user wrote "
                 "reads \"[erased]\" from then on, in the log, the read models and every copy. "
                 "Money and history stay. The body is empty or {}.",
      .errors = {"user_not_found"},
      .example = as("root", "admin", "/v1/users/mallory/erasure", "",
          R"({"user_id":"mallory","erased":true,"position":"3:1"})")}});
}

std::vector<FieldDoc> post_task_body() {
  return {
      field("title", FieldType::text, kRequired, "shown in the feed", 1, 200),
      field("instructions", FieldType::text, kOptional, "what to do and what proof to send (personal data)", 0, 10'000),
      field("category", FieldType::text, kOptional, "a feed filter (default other)", 1, 64),
      field("reward", FieldType::money, kRequired, "paid per approved slot; the fee comes on top", 1),
      field("slots", FieldType::integer, kRequired, "how many workers can be paid", 1, 1'000'000),
      nested(field("proof", FieldType::object, kOptional, "what a submission is"),
             {choice("type", kOptional, {"text", "url", "file"}, "default text; a url task takes only http(s) URLs")}),
      field("claim_timeout_s", FieldType::integer, kOptional, "how long a claim is held (default 3600)", 60, 2'592'000),
      field("auto_approve_after_s", FieldType::integer, kOptional,
            "a submission not reviewed by then is approved (default 259200)", 0, 2'592'000),
      field("expires_at", FieldType::time, kOptional, "when the task closes: in the future, within 366 days (default 30)"),
      nested(field("targeting", FieldType::object, kOptional, "who may claim"),
             {field("countries", FieldType::countries, kOptional, "the worker's country must be one of them", 0, 250),
              field("min_approval_rate", FieldType::rate, kOptional, "the worker's approval rate, 0 to 1"),
              field("min_approved", FieldType::integer, kOptional, "approved submissions the worker needs", 0,
                    1'000'000'000)}),
      field("max_per_worker", FieldType::integer, kOptional, "claims one worker may make (default 1)", 1, 1000),
      field("per_item", FieldType::boolean, kOptional, "each slot takes its own input (POST /v1/tasks/{id}/items)"),
  };
}

// The task owner's commands on a running campaign, and its inputs and review queue.
void add_task_control_routes(std::vector<Route>& out) {
  out.push_back({"POST", "/v1/tasks/{}/slots", task_command<AddSlots, slots_added_answer>, RouteDoc{
      .summary = "Add slots to a running task; their escrow is taken now",
      .access = "the task's owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .body = command_body<AddSlots>(),
      .errors = {"task_not_found", "task_not_open", "insufficient_funds", "invalid_argument"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/slots",
          R"({"add":2})",
          R"({"task_id":"alice.1","slots":5,"escrow":"2.40","position":"1:19"})")}});
  out.push_back({"POST", "/v1/tasks/{}/pause", task_command<PauseTask, task_status_answer>, RouteDoc{
      .summary = "Pause a task: it leaves the feed and takes no claim",
      .access = "the task's owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .details = "Held claims may still be submitted and reviewed. A second pause is 409 exists. "
                 "The body is empty or {}.",
      .errors = {"task_not_found", "task_not_open", "exists"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/pause", "",
          R"({"task_id":"alice.1","status":"paused","position":"1:20"})")}});
  out.push_back({"POST", "/v1/tasks/{}/resume", task_command<ResumeTask, task_status_answer>, RouteDoc{
      .summary = "Resume a paused task",
      .access = "the task's owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .details = "The body is empty or {}.",
      .errors = {"task_not_found", "task_not_open", "exists"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/resume", "",
          R"({"task_id":"alice.1","status":"open","position":"1:21"})")}});
  out.push_back({"POST", "/v1/tasks/{}/cancel", task_command<CancelTask, cancelled_answer>, RouteDoc{
      .summary = "Cancel a task: the free slots' escrow goes back to available at once",
      .access = "the task's owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .details = "Held claims may still be submitted and reviewed; their escrow comes back as they "
                 "end. The body is empty or {}.",
      .errors = {"task_not_found", "task_not_open", "exists"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/cancel", "",
          R"({"task_id":"alice.1","status":"cancelled","refunded":"2.40","position":"1:25"})")}});
  out.push_back({"GET", "/v1/tasks/{}/submissions", get_submissions, RouteDoc{
      .summary = "The review queue: claims of a task with their proof, oldest submission first",
      .access = "the task's owner, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = with_page_query({choice("status", kOptional,
                                       {"submitted", "revision_requested", "approved", "rejected", "claimed"},
                                       "only claims in this status")},
                               500, 50),
      .errors = {"forbidden", "task_not_found"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/submissions?status=submitted", "",
          R"({"items":[{"claim_id":"alice.1.1","task_id":"alice.1","worker_id":"bob",)"
          R"("status":"submitted","proof":"Toko Maju, Apotek Sehat","item":{"number":1,)"
          R"("ref":"photo-001","data":{"url":"https://cdn.example.com/001.jpg"}},)"
          R"("claimed_at":"2026-01-01T00:00:00.000Z","expires_at":"2026-01-01T01:00:00.000Z",)"
          R"("submitted_at":"2026-01-01T00:00:00.000Z","reviewed_at":null,"reason":null}],)"
          R"("next_cursor":null})")}});
}

// A per_item task's inputs.
void add_item_routes(std::vector<Route>& out) {
  out.push_back({"POST", "/v1/tasks/{}/items", post_items, RouteDoc{
      .summary = "Add the inputs of a per_item task's slots (an image to label, a URL to check)",
      .access = "the task's owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .body = {nested(field("items", FieldType::objects, kRequired, "the inputs, in the order claims take them", 1, 1000),
                      {field("ref", FieldType::text, kRequired, "the employer's name for it, unique in the task", 1, 200),
                       field("data", FieldType::json, kRequired, "any JSON value, at most 4096 bytes minified", 1, 4096)})},
      .status = 201,
      .details = "A task holds at most as many items as slots. A claim gets the oldest unassigned "
                 "item; a rejected, abandoned or expired claim puts it back in front.",
      .errors = {"task_not_found", "task_not_open", "not_per_item", "too_many_items", "duplicate_ref",
                 "items_too_large", "forbidden"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/items",
                    R"({"items":[{"ref":"photo-001","data":{"url":"https://cdn.example.com/001.jpg"}},)"
                    R"({"ref":"photo-002","data":{"url":"https://cdn.example.com/002.jpg"}},)"
                    R"({"ref":"photo-003","data":{"url":"https://cdn.example.com/003.jpg"}}]})",
                    R"({"task_id":"alice.1","added":3,"items":3,"first":1,"position":"1:3"})")}});
  out.push_back({"GET", "/v1/tasks/{}/items", get_items, RouteDoc{
      .summary = "A per_item task's items with their claim and outcome",
      .access = "the task's owner, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = with_page_query({choice("status", kOptional,
                                       {"unassigned", "claimed", "submitted", "revision_requested", "approved"},
                                       "only items in this status")},
                               1000, 100),
      .errors = {"forbidden", "task_not_found"},
      .example = as("alice", "employer", "/v1/tasks/alice.1/items?status=claimed", "",
          R"({"items":[{"number":1,"ref":"photo-001",)"
          R"("data":{"url":"https://cdn.example.com/001.jpg"},"status":"claimed",)"
          R"("claim_id":"alice.1.1","worker_id":"bob","last_outcome":null,"claims":1}],)"
          R"("next_cursor":null})")}});
}

void add_task_routes(std::vector<Route>& out) {
  out.push_back({"POST", "/v1/tasks", post_task, RouteDoc{
      .summary = "Post a task: slots of paid work, their reward and fee taken into escrow",
      .access = "employers",
      .roles = {roles::kEmployer},
      .reads_body = true,
      .body = post_task_body(),
      .status = 201,
      .details = "escrow = slots x (reward + fee); it moves from the employer's available balance.",
      .errors = {"insufficient_funds", "user_not_found", "invalid_argument"},
      .example = as("alice", "employer", "/v1/tasks",
                    R"({"title":"Read the shop signs in a street photo",)"
                        R"("instructions":"List every shop name you can read.",)"
                    R"("category":"labeling","reward":"1.00","slots":3,)"
                        R"("targeting":{"countries":["ID"]},"per_item":true})",
                    R"({"task_id":"alice.1","escrow":"3.60","fee":"0.20",)"
                        R"("expires_at":"2026-01-31T00:00:00.000Z","position":"1:2"})")}});
  out.push_back({"GET", "/v1/tasks", get_feed, RouteDoc{
      .summary = "The feed: open tasks with free slots",
      .access = "any caller; a worker's token shows only tasks it may claim",
      .query = {field("category", FieldType::text, kOptional, "only this category", 1, 64),
                field("country", FieldType::country, kOptional, "only tasks open to this country"),
                field("min_reward", FieldType::money, kOptional, "only tasks paying at least this"),
                choice("sort", kOptional, {"newest", "reward"}, "default newest"),
                field("limit", FieldType::integer, kOptional, "items per page (default 20)", 1, 100),
                field("cursor", FieldType::cursor, kOptional, "the next_cursor of the previous page", 1, 1024)},
      .example = as("bob", "worker", "/v1/tasks?country=ID&sort=reward", "",
          R"({"items":[{"task_id":"alice.1","title":"Read the shop signs in a street photo",)"
          R"("category":"labeling","reward":"1.00","slots":3,"free_slots":3,)"
          R"("employer_id":"alice","posted_at":"2026-01-01T00:00:00.000Z"}],)"
          R"("next_cursor":null})")}});
  out.push_back({"GET", "/v1/tasks/{}", get_task, RouteDoc{
      .summary = "A task with its counters and targeting",
      .access = "any caller",
      .errors = {"task_not_found"},
      .example = as("bob", "worker", "/v1/tasks/alice.1", "",
          R"({"task_id":"alice.1","title":"Read the shop signs in a street photo",)"
          R"("category":"labeling","reward":"1.00","slots":3,"free_slots":3,)"
          R"("employer_id":"alice","posted_at":"2026-01-01T00:00:00.000Z","status":"open",)"
          R"("claimed":0,"submitted":0,"approved":0,"rejected":0,"abandoned":0,"expired":0,)"
          R"("instructions":"List every shop name you can read.",)"
          R"("targeting":{"countries":["ID"],"min_approval_rate":0,"min_approved":0},)"
          R"("fee":"0.20","expires_at":"2026-01-31T00:00:00.000Z","max_per_worker":1,)"
          R"("claim_timeout_s":3600,"auto_approve_after_s":259200,"proof":{"type":"text"},)"
          R"("per_item":true,"items":3,"unassigned_items":3})")}});
  out.push_back({"POST", "/v1/tasks/{}/claims", post_claim, RouteDoc{
      .summary = "Claim a slot: the worker holds it until the claim's deadline",
      .access = "workers",
      .roles = {roles::kWorker},
      .reads_body = true,
      .status = 201,
      .details = "The worker's profile is read from the read models: a worker who just registered "
                 "sends X-Min-Position with its registration's position. On a per_item task the "
                 "claim is given the oldest unassigned item. The body is empty or {}.",
      .errors = {"task_not_found", "user_not_found", "task_not_open", "own_task", "blocked", "not_qualified",
                 "already_claimed", "max_per_worker", "no_free_slot"},
      .example = as("bob", "worker", "/v1/tasks/alice.1/claims", "",
          R"({"claim_id":"alice.1.1","task_id":"alice.1","worker_id":"bob",)"
          R"("expires_at":"2026-01-01T01:00:00.000Z","item":{"number":1,"ref":"photo-001",)"
          R"("data":{"url":"https://cdn.example.com/001.jpg"}},"position":"1:4"})")}});
  add_task_control_routes(out);
  add_item_routes(out);
}

RouteDoc claim_command_doc(std::string summary, bool by_worker, std::vector<FieldDoc> body,
                           std::vector<std::string_view> errors, std::string details, RouteExample example,
                           int status = 200) {
  RouteDoc doc;
  doc.summary = std::move(summary);
  doc.access = by_worker ? "the claim's worker" : "the task's owner";
  doc.roles = {by_worker ? roles::kWorker : roles::kEmployer};
  doc.owned = true;
  doc.reads_body = true;
  doc.body = std::move(body);
  doc.details = std::move(details);
  doc.errors = std::move(errors);
  doc.errors.insert(doc.errors.begin(), "claim_not_found");
  doc.example = std::move(example);
  doc.status = status;
  return doc;
}

void add_claim_routes(std::vector<Route>& out) {
  out.push_back({"GET", "/v1/claims/{}", get_claim, RouteDoc{
      .summary = "One claim with its proof, item, deadline, times and reason",
      .access = "the claim's worker, the task's owner, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .errors = {"forbidden", "claim_not_found"},
      .example = as("bob", "worker", "/v1/claims/alice.1.1", "",
          R"({"claim_id":"alice.1.1","task_id":"alice.1","worker_id":"bob",)"
          R"("status":"approved","proof":"Toko Maju","item":{"number":1,"ref":"photo-001",)"
          R"("data":{"url":"https://cdn.example.com/001.jpg"}},)"
          R"("claimed_at":"2026-01-01T00:00:00.000Z","expires_at":"2026-01-01T01:00:00.000Z",)"
          R"("submitted_at":"2026-01-01T00:00:00.000Z",)"
          R"("reviewed_at":"2026-01-01T00:00:00.000Z",)"
          R"("reason":"Add the sign above the pharmacy too."})")}});
  out.push_back({"POST", "/v1/claims/{}/abandon", claim_command<AbandonClaim, ClaimActor::worker, claim_status_answer>,
                 claim_command_doc("Give a claimed slot back", true, command_body<AbandonClaim>(),
                                   {"wrong_state"}, "The body is empty or {}.",
                                   as("dave", "worker", "/v1/claims/alice.1.3/abandon", "",
                                       R"({"claim_id":"alice.1.3","status":"abandoned","position":"1:15"})"))});
  out.push_back({"POST", "/v1/claims/{}/submission", claim_command<SubmitProof, ClaimActor::worker, claim_status_answer>,
                 claim_command_doc("Submit the proof of the work", true, command_body<SubmitProof>(),
                                   {"wrong_state", "claim_expired", "proof_not_url", "invalid_argument"},
                                   "Also answers a revision request: the worker submits again.",
                                   as("bob", "worker", "/v1/claims/alice.1.1/submission",
                                      R"({"proof":"Toko Maju, Apotek Sehat"})", R"({"claim_id":"alice.1.1","status":"submitted","position":"1:5"})"))});
  out.push_back({"POST", "/v1/claims/{}/approve", claim_command<ApproveSubmission, ClaimActor::task_owner, approved_answer>,
                 claim_command_doc("Approve a submission: the worker is paid from escrow", false,
                                   command_body<ApproveSubmission>(), {"wrong_state", "exists"},
                                   "A second approve is 409 exists and pays nothing twice. The body is empty or {}.",
                                   as("alice", "employer", "/v1/claims/alice.1.1/approve", "{}",
                                       R"({"claim_id":"alice.1.1","status":"approved","paid":"1.00","fee":"0.20",)"
                                       R"("position":"1:8"})"))});
  out.push_back({"POST", "/v1/claims/{}/reject", claim_command<RejectSubmission, ClaimActor::task_owner, claim_status_answer>,
                 claim_command_doc("Reject a submission with a reason: the slot's escrow goes back to the pool", false,
                                   command_body<RejectSubmission>(), {"wrong_state", "exists", "reason_required"}, "",
                                   as("alice", "employer", "/v1/claims/alice.1.2/reject",
                                      R"({"reason":"These shops are not in the photo."})", R"({"claim_id":"alice.1.2","status":"rejected","position":"1:12"})"))});
  out.push_back({"POST", "/v1/claims/{}/revision", claim_command<RequestRevision, ClaimActor::task_owner, claim_status_answer>,
                 claim_command_doc("Send a submission back for one revision", false, command_body<RequestRevision>(),
                                   {"wrong_state", "exists", "reason_required", "revision_limit", "review_window_closed"},
                                   "Once per claim, within the review window; the review deadline restarts.",
                                   as("alice", "employer", "/v1/claims/alice.1.1/revision",
                                      R"({"reason":"Add the sign above the pharmacy too."})", R"({"claim_id":"alice.1.1","status":"revision_requested","position":"1:6"})"))});
  out.push_back({"POST", "/v1/claims/{}/override", claim_command<OverrideRejection, ClaimActor::task_owner, approved_answer>,
                 claim_command_doc("Approve a rejected submission after all (within 30 days)", false,
                                   command_body<OverrideRejection>(),
                                   {"wrong_state", "exists", "override_window_closed", "insufficient_funds"},
                                   "Paid from the employer's available balance when the slot's escrow went back to "
                                   "the pool. The body is empty or {}.",
                                   as("alice", "employer", "/v1/claims/alice.1.2/override", "",
                                       R"({"claim_id":"alice.1.2","status":"approved","paid":"1.00","fee":"0.20",)"
                                       R"("position":"1:13"})"))});
  out.push_back({"POST", "/v1/claims/{}/bonus", claim_command<PayBonus, ClaimActor::task_owner, bonus_answer>,
                 claim_command_doc("Pay a bonus on a claim, from available; the fee applies", false,
                                   command_body<PayBonus>(),
                                   {"wrong_state", "insufficient_funds", "reason_required", "invalid_argument"},
                                   "Idempotent by Idempotency-Key: without one, each call pays again.",
                                   as("alice", "employer", "/v1/claims/alice.1.1/bonus",
                                      R"({"amount":"0.50","reason":"Very thorough."})", R"({"bonus_id":"alice.1.1.b1","claim_id":"alice.1.1","amount":"0.50","fee":"0.10",)"
                                          R"("position":"1:9"})"), 201)});
  out.push_back({"POST", "/v1/reviews", post_reviews, RouteDoc{
      .summary = "Review up to 1,000 claims in one call",
      .access = "the tasks' owner",
      .roles = {roles::kEmployer},
      .owned = true,
      .reads_body = true,
      .body = {nested(field("decisions", FieldType::objects, kRequired, "one per claim", 1, 1000),
                      {field("claim_id", FieldType::text, kRequired, "a claim of the caller's tasks", 1, 200),
                       choice("action", kRequired, {"approve", "reject", "revision"}, "the decision"),
                       required_when(field("reason", FieldType::text, kOptional, "required to reject or ask a revision", 1, 1000),
                                     "action", {"reject", "revision"})})},
      .details = "Each decision is its own command: one failing does not stop the others. Results "
                 "come in request order, each with the HTTP status it would have alone and the "
                 "single endpoint's answer or a problem code; position is the latest event's. With "
                 "an Idempotency-Key, each decision's key is the request's plus \"/\" and its claim.",
      .example = as("alice", "employer", "/v1/reviews",
                    R"({"decisions":[{"claim_id":"alice.1.4","action":"approve"},)"
                    R"({"claim_id":"alice.1.9","action":"reject","reason":"No such photo."}]})",
                    R"({"results":[{"claim_id":"alice.1.4","status":200,)"
                        R"("outcome":{"claim_id":"alice.1.4","status":"approved","paid":"1.00",)"
                        R"("fee":"0.20","position":"1:18"}},{"claim_id":"alice.1.9","status":404,)"
                        R"("code":"claim_not_found"}],"position":"1:18"})")}});
}

void add_account_routes(std::vector<Route>& out) {
  out.push_back({"POST", "/v1/deposits", post_deposit, RouteDoc{
      .summary = "Record money that arrived for a user (from the payment provider)",
      .access = "payments and admins",
      .roles = {roles::kPayments, roles::kAdmin},
      .reads_body = true,
      .body = {field("account", FieldType::user_id, kRequired, "the registered user it is for"),
               field("amount", FieldType::money, kRequired, "what arrived", 1),
               field("reference", FieldType::text, kRequired, "the provider's reference: the same one again is the same deposit", 1, 128)},
      .status = 201,
      .key_reuse_422 = false,
      .details = "Idempotent by reference, whatever the Idempotency-Key: the same reference and amount "
                 "again answers the same; another amount is 409 exists_with_different_amount, and "
                 "the same reference after the 24 h idempotency window 409 duplicate_reference.",
      .errors = {"user_not_found", "exists_with_different_amount", "duplicate_reference", "invalid_argument"},
      .example = as("pay", "payments", "/v1/deposits",
                    R"({"account":"alice","amount":"100.00","reference":"bank-2026-0001"})", R"({"deposit_id":"dep.alice.bank-2026-0001","account":"alice","amount":"100.00",)"
                        R"("reference":"bank-2026-0001","position":"1:1"})")}});
  out.push_back({"GET", "/v1/accounts/{}", get_account, RouteDoc{
      .summary = "A user's balances, or a shared account's balance",
      .access = "the user itself, auditors and admins; the shared accounts (platform:fees, "
                "clearing:payouts, world:deposits, world:withdrawals) auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .errors = {"forbidden", "user_not_found"},
      .example = as("alice", "employer", "/v1/accounts/alice", "",
          R"({"account":"alice","available":"93.40","escrow":"2.40",)"
          R"("pending_withdrawal":"0.00"})")}});
  out.push_back({"GET", "/v1/accounts/{}/statement", get_statement, RouteDoc{
      .summary = "Every ledger transfer on a user's accounts, with running balances, oldest first",
      .access = "the user itself, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = with_page_query({field("from", FieldType::time, kOptional, "from this time on"),
                                field("to", FieldType::time, kOptional,
                                      "before this time (a range with to at or before from is empty)")},
                               1000, 100),
      .also_answers = "text/csv",
      .details = "With Accept: text/csv, the same lines as CSV with a header row (the next cursor in "
                 "X-Next-Cursor). The last balances equal GET /v1/accounts/{id}.",
      .errors = {"forbidden", "user_not_found"},
      .example = as("bob", "worker", "/v1/accounts/bob/statement?limit=2", "",
          R"({"items":[{"position":"2:3","time":"2026-01-01T00:00:00.000Z","event_id":"2-4",)"
          R"("event_type":"worker.credited.v1","bucket":"available","amount":"1.00",)"
          R"("balance":"1.00","ref":"bob"},{"position":"2:4",)"
          R"("time":"2026-01-01T00:00:00.000Z","event_id":"2-5",)"
          R"("event_type":"worker.credited.v1","bucket":"available","amount":"0.50",)"
          R"("balance":"1.50","ref":"bob"}],"next_cursor":"00000000000000040000000000000001"})")}});
  out.push_back({"POST", "/v1/withdrawals", role_command<RequestWithdrawal, roles::kWorker, withdrawal_answer>, RouteDoc{
      .summary = "Ask for money out: available moves to pending_withdrawal",
      .access = "workers, from their own account",
      .roles = {roles::kWorker},
      .reads_body = true,
      .body = command_body<RequestWithdrawal>(),
      .status = 201,
      .details = "The minimum is 1.00 unless the server is configured otherwise.",
      .errors = {"below_minimum", "insufficient_funds", "user_not_found", "invalid_argument"},
      .example = as("bob", "worker", "/v1/withdrawals",
          R"({"amount":"1.00","destination":"GoPay 0812-5555-0101"})",
          R"({"withdrawal_id":"bob.w1","amount":"1.00","status":"pending","position":"2:6"})")}});
  out.push_back({"GET", "/v1/withdrawals/{}", get_withdrawal, RouteDoc{
      .summary = "A withdrawal with its destination and status",
      .access = "the withdrawal's worker, payments, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kPayments, roles::kAuditor, roles::kAdmin},
      .errors = {"forbidden", "withdrawal_not_found"},
      .example = as("pay", "payments", "/v1/withdrawals/bob.w1", "",
          R"({"withdrawal_id":"bob.w1","user_id":"bob","amount":"1.00",)"
          R"("destination":"GoPay 0812-5555-0101","status":"pending",)"
          R"("requested_at":"2026-01-01T00:00:00.000Z","settled_at":null,"reason":null})")}});
  out.push_back({"POST", "/v1/withdrawals/{}/complete", role_command<CompleteWithdrawal, roles::kPayments, withdrawal_answer>, RouteDoc{
      .summary = "The payment provider paid it: pending_withdrawal goes to world:withdrawals",
      .access = "payments",
      .roles = {roles::kPayments},
      .reads_body = true,
      .body = command_body<CompleteWithdrawal>(),
      .details = "The body is empty or {}.",
      .errors = {"withdrawal_not_found", "wrong_state", "exists"},
      .example = as("pay", "payments", "/v1/withdrawals/bob.w1/complete", "",
          R"({"withdrawal_id":"bob.w1","amount":"1.00","status":"completed","position":"2:7"})")}});
  out.push_back({"POST", "/v1/withdrawals/{}/fail", role_command<FailWithdrawal, roles::kPayments, withdrawal_answer>, RouteDoc{
      .summary = "The payment provider could not pay it: the money goes back to available",
      .access = "payments",
      .roles = {roles::kPayments},
      .reads_body = true,
      .body = command_body<FailWithdrawal>(),
      .errors = {"withdrawal_not_found", "wrong_state", "exists", "reason_required"},
      .example = as("pay", "payments", "/v1/withdrawals/carol.w1/fail",
          R"({"reason":"The e-wallet is closed."})",
          R"({"withdrawal_id":"carol.w1","amount":"1.00","status":"failed","position":"2:9"})")}});
}

FieldDoc event_types_field() {
  FieldDoc events = field("events", FieldType::strings, kRequired, "the event types to deliver, each once", 1, 64);
  for (const std::string& type : event_type_names()) events.choices.push_back(type);
  return events;
}

void add_employer_routes(std::vector<Route>& out) {
  out.push_back({"POST", "/v1/blocks", role_command<BlockWorker, roles::kEmployer, blocked_answer>, RouteDoc{
      .summary = "Block a worker from every task of the caller",
      .access = "employers",
      .roles = {roles::kEmployer},
      .reads_body = true,
      .body = command_body<BlockWorker>(),
      .status = 201,
      .details = "A blocked worker's claim is 409 blocked, and the employer's tasks leave its feed.",
      .errors = {"user_not_found", "exists", "reason_required", "invalid_argument"},
      .example = as("alice", "employer", "/v1/blocks",
          R"({"worker_id":"mallory","reason":"Copied answers."})",
          R"({"employer_id":"alice","worker_id":"mallory","reason":"Copied answers.",)"
          R"("position":"1:22"})")}});
  out.push_back({"GET", "/v1/blocks", get_blocks, RouteDoc{
      .summary = "The caller's blocked workers",
      .access = "employers",
      .roles = {roles::kEmployer},
      .query = page_query(500, 100),
      .example = as("alice", "employer", "/v1/blocks", "",
          R"({"items":[{"worker_id":"mallory","reason":"Copied answers.",)"
          R"("since":"2026-01-01T00:00:00.000Z"}],"next_cursor":null})")}});
  out.push_back({"DELETE", "/v1/blocks/{}", delete_block, RouteDoc{
      .summary = "Unblock a worker",
      .access = "employers",
      .roles = {roles::kEmployer},
      .reads_body = true,
      .details = "The body is empty or {}.",
      .errors = {"block_not_found"},
      .example = as("alice", "employer", "/v1/blocks/mallory", "",
          R"({"worker_id":"mallory","status":"unblocked","position":"1:23"})")}});
  out.push_back({"POST", "/v1/webhooks", post_webhook, RouteDoc{
      .summary = "Register a webhook: events of the caller's tasks are POSTed to it, signed",
      .access = "employers",
      .roles = {roles::kEmployer},
      .reads_body = true,
      .body = {field("url", FieldType::url, kRequired, "an http(s) URL; private and loopback addresses are refused", 1, 2048),
               event_types_field()},
      .status = 201,
      .details = "The secret is shown once: deliveries carry X-Microjobs-Signature: t=<unix>,v1=<hex "
                 "HMAC-SHA256 of \"t.body\">. Retried with backoff for 24 h, at least once, in order per task.",
      .errors = {"too_many_webhooks", "user_not_found"},
      .example = as("alice", "employer", "/v1/webhooks",
                    R"({"url":"https://hooks.example.com/microjobs","events":["proof.submitted.v1"]})", R"({"webhook_id":"alice.h1","url":"https://hooks.example.com/microjobs",)"
                        R"("events":["proof.submitted.v1"],)"
                        R"("secret":"d804d55543c8b2057818ea42356de5c27ed9c5a406824e519bd2cbf5bb0e9a12",)"
                        R"("position":"1:24"})")}});
  out.push_back({"GET", "/v1/webhooks/{}/deliveries", get_webhook_deliveries, RouteDoc{
      .summary = "A webhook's deliveries and their last attempts, oldest first",
      .access = "the webhook's owner, auditors and admins",
      .owned = true, .any_owner_roles = {roles::kAuditor, roles::kAdmin},
      .query = page_query(500, 100),
      .details = "{items:[{delivery, event_id, event_type, status: pending|delivered|failed, created_at, "
                 "attempt_count, next_attempt_at, attempts:[{at, status, error, duration_ms}]}], next_cursor}, "
                 "the last 10 attempts of each. Served by a process with the webhook deliverer beside it "
                 "(503 no_webhook_deliverer elsewhere).",
      .errors = {"forbidden", "webhook_not_found", "no_webhook_deliverer"},
      .example = as("alice", "employer", "/v1/webhooks/alice.h1/deliveries", "", "")}});
}

}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> table = [] {
    std::vector<Route> out;
    add_user_routes(out);
    add_account_routes(out);
    add_task_routes(out);
    add_claim_routes(out);
    add_employer_routes(out);
    return out;
  }();
  return table;
}

}  // namespace microjobs
