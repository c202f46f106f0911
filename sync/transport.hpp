// The sync engine talks to the collector through a Transport. libcurl implements it for real (make_curl_transport);
// tests may wrap it to inject faults. Requests and responses are JSON text; the transport compresses request
// bodies with gzip and accepts gzip responses.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "model/error.hpp"

namespace tsunagi::sync {

struct HttpRequest {
  std::string method = "POST";  // "GET" or "POST"
  std::string path;             // "/v1/push"
  std::string body;             // JSON text (sent gzip-compressed when larger than 1 KiB), or its gzip form
  std::string token;            // bearer token, or empty
  bool gzipped = false;         // body is already compressed (compress_body)
};

struct HttpResponse {
  int status = 0;
  std::string body;         // decompressed
  std::string retry_after;  // the Retry-After header, if any
  std::string pin;          // Tsunagi-Pin: the collector's key, as it says (the connection checked it)
  std::string next_pin;     // Tsunagi-Next-Pin: the key it will move to, if one waits
};

// How the client trusts the collector's certificate. With a pin, only a certificate whose public key matches is
// accepted (CA checks are off: the collector's certificate is self-signed). With a CA file, normal verification
// against it (and the pin too, when both are given).
struct TlsTrust {
  std::string pin;      // "sha256//<base64 of SHA-256 of the SubjectPublicKeyInfo DER>", as curl writes it
  std::string ca_file;  // PEM file of the CA that issued the collector's certificate
};

struct TransportOptions {
  long connect_timeout_ms = 5000;
  long timeout_ms = 60000;  // whole request
  // When set and true, a request in flight stops within about a second with "net.cancelled" (the window sets it
  // when it closes during a sync). The flag must outlive the transport.
  const std::atomic<bool>* cancel = nullptr;
};

// Errors a transport returns (Error::code), each calling for something different from the user:
//   "net.no_network"   no network: the collector's name does not resolve, or there is no route to it (ENETUNREACH,
//                      ENETDOWN, EHOSTUNREACH, EADDRNOTAVAIL): wait for a connection
//   "net.refused"      the network works but nothing listens at the collector's address (ECONNREFUSED): the
//                      collector is not running
//   "net.timeout"      connecting, or the whole request, took longer than the options allow
//   "net.connect"      any other failure to connect, a refusal when a proxy is configured (it may be the proxy's),
//                      and a new connection that broke before the response
//   "tls.pin_mismatch" the certificate's key is not the pinned one
//   "tls.handshake"    the handshake broke off, e.g. a reset: worth retrying
//   "tls.failure"      CA verification failed
//   "net.cancelled"    the options' cancel flag was raised
//   "net.other"        anything else, e.g. a connection that broke in the middle of an exchange
// classify_transfer_error (transport_errors.hpp) makes the choice. An HTTP status, whatever it is, is a response,
// not an error.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request and waits for its response. Reuses one connection across calls (keep-alive).
  // Not thread-safe: one Transport per thread.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// Compresses the request's body now (gzip, fastest level) when it is large enough to gain from it, so that the
// thread that sends the request does not spend that time between two requests; a transport compresses any body
// that is not compressed yet the same way.
Status compress_body(HttpRequest& request);

// A libcurl transport to `base_url` ("https://127.0.0.1:8443"). Honours HTTPS_PROXY / https_proxy and NO_PROXY
// as libcurl does.
std::unique_ptr<Transport> make_curl_transport(const std::string& base_url, const TlsTrust& trust,
                                               const TransportOptions& options = {});

}  // namespace tsunagi::sync
