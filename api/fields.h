#pragma once
// Typed reading of a JSON request body. A FieldReader remembers the first problem it meets (a
// missing field, a wrong type, a value out of range) and names the field in it; handlers read all
// fields, then call finish() once, which also refuses a member that no read asked for
// (unknown_field: a typo or a feature this server lacks must not pass silently). So the same bad
// body always gets the same answer.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "api/json_body.h"
#include "domain/ids.h"
#include "domain/money.h"
#include "domain/rules.h"  // valid_country
#include "domain/time.h"

namespace microjobs {

enum class Presence : std::uint8_t { optional, required };

struct FieldProblem {
  std::string code;  // missing_field or invalid_field
  std::string detail;
};

class FieldReader {
 public:
  explicit FieldReader(const JsonValue& object);
  // An element of an array: problems name "prefix" + field, e.g. "decisions[3].action".
  FieldReader(const JsonValue& object, std::string prefix);
  FieldReader(const FieldReader&) = delete;
  FieldReader& operator=(const FieldReader&) = delete;

  // Every reader returns nullopt when the field is absent (or null) and optional, or on a
  // problem; ok() tells which.
  std::optional<std::string> text(std::string_view name, Presence presence, std::size_t min_bytes,
                                  std::size_t max_bytes);
  // A decimal string ("0.05"): never a JSON number; at most 6 fraction digits; > 0.
  std::optional<Micros> money(std::string_view name, Presence presence);
  // An integer written without fraction or exponent, within [min, max].
  std::optional<std::int64_t> integer(std::string_view name, Presence presence, std::int64_t min,
                                      std::int64_t max);
  // RFC 3339.
  std::optional<UnixMs> time(std::string_view name, Presence presence);
  // A JSON number in [0, 1] with at most four significant decimals, as basis points.
  std::optional<std::int64_t> rate_bp(std::string_view name, Presence presence);
  // ISO 3166-1 alpha-2 in upper case ("ID").
  std::optional<std::string> country(std::string_view name, Presence presence);
  std::optional<std::vector<std::string>> countries(std::string_view name, std::size_t max_count);
  // An array of 1 to max_count strings of 1 to max_bytes each.
  std::optional<std::vector<std::string>> strings(std::string_view name, Presence presence,
                                                  std::size_t max_count, std::size_t max_bytes);
  std::optional<UserId> user_id(std::string_view name, Presence presence);
  std::optional<bool> boolean(std::string_view name, Presence presence);
  // Any JSON value but null, as its minified text of at most `max_bytes`.
  std::optional<JsonText> json(std::string_view name, Presence presence, std::size_t max_bytes);
  // A string that must be one of `allowed`.
  std::optional<std::string> one_of(std::string_view name, Presence presence,
                                    std::initializer_list<std::string_view> allowed);
  // Records an invalid_field problem found by the caller (a rule across fields, a time in the
  // past).
  void invalid(std::string_view name, std::string_view detail);
  // A nested object's reader, owned by this one; its problems name "outer.inner" and count for
  // this reader too, and finish() checks its members too. Reads an empty object when the field is
  // absent.
  FieldReader& object(std::string_view name);

  // After every read: an unknown member (of this object or of a nested one read through object())
  // becomes the problem, ahead of any other, since a misspelt name is the likelier cause of a
  // missing or invalid one. Then tells ok().
  bool finish();
  bool ok() const { return !problem_->has_value(); }
  // After every read: the unknown_field problem of the first unread member here or in a nested
  // object, if any (what finish() answers first; for lists of objects, api/write_handlers.cpp).
  std::optional<FieldProblem> unknown_member() const;
  // The first problem as a 400 response.
  Response problem() const;

 private:
  FieldReader(const JsonValue& object, std::string prefix, std::optional<FieldProblem>* problem);
  // The field's value when present and of `kind`; records missing/invalid problems.
  const JsonValue* get(std::string_view name, Presence presence, JsonValue::Kind kind,
                       std::string_view expected);
  void fail(std::string_view code, std::string_view name, std::string_view detail);
  std::string full_name(std::string_view name) const;
  // The first member of the object that no read asked for, if any.
  const std::string* unread_member() const;

  const JsonValue& object_;
  std::string prefix_;
  std::vector<std::string> asked_;  // every name a read asked for, present or not
  std::vector<std::unique_ptr<FieldReader>> nested_;
  std::optional<FieldProblem> own_problem_;
  std::optional<FieldProblem>* problem_;
};

// Parses a body that must be a JSON object. An empty body counts as {} when `empty_ok`.
// On failure `problem` holds the 400 to send.
std::optional<JsonValue> parse_object_body(std::string_view body, bool empty_ok,
                                           Response& problem_out);

// Exact parsing of a JSON number token as an int64 (no fraction, no exponent) or a rate in basis
// points ("0.95" -> 9500); nullopt when it is not one.
std::optional<std::int64_t> parse_integer_token(std::string_view token);
std::optional<std::int64_t> parse_rate_token(std::string_view token);

}  // namespace microjobs
