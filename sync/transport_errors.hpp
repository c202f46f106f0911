// How a failed libcurl transfer becomes one of the transport's error codes (listed in transport.hpp). A pure
// function of what libcurl reported, so that every case can be tested without a network. Plain integers stand for
// libcurl's types: this header is included by code that does not use libcurl's.
#pragma once

namespace tsunagi::sync {

// What libcurl reported about one failed transfer.
struct TransferFailure {
  int curl_code = 0;  // the CURLcode curl_easy_perform returned
  // CURLINFO_OS_ERRNO: the errno of the last failed connect attempt. libcurl 7.88 sets it whenever a connect
  // attempt fails but never clears it (not even on success), so it is read for CURLE_COULDNT_CONNECT only, which
  // libcurl returns after setting it. With several addresses (IPv6 and IPv4) it is the last one to fail.
  long os_errno = 0;
  bool fresh_connection = false;  // the transfer opened a new connection (CURLINFO_NUM_CONNECTS > 0)
  bool proxy_configured = false;  // a proxy variable is set, so the address that was dialled may be the proxy's
};

// An error code and its generic English and Japanese message; the transport adds the URL and libcurl's detail.
struct TransferErrorText {
  const char* code;
  const char* message;
  const char* message_ja;
};

// Which error a failed transfer is:
//   CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY        -> "net.no_network"
//   CURLE_COULDNT_CONNECT with ENETUNREACH, ENETDOWN, EHOSTUNREACH,
//                              EHOSTDOWN or EADDRNOTAVAIL           -> "net.no_network"
//   CURLE_COULDNT_CONNECT with ECONNREFUSED                        -> "net.refused"; "net.connect" with a proxy
//   CURLE_COULDNT_CONNECT with ETIMEDOUT, CURLE_OPERATION_TIMEDOUT -> "net.timeout"
//   CURLE_COULDNT_CONNECT with any other errno                     -> "net.connect"
//   CURLE_SEND_ERROR, CURLE_RECV_ERROR                             -> "net.connect" on a fresh connection, else
//                                                                     "net.other"
//   CURLE_SSL_PINNEDPUBKEYNOTMATCH -> "tls.pin_mismatch", CURLE_SSL_CONNECT_ERROR -> "tls.handshake",
//   CURLE_PEER_FAILED_VERIFICATION and CURLE_SSL_CACERT_BADFILE -> "tls.failure",
//   CURLE_ABORTED_BY_CALLBACK -> "net.cancelled", anything else -> "net.other".
// The texts are static. Thread-safe.
TransferErrorText classify_transfer_error(const TransferFailure& failure);

}  // namespace tsunagi::sync
