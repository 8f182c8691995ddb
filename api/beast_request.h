#pragma once
// A Beast request as the API's Request: header names lowered, the first of repeated headers
// kept, the body moved. Included by the server (server.cpp) and the HTTP fuzz target
// (tests/fuzz/http_fuzz.cpp) only, so that what the fuzzer feeds handle() is what the server does.
#include <algorithm>
#include <boost/beast/http.hpp>
#include <cctype>
#include <string>

#include "api/http.h"

namespace microjobs {

inline Request to_request(boost::beast::http::request<boost::beast::http::string_body>& beast_request) {
  Request request;
  request.method = std::string(beast_request.method_string());
  request.target = std::string(beast_request.target());
  for (const auto& field : beast_request) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.headers.emplace(std::move(name), std::string(field.value()));
  }
  request.body = std::move(beast_request.body());
  return request;
}

}  // namespace microjobs
