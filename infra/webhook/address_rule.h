#pragma once
// The private-address rule of webhook_url.h for an address already parsed (the deliverer checks
// every address a name resolves to). Apart from webhook_url.h so that the API, which only checks
// text, does not include Asio.
#include <boost/asio/ip/address.hpp>

namespace microjobs {

bool is_private_address(const boost::asio::ip::address& address);

}  // namespace microjobs
