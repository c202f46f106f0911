// The libcurl transport against a real httplib::SSLServer on 127.0.0.1, with a certificate from generate_self_signed.
//
// [SECTION] Test collector (server fixture)
// [SECTION] Helpers
// [SECTION] Tests
// [SECTION] Error classification (no network)
#include <arpa/inet.h>
#include <curl/curl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sync/tls.hpp"
#include "sync/transport.hpp"
#include "sync/transport_errors.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tsunagi::sync::classify_transfer_error;
using tsunagi::sync::HttpRequest;
using tsunagi::sync::make_curl_transport;
using tsunagi::sync::TlsIdentity;
using tsunagi::sync::TlsTrust;
using tsunagi::sync::TransferFailure;
using tsunagi::sync::TransportOptions;

// [SECTION] Test collector (server fixture)

// Made once: key generation is cheap, but every test then pins the same certificate.
const TlsIdentity& server_identity() {
  static const TlsIdentity identity = *tsunagi::sync::generate_self_signed({"localhost", "127.0.0.1", "::1"});
  return identity;
}

const TlsIdentity& stranger_identity() {
  static const TlsIdentity identity = *tsunagi::sync::generate_self_signed({"localhost", "127.0.0.1"});
  return identity;
}

std::string pin_of(const TlsIdentity& identity) { return *tsunagi::sync::public_key_pin(identity.certificate_pem); }

// Loads the identity's PEM texts into the server's SSL_CTX, the way the collector does.
bool use_identity(SSL_CTX& context, const TlsIdentity& identity) {
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
      BIO_new_mem_buf(identity.certificate_pem.data(), static_cast<int>(identity.certificate_pem.size())), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(identity.private_key_pem.data(), static_cast<int>(identity.private_key_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr),
                                                          X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  return certificate && key && SSL_CTX_use_certificate(&context, certificate.get()) == 1 &&
         SSL_CTX_use_PrivateKey(&context, key.get()) == 1 &&
         SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) == 1;
}

// What the server saw; filled by handler threads, read by the test thread.
struct ServerLog {
  std::mutex mutex;  // guards every field below
  int handler_calls = 0;
  std::vector<int> remote_ports;  // one per request: equal ports mean one reused connection
  std::string body;
  std::string content_encoding;
  std::string authorization;
  std::string accept_encoding;
  std::string response_encoding;  // the Content-Encoding httplib put on the last response
  int responses_logged = 0;       // the logger runs after the response is sent, so it may lag the client
  std::condition_variable logged;
};

std::string big_json(std::size_t at_least_bytes) {
  std::string json = "{\"records\":[";
  for (int i = 0; json.size() < at_least_bytes; ++i) {
    if (i > 0) json += ',';
    json += "{\"id\":\"record-" + std::to_string(i) + "\",\"title\":\"現地調査 " + std::to_string(i * 7) + "\"}";
  }
  return json + "]}";
}

// `text` as one gzip member, made independently of the transport's own compressor.
std::string gzip(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  REQUIRE(status == Z_STREAM_END);
  return out;
}

// A collector stand-in: an httplib::SSLServer on 127.0.0.1, an ephemeral port, its own thread. Stopped and joined
// in the destructor; every wait is bounded.
class TestCollector {
 public:
  explicit TestCollector(const std::function<void(httplib::Server&)>& tune = {})
      : server_([](SSL_CTX& context) { return use_identity(context, server_identity()); }) {
    // httplib writes TLS records through a plain socket BIO, so answering a client that already hung up (the
    // timeout test) raises SIGPIPE, which would kill the test run.
    std::signal(SIGPIPE, SIG_IGN);
    REQUIRE(server_.is_valid());
    add_routes();
    if (tune) tune(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      finished_ = true;
    });
    // httplib 0.11 has no wait_until_ready; is_running turns true as soon as the accept loop starts.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!server_.is_running() && !finished_ && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ready_ = server_.is_running();
  }

  ~TestCollector() {
    // stop() only acts on a running server, so repeat it until the thread's listen has returned.
    while (!finished_) {
      server_.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
  }

  bool ready() const { return ready_; }
  int port() const { return port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  ServerLog& log() { return log_; }

  // The Content-Encoding of the `count`th response, once httplib's logger has seen it (bounded wait).
  std::string response_encoding(int count) {
    std::unique_lock lock(log_.mutex);
    log_.logged.wait_for(lock, std::chrono::seconds(5), [&] { return log_.responses_logged >= count; });
    return log_.response_encoding;
  }

  int handler_calls() {
    std::lock_guard lock(log_.mutex);
    return log_.handler_calls;
  }

 private:
  void record(const httplib::Request& request) {
    std::lock_guard lock(log_.mutex);
    ++log_.handler_calls;
    log_.remote_ports.push_back(request.remote_port);
    log_.body = request.body;
    log_.content_encoding = request.get_header_value("Content-Encoding");
    log_.authorization = request.get_header_value("Authorization");
    log_.accept_encoding = request.get_header_value("Accept-Encoding");
  }

  void add_routes() {
    server_.Post("/echo", [this](const httplib::Request& request, httplib::Response& response) {
      record(request);
      response.set_content(request.body, "application/json");
    });
    server_.Get("/big", [this](const httplib::Request& request, httplib::Response& response) {
      record(request);
      response.set_content(big_json(50 * 1024), "application/json");
    });
    server_.Get("/big-gzip", [this](const httplib::Request& request, httplib::Response& response) {
      record(request);
      // httplib itself answers with brotli when the client offers it, so gzip is done here by hand; the content
      // type is one httplib does not compress again.
      response.set_header("Content-Encoding", "gzip");
      response.set_content(gzip(big_json(50 * 1024)), "application/vnd.tsunagi+json");
    });
    server_.Get("/slow", [this](const httplib::Request& request, httplib::Response& response) {
      record(request);
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      response.set_content("{}", "application/json");
    });
    server_.Get("/busy", [this](const httplib::Request& request, httplib::Response& response) {
      record(request);
      response.status = 503;
      response.set_header("Retry-After", "2");
      response.set_content("{\"error\":\"busy\"}", "application/json");
    });
    server_.set_logger([this](const httplib::Request&, const httplib::Response& response) {
      std::lock_guard lock(log_.mutex);
      log_.response_encoding = response.get_header_value("Content-Encoding");
      ++log_.responses_logged;
      log_.logged.notify_all();
    });
  }

  httplib::SSLServer server_;
  ServerLog log_;
  int port_ = -1;
  std::atomic<bool> finished_{false};
  bool ready_ = false;
  std::thread thread_;
};

class CollectorFixture {
 protected:
  CollectorFixture() { REQUIRE(collector.ready()); }
  TestCollector collector;
};

// [SECTION] Helpers

// A port on 127.0.0.1 with nothing listening: bound and released again, so the kernel just handed it out and will
// not hand it out again right away.
int closed_port() {
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  ::close(sock);
  return ntohs(address.sin_port);
}

// Sets environment variables for one test and puts the old values back after it.
class EnvironmentGuard {
 public:
  EnvironmentGuard(std::initializer_list<const char*> names) {
    for (const char* name : names) {
      const char* value = std::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      ::unsetenv(name);
    }
  }
  ~EnvironmentGuard() {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("tsunagi-net-" + std::to_string(random()) + std::to_string(random()) + ".pem");
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

HttpRequest post(std::string path, std::string body, std::string token = {}) {
  return HttpRequest{"POST", std::move(path), std::move(body), std::move(token)};
}

HttpRequest get(std::string path) { return HttpRequest{"GET", std::move(path), {}, {}}; }

std::string code_of(const TransferFailure& failure) { return classify_transfer_error(failure).code; }

}  // namespace

// [SECTION] Tests

TEST_CASE_METHOD(CollectorFixture, "the right pin reaches the collector and the body comes back", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(post("/echo", R"({"hello":"こんにちは"})"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == R"({"hello":"こんにちは"})");
  CHECK(response->retry_after.empty());
  std::lock_guard lock(collector.log().mutex);
  CHECK(collector.log().content_encoding.empty());  // small bodies go uncompressed
  CHECK(collector.log().authorization.empty());     // no token, no header
}

TEST_CASE_METHOD(CollectorFixture, "a large body is sent gzip-compressed and arrives as plain JSON", "[transport]") {
  const std::string json = big_json(20 * 1024);
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(post("/echo", json));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == json);
  std::lock_guard lock(collector.log().mutex);
  // httplib built with zlib inflates a gzip request body before the handler sees it.
  CHECK(collector.log().content_encoding == "gzip");
  CHECK(collector.log().body == json);
}

TEST_CASE_METHOD(CollectorFixture, "httplib's own compressed response is decompressed", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(get("/big"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == big_json(50 * 1024));
  // The client offers gzip only: httplib's brotli runs at its slowest quality.
  const std::string encoding = collector.response_encoding(1);
  INFO("response Content-Encoding: " << encoding);
  CHECK(encoding == "gzip");
  std::lock_guard lock(collector.log().mutex);
  CHECK(collector.log().accept_encoding == "gzip");
}

TEST_CASE_METHOD(CollectorFixture, "a gzip response is decompressed", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(get("/big-gzip"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == big_json(50 * 1024));
  CHECK(collector.response_encoding(1) == "gzip");
}

TEST_CASE_METHOD(CollectorFixture, "the bearer token arrives", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(post("/echo", "{}", "device-token-123"));
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  std::lock_guard lock(collector.log().mutex);
  CHECK(collector.log().authorization == "Bearer device-token-123");
}

TEST_CASE_METHOD(CollectorFixture, "a wrong pin is refused before any request is sent", "[transport]") {
  // Peer verification is off with a pin; this is the proof that libcurl enforces the pin anyway.
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(stranger_identity()), ""});
  auto response = transport->send(post("/echo", "{}", "secret-token"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "tls.pin_mismatch");
  CHECK_FALSE(response.error().message_ja.empty());
  CHECK(collector.handler_calls() == 0);
}

TEST_CASE_METHOD(CollectorFixture, "a CA file that holds the self-signed certificate is trusted", "[transport]") {
  TempFile ca_file(server_identity().certificate_pem);

  SECTION("CA file alone") {
    auto transport = make_curl_transport(collector.base_url(), TlsTrust{"", ca_file.path()});
    auto response = transport->send(post("/echo", "{}"));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
  }
  SECTION("CA file and the right pin") {
    auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ca_file.path()});
    auto response = transport->send(post("/echo", "{}"));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
  }
  SECTION("CA file and a wrong pin") {
    auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(stranger_identity()), ca_file.path()});
    auto response = transport->send(post("/echo", "{}"));
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == "tls.pin_mismatch");
  }
}

TEST_CASE_METHOD(CollectorFixture, "a CA file of another issuer fails verification", "[transport]") {
  TempFile ca_file(stranger_identity().certificate_pem);
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{"", ca_file.path()});
  auto response = transport->send(post("/echo", "{}"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "tls.failure");
  CHECK(collector.handler_calls() == 0);
}

TEST_CASE_METHOD(CollectorFixture, "without a pin or CA file the system CAs reject a self-signed collector",
                 "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{});
  auto response = transport->send(post("/echo", "{}"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "tls.failure");
  CHECK(collector.handler_calls() == 0);
}

TEST_CASE("nothing listening is net.refused, quickly", "[transport]") {
  EnvironmentGuard no_proxy({"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"});
  const std::string url = "https://127.0.0.1:" + std::to_string(closed_port());
  auto transport = make_curl_transport(url, TlsTrust{pin_of(server_identity()), ""});
  const auto start = Clock::now();
  auto response = transport->send(post("/echo", "{}"));
  const auto elapsed = Clock::now() - start;
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "net.refused");
  CHECK(response.error().message.find("the collector refused the connection") != std::string::npos);
  CHECK(response.error().message_ja.find("集約サーバーが接続を拒否しました") != std::string::npos);
  CHECK(response.error().message.find(url) != std::string::npos);
  CHECK(response.error().message.find("Failed to connect") != std::string::npos);  // libcurl's detail
  CHECK(response.error().message_ja.find("Failed") == std::string::npos);  // only in the English text
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("a collector that stops between two requests is net.refused on the next", "[transport]") {
  EnvironmentGuard no_proxy({"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"});
  // A short keep-alive, so that stopping the server does not wait 5 s for the idle connection's handler.
  auto collector = std::make_unique<TestCollector>([](httplib::Server& server) { server.set_keep_alive_timeout(1); });
  REQUIRE(collector->ready());
  auto transport = make_curl_transport(collector->base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto first = transport->send(post("/echo", "{}"));
  REQUIRE(first.ok());
  CHECK(first->status == 200);
  collector.reset();  // the collector process goes away; its kept-alive connection with it
  auto second = transport->send(post("/echo", "{}"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "net.refused");
}

TEST_CASE_METHOD(CollectorFixture, "a collector slower than timeout_ms is net.timeout", "[transport]") {
  TransportOptions options;
  options.timeout_ms = 300;
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""}, options);
  const auto start = Clock::now();
  auto response = transport->send(get("/slow"));
  const auto elapsed = Clock::now() - start;
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "net.timeout");
  CHECK(elapsed < std::chrono::milliseconds(1400));
}

TEST_CASE_METHOD(CollectorFixture, "a 503 with Retry-After is a response, not an error", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(get("/busy"));
  REQUIRE(response.ok());
  CHECK(response->status == 503);
  CHECK(response->retry_after == "2");
  CHECK(response->body == "{\"error\":\"busy\"}");

  // The next response on the same transport does not inherit the header.
  auto next = transport->send(post("/echo", "{}"));
  REQUIRE(next.ok());
  CHECK(next->status == 200);
  CHECK(next->retry_after.empty());
}

TEST_CASE_METHOD(CollectorFixture, "HTTPS_PROXY is honoured, and NO_PROXY bypasses it", "[transport]") {
  EnvironmentGuard environment({"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"});
  ::setenv("HTTPS_PROXY", ("http://127.0.0.1:" + std::to_string(closed_port())).c_str(), 1);
  {
    auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
    auto response = transport->send(post("/echo", "{}"));
    REQUIRE_FALSE(response.ok());
    CHECK(response.error().code == "net.connect");  // the proxy refused, which says nothing about the collector
    CHECK(collector.handler_calls() == 0);
  }
  ::setenv("NO_PROXY", "127.0.0.1", 1);
  {
    auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
    auto response = transport->send(post("/echo", "{}"));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(collector.handler_calls() == 1);
  }
}

TEST_CASE_METHOD(CollectorFixture, "requests on one transport share one connection", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  // POST, GET, POST: the handle is reused, so each request must reset what the previous one set.
  auto first = transport->send(post("/echo", "{\"n\":1}", "token-a"));
  REQUIRE(first.ok());
  CHECK(first->body == "{\"n\":1}");
  auto second = transport->send(get("/busy"));
  REQUIRE(second.ok());
  CHECK(second->status == 503);
  {
    std::lock_guard lock(collector.log().mutex);
    CHECK(collector.log().body.empty());           // the GET carried no leftover POST body
    CHECK(collector.log().authorization.empty());  // nor the previous request's token
  }
  auto third = transport->send(post("/echo", big_json(4096)));
  REQUIRE(third.ok());
  CHECK(third->status == 200);
  CHECK(third->body == big_json(4096));

  std::lock_guard lock(collector.log().mutex);
  const std::vector<int>& ports = collector.log().remote_ports;
  REQUIRE(ports.size() == 3);
  CHECK(ports[0] == ports[1]);
  CHECK(ports[1] == ports[2]);
}

TEST_CASE("a kept-alive connection the collector closed is replaced without an error", "[transport]") {
  TestCollector collector([](httplib::Server& server) { server.set_keep_alive_timeout(1); });
  REQUIRE(collector.ready());
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto first = transport->send(post("/echo", "{}"));
  REQUIRE(first.ok());
  // httplib closes a connection idle for longer than its keep-alive timeout (1 s here).
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  auto second = transport->send(post("/echo", "{}"));
  REQUIRE(second.ok());
  CHECK(second->status == 200);
  std::lock_guard lock(collector.log().mutex);
  const std::vector<int>& ports = collector.log().remote_ports;
  REQUIRE(ports.size() == 2);
  CHECK(ports[0] != ports[1]);  // the server really did close the first connection
}

TEST_CASE_METHOD(CollectorFixture, "an unsupported method is an error, not a request", "[transport]") {
  auto transport = make_curl_transport(collector.base_url(), TlsTrust{pin_of(server_identity()), ""});
  auto response = transport->send(HttpRequest{"DELETE", "/echo", {}, {}});
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == "net.other");
  CHECK(collector.handler_calls() == 0);
}

// [SECTION] Error classification (no network)

TEST_CASE("a name that does not resolve is net.no_network", "[transport][errors]") {
  CHECK(code_of({.curl_code = CURLE_COULDNT_RESOLVE_HOST, .fresh_connection = true}) == "net.no_network");
  CHECK(code_of({.curl_code = CURLE_COULDNT_RESOLVE_PROXY, .proxy_configured = true}) == "net.no_network");
  // CURLINFO_OS_ERRNO is never cleared: what an earlier connect on the handle left there does not count.
  CHECK(code_of({.curl_code = CURLE_COULDNT_RESOLVE_HOST, .os_errno = ECONNREFUSED}) == "net.no_network");
}

TEST_CASE("no route to the collector is net.no_network", "[transport][errors]") {
  for (long os_errno : {ENETUNREACH, ENETDOWN, EHOSTUNREACH, EHOSTDOWN, EADDRNOTAVAIL}) {
    INFO("errno " << os_errno);
    CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = os_errno, .fresh_connection = true}) ==
          "net.no_network");
    // No route to the proxy is no network just the same.
    CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = os_errno, .proxy_configured = true}) ==
          "net.no_network");
  }
}

TEST_CASE("a refused connection is net.refused, unless a proxy may have refused it", "[transport][errors]") {
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ECONNREFUSED, .fresh_connection = true}) ==
        "net.refused");
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ECONNREFUSED, .proxy_configured = true}) ==
        "net.connect");
}

TEST_CASE("a connect or request timeout is net.timeout", "[transport][errors]") {
  CHECK(code_of({.curl_code = CURLE_OPERATION_TIMEDOUT}) == "net.timeout");
  CHECK(code_of({.curl_code = CURLE_OPERATION_TIMEDOUT, .os_errno = ECONNREFUSED, .fresh_connection = true}) ==
        "net.timeout");
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ETIMEDOUT}) == "net.timeout");
}

TEST_CASE("other connect failures stay net.connect", "[transport][errors]") {
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT}) == "net.connect");
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ECONNRESET}) == "net.connect");
  CHECK(code_of({.curl_code = CURLE_COULDNT_CONNECT, .os_errno = EACCES}) == "net.connect");
}

TEST_CASE("a send or receive error is offline on a fresh connection only", "[transport][errors]") {
  for (int curl_code : {CURLE_SEND_ERROR, CURLE_RECV_ERROR}) {
    INFO("CURLcode " << curl_code);
    CHECK(code_of({.curl_code = curl_code, .fresh_connection = true}) == "net.connect");
    // In the middle of an exchange on a reused connection: not "offline", whatever errno is left over.
    CHECK(code_of({.curl_code = curl_code, .os_errno = ENETUNREACH}) == "net.other");
    CHECK(code_of({.curl_code = curl_code, .os_errno = ECONNREFUSED}) == "net.other");
  }
}

TEST_CASE("TLS failures, cancellation and the rest keep their codes", "[transport][errors]") {
  CHECK(code_of({.curl_code = CURLE_SSL_PINNEDPUBKEYNOTMATCH, .fresh_connection = true}) == "tls.pin_mismatch");
  CHECK(code_of({.curl_code = CURLE_SSL_CONNECT_ERROR, .fresh_connection = true}) == "tls.handshake");
  CHECK(code_of({.curl_code = CURLE_PEER_FAILED_VERIFICATION, .fresh_connection = true}) == "tls.failure");
  CHECK(code_of({.curl_code = CURLE_SSL_CACERT_BADFILE}) == "tls.failure");
  CHECK(code_of({.curl_code = CURLE_ABORTED_BY_CALLBACK, .os_errno = ECONNREFUSED}) == "net.cancelled");
  CHECK(code_of({.curl_code = CURLE_WRITE_ERROR}) == "net.other");
}

TEST_CASE("every classification has both messages and calls the collector 集約サーバー", "[transport][errors]") {
  std::vector<TransferFailure> failures = {
      {.curl_code = CURLE_COULDNT_RESOLVE_HOST},
      {.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ENETUNREACH},
      {.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ECONNREFUSED},
      {.curl_code = CURLE_COULDNT_CONNECT, .os_errno = ETIMEDOUT},
      {.curl_code = CURLE_COULDNT_CONNECT},
      {.curl_code = CURLE_OPERATION_TIMEDOUT},
      {.curl_code = CURLE_SEND_ERROR, .fresh_connection = true},
      {.curl_code = CURLE_SSL_PINNEDPUBKEYNOTMATCH},
      {.curl_code = CURLE_SSL_CONNECT_ERROR},
      {.curl_code = CURLE_PEER_FAILED_VERIFICATION},
      {.curl_code = CURLE_WRITE_ERROR},
  };
  for (const TransferFailure& failure : failures) {
    const auto text = classify_transfer_error(failure);
    const std::string message_ja = text.message_ja;
    INFO(text.code << ": " << text.message << " / " << message_ja);
    CHECK_FALSE(std::string(text.message).empty());
    CHECK(message_ja.find("集約サーバー") != std::string::npos);
    CHECK(message_ja.find("集計") == std::string::npos);
  }
}
