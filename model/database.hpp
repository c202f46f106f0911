// A thin RAII layer over the SQLite C API: a connection, prepared statements cached by their SQL text, and
// transactions that roll back unless committed. SQLite result codes become Errors with a stable code
// ("store.full" for a full disk, "store.busy", "store.constraint", "store.io").
//
// Thread safety: none; one Database per thread.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model/crypto.hpp"
#include "model/error.hpp"

namespace tsunagi {

// With TSUNAGI_SQLITE_LOG=1 in the environment, SQLite's error log goes to stderr (with the encrypting VFS's
// messages, which name the page): for tests, benchmarks and support. Call before any connection opens.
void log_sqlite_errors_if_asked();

// The Error for SQLite result `rc`, with the connection's message and what was being done.
Error sqlite_error(sqlite3* db, int rc, std::string_view doing);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // Binds by 1-based index; text is copied by SQLite.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  // A string literal is text (without this, a const char* would convert to bool, not to string_view).
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_null(int index);
  // Steps once: true when a row is ready, false when done; an Error otherwise.
  Result<bool> step();
  // Steps to the end, for statements without rows.
  Status run();
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;
  void reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // How long a statement waits for another connection's lock before "store.busy".
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens (creating) the file; `mode` is applied to a new file before SQLite writes to it. With `key`, every page
  // of the file and its log is encrypted (model/crypt_vfs): the connection runs with temp_store = MEMORY and, on a
  // new file, WAL from its first write; a plain database file is refused ("store.plain", see
  // model/encryption's migration), and a file that does not open with the key is "store.key".
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file, unsigned mode = 0600,
                                                crypto::Key key = nullptr);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  // The key its pages are encrypted with; null for a plain file.
  const crypto::Key& key() const { return key_; }
  // Runs one or more statements without results.
  Status exec(std::string_view sql);
  // A cached prepared statement, reset and with bindings cleared. Valid until the next call with the same SQL, or
  // until kCachedStatements other statements were prepared after its last use: the cache keeps the most recently
  // used ones (never evicting one that is stepping), so that SQL built from a query's shape cannot grow it forever.
  static constexpr std::size_t kCachedStatements = 64;
  Result<Statement*> prepare(const std::string& sql);
  // How many prepared statements the cache holds (tests).
  std::size_t cached_statements() const { return cache_.size(); }
  // How long statements wait for another connection's lock from now on.
  void set_busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }
  // A single integer from a query with one row (e.g. PRAGMA user_version); nullopt when no row.
  Result<std::optional<std::int64_t>> query_int(const std::string& sql);

 private:
  Database(sqlite3* db, crypto::Key key) : db_(db), key_(std::move(key)) {}
  struct Cached {
    sqlite3_stmt* stmt;
    std::unique_ptr<Statement> wrapper;
    std::list<std::string>::iterator use;  // its place in recent_
  };
  void evict_least_recent();
  sqlite3* db_;
  crypto::Key key_;
  std::unordered_map<std::string, Cached> cache_;
  std::list<std::string> recent_;  // the cache's SQL texts, most recently used first
};

// BEGIN IMMEDIATE on construction (so writers queue up at the start, not at their first write), ROLLBACK in the
// destructor unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  const Status& begun() const { return begun_; }
  Status commit();

 private:
  Database& db_;
  Status begun_;
  bool done_ = false;
};

// Copies a WAL database's committed pages into the database file on a thread and connection of its own, so that
// no commit waits for that copy and its fsync: SQLite's automatic checkpoint runs inside whichever commit crosses
// its threshold, which after a bulk import means seconds. Watches one writing connection through its WAL hook
// (which replaces that connection's automatic checkpoint); the thread starts at the first checkpoint due.
// Checkpoints are PASSIVE: they block neither readers nor the writer. But the log starts over only when a write
// transaction begins with every frame copied, which a thread running behind the commits never achieves: the log
// would grow with all that is written. So once it holds four times the threshold, a commit that finds the thread
// less than a threshold behind (or the log at sixteen times) copies the rest itself, a short step, and the next
// transaction writes the log from its beginning.
class WalCheckpointer {
 public:
  // Checkpoints `file` whenever a commit on `writer` leaves `pages` or more pages in its WAL. `writer` must outlive
  // this object.
  WalCheckpointer(Database& writer, std::filesystem::path file, int pages);
  ~WalCheckpointer();  // unhooks, lets a checkpoint under way finish, and stops the thread
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  Database& writer_;
  std::filesystem::path file_;
  int threshold_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::atomic<int> copied_{0};  // frames of the log in the file after the thread's last checkpoint
  std::thread thread_;
};

}  // namespace tsunagi
