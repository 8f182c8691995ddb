#include "api/problem.h"

namespace microjobs {

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
  Response response;
  response.status = status;
  response.headers["Content-Type"] = "application/json";
  JsonWriter json(response.body);
  json.begin_object();
  write(json);
  json.end_object();
  return response;
}

}  // namespace microjobs
