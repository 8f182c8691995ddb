#pragma once
// Inside the API: what a route handler gets, and the handlers themselves. handle() (handle.cpp)
// matches the route, authenticates, waits for X-Min-Position, and then calls one of these;
// write_handlers.cpp turns requests into commands, read_handlers.cpp answers from ReadModels.
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "api/http.h"
#include "domain/ids.h"
#include "projections/views.h"

namespace microjobs {

class JsonWriter;
class ReadModels;

// One authenticated request on its way through a handler. Lives only during the handler's
// synchronous part: a handler that sends a command copies what the reply needs.
struct Call {
  const Request& request;
  ApiContext& context;
  Principal principal;
  std::vector<std::string> params;  // the path's {id} segments, in order
  std::string_view query;           // after '?', undecoded
  CommandId command_id;             // the client's {sub, Idempotency-Key}; no key: not remembered
  Done done;
};

void put_user(Call& call);
void post_erasure(Call& call);
void post_deposit(Call& call);
void post_task(Call& call);
void post_claim(Call& call);
void post_reviews(Call& call);
void delete_block(Call& call);
void post_webhook(Call& call);
// The claim commands are table entries: claim_command<...> in api/command_route.h.

void get_feed(Call& call);
void get_task(Call& call);
void get_account(Call& call);
void get_reputation(Call& call);
void get_user(Call& call);
void get_withdrawal(Call& call);
void get_submissions(Call& call);
void get_claim(Call& call);
void get_blocks(Call& call);
void get_worker_claims(Call& call);

void get_items(Call& call);
void get_statement(Call& call);
void get_employer_tasks(Call& call);
void post_items(Call& call);
void get_webhook_deliveries(Call& call);

// Shared by the handlers: the 403 for a missing role or someone else's resource.
Response forbidden(std::string_view detail);
// "item": {number, ref, data} of a claim on a per_item task (ref and data null if the read models
// do not have the item yet), or null for `number` 0.
void write_claim_item(JsonWriter& json, ReadModels& models, const TaskId& task,
                      std::int64_t number);
// The same with the item already read (nullopt: not in the read models yet).
void write_claim_item(JsonWriter& json, std::int64_t number, const std::optional<ItemView>& item);

}  // namespace microjobs
