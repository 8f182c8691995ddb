#include "infra/webhook/webhook_url.h"

#include "infra/webhook/address_rule.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace microjobs {
namespace {

namespace asio = boost::asio;

bool private_v4(const asio::ip::address_v4& address) {
  const auto b = address.to_bytes();
  return b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224 ||  // this, private, loopback, multicast+
         (b[0] == 100 && (b[1] & 0xc0) == 64) ||                     // 100.64/10 carrier-grade NAT
         (b[0] == 169 && b[1] == 254) ||                             // link-local, cloud metadata
         (b[0] == 172 && (b[1] & 0xf0) == 16) ||                     // 172.16/12
         (b[0] == 192 && b[1] == 168) ||                             // 192.168/16
         (b[0] == 192 && b[1] == 0 && b[2] == 0) ||                  // 192.0.0/24 protocol assignments
         (b[0] == 198 && (b[1] & 0xfe) == 18);                       // 198.18/15 benchmarking
}

// The IPv4 address in bytes [at, at + 4) of an IPv6 address.
asio::ip::address_v4 embedded_v4(const asio::ip::address_v6::bytes_type& b, std::size_t at) {
  return asio::ip::address_v4({b[at], b[at + 1], b[at + 2], b[at + 3]});
}

bool private_address(const asio::ip::address& address) {
  if (address.is_v4()) return private_v4(address.to_v4());
  const asio::ip::address_v6 v6 = address.to_v6();
  const auto b = v6.to_bytes();
  auto starts = [&](std::initializer_list<unsigned char> prefix) {
    return std::equal(prefix.begin(), prefix.end(), b.begin());
  };
  // Forms that carry an IPv4 address, which decides: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::.
  if (v6.is_v4_mapped() || starts({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})) return private_v4(embedded_v4(b, 12));
  if (starts({0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) return private_v4(embedded_v4(b, 12));
  if (starts({0x20, 0x02})) return private_v4(embedded_v4(b, 2));
  return v6.is_unspecified() || v6.is_loopback() || v6.is_link_local() || v6.is_site_local() ||
         v6.is_multicast() || (b[0] & 0xfe) == 0xfc ||  // fc00::/7 unique local
         starts({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}) ||  // 64:ff9b:1::/48 local-use NAT64
         starts({0x20, 0x01, 0x00, 0x00});                // 2001::/32 Teredo: hides an IPv4 address
}

}  // namespace

Result<WebhookTarget> parse_webhook_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Error{"not an absolute URL: " + parsed.error().message()};
  WebhookTarget target;
  if (parsed->scheme() == "https") {
    target.tls = true;
  } else if (parsed->scheme() != "http") {
    return Error{"the scheme must be http or https"};
  }
  if (parsed->has_userinfo()) return Error{"a webhook URL may not carry a user or password"};
  if (parsed->has_fragment()) return Error{"a webhook URL may not have a #fragment"};
  target.host = parsed->encoded_host_address();
  if (target.host.size() > 2 && target.host.front() == '[') target.host = target.host.substr(1, target.host.size() - 2);
  if (target.host.empty()) return Error{"the URL has no host"};
  target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
  target.target = std::string(parsed->encoded_resource());
  if (target.target.empty() || target.target.front() != '/') target.target = "/" + target.target;
  return target;
}

bool is_private_address(const asio::ip::address& address) { return private_address(address); }

bool is_private_address(std::string_view ip) {
  boost::system::error_code error;
  auto address = asio::ip::make_address(std::string(ip), error);
  if (!error) return private_address(address);
  // The forms inet_aton also reads, which a resolver would turn into an address: 2130706433,
  // 0x7f.1, 127.1.
  in_addr v4{};
  if (inet_aton(std::string(ip).c_str(), &v4) != 0) {
    return private_v4(asio::ip::address_v4(ntohl(v4.s_addr)));
  }
  return false;
}

std::string refused_webhook_host(const WebhookTarget& target, bool allow_private) {
  if (allow_private) return "";
  std::string host = target.host;
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host.ends_with(".localhost") || is_private_address(host)) {
    return target.host + " is a private or loopback address: webhooks go to public addresses only";
  }
  return "";
}

}  // namespace microjobs
