// The only file that includes Beast and Asio (about 18 s and 720 MB to compile). Modelled on
// Beast's advanced server: one session class that reads, hands over, and writes.
#include "api/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/beast_request.h"
#include "api/problem.h"

namespace microjobs {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

// After a response that closes the connection, unread request bytes are drained for this long
// before the socket closes, so that the client reads the response instead of a reset.
constexpr std::chrono::seconds kLingerTime{2};
// How long the destructor waits for the command bus to answer requests still in flight.
constexpr std::chrono::seconds kInFlightDrainTime{10};
// After a failed accept (out of file descriptors, most often), the acceptor rests this long
// rather than spin on the same error.
constexpr std::chrono::milliseconds kAcceptPause{100};
// File descriptors kept beyond the connection limit for the logs, RocksDB and Kafka.
constexpr rlim_t kSpareFiles = 1024;

// Raises the soft limit of open files as far as the connection limit needs (and the hard limit
// allows); warns when connections would run out of descriptors before reaching the limit.
void fit_open_file_limit(std::size_t connection_limit) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(connection_limit) + kSpareFiles;
  if (limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < wanted) {
    spdlog::warn("http: {} open files allowed (ulimit -n), fewer than --max-connections {} needs",
                 static_cast<unsigned long long>(limit.rlim_cur), connection_limit);
  }
}

// Counts the requests handed to handle() and not yet answered. Their answers hold sessions, and
// a session must die before the io_context it lives on; the server's destructor waits for them.
struct Lifeline {
  std::mutex mutex;
  std::condition_variable idle;
  bool accepting = true;  // false once the io_context is about to go
  std::size_t in_flight = 0;
  std::atomic<std::size_t> connections{0};  // sessions alive, refused ones included

  void begin() {
    std::lock_guard lock(mutex);
    ++in_flight;
  }
  void finish() {
    std::lock_guard lock(mutex);
    if (--in_flight == 0) idle.notify_all();
  }
  // Stops deliveries and waits for the answers outstanding; false if some never came.
  bool close_and_wait(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex);
    accepting = false;
    return idle.wait_for(lock, timeout, [this] { return in_flight == 0; });
  }
};

bool ordinary_close(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == beast::error::timeout ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == http::error::end_of_stream;
}

void fail(const beast::error_code& ec, const char* what) {
  if (ordinary_close(ec)) return;
  spdlog::debug("http {}: {}", what, ec.message());
}

BeastResponse to_beast(Response response, unsigned version, bool keep_alive) {
  BeastResponse out{static_cast<http::status>(response.status), version};
  out.set(http::field::server, "microjobs");
  for (auto& [name, value] : response.headers) out.set(name, value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

// One connection. Every member function runs on the session's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ApiContext& context, std::shared_ptr<Lifeline> lifeline)
      : stream_(std::move(socket)), context_(context), lifeline_(std::move(lifeline)) {
    lifeline_->connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~Session() { lifeline_->connections.fetch_sub(1, std::memory_order_relaxed); }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // Answers 503 at once and closes: the server holds as many connections as it may.
  void refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->reject(503, problem_codes::kTooManyConnections,
                   "the server holds " + std::to_string(self->config().connection_limit) +
                       " connections, its limit; retry later");
    });
  }

  // Called by handle()'s callback, on any thread: hops onto the strand unless the server is
  // going away.
  void deliver(std::uint64_t sequence, Response response) {
    std::lock_guard lock(lifeline_->mutex);
    if (!lifeline_->accepting) return;
    net::post(stream_.get_executor(),
              [self = shared_from_this(), sequence, response = std::move(response)]() mutable {
                self->on_handled(sequence, std::move(response));
              });
  }

 private:
  // A response slot per request read, in request order; filled when handle() answers.
  struct Slot {
    std::uint64_t sequence = 0;
    unsigned version = 11;
    bool keep_alive = true;
    std::optional<BeastResponse> response;
  };

  // Keeps the session alive until handle() has answered, and tells the lifeline when that
  // answer (and with it the session reference) is gone.
  class InFlight {
   public:
    explicit InFlight(std::shared_ptr<Session> session) : session_(std::move(session)) {
      session_->lifeline_->begin();
    }
    ~InFlight() {
      std::shared_ptr<Lifeline> lifeline = session_->lifeline_;
      session_.reset();
      lifeline->finish();
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    Session& session() { return *session_; }

   private:
    std::shared_ptr<Session> session_;
  };

  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void start_handling(BeastRequest beast_request);
  void reject(int status, std::string_view code, std::string_view detail);
  void on_handled(std::uint64_t sequence, Response response);
  void maybe_write();
  void on_write(bool close, beast::error_code ec, std::size_t bytes);
  void linger();
  void on_linger(beast::error_code ec, std::size_t bytes);

  const ApiConfig& config() const { return context_.config; }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ApiContext& context_;
  std::shared_ptr<Lifeline> lifeline_;
  std::deque<Slot> slots_;
  std::uint64_t next_sequence_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool read_closed_ = false;  // no more requests will be read on this connection
  std::vector<char> drain_;
};

void Session::do_read() {
  // Pipelined requests beyond the limit wait in the socket until responses have gone out.
  if (reading_ || read_closed_ || slots_.size() >= std::max<std::size_t>(1, config().pipeline_limit)) {
    return;
  }
  parser_.emplace();
  parser_->body_limit(config().body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(config().header_limit));
  stream_.expires_after(config().request_timeout);
  reading_ = true;
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec == http::error::body_limit) {
    return reject(413, problem_codes::kBodyTooLarge,
                  "the body exceeds " + std::to_string(config().body_limit) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return reject(431, problem_codes::kHeadersTooLarge,
                  "the headers exceed " + std::to_string(config().header_limit) + " bytes");
  }
  if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return reject(400, problem_codes::kBadRequest, "malformed HTTP request: " + ec.message());
  }
  if (ec) {
    read_closed_ = true;
    fail(ec, "read");
    if (slots_.empty()) stream_.socket().close(ec);
    return;
  }
  const auto& header = parser_->get().base();
  if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) >
      config().header_count_limit) {
    return reject(431, problem_codes::kHeadersTooLarge,
                  "more than " + std::to_string(config().header_count_limit) + " header fields");
  }
  start_handling(parser_->release());
  do_read();
}

void Session::start_handling(BeastRequest beast_request) {
  Slot& slot = slots_.emplace_back();
  slot.sequence = next_sequence_++;
  slot.version = beast_request.version();
  slot.keep_alive = beast_request.keep_alive();
  if (!slot.keep_alive) read_closed_ = true;
  auto in_flight = std::make_shared<InFlight>(shared_from_this());
  handle(to_request(beast_request), context_,
         [in_flight, sequence = slot.sequence](Response response) {
           in_flight->session().deliver(sequence, std::move(response));
         });
}

void Session::reject(int status, std::string_view code, std::string_view detail) {
  // The parser cannot resynchronise after these errors: answer, then close.
  read_closed_ = true;
  Slot& slot = slots_.emplace_back();
  slot.sequence = next_sequence_++;
  slot.keep_alive = false;
  if (parser_ && parser_->is_header_done()) slot.version = parser_->get().version();
  Response response = problem(status, code, detail);
  if (status == 503) response.headers["Retry-After"] = "1";
  slot.response = to_beast(std::move(response), slot.version, false);
  maybe_write();
}

void Session::on_handled(std::uint64_t sequence, Response response) {
  if (slots_.empty() || sequence < slots_.front().sequence) return;  // the connection failed
  Slot& slot = slots_[sequence - slots_.front().sequence];
  slot.response = to_beast(std::move(response), slot.version, slot.keep_alive);
  maybe_write();
}

void Session::maybe_write() {
  if (writing_ || slots_.empty() || !slots_.front().response) return;
  writing_ = true;
  bool close = !slots_.front().keep_alive;
  stream_.expires_after(config().request_timeout);
  http::async_write(stream_, *slots_.front().response,
                    beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
}

void Session::on_write(bool close, beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) {
    read_closed_ = true;
    slots_.clear();
    return fail(ec, "write");
  }
  slots_.pop_front();
  if (close || (read_closed_ && slots_.empty() && !reading_)) return linger();
  maybe_write();
  do_read();  // resumes reading if the pipeline limit had paused it
}

void Session::linger() {
  read_closed_ = true;
  slots_.clear();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    stream_.socket().close(ec);
    return;
  }
  drain_.resize(16 * 1024);
  stream_.expires_after(kLingerTime);
  stream_.async_read_some(net::buffer(drain_),
                          beast::bind_front_handler(&Session::on_linger, shared_from_this()));
}

void Session::on_linger(beast::error_code ec, std::size_t) {
  if (ec) {
    // End of stream, the linger time passed (the stream closed the socket), or a reset.
    stream_.socket().close(ec);
    return;
  }
  stream_.async_read_some(net::buffer(drain_),
                          beast::bind_front_handler(&Session::on_linger, shared_from_this()));
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(ApiContext& context_in)
      : context(context_in),
        io_context(std::make_unique<net::io_context>(std::max(1, context_in.config.io_threads))) {}
  ~Impl();

  void do_accept();
  Status listen(std::string_view address, std::uint16_t port);
  void stop();

  ApiContext& context;
  std::unique_ptr<net::io_context> io_context;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_pause;
  std::vector<std::thread> threads;
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();
  bool started = false;
};

HttpServer::Impl::~Impl() {
  stop();
  // Sessions held by the command bus's pending answers must be released before the io_context
  // goes; a bus that never answers would leave them dangling, so the io_context is leaked then.
  if (!lifeline->close_and_wait(kInFlightDrainTime)) {
    spdlog::error("http: requests still unanswered at shutdown; leaking the io_context");
    acceptor.reset();
    accept_pause.reset();
    (void)io_context.release();  // deliberately leaked: see above
  }
}

void HttpServer::Impl::do_accept() {
  acceptor->async_accept(net::make_strand(*io_context), [this](beast::error_code ec,
                                                                tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("http: accept: {}; pausing {} ms", ec.message(), kAcceptPause.count());
      accept_pause->expires_after(kAcceptPause);
      accept_pause->async_wait([this](beast::error_code wait_error) {
        if (!wait_error) do_accept();
      });
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), context, lifeline);
    // The new session counts itself: more than the limit means the limit was already reached.
    if (lifeline->connections.load(std::memory_order_relaxed) > context.config.connection_limit) {
      session->refuse();
    } else {
      session->run();
    }
    do_accept();
  });
}

Status HttpServer::Impl::listen(std::string_view address, std::uint16_t port) {
  beast::error_code ec;
  auto ip = net::ip::make_address(std::string(address), ec);
  if (ec) return Error{"bad listen address " + std::string(address) + ": " + ec.message()};
  tcp::endpoint endpoint{ip, port};
  acceptor.emplace(net::make_strand(*io_context));
  accept_pause.emplace(acceptor->get_executor());
  if (!acceptor->open(endpoint.protocol(), ec) &&
      !acceptor->set_option(net::socket_base::reuse_address(true), ec) &&
      !acceptor->bind(endpoint, ec) &&
      !acceptor->listen(net::socket_base::max_listen_connections, ec)) {
    return ok_status();
  }
  return Error{"cannot listen on " + std::string(address) + ":" + std::to_string(port) + ": " +
               ec.message()};
}

void HttpServer::Impl::stop() {
  if (!started) return;
  started = false;
  io_context->stop();
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  beast::error_code ec;
  if (acceptor) acceptor->close(ec);
}

HttpServer::HttpServer(ApiContext& context) : impl_(std::make_unique<Impl>(context)) {}

HttpServer::~HttpServer() = default;

Result<std::uint16_t> HttpServer::start(std::string_view address, std::uint16_t port) {
  if (impl_->started || impl_->acceptor) return Error{"the server was started before"};
  if (impl_->context.config.jwt_secret.empty()) return Error{"the JWT secret is empty"};
  if (impl_->context.config.dev_secret) {
    spdlog::warn("http: using the development JWT secret; set a real one outside development");
  }
  fit_open_file_limit(impl_->context.config.connection_limit);
  MJ_RETURN_IF_ERROR(impl_->listen(address, port));
  std::uint16_t bound = impl_->acceptor->local_endpoint().port();
  impl_->do_accept();
  impl_->started = true;
  for (int i = 0; i < std::max(1, impl_->context.config.io_threads); ++i) {
    impl_->threads.emplace_back([io_context = impl_->io_context.get()] {
      try {
        io_context->run();
      } catch (const std::exception& error) {
        spdlog::error("http: io thread stopped: {}", error.what());
      }
    });
  }
  spdlog::info("http: listening on {}:{}", address, bound);
  return bound;
}

void HttpServer::stop() { impl_->stop(); }

}  // namespace microjobs
