#include "model/database.hpp"

#include "model/crypt_vfs.hpp"
#include "model/platform.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace tsunagi {

void log_sqlite_errors_if_asked() {
  const char* asked = std::getenv("TSUNAGI_SQLITE_LOG");
  if (!asked || std::string_view(asked) != "1") return;
  sqlite3_config(
      SQLITE_CONFIG_LOG,
      +[](void*, int code, const char* message) { std::fprintf(stderr, "sqlite %d: %s\n", code, message); }, nullptr);
}

Error sqlite_error(sqlite3* db, int rc, std::string_view doing) {
  int primary = rc & 0xFF;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string code = "store.io";
  std::string ja = "データベースのエラー";
  switch (primary) {
    case SQLITE_FULL:
      code = "store.full";
      ja = "ディスクがいっぱいです。空き容量を作ってからもう一度保存してください";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = "store.busy";
      ja = "データベースが使用中です";
      break;
    case SQLITE_CONSTRAINT:
      code = "store.constraint";
      ja = "データの制約に違反しています";
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = "store.corrupt";
      ja = "データベースファイルが壊れています";
      break;
    case SQLITE_IOERR:
      if ((db ? sqlite3_extended_errcode(db) : rc) == SQLITE_IOERR_DATA) {
        code = "store.tampered";
        ja = "データファイルの一部が検証に失敗しました（破損または改ざん）";
      }
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      code = "store.access";
      ja = "データベースファイルに書き込めません";
      break;
    default:
      break;
  }
  return make_error(code, "", std::string(doing) + ": " + detail,
                    std::string(doing) + ": " + ja + "（" + detail + "）");
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(db_, rc, "query");
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) break;
  }
  reset();
  return ok_status();
}

std::string Statement::text(int column) const {
  const unsigned char* value = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return value ? std::string(reinterpret_cast<const char*>(value), static_cast<std::size_t>(size)) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file, unsigned mode, crypto::Key key) {
  const std::string name = platform::path_to_utf8(file);
  // Create a new file ourselves so that it never exists with a wider mode than asked (SQLite gives its -wal and
  // -shm files the database file's mode). Only a new file: closing any descriptor of a file drops every POSIX lock
  // this process holds on it, so opening and closing an existing database would silently release the locks of
  // this process's other connections, and another process could then write beside them.
  if (std::string error; !platform::create_file_exclusive(file, mode, error) && !error.empty())
    return make_error("store.access", name, "cannot create the database file: " + error,
                      "データベースファイルを作成できません: " + error);
  // A connection is used by one thread at a time (see the header), so SQLite's per-call mutexes and its global
  // allocation counter (another mutex per allocation) only cost time.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  if (key) {
    crypt::register_vfs();
    crypt::set_key(name, key);
  }
  sqlite3* db = nullptr;
  // A page that does not open with the key, at open (page 1) or at the first read: the key is not this file's, or
  // the file was damaged or altered.
  auto key_error = [&](Error error) {
    if (!key || (error.code != "store.tampered" && error.code != "store.corrupt")) return error;
    if (crypt::is_plain_database(name))
      return make_error("store.plain", name, "the data file is not encrypted yet",
                        "データファイルはまだ暗号化されていません");
    return make_error("store.key", name,
                      "the data file does not open with this key: it is damaged, altered, or from another store",
                      "データファイルをこの鍵で開けません。破損・改ざんされたか、別のデータのファイルです");
  };
  // SQLite takes UTF-8 file names on every system (a Windows path's own text is UTF-16).
  int rc =
      sqlite3_open_v2(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, key ? crypt::kVfsName : nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "open " + name);
    sqlite3_close(db);
    return key_error(std::move(error));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<Database> opened(new Database(db, key));
  if (key) {
    // SQLite leaves kReservedBytes at the end of every page for the nonce and tag: set before a new file's first
    // write, and kept by a VACUUM. Temporary tables, sorts and statement journals stay in memory, so that no page
    // reaches a file the VFS does not encrypt.
    // (After the page size: setting that asks for no reserved bytes.)
    for (const char* pragma : {"PRAGMA temp_store = MEMORY", "PRAGMA page_size = 4096"})
      if (auto status = opened->exec(pragma); !status) return key_error(status.error());
    int reserve = crypt::kReservedBytes;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
    // WAL only (the VFS takes no rollback journal): a new file goes into WAL mode without one. Reading the mode reads
    // page 1: a wrong key shows here, not at the first query.
    auto mode = opened->prepare("PRAGMA journal_mode");
    if (!mode) return key_error(mode.error());
    auto row = (*mode)->step();
    if (!row) return key_error(row.error());
    const bool wal = *row && (*mode)->text(0) == "wal";
    (*mode)->reset();
    if (!wal)
      for (const char* pragma : {"PRAGMA journal_mode = OFF", "PRAGMA journal_mode = WAL"})
        if (auto status = opened->exec(pragma); !status) return key_error(status.error());
  }
  return opened;
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);
    return sqlite_error(db_, rc, "exec");
  }
  return ok_status();
}

Result<Statement*> Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    recent_.splice(recent_.begin(), recent_, it->second.use);
    it->second.wrapper->reset();
    return it->second.wrapper.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
  if (cache_.size() >= kCachedStatements) evict_least_recent();
  recent_.push_front(sql);
  auto [inserted, _] = cache_.emplace(sql, Cached{stmt, std::make_unique<Statement>(db_, stmt), recent_.begin()});
  return inserted->second.wrapper.get();
}

void Database::evict_least_recent() {
  // From the least recently used up; a statement still stepping (a caller is reading its rows) stays.
  for (auto use = recent_.end(); use != recent_.begin();) {
    --use;
    auto cached = cache_.find(*use);
    if (sqlite3_stmt_busy(cached->second.stmt)) continue;
    sqlite3_finalize(cached->second.stmt);
    cache_.erase(cached);
    recent_.erase(use);
    return;
  }
}

Result<std::optional<std::int64_t>> Database::query_int(const std::string& sql) {
  auto stmt = prepare(sql);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  std::optional<std::int64_t> value;
  if (*row) value = (*stmt)->integer(0);
  (*stmt)->reset();
  return value;
}

Transaction::Transaction(Database& db) : db_(db), begun_(db.exec("BEGIN IMMEDIATE")) {}

Transaction::~Transaction() {
  if (begun_.ok() && !done_) (void)db_.exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!begun_.ok()) return begun_;
  auto status = db_.exec("COMMIT");
  if (status.ok()) done_ = true;
  return status;
}

WalCheckpointer::WalCheckpointer(Database& writer, std::filesystem::path file, int pages)
    : writer_(writer), file_(std::move(file)), threshold_(pages) {
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char*, int pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  const int threshold = checkpointer->threshold_;
  if (pages < checkpointer->copied_.load()) checkpointer->copied_.store(0);  // the log started over
  if (pages < threshold) return SQLITE_OK;
  if (pages >= 4 * threshold && (pages - checkpointer->copied_.load() <= threshold || pages >= 16 * threshold)) {
    // Busy when the thread is checkpointing: the next commit tries again.
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(checkpointer->mutex_);
    checkpointer->due_ = true;
    if (!checkpointer->thread_.joinable()) checkpointer->thread_ = std::thread([checkpointer] { checkpointer->run(); });
  }
  checkpointer->wake_.notify_all();
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  auto opened = Database::open(file_, 0600, writer_.key());
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    // Busy (another checkpoint under way) or failed: the next commit over the threshold asks again, and closing
    // the last connection checkpoints whatever is left.
    int copied = 0;
    int in_log = 0;
    if (opened) {
      int rc = sqlite3_wal_checkpoint_v2((*opened)->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &in_log, &copied);
      if (rc == SQLITE_OK) copied_.store(copied);
    }
    lock.lock();
  }
}

}  // namespace tsunagi
