// The transport's error codes from libcurl's result and the OS error: what the user can do differs for each (wait
// for a network, call the office because the collector is down, try again later).
#include "sync/transport_errors.hpp"

#include <curl/curl.h>

#include <cerrno>

namespace tsunagi::sync {

namespace {

constexpr TransferErrorText kConnect{"net.connect", "cannot connect to the collector", "集約サーバーに接続できません"};

// A connect attempt that failed with `os_errno`.
// Windows Sockets' codes for the errno values below (libcurl reports WSAGetLastError there).
#ifdef _WIN32
long posix_errno(long os_errno) {
  switch (os_errno) {
    case 10051:
      return ENETUNREACH;  // WSAENETUNREACH
    case 10050:
      return ENETDOWN;  // WSAENETDOWN
    case 10065:
      return EHOSTUNREACH;  // WSAEHOSTUNREACH
    case 10064:
      return EHOSTUNREACH;  // WSAEHOSTDOWN
    case 10049:
      return EADDRNOTAVAIL;  // WSAEADDRNOTAVAIL
    case 10061:
      return ECONNREFUSED;  // WSAECONNREFUSED
    case 10060:
      return ETIMEDOUT;  // WSAETIMEDOUT
    default:
      return os_errno;
  }
}
#else
long posix_errno(long os_errno) { return os_errno; }
#endif

TransferErrorText classify_connect_failure(long os_errno, bool proxy_configured) {
  switch (posix_errno(os_errno)) {
    case ENETUNREACH:    // no route to that network: no link, or no default route
    case ENETDOWN:       // the interface is down
    case EHOSTUNREACH:   // no route to the host (ICMP, or no ARP answer on the local link)
#ifdef EHOSTDOWN  // not on Windows
    case EHOSTDOWN:      // the same, as some systems report it
#endif
    case EADDRNOTAVAIL:  // no local address to send from (an interface without an address yet)
      return {"net.no_network", "cannot reach the collector: no network connection",
              "ネットワークにつながっていないため、集約サーバーに接続できません"};
    case ECONNREFUSED:
      // Something at the address answered that nothing listens on the port. Through a proxy that something is
      // the proxy, which says nothing about the collector; a refusal from the collector's address itself means
      // the collector is not running.
      if (proxy_configured) return kConnect;
      return {"net.refused", "the collector refused the connection: it is probably not running",
              "集約サーバーが接続を拒否しました（集約サーバーが起動していない可能性があります）"};
    case ETIMEDOUT:  // libcurl already reports this one as CURLE_OPERATION_TIMEDOUT; kept here for older versions
      return {"net.timeout", "the collector did not answer in time", "集約サーバーからの応答がタイムアウトしました"};
    default:
      return kConnect;
  }
}

}  // namespace

TransferErrorText classify_transfer_error(const TransferFailure& failure) {
  switch (static_cast<CURLcode>(failure.curl_code)) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      // Offline, getaddrinfo fails for every name; a name the DNS does not know fails the same way, and libcurl
      // does not tell the two apart.
      return {"net.no_network", "cannot find the collector's address: no network connection, or an unknown name",
              "集約サーバーのアドレスを解決できません（ネットワークにつながっていない可能性があります）"};
    case CURLE_COULDNT_CONNECT:
      return classify_connect_failure(failure.os_errno, failure.proxy_configured);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      // On a reused connection libcurl has already retried once on a new one when the old one was dead; a send or
      // receive error that still comes back is a failure in the middle of the exchange, not "offline".
      if (failure.fresh_connection) return kConnect;
      break;
    case CURLE_OPERATION_TIMEDOUT:  // the connect timeout and the whole request's both
      return {"net.timeout", "the collector did not answer in time", "集約サーバーからの応答がタイムアウトしました"};
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return {"tls.pin_mismatch", "the collector's certificate does not match the pinned key",
              "集約サーバーの証明書が登録された鍵と一致しません"};
    case CURLE_SSL_CONNECT_ERROR:
      // The handshake broke off: most often the connection was reset (a collector restarting), which is worth
      // retrying; a certificate that does not verify is CURLE_PEER_FAILED_VERIFICATION instead.
      return {"tls.handshake", "the secure connection to the collector broke off",
              "集約サーバーとの暗号化接続が途中で切れました"};
    case CURLE_ABORTED_BY_CALLBACK:
      return {"net.cancelled", "the request was cancelled", "要求を中止しました"};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return {"tls.failure", "secure connection to the collector failed", "集約サーバーとの暗号化接続に失敗しました"};
    default:
      break;
  }
  return {"net.other", "the request to the collector failed", "集約サーバーへの要求に失敗しました"};
}

}  // namespace tsunagi::sync
