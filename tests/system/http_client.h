#pragma once
// A small blocking HTTP/1.1 client over Beast for the end-to-end tests: one keep-alive
// connection to 127.0.0.1:port. Beast lives in http_client.cpp only.
#include <map>
#include <memory>
#include <string>

namespace microjobs::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  // Sends raw bytes and reads one response (for oversized bodies and headers).
  HttpResult raw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace microjobs::testing
