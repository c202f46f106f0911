// A TCP proxy on 127.0.0.1 that forwards each connection to a port on 127.0.0.1 and injects faults into it at
// random: delays, dropped connections, truncation and resets, both ways. It passes the bytes through untouched (TLS
// stays end to end: the client still checks the collector's pin) and only reads the TLS record headers, to know
// when a whole request has gone to the target and its answer is coming back. Each exchange (what goes toward the
// target until bytes come back, and those bytes) gets a plan drawn from a seeded generator, so a seed gives the
// same sequence of plans; which exchange meets which depends on timing.
//
// [SECTION] What it injects, and counts
// [SECTION] TLS records, seen from outside
// [SECTION] The proxy
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

namespace tsunagi::testing {

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] What it injects, and counts
// ---------------------------------------------------------------------------------------------------------------

// What a FaultProxy injected, counted when it landed: a cut planned past the last byte a connection carried is not.
struct FaultCounts {
  int connections = 0;       // accepted
  int delays = 0;            // chunks held back for 2-60 ms before they were forwarded
  int drops = 0;             // connections closed (FIN) before an exchange was forwarded, or between its chunks
  int truncations = 0;       // a request or an answer forwarded in part, then the connection closed (FIN)
  int resets = 0;            // connections closed with RST (SO_LINGER 0), before an exchange or in the middle of one
  int answers_withheld = 0;  // the target answered a whole request and the answer was not delivered (also counted
                             // as a truncation or a reset): the case where the collector committed and the client
                             // never heard
  int faults() const { return delays + drops + truncations + resets; }
};

// What happens to one exchange of a connection: the bytes that go toward the target until the target's bytes come
// back, and those (a TLS handshake's flights, a request and its answer). How it ends, when it does not end by
// itself, and how it is slowed.
enum class ProxyCut {
  None,
  AtStart,  // before anything of the exchange is forwarded (on a new connection, the target is not even dialled)
  AtChunk,  // after `at_chunk` chunks of the exchange were forwarded, either way: a drop between writes
  AtByte,   // after `at_byte` bytes of the exchange went `toward_target` or back: a cut inside a chunk
  Answer,   // once a whole request went to the target: its answer is read and not forwarded
};

struct ProxyPlan {
  ProxyCut cut = ProxyCut::None;
  bool reset = false;         // close with RST, else FIN
  bool toward_target = true;  // AtByte: which way is cut
  std::int64_t at_byte = 0;   // AtByte
  int at_chunk = 0;           // AtChunk
  int delayed_chunks = 0;     // the exchange's first chunks (either way) wait `delay_ms` each before they go
  int delay_ms = 0;
};

// Draws one exchange's plan: `fault_percent` of exchanges meet a cut (drops, truncations and resets at the start,
// inside a request or an answer, or of a whole answer), a fifth are slowed, the rest pass clean.
inline ProxyPlan draw_plan(std::mt19937_64& random, int fault_percent) {
  auto below = [&random](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
  ProxyPlan plan;
  if (below(100) < 20) {
    plan.delayed_chunks = 1 + below(2);
    plan.delay_ms = 2 + below(59);
  }
  if (below(100) >= fault_percent) return plan;
  const int kind = below(100);
  plan.reset = below(2) == 0;
  if (kind < 25) {
    plan.cut = ProxyCut::AtStart;
  } else if (kind < 40) {
    plan.cut = ProxyCut::AtChunk;
    plan.reset = false;
    plan.at_chunk = 1 + below(4);
  } else if (kind < 70) {
    plan.cut = ProxyCut::AtByte;
    plan.toward_target = below(2) == 0;
    // Toward the collector: a ClientHello, a Finished, a request (a push of a few records is 1-3 KB gzipped). Back:
    // the handshake flight (about 1.5 KB), an answer (a page of records is a few KB).
    plan.at_byte = plan.toward_target ? below(2000) : below(3000);
  } else {
    plan.cut = ProxyCut::Answer;
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] TLS records, seen from outside
// ---------------------------------------------------------------------------------------------------------------

// Follows the record layer of one direction of a TLS stream (5-byte headers: content type, version, length)
// without decrypting anything.
class TlsRecordWatch {
 public:
  // Feeds the next bytes of the stream; returns whether an application-data record (type 23) of at least
  // `min_length` bytes ended in them. A request's head is one such record of over 100 bytes (a TLS 1.3 Finished,
  // also type 23 on the wire, is 53); session tickets and alerts are shorter or of another type.
  bool feed(const char* data, std::size_t size, std::size_t min_length) {
    bool ended = false;
    while (size > 0) {
      if (header_have_ < sizeof header_) {
        std::size_t take = std::min(size, sizeof header_ - header_have_);
        std::copy(data, data + take, header_ + header_have_);
        header_have_ += take;
        data += take;
        size -= take;
        if (header_have_ == sizeof header_) body_left_ = (std::size_t{header_[3]} << 8) | header_[4];
      } else {
        std::size_t take = std::min(size, body_left_);
        body_left_ -= take;
        data += take;
        size -= take;
      }
      if (header_have_ == sizeof header_ && body_left_ == 0) {
        std::size_t length = (std::size_t{header_[3]} << 8) | header_[4];
        if (header_[0] == 23 && length >= min_length) ended = true;
        header_have_ = 0;
      }
    }
    return ended;
  }

 private:
  unsigned char header_[5] = {};
  std::size_t header_have_ = 0;
  std::size_t body_left_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The proxy
// ---------------------------------------------------------------------------------------------------------------

// Listens on 127.0.0.1 (an ephemeral port) from construction to destruction and forwards every connection to
// 127.0.0.1:`target_port`, one thread per connection. Each exchange of a connection gets a plan of its own (a kept-
// alive connection carries many), drawn from one generator seeded with `seed`. Every wait is bounded: a write that
// cannot finish in 2 s, or an answer held back for more than 1 s, ends its connection. Destruction stops accepting,
// closes every socket and joins every thread within about 100 ms. counts() and set_faults() are thread-safe.
class FaultProxy {
 public:
  FaultProxy(int target_port, std::uint64_t seed, int fault_percent = 30)
      : target_port_(target_port), fault_percent_(fault_percent), random_(seed) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (listener_ >= 0) ::close(listener_);
      throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FaultProxy() {
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    ::close(listener_);
    std::list<std::unique_ptr<Connection>> left;
    {
      std::lock_guard<std::mutex> lock(mutex_);  // not held while joining: a connection's thread counts under it
      left.swap(connections_);
    }
    for (auto& connection : left) connection->thread.join();
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  FaultCounts counts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
  }
  // Off: exchanges that begin from now on pass untouched.
  void set_faults(bool on) { faults_on_ = on; }

 private:
  struct Connection {
    int client = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop() {
    while (!stopping_) {
      reap();
      pollfd entry{listener_, POLLIN, 0};
      if (::poll(&entry, 1, 50) <= 0) continue;
      int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      auto connection = std::make_unique<Connection>();
      connection->client = client;
      Connection* raw = connection.get();
      std::lock_guard<std::mutex> lock(mutex_);
      ++counts_.connections;
      raw->thread = std::thread([this, raw] {
        serve(raw->client);
        raw->done = true;
      });
      connections_.push_back(std::move(connection));
    }
  }

  // Joins the threads of connections that ended, so that a long trial does not keep thousands of them.
  void reap() {
    std::list<std::unique_ptr<Connection>> ended;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = connections_.begin(); it != connections_.end();) {
        auto next = std::next(it);
        if ((*it)->done) ended.splice(ended.end(), connections_, it);
        it = next;
      }
    }
    for (auto& connection : ended) connection->thread.join();
  }

  ProxyPlan next_plan() {
    if (!faults_on_) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    return draw_plan(random_, fault_percent_);
  }

  void count(int FaultCounts::*kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++(counts_.*kind);
  }

  static void close_socket(int fd, bool reset) {
    if (fd < 0) return;
    if (reset) {
      linger abort{1, 0};  // close with RST, not FIN
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    } else {
      ::shutdown(fd, SHUT_WR);  // FIN first, even if unread bytes make close() send RST after it
    }
    ::close(fd);
  }

  // Writes all of `size` bytes to the non-blocking `fd`, waiting at most 2 s; false when it cannot.
  bool write_all(int fd, const char* data, std::size_t size) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (size > 0) {
      ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
      if (written > 0) {
        data += written;
        size -= static_cast<std::size_t>(written);
        continue;
      }
      if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      if (stopping_ || std::chrono::steady_clock::now() > deadline) return false;
      pollfd entry{fd, POLLOUT, 0};
      ::poll(&entry, 1, 10);
    }
    return true;
  }

  // Sleeps `ms`, in steps that notice the proxy stopping.
  void pause(int ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stopping_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 5)));
  }

  int dial_target() const {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(target_port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
  }

  // Forwards one connection both ways on this thread until either side closes, a plan cuts it, or the proxy stops.
  void serve(int client) {
    int sides[2] = {client, -1};  // [0] the client, [1] the target; bytes read from [i] go to [1 - i]
    auto finish = [&sides](bool reset) {
      close_socket(sides[0], reset);
      close_socket(sides[1], reset);
    };
    ProxyPlan plan = next_plan();
    if (plan.cut == ProxyCut::AtStart) {
      count(plan.reset ? &FaultCounts::resets : &FaultCounts::drops);
      return finish(plan.reset);
    }
    sides[1] = dial_target();
    if (sides[1] < 0) return finish(true);  // the collector is not there: the client sees its connection refused
    for (int fd : sides) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    }

    TlsRecordWatch requests;  // the stream toward the target, across exchanges
    // The current exchange: it began with the first bytes toward the target after bytes came back.
    bool answering = false;              // bytes came back in this exchange
    std::int64_t forwarded[2] = {0, 0};  // bytes of it forwarded toward the target ([0]) and back ([1])
    int chunks = 0;                      // chunks of it forwarded, either way
    bool request_sent = false;           // a whole request of it went to the target
    std::int64_t withheld = 0;           // answer bytes read from the target and not forwarded
    auto last_withheld = std::chrono::steady_clock::now();
    auto hold_since = last_withheld;
    char buffer[16384];

    while (!stopping_) {
      if (withheld > 0) {
        // Holding an answer back: once the target has been quiet for 50 ms (the whole answer is in), or after 1 s,
        // the connection goes, and the client never hears it.
        auto now = std::chrono::steady_clock::now();
        if (now - last_withheld > std::chrono::milliseconds(50) || now - hold_since > std::chrono::seconds(1)) {
          count(plan.reset ? &FaultCounts::resets : &FaultCounts::truncations);
          count(&FaultCounts::answers_withheld);
          return finish(plan.reset);
        }
      }
      pollfd entries[2] = {{sides[0], POLLIN, 0}, {sides[1], POLLIN, 0}};
      if (::poll(entries, 2, 10) <= 0) continue;
      for (int from = 0; from < 2; ++from) {
        if (entries[from].revents == 0) continue;
        ssize_t n = ::read(sides[from], buffer, sizeof buffer);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
        if (n <= 0) return finish(false);  // one side closed: so does the other, as a plain proxy would
        const bool toward_target = from == 0;
        const int way = toward_target ? 0 : 1;
        const std::size_t size = static_cast<std::size_t>(n);

        if (toward_target && answering) {  // a new exchange: a new plan
          plan = next_plan();
          answering = false;
          forwarded[0] = forwarded[1] = 0;
          chunks = 0;
          request_sent = false;
          if (plan.cut == ProxyCut::AtStart) {
            count(plan.reset ? &FaultCounts::resets : &FaultCounts::drops);
            return finish(plan.reset);
          }
        }
        if (!toward_target) answering = true;
        if (plan.cut == ProxyCut::Answer && !toward_target && request_sent) {
          if (withheld == 0) hold_since = std::chrono::steady_clock::now();
          withheld += n;
          last_withheld = std::chrono::steady_clock::now();
          continue;
        }
        if (chunks < plan.delayed_chunks) {
          pause(plan.delay_ms);
          count(&FaultCounts::delays);
        }
        if (plan.cut == ProxyCut::AtByte && plan.toward_target == toward_target && forwarded[way] + n > plan.at_byte) {
          write_all(sides[1 - from], buffer, static_cast<std::size_t>(plan.at_byte - forwarded[way]));
          count(plan.reset ? &FaultCounts::resets : &FaultCounts::truncations);
          return finish(plan.reset);
        }
        if (!write_all(sides[1 - from], buffer, size)) return finish(true);
        forwarded[way] += n;
        ++chunks;
        if (toward_target && requests.feed(buffer, size, 100)) request_sent = true;
        if (plan.cut == ProxyCut::AtChunk && chunks >= plan.at_chunk) {
          count(&FaultCounts::drops);
          return finish(false);
        }
      }
    }
    finish(true);
  }

  const int target_port_;
  const int fault_percent_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> faults_on_{true};
  std::thread acceptor_;
  mutable std::mutex mutex_;                            // guards random_, counts_ and connections_
  std::mt19937_64 random_;                              // guarded by mutex_
  FaultCounts counts_;                                  // guarded by mutex_
  std::list<std::unique_ptr<Connection>> connections_;  // guarded by mutex_; joined by reap() or the destructor
};

}  // namespace tsunagi::testing
