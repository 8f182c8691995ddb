#pragma once
// What the API reference says of one route: who may call it, what it reads, what it answers, and
// an example that tests/api/reference_test.cpp runs against the real write and read sides. Every
// entry of the route table (api/routes.cpp) carries one; `GET /openapi.json` and
// api/reference.md are generated from them (api/openapi.cpp), so the reference is the table the
// server dispatches on. The tests hold them to the handlers: a body's fields are exactly what the
// handler reads (its unknown_field answer lists them), a role left out is answered 403, and each
// example's answer is what the server answers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace microjobs {

// How a field is written (api/fields.h reads each kind).
enum class FieldType : std::uint8_t {
  text,       // a string of min..max bytes
  url,        // an absolute http:// or https:// URL of min..max bytes
  money,      // a decimal string ("0.05"), never a JSON number
  integer,    // an integer in min..max
  time,       // RFC 3339
  rate,       // a JSON number in [0, 1], at most four decimals
  country,    // ISO 3166-1 alpha-2, upper case
  countries,  // an array of at most max countries
  strings,    // an array of 1..max strings (of `choices` when given)
  user_id,    // 1-64 characters of [A-Za-z0-9_-]
  boolean,
  json,       // any JSON value but null, at most max bytes
  choice,     // a string, one of `choices`
  object,     // an object with `fields`
  objects,    // an array of 1..max objects with `fields`
  cursor,     // a next_cursor the server gave, opaque, at most max bytes
};

struct FieldDoc {
  std::string name{};
  FieldType type = FieldType::text;
  bool required = false;
  std::string about{};  // one sentence for the reader
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string> choices{};
  std::vector<FieldDoc> fields{};
  // Required after all when the sibling field `when_field` has one of `when_values` (a reason to
  // reject); empty when not.
  std::string when_field{};
  std::vector<std::string> when_values{};
};

// A request that shows the route, and what the server answers to it in the reference's example
// campaign (tests/api/reference_test.cpp plays it).
struct RouteExample {
  std::string user{};  // the token's subject
  std::string role{};  // the token's role
  std::string target{};  // path and query
  std::string body{};    // JSON, or empty
  std::string answer{};  // JSON, as the server answers it (every "position" is the log's, any value)
};

struct RouteDoc {
  std::string summary{};  // a line: what the route does
  std::string access{};   // who may call it, in words ("the task's owner")
  // Roles that may call it at all; a token with none of them is 403. Empty: any caller with a
  // token (the handler may still refuse another's resource).
  std::vector<std::string_view> roles{};
  // Whether the route acts on a resource of one user (its path names the user, or a task, claim,
  // account, withdrawal or webhook of one): then a caller who is not that user is refused 403,
  // unless its token has one of `any_owner_roles` (auditors reading everything, admins,
  // payments). tests/api/reference_test.cpp probes every route with a stranger in each role.
  bool owned = false;
  std::vector<std::string_view> any_owner_roles{};
  std::vector<FieldDoc> query{};
  bool reads_body = false;  // false: the body is ignored
  std::vector<FieldDoc> body{};  // the members of the JSON object it reads
  int status = 200;            // the status of success
  std::string also_answers{};  // another media type of success on request (Accept), e.g. text/csv
  // A command whose Idempotency-Key reused with another body is 422 (false: the route keys its
  // commands otherwise, as deposits by reference).
  bool key_reuse_422 = true;
  std::string details{};         // more about the route: rules, defaults, what changes
  // Problem codes this route may answer beyond those every route of its kind may (401 for every
  // route, 400 body and query problems, 403 for a route with roles, a command's 422/429/503).
  std::vector<std::string_view> errors{};
  RouteExample example;
};

}  // namespace microjobs
