#pragma once
// The route table: every endpoint behind authentication, with its handler and its reference
// (api/route_doc.h). handle() dispatches on it; /openapi.json and api/reference.md are generated
// from it. Adding an endpoint is one entry in routes.cpp.
#include <string_view>
#include <vector>

#include "api/route_doc.h"

namespace microjobs {

struct Call;
using Handler = void (*)(Call&);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "{}" matches one non-empty path segment
  Handler handler;
  RouteDoc doc;
};

// In match order; built once.
const std::vector<Route>& routes();

}  // namespace microjobs
