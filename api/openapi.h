#pragma once
// The API reference, generated from the route table (api/routes.h) and the open endpoints:
// OpenAPI 3.1 (served at GET /openapi.json) and Markdown (api/reference.md, written by
// `microjobs reference`; tests/api/reference_test.cpp fails when the file is not what the table
// gives).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/routes.h"

namespace microjobs {

// Every problem code `route` may answer, in a stable order: those every route of its kind may
// answer (401, a body's 400s, a command's 422/429/503...), then its own.
std::vector<std::string_view> route_errors(const Route& route);
// The same, by HTTP status in ascending order.
std::map<int, std::vector<std::string_view>> errors_by_status(const Route& route);

// A route's pattern as the reference writes it: "/v1/tasks/{}/claims" -> "/v1/tasks/{id}/claims".
std::string documented_path(std::string_view pattern);

const std::string& openapi_json();
std::string api_reference_markdown();

}  // namespace microjobs
