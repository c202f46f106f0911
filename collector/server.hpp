// tsunagi-collector's HTTPS server: TLS 1.2+ with the collector's own certificate, the /v1 protocol routes, a pool
// of store connections (one per request in flight), JSON errors, and one log line per request.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "collector/store.hpp"
#include "model/error.hpp"

namespace tsunagi::sync {

struct CollectorOptions {
  std::filesystem::path data_dir;  // the TLS identity, endpoint.json and, without `database`, the SQLite store
  std::string database;            // a PostgreSQL URL (postgresql://...); empty: the SQLite store in data_dir
  std::string host = "127.0.0.1";
  int port = 8443;                  // 0: any free port
  std::filesystem::path cert_file;  // with key_file: a CA-issued certificate; else DIR/cert.pem, made on first start
  std::filesystem::path key_file;
  std::size_t max_body_bytes = kMaxBodyBytes;   // after decompression
  std::size_t threads = 64;                     // requests (and open connections) served at once
  std::size_t database_connections = 16;        // PostgreSQL connections at most; requests beyond wait for one
  std::function<void(const std::string&)> log;  // one line per request; stderr when empty
};

class CollectorServer {
 public:
  // Loads (or makes) the TLS identity, opens the store, binds the port. Does not serve yet.
  static Result<std::unique_ptr<CollectorServer>> start(const CollectorOptions& options);
  ~CollectorServer();

  int port() const;
  std::string url() const;              // "https://127.0.0.1:<port>"; listening on every address, the machine's name
  const std::string& pin() const;       // "sha256//..." of the certificate's public key
  const std::string& next_pin() const;  // of the key waiting to be rotated to (tls.hpp), or empty
  bool created_certificate() const;

  // Serves until stop() is called (from another thread or a signal handler's thread).
  void serve();
  void stop();

 private:
  struct Impl;
  explicit CollectorServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Enrollment codes and tokens (used by the admin commands and the server).
std::string new_enrollment_code();  // "K7Q2-M9XD-4PRT-WZ3H-8B5N": 100 random bits, easy to read
std::string canonical_enrollment_code(std::string_view typed);  // upper-case, no separators, O->0, I/L->1
std::string new_device_token();                                 // 256 random bits, base64url

}  // namespace tsunagi::sync
