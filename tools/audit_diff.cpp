#include "tools/audit_diff.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <thread>

namespace microjobs {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

constexpr std::chrono::seconds kTimeout{10};
constexpr int kMaxRateLimitedWaits = 60;

// GETs over one keep-alive connection; each answer's JSON body, or nullopt with `error` set.
class NodeReader {
 public:
  NodeReader(std::string host, std::string port, std::string token)
      : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)) {}

  Status connect() {
    beast::error_code error;
    auto endpoints = tcp::resolver(io_).resolve(host_, port_, error);
    if (error) return Error{"cannot resolve " + host_ + ": " + error.message()};
    stream_.expires_after(kTimeout);
    stream_.connect(endpoints, error);
    if (error) return Error{"cannot connect to " + host_ + ":" + port_ + ": " + error.message()};
    return Ok{};
  }

  // The body of a 200 as JSON; nullopt for a 404; an error otherwise. A 429 (the node's rate
  // limit per user) is waited out as its Retry-After says, up to kMaxRateLimitedWaits times: a
  // diff reads every account and task, far beyond one user's burst.
  Result<std::optional<json::value>> get(const std::string& target) {
    http::response<http::string_body> response;
    for (int waits = 0;; ++waits) {
      beast::error_code error;
      response = exchange(target, error);
      if (error) return Error{"GET " + target + ": " + error.message()};
      if (response.result() != http::status::too_many_requests || waits == kMaxRateLimitedWaits) break;
      std::this_thread::sleep_for(retry_after(response));
    }
    if (response.result_int() == 404) return std::optional<json::value>{};
    if (response.result_int() != 200) {
      return Error{"GET " + target + ": " + std::to_string(response.result_int()) + " " + response.body()};
    }
    boost::system::error_code malformed;
    json::value body = json::parse(response.body(), malformed);
    if (malformed) return Error{"GET " + target + ": not JSON"};
    return std::optional<json::value>{std::move(body)};
  }

 private:
  http::response<http::string_body> exchange(const std::string& target, beast::error_code& error) {
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, host_);
    request.set(http::field::authorization, "Bearer " + token_);
    stream_.expires_after(kTimeout);
    http::write(stream_, request, error);
    http::response<http::string_body> response;
    if (!error) http::read(stream_, buffer_, response, error);
    return response;
  }

  // Whole seconds as the node sends them, within 1..10.
  static std::chrono::seconds retry_after(const http::response<http::string_body>& response) {
    int seconds = 1;
    const auto header = response[http::field::retry_after];
    std::from_chars(header.data(), header.data() + header.size(), seconds);
    return std::chrono::seconds(std::clamp(seconds, 1, 10));
  }

  boost::asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  std::string host_, port_, token_;
};

std::string member(const json::value& body, const char* name) {
  if (!body.is_object()) return "<not an object>";
  const json::value* value = body.as_object().if_contains(name);
  if (value == nullptr) return "<absent>";
  return value->is_string() ? std::string(value->as_string()) : json::serialize(*value);
}

void compare(std::vector<std::string>& diffs, const std::string& what, const std::string& log,
             const std::string& node) {
  if (log != node) diffs.push_back("DIFF " + what + " log=" + log + " node=" + node);
}

// Every user's three buckets and the shared accounts.
Status diff_accounts(const AuditReport& report, NodeReader& node, std::vector<std::string>& diffs) {
  std::set<std::string> users;
  for (const auto& [account, balance] : report.balances) {
    if (auto user = accounts::parse_user_account(account)) users.emplace(user->user);
  }
  auto balance_of = [&](const std::string& account) {
    auto it = report.balances.find(account);
    return format_money(Micros{it == report.balances.end() ? 0 : it->second});
  };
  for (const std::string& user : users) {
    auto body = node.get("/v1/accounts/" + user);
    if (!body.ok()) return body.error();
    if (!*body) {
      diffs.push_back("DIFF user " + user + " is not on the node");
      continue;
    }
    for (const char* bucket : {"available", "escrow", "pending_withdrawal"}) {
      const std::string account = "user:" + user + ":" + bucket;
      compare(diffs, account, balance_of(account), member(**body, bucket));
    }
  }
  for (std::string_view shared : {accounts::kPlatformFees, accounts::kClearingPayouts,
                                  accounts::kWorldDeposits, accounts::kWorldWithdrawals}) {
    auto body = node.get("/v1/accounts/" + std::string(shared));
    if (!body.ok()) return body.error();
    compare(diffs, std::string(shared), balance_of(std::string(shared)), *body ? member(**body, "balance") : "<absent>");
  }
  return Ok{};
}

Status diff_tasks(const AuditReport& report, NodeReader& node, std::vector<std::string>& diffs) {
  for (const auto& [id, task] : report.tasks) {
    auto body = node.get("/v1/tasks/" + id.value);
    if (!body.ok()) return body.error();
    if (!*body) {
      diffs.push_back("DIFF task " + id.value + " is not on the node");
      continue;
    }
    const std::string what = "task " + id.value + " ";
    compare(diffs, what + "status", std::string(task_status_name(task.status)), member(**body, "status"));
    compare(diffs, what + "slots", std::to_string(task.slots), member(**body, "slots"));
    compare(diffs, what + "claimed", std::to_string(task.claimed), member(**body, "claimed"));
    compare(diffs, what + "submitted", std::to_string(task.submitted), member(**body, "submitted"));
    compare(diffs, what + "approved", std::to_string(task.approved), member(**body, "approved"));
    compare(diffs, what + "rejected", std::to_string(task.rejected), member(**body, "rejected"));
  }
  return Ok{};
}

// Every user a submission or review concerns: what the reputation read model counts.
Status diff_reputations(const AuditReport& report, NodeReader& node, std::vector<std::string>& diffs) {
  for (const auto& [user, counted] : report.reputations) {
    auto body = node.get("/v1/users/" + user.value + "/reputation");
    if (!body.ok()) return body.error();
    if (!*body) {
      diffs.push_back("DIFF reputation of " + user.value + " is not on the node");
      continue;
    }
    const std::string what = "reputation " + user.value + " ";
    const std::pair<const char*, std::int64_t> fields[] = {
        {"submitted", counted.submitted},         {"approved", counted.approved},
        {"rejected", counted.rejected},           {"reviews_given", counted.reviews_given},
        {"approvals_given", counted.approvals_given}, {"rejections_given", counted.rejections_given}};
    for (const auto& [name, value] : fields) compare(diffs, what + name, std::to_string(value), member(**body, name));
  }
  return Ok{};
}

}  // namespace

Result<std::vector<std::string>> diff_with_node(const AuditReport& report, const std::string& url,
                                                const std::string& token) {
  constexpr std::string_view kScheme = "http://";
  std::string_view rest = url;
  if (!rest.starts_with(kScheme)) return Error{"--diff must be http://host:port"};
  rest.remove_prefix(kScheme.size());
  while (rest.ends_with('/')) rest.remove_suffix(1);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Error{"--diff must be http://host:port"};
  NodeReader node(std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1)), token);
  MJ_RETURN_IF_ERROR(node.connect());
  std::vector<std::string> diffs;
  MJ_RETURN_IF_ERROR(diff_accounts(report, node, diffs));
  MJ_RETURN_IF_ERROR(diff_tasks(report, node, diffs));
  MJ_RETURN_IF_ERROR(diff_reputations(report, node, diffs));
  return diffs;
}

}  // namespace microjobs
