// The libcurl Transport: one easy handle per transport, so its connection stays open between requests.
//
// [SECTION] gzip request bodies
// [SECTION] Errors
// [SECTION] libcurl callbacks
// [SECTION] CurlTransport
#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "model/platform.hpp"
#include "sync/gzip.hpp"
#include "sync/transport.hpp"
#include "sync/transport_errors.hpp"

namespace tsunagi::sync {

namespace {

// Bodies up to this size go as they are: gzip's header and the extra header line would outweigh the saving.
constexpr std::size_t kCompressAboveBytes = 1024;

// [SECTION] gzip request bodies

// The request's body gzip-compressed when it is not yet and is large enough to gain from it; else nothing.
std::optional<Result<std::string>> compressed_body(const HttpRequest& request) {
  if (request.gzipped || request.body.size() <= kCompressAboveBytes) return std::nullopt;
  return gzip_compress(request.body);
}

}  // namespace

Status compress_body(HttpRequest& request) {
  auto packed = compressed_body(request);
  if (!packed) return ok_status();
  if (!*packed) return packed->error();
  request.body = std::move(**packed);
  request.gzipped = true;
  return ok_status();
}

namespace {

// [SECTION] Errors

// libcurl takes its proxy for an https URL from these environment variables by itself.
bool proxy_in_environment() {
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return true;
  }
  return false;
}

// The system's proxy (Windows settings) when the environment names none: the environment wins, as it does for
// curl and most programs.
platform::SystemProxy system_proxy_unless_environment() {
  return proxy_in_environment() ? platform::SystemProxy{} : platform::system_proxy();
}

// Whether a proxy is in the way. Whether NO_PROXY exempts the collector is not worked out here: with a proxy set,
// a refused connection may be the proxy's.
bool proxy_configured() { return proxy_in_environment() || !platform::system_proxy().server.empty(); }

// What the failed transfer on `handle` was, as an Error with the URL and libcurl's detail.
Error transfer_error(CURL* handle, CURLcode result, const std::string& url, const char* error_buffer) {
  TransferFailure failure;
  failure.curl_code = static_cast<int>(result);
  long new_connections = 0;
  curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &new_connections);
  failure.fresh_connection = new_connections > 0;
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &failure.os_errno);
  failure.proxy_configured = proxy_configured();
  TransferErrorText text = classify_transfer_error(failure);
  // curl's error buffer says what happened in detail ("Failed to connect to 127.0.0.1 port 8443 after 0 ms:
  // Couldn't connect to server", without the errno); it is empty for some failures, so fall back to the code's
  // generic text.
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(result);
  // The Japanese text leaves libcurl's English out: the office can copy the English one for details.
  return make_error(text.code, "", std::string(text.message) + " (" + url + "): " + detail,
                    std::string(text.message_ja) + "（" + url + "）");
}

// [SECTION] libcurl callbacks

// libcurl's callbacks are C: an exception must not cross them, so a failed append reports "0 bytes taken", which
// makes libcurl abort the transfer with CURLE_WRITE_ERROR.
size_t append_body(char* data, size_t size, size_t count, void* user) {
  try {
    static_cast<HttpResponse*>(user)->body.append(data, size * count);
    return size * count;
  } catch (...) {
    return 0;
  }
}

// Aborts the transfer (CURLE_ABORTED_BY_CALLBACK) once the cancel flag is raised. libcurl calls it about once a
// second even while waiting for data.
int check_cancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

bool equals_ignoring_case(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(left[i])) != std::tolower(static_cast<unsigned char>(right[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Called once per header line (status line included, CRLF included, not NUL-terminated).
size_t read_header(char* data, size_t size, size_t count, void* user) {
  try {
    auto* response = static_cast<HttpResponse*>(user);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      // A new header block (after a 100 Continue, or a proxy's CONNECT reply): only the final one counts.
      response->retry_after.clear();
      response->pin.clear();
      response->next_pin.clear();
    } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
      const std::string_view name = trim(line.substr(0, colon));
      for (auto [header, value] : {std::pair{"Retry-After", &response->retry_after},
                                   std::pair{"Tsunagi-Pin", &response->pin},
                                   std::pair{"Tsunagi-Next-Pin", &response->next_pin}})
        if (equals_ignoring_case(name, header)) *value = std::string(trim(line.substr(colon + 1)));
    }
    return size * count;
  } catch (...) {
    return 0;
  }
}

// [SECTION] CurlTransport

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// curl_global_init is not thread-safe and must run before the first handle; it is never undone, because another
// thread's transport may still be alive when this one goes, and the process's exit reclaims it anyway.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(std::string base_url, TlsTrust trust, TransportOptions options)
      : base_url_(std::move(base_url)), trust_(std::move(trust)), options_(options) {
    init_curl_once();
    handle_.reset(curl_easy_init());
    if (handle_) configure_connection();
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    const std::string url = base_url_ + request.path;
    if (options_.cancel != nullptr && options_.cancel->load())
      return make_error("net.cancelled", "", "the request was cancelled (" + url + ")",
                        "要求を中止しました (" + url + ")");
    if (!handle_)
      return make_error("net.other", "", "cannot start libcurl (" + url + ")",
                        "libcurl を初期化できません (" + url + ")");
    CURL* handle = handle_.get();

    // Owned here so that it outlives curl_easy_perform, which reads it without copying.
    std::string compressed;
    CurlSlistPtr headers;
    auto add_header = [&headers](const std::string& line) {
      curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
      if (extended) {
        headers.release();  // curl_slist_append returned the same list, now one longer
        headers.reset(extended);
      }
      return extended != nullptr;
    };
    bool headers_ok = add_header("Content-Type: application/json") && add_header("Accept: application/json");
    if (!request.token.empty()) headers_ok = headers_ok && add_header("Authorization: Bearer " + request.token);

    if (request.method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "POST") {
      std::string_view payload = request.body;
      bool gzipped = request.gzipped;
      if (auto packed = compressed_body(request)) {  // not compressed beforehand (compress_body)
        if (!*packed) return packed->error();
        compressed = std::move(**packed);
        payload = compressed;
        gzipped = true;
      }
      if (gzipped) headers_ok = headers_ok && add_header("Content-Encoding: gzip");
      // An empty "Expect:" stops libcurl from waiting for "100 Continue" before large bodies: our collector always
      // reads the body, so that wait would only cost a round trip.
      headers_ok = headers_ok && add_header("Expect:");
      curl_easy_setopt(handle, CURLOPT_POST, 1L);
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, payload.data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    } else {
      return make_error("net.other", "", "unsupported HTTP method " + request.method,
                        "対応していない HTTP メソッドです: " + request.method);
    }
    if (!headers_ok)
      return make_error("net.other", "", "out of memory for headers", "ヘッダー用のメモリが不足しています");

    HttpResponse response;
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);
    error_buffer_[0] = '\0';

    CURLcode result = curl_easy_perform(handle);

    // The handle lives on for the next request: drop its pointers to this call's locals.
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, nullptr);
    // CURLOPT_POSTFIELDS is left dangling on purpose: clearing it would switch the handle to POST, and every POST
    // sets it afresh while GET ignores it.

    if (result != CURLE_OK) return transfer_error(handle, result, url, error_buffer_);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  // The options that stay the same for every request on this handle.
  void configure_connection() {
    CURL* handle = handle_.get();
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer_);
    // No signals: timeouts must not use SIGALRM, which is process-wide and unsafe with threads.
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    // TCP keep-alive probes notice a connection that a NAT or a sleeping laptop dropped while idle.
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    // gzip only: offered brotli, cpp-httplib compresses at brotli's highest quality, about 1 MB/s, which made
    // a full pull hundreds of times slower than the network.
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(handle, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (options_.cancel != nullptr) {
      curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, check_cancel);
      curl_easy_setopt(handle, CURLOPT_XFERINFODATA, options_.cancel);
      curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    }
    // The proxy: libcurl takes HTTPS_PROXY / https_proxy / NO_PROXY from the environment for each transfer, which
    // is how field offices configure their proxies on Linux; when there is none, the Windows settings' proxy.
    if (const platform::SystemProxy proxy = system_proxy_unless_environment(); !proxy.server.empty()) {
      curl_easy_setopt(handle, CURLOPT_PROXY, proxy.server.c_str());  // copied by libcurl
      curl_easy_setopt(handle, CURLOPT_NOPROXY, proxy.exceptions.c_str());
    }

    if (!trust_.pin.empty()) curl_easy_setopt(handle, CURLOPT_PINNEDPUBLICKEY, trust_.pin.c_str());
    if (!trust_.ca_file.empty()) {
      curl_easy_setopt(handle, CURLOPT_CAINFO, trust_.ca_file.c_str());
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    } else if (!trust_.pin.empty()) {
      // The collector's certificate is self-signed, so no CA can vouch for it: the pin is the whole check. libcurl
      // still enforces CURLOPT_PINNEDPUBLICKEY with peer verification off (the tests prove it).
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    // With neither, libcurl's defaults apply: verification against the system CA store.
  }

  const std::string base_url_;
  const TlsTrust trust_;
  const TransportOptions options_;
  CurlEasyPtr handle_;
  char error_buffer_[CURL_ERROR_SIZE] = {};  // CURLOPT_ERRORBUFFER; written by libcurl during curl_easy_perform
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const std::string& base_url, const TlsTrust& trust,
                                               const TransportOptions& options) {
  return std::make_unique<CurlTransport>(base_url, trust, options);
}

}  // namespace tsunagi::sync
