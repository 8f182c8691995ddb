#include "api/problem.h"

#include <utility>

#include "domain/rejection.h"

namespace microjobs {
namespace {

// The status each problem code of problem.h is answered with.
constexpr std::pair<std::string_view, int> kProblemStatuses[] = {
    {problem_codes::kNotFound, 404},          {problem_codes::kMethodNotAllowed, 405},
    {problem_codes::kUnauthorized, 401},      {problem_codes::kInvalidToken, 401},
    {problem_codes::kForbidden, 403},         {problem_codes::kMalformedJson, 400},
    {problem_codes::kInvalidField, 400},      {problem_codes::kMissingField, 400},
    {problem_codes::kUnknownField, 400},      {problem_codes::kInvalidHeader, 400},
    {problem_codes::kInvalidQuery, 400},      {problem_codes::kBadRequest, 400},
    {problem_codes::kBodyTooLarge, 413},      {problem_codes::kItemsTooLarge, 413},
    {problem_codes::kHeadersTooLarge, 431},   {problem_codes::kDuplicateReference, 409},
    {problem_codes::kOverloaded, 429},        {problem_codes::kOutcomeUnknown, 503},
    {problem_codes::kPositionNotReached, 503}, {problem_codes::kNoDeliverer, 503},
    {problem_codes::kWebhookNotFound, 404},   {problem_codes::kInternal, 500},
    {problem_codes::kRateLimited, 429},       {problem_codes::kTooManyConnections, 503},
    {problem_codes::kNotReady, 503},
};

constexpr Rejection kRejections[] = {
#define MICROJOBS_REJECTION_VALUE(code, status, detail) Rejection::code,
    MICROJOBS_REJECTIONS(MICROJOBS_REJECTION_VALUE)
#undef MICROJOBS_REJECTION_VALUE
};

}  // namespace

int problem_status(std::string_view code) {
  for (const auto& [name, status] : kProblemStatuses) {
    if (name == code) return status;
  }
  for (Rejection rejection : kRejections) {
    if (rejection_code(rejection) == code) return rejection_http_status(rejection);
  }
  return 0;
}


std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

Response problem(int status, std::string_view code, std::string_view detail) {
  Response response;
  response.status = status;
  response.headers["Content-Type"] = "application/problem+json";
  JsonWriter json(response.body);
  json.begin_object();
  json.field("type", "https://microjobs.dev/problems/" + std::string(code));
  json.field("title", reason_phrase(status));
  json.field("status", std::int64_t{status});
  json.field("detail", detail);
  json.field("code", code);
  json.end_object();
  return response;
}

Response rejection_problem(Rejection rejection) {
  return problem(rejection_http_status(rejection), rejection_code(rejection),
                 rejection_detail(rejection));
}

Response retry_later(int status, std::string_view code, std::string_view detail) {
  Response response = problem(status, code, detail);
  response.headers["Retry-After"] = "1";
  return response;
}

Response json_response(int status, const std::function<void(JsonWriter&)>& write) {
  Response response = json_response(status, std::string());
  JsonWriter json(response.body);
  json.begin_object();
  write(json);
  json.end_object();
  return response;
}

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers["Content-Type"] = "application/json";
  response.body = std::move(body);
  return response;
}

}  // namespace microjobs
