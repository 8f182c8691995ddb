#pragma once
// Responses: JSON bodies and RFC 9457 problem details. Every error the API sends is built here, so
// the problem codes below are the whole list (plus the rejection codes of domain/rejection.h,
// which pass through unchanged).
#include <functional>
#include <string>
#include <string_view>

#include "api/http.h"
#include "domain/codec/json_writer.h"
#include "domain/rejection.h"

namespace microjobs {

namespace problem_codes {
inline constexpr std::string_view kNotFound = "not_found";                  // 404 no such route
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";  // 405
inline constexpr std::string_view kUnauthorized = "unauthorized";            // 401 no bearer token
inline constexpr std::string_view kInvalidToken = "invalid_token";           // 401 bad token
inline constexpr std::string_view kForbidden = "forbidden";                  // 403 role or owner
inline constexpr std::string_view kMalformedJson = "malformed_json";         // 400
inline constexpr std::string_view kInvalidField = "invalid_field";           // 400 type or range
inline constexpr std::string_view kMissingField = "missing_field";           // 400
inline constexpr std::string_view kUnknownField = "unknown_field";           // 400 not read by the endpoint
inline constexpr std::string_view kInvalidHeader = "invalid_header";         // 400 X-Min-Position...
inline constexpr std::string_view kInvalidQuery = "invalid_query";           // 400 query parameter
inline constexpr std::string_view kBadRequest = "bad_request";               // 400 unparsable HTTP
inline constexpr std::string_view kBodyTooLarge = "body_too_large";          // 413
inline constexpr std::string_view kItemsTooLarge = "items_too_large";        // 413 one call's items
inline constexpr std::string_view kHeadersTooLarge = "headers_too_large";    // 431
inline constexpr std::string_view kDuplicateReference = "duplicate_reference";  // 409 deposit
inline constexpr std::string_view kOverloaded = "overloaded";                // 429 queue full
inline constexpr std::string_view kRateLimited = "rate_limited";            // 429 per user
inline constexpr std::string_view kTooManyConnections = "too_many_connections";  // 503
inline constexpr std::string_view kOutcomeUnknown = "outcome_unknown";       // 503
inline constexpr std::string_view kPositionNotReached = "position_not_reached";  // 503
inline constexpr std::string_view kNotReady = "not_ready";                  // 503 /readyz while starting
inline constexpr std::string_view kWebhookNotFound = "webhook_not_found";  // 404
inline constexpr std::string_view kNoDeliverer = "no_webhook_deliverer";     // 503 api without one
inline constexpr std::string_view kInternal = "internal";                    // 500
}  // namespace problem_codes

// The HTTP status a problem code is answered with (a problem_codes:: one, or a rejection's from
// domain/rejection.h); 0 for no code of ours. The API reference reads it (api/openapi.cpp).
int problem_status(std::string_view code);

// The standard reason phrase of a status ("Not Found"), used as a problem's title.
std::string_view reason_phrase(int status);

// application/problem+json {type, title, status, detail, code}.
Response problem(int status, std::string_view code, std::string_view detail);
// The problem for a business rejection: its own code and status.
Response rejection_problem(Rejection rejection);
// 429 or 503 with Retry-After: 1.
Response retry_later(int status, std::string_view code, std::string_view detail);

// application/json; `write` fills in the members of one object.
Response json_response(int status, const std::function<void(JsonWriter&)>& write);
// application/json whose body is already encoded (a cached page).
Response json_response(int status, std::string body);

}  // namespace microjobs
