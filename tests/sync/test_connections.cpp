// Connections to the collector: devices that keep their connection open between requests (the transport's
// keep-alive, transport.hpp) must not lock other devices out of the collector.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <csignal>

#include "sync/gzip.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// A TLS connection to the collector made by hand, with no HTTP library between the test and the bytes: for
// requests no client would send (pipelined, with odd headers). The certificate is not checked: the bytes are what
// the test is about.
class RawTls {
 public:
  explicit RawTls(int port) {
    std::signal(SIGPIPE, SIG_IGN);  // the collector may close while this side still writes
    socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(socket_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    context_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, socket_);
    REQUIRE(SSL_connect(ssl_) == 1);
  }
  ~RawTls() {
    SSL_free(ssl_);
    SSL_CTX_free(context_);
    ::close(socket_);
  }
  RawTls(const RawTls&) = delete;
  RawTls& operator=(const RawTls&) = delete;

  void write(const std::string& bytes) { REQUIRE(try_write(bytes)); }
  // False once the collector has closed the connection.
  bool try_write(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
  }
  // What the collector sends until it closes the connection or says nothing for `quiet`.
  std::string read_all(std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
    std::string received;
    char buffer[16384];
    for (;;) {
      if (SSL_pending(ssl_) == 0) {
        pollfd descriptor{socket_, POLLIN, 0};
        if (::poll(&descriptor, 1, static_cast<int>(quiet.count())) <= 0) break;
      }
      const int read = SSL_read(ssl_, buffer, sizeof buffer);
      if (read <= 0) {
        closed_ = true;
        break;
      }
      received.append(buffer, static_cast<std::size_t>(read));
    }
    return received;
  }
  // Whether read_all ended because the collector closed the connection (not because it went quiet).
  bool closed() const { return closed_; }

 private:
  bool closed_ = false;
  int socket_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

// The TLS 1.2 suite the collector chooses from `ciphers` (OpenSSL's names, in the client's order), or nothing
// when it accepts none of them.
std::optional<std::string> negotiated_suite(int port, const char* ciphers) {
  int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(socket >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
  REQUIRE(SSL_CTX_set_cipher_list(context, ciphers) == 1);
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, socket);
  std::optional<std::string> suite;
  if (SSL_connect(ssl) == 1) suite = SSL_get_cipher_name(ssl);
  SSL_free(ssl);
  SSL_CTX_free(context);
  ::close(socket);
  return suite;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "devices holding an idle connection do not lock other devices out",
                 "[sync][connections]") {
  // A field office of 20 laptops with the app open: each has asked something once and keeps its connection.
  constexpr int kDevices = 20;
  sync::TransportOptions quick;
  quick.connect_timeout_ms = 2000;  // the handshake of a served device takes milliseconds
  quick.timeout_ms = 5000;
  std::vector<std::unique_ptr<sync::Transport>> open;
  for (int i = 0; i < kDevices; ++i) {
    auto transport = sync::make_curl_transport(collector->url(), {collector->pin(), ""}, quick);
    auto answer = transport->send({"GET", sync::kStatusPath, "", ""});
    INFO("device " << i + 1 << ", while " << i << " others hold an idle connection: "
                   << (answer ? "HTTP " + std::to_string(answer->status) : answer.error().describe()));
    REQUIRE(answer);
    CHECK(answer->status == 200);
    open.push_back(std::move(transport));
  }
}

TEST_CASE_METHOD(SyncFixture, "a body left unread by an early answer is never run as a request",
                 "[sync][connections]") {
  // The body of this push without a token is itself a request: answered 401 at once, its body must be drained
  // (or the connection closed), not read as the connection's next request.
  const std::string hidden = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  // The headers and the body go in separate TLS records, as a client streaming a body sends them: the collector
  // reads the record of headers alone and may answer before it reads the body.
  RawTls connection(collector->port());
  connection.write(
      "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(hidden.size()) + "\r\n\r\n");
  connection.write(hidden);
  const std::string answer = connection.read_all();
  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(count_of(answer, "HTTP/1.1 ") == 1);
  CHECK_FALSE(contains(answer, "\"protocol\""));  // the status answer's member
}

TEST_CASE_METHOD(SyncFixture,
                 "a large body or one that does not inflate closes the connection unread after an early answer",
                 "[sync][connections]") {
  // Draining a body costs the collector as much as reading it: one larger than a request needs, or one that does not
  // inflate (or inflates past 1 MB), is not drained; the connection is closed after the answer instead.
  const std::string head = "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  SECTION("a body announced as 50 MB") {
    RawTls connection(collector->port());
    connection.write(head + "Content-Length: 50000000\r\n\r\n");
    connection.write(std::string(1024, '{'));
    const std::string answer = connection.read_all(std::chrono::milliseconds(10000));
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(connection.closed());  // closed, not waiting for 50 MB
  }
  SECTION("a gzip body that does not inflate") {
    RawTls connection(collector->port());
    const std::string body(64, 'x');
    connection.write(head + "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    connection.write(body);
    const std::string answer = connection.read_all(std::chrono::milliseconds(10000));
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);
    CHECK(connection.closed());
  }
  SECTION("a small gzip body, in the record of the head, is drained and the connection serves the next request") {
    // As libcurl sends a device's compressed push: the next request on the connection must not meet its bytes.
    auto body = sync::gzip_compress(R"({"revisions":[],"padding":")" + std::string(3000, 'a') + R"("})");
    REQUIRE(body);
    RawTls connection(collector->port());
    connection.write(head + "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(body->size()) + "\r\n\r\n" +
                     *body);
    std::string answer = connection.read_all();
    REQUIRE_FALSE(connection.closed());
    connection.write("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    answer += connection.read_all(std::chrono::milliseconds(10000));
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 2);
    CHECK_FALSE(contains(answer, "HTTP/1.1 400"));
    CHECK(contains(answer, "\"protocol\""));
  }
  SECTION("a small plain body is drained and the connection serves the next request") {
    RawTls connection(collector->port());
    const std::string body = R"({"revisions":[]})";
    connection.write(head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    connection.write(body);
    connection.write("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const std::string answer = connection.read_all(std::chrono::milliseconds(10000));
    INFO(answer);
    CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 2);
    CHECK(contains(answer, "\"protocol\""));
  }
}

TEST_CASE_METHOD(SyncFixture, "a second collector on a port already served fails at once and says why",
                 "[sync][connections]") {
  auto second = testing::run({TSUNAGI_COLLECTOR_BIN, "serve", "--data", folder("second").string(), "--listen",
                              "127.0.0.1:" + std::to_string(collector->port())},
                             std::chrono::seconds(20));
  INFO(describe(second));
  CHECK(second.exit_code > 0);  // exited by itself with an error, not stopped by the time limit
  CHECK(contains(second.err, "in use"));
  auto status = transport()->send({"GET", sync::kStatusPath, "", ""});
  REQUIRE(status);
  CHECK(status->status == 200);  // the first one still serves
}

TEST_CASE_METHOD(SyncFixture, "answers are gzip-compressed when the client accepts gzip, and never brotli",
                 "[sync][connections]") {
  EngineDevice device = engine_device("laptop", add_user("東 太郎", "staff", "東区"));
  device.import(numbered_records("圧縮の確かめ", 1, 20));
  REQUIRE(device.sync().result == sync::SyncResult::Done);
  auto pull = [&](const std::string& accept) {
    RawTls connection(collector->port());
    const std::string body = R"({"cursor":null})";
    connection.write(
        "POST /v1/pull HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/json\r\nAuthorization: Bearer " +
        device.enrollment.token + "\r\nAccept-Encoding: " + accept +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    std::string answer = connection.read_all();
    return answer.substr(0, answer.find("\r\n\r\n"));  // the headers
  };
  const std::string brotli_only = pull("br");
  INFO(brotli_only);
  CHECK(brotli_only.rfind("HTTP/1.1 200", 0) == 0);
  CHECK_FALSE(contains(brotli_only, "Content-Encoding"));
  const std::string either = pull("br, gzip");
  INFO(either);
  CHECK(either.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(contains(either, "Content-Encoding: gzip"));
}

TEST_CASE_METHOD(SyncFixture, "TLS 1.2 offers forward-secret AEAD suites only, in the collector's order",
                 "[sync][connections]") {
  const int port = collector->port();
  for (const char* weak : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"}) {
    INFO(weak);
    CHECK_FALSE(negotiated_suite(port, weak));
  }
  // The client prefers CBC, then ChaCha20: the collector picks its own first choice, AES-GCM.
  auto chosen =
      negotiated_suite(port, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256");
  REQUIRE(chosen);
  CHECK(*chosen == "ECDHE-ECDSA-AES128-GCM-SHA256");
  CHECK(negotiated_suite(port, "ECDHE-ECDSA-CHACHA20-POLY1305") == "ECDHE-ECDSA-CHACHA20-POLY1305");
}

TEST_CASE_METHOD(SyncFixture, "a request head without end is cut off, and the collector's memory stays small",
                 "[sync][connections]") {
  // httplib keeps every header line it reads: 200,000 of them (about 20 MB) would all be held before any handler
  // could refuse the request. The collector cuts the connection once a head passes 64 KB.
  const long memory_before = collector->peak_memory_kb();
  RawTls connection(collector->port());
  connection.write("GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const std::string line = "X-Filler: " + std::string(90, 'x') + "\r\n";
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += line;  // 10 KB a write
  std::size_t sent = 0;
  for (int i = 0; i < 2000 && connection.try_write(batch); ++i) sent += batch.size();
  INFO("sent " << sent << " bytes of headers");
  // Cut off long before the end: what this side could still write is what the socket buffers held when the
  // collector closed (a few MB on loopback), not the 20 MB a collector reading on would take.
  CHECK(sent < 8 * 1024 * 1024);
  CHECK(collector->peak_memory_kb() - memory_before < 50 * 1024);
  auto status = transport()->send({"GET", sync::kStatusPath, "", ""});
  REQUIRE(status);
  CHECK(status->status == 200);  // and serves on
}

}  // namespace tsunagi::sync_tests
