// The SQLite collector store: its schema and migrations, the hooks of the shared SQL store (store_sql.hpp), and
// backup and restore.
//
// [SECTION] Schema
// [SECTION] Backup and restore
//
// The change sequence: each stored change takes the next value of counters.change_seq inside its write
// transaction. SQLite admits one writer at a time (BEGIN IMMEDIATE), so sequences commit in order and a reader's
// snapshot that holds sequence N holds every sequence below N: a cursor never skips a change, also with several
// collector processes on one database file.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "collector/postgres.hpp"
#include "collector/store_sql.hpp"
#include "model/database.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/platform.hpp"

namespace tsunagi::sync {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Schema
// ---------------------------------------------------------------------------------------------------------------

constexpr const char* kConflictsTable = R"sql(
CREATE TABLE IF NOT EXISTS conflicts(
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  clock TEXT NOT NULL,         -- the losing change
  value TEXT NOT NULL,         -- its value, JSON
  winner_clock TEXT NOT NULL,  -- the change that won over it
  by_user TEXT NOT NULL,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY(record_id, field, clock)
) WITHOUT ROWID;
)sql";

// Schema 2 (migrate_1_to_2). Comments: append-only, each stored once by id,
// taking a change sequence as records do so that pulls carry them. History: every stored version of a record, with
// who stored it from which device, and the values that lost a merge in that push.
constexpr const char* kReviewTables = R"sql(
CREATE TABLE IF NOT EXISTS comments(
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  record_id TEXT NOT NULL,
  author TEXT NOT NULL,
  decision TEXT NOT NULL,
  revision TEXT NOT NULL,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS comments_seq ON comments(seq);
CREATE INDEX IF NOT EXISTS comments_record ON comments(record_id, decision);
CREATE TABLE IF NOT EXISTS history(
  seq INTEGER PRIMARY KEY,  -- the change sequence the version was stored at: rows append, as pushes store them
  record_id TEXT NOT NULL,
  by_user TEXT NOT NULL,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  doc TEXT NOT NULL,
  conflicts TEXT NOT NULL DEFAULT '[]'  -- the values that lost a merge in this push (conflict_json)
);
CREATE INDEX IF NOT EXISTS history_record ON history(record_id, seq);
)sql";

// Schema 2. Report entries: each version stored once by id, taking a change sequence as
// records and comments do, with the council its pull is filtered by.
constexpr const char* kReportEntriesTable = R"sql(
CREATE TABLE IF NOT EXISTS report_entries(
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  council TEXT NOT NULL,
  author TEXT NOT NULL,
  doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS report_entries_seq ON report_entries(seq);
)sql";

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES('change_seq', 0);
CREATE TABLE users(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  team TEXT NOT NULL DEFAULT '',
  committees TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL
);
CREATE TABLE enrollment_codes(
  code_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  device_id TEXT
);
CREATE TABLE devices(
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  enrolled_at TEXT NOT NULL,
  last_seen TEXT NOT NULL DEFAULT '',
  revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE enrollment_failures(address TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX enrollment_failures_address ON enrollment_failures(address, at);
CREATE TABLE records(
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  area TEXT NOT NULL,  -- each of its areas and committees as written in it, between '|': "|higashi|hakata|"
  body TEXT NOT NULL,
  hlc TEXT NOT NULL,
  echo_device TEXT NOT NULL DEFAULT '',  -- the device whose pushed version this is, unchanged: not sent back to it
  doc TEXT NOT NULL
);
CREATE UNIQUE INDEX records_seq ON records(seq);
CREATE INDEX records_author_seq ON records(author, seq);
CREATE TABLE revisions(
  record_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  device_id TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY(record_id, hlc)
) WITHOUT ROWID;
CREATE TABLE reference_data(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, doc TEXT NOT NULL);
)sql";

class SqliteCollectorStore final : public SqlCollectorStore<Database, Statement> {
 public:
  explicit SqliteCollectorStore(std::unique_ptr<Database> db) : SqlCollectorStore(std::move(db)) {}

  Status configure() {
    // synchronous=FULL: a push's commit is on the disk before its answer "stored" is written (one fsync per
    // request: a request is one transaction), since the device then drops its copy from the outbox.
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL",
                               "PRAGMA cache_size = -8192"})  // one connection per worker thread
      for (int waited_ms = 0;; waited_ms += 20) {
        // Collectors starting together on a new file: switching it to WAL takes a lock SQLite does not always wait
        // for (it answers busy at once while another connection sets the file up), so wait here as a lock would.
        auto status = db_->exec(pragma);
        if (status) break;
        if (status.error().code != "store.busy" || waited_ms >= Database::kBusyTimeoutMs) return status;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    return ok_status();
  }

  Status init() {
    if (auto status = configure(); !status) return status;
    return open_current();
  }

 protected:
  Result<int> schema_version() override {
    auto version = db_->query_int("PRAGMA user_version");
    if (!version) return version.error();
    return static_cast<int>(version->value_or(0));
  }

  // The step from schema `from` to the next (user_version).
  Status migration_step(int from) override {
    Status made = ok_status();
    switch (from) {
      case 0:  // a new database
        made = db_->exec(kSchemaV1);
        if (made) made = set_meta("collector_id", new_uuid_v7());
        break;
      case 1:
        made = migrate_1_to_2();
        break;
      default:
        return no_migration_from(from);
    }
    if (!made) return made;
    return db_->exec("PRAGMA user_version = " + std::to_string(from + 1));
  }

  // Schema 2 names what schema 1 databases were given in place at each start before migrations existed (so a
  // database at 1 may hold some of it already): the conflicts table; revisions.seq, the change sequence at which a
  // revision's changes were stored (NULL when it stored nothing, and for revisions from before), by which a push's
  // `seen` tells which stored changes the pushing device had received; users.council, the council a supervisor
  // oversees, and records.council, by which that supervisor's pull finds its records (taken from the documents);
  // records.area and records.body listing every area and committee between '|' (they held one); report entries;
  // comments and history, each record's history starting with its current version as stored by whoever last
  // changed it.
  Status migrate_1_to_2() {
    for (const char* tables : {kConflictsTable, kReportEntriesTable})
      if (auto status = db_->exec(tables); !status) return status;
    if (auto status = add_column("revisions", "seq", "INTEGER"); !status) return status;
    if (auto status = add_column("users", "council", "TEXT NOT NULL DEFAULT ''"); !status) return status;
    if (auto status = add_column("records", "council", "TEXT NOT NULL DEFAULT ''",
                                 "UPDATE records SET council = coalesce(json_extract(doc, '$.council'), '')");
        !status)
      return status;
    if (auto status = db_->exec("UPDATE records SET area = '|' || area || '|', body = '|' || body || '|' "
                                "WHERE substr(area, 1, 1) <> '|' OR substr(body, 1, 1) <> '|'");
        !status)
      return status;
    auto present = db_->query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'history'");
    if (!present) return present.error();
    if (present->value_or(0) > 0) return ok_status();
    if (auto status = db_->exec(kReviewTables); !status) return status;
    return db_->exec(
        "INSERT OR IGNORE INTO history(record_id, seq, by_user, device_id, at, doc) "
        "SELECT id, seq, coalesce(json_extract(doc, '$.updated_by'), author), '', "
        "coalesce(json_extract(doc, '$.updated_at'), ''), doc FROM records");
  }

  // Adds `column` (with its SQL definition) to `table` when it is not there yet, running `fill` to give the rows
  // from before it their value; inside a migration step's transaction.
  Status add_column(const std::string& table, const std::string& column, const std::string& definition,
                    const std::string& fill = "") {
    auto present =
        db_->query_int("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = '" + column + "'");
    if (!present) return present.error();
    if (present->value_or(0) > 0) return ok_status();
    if (auto status = db_->exec("ALTER TABLE " + table + " ADD COLUMN " + column + " " + definition); !status)
      return status;
    return fill.empty() ? ok_status() : db_->exec(fill);
  }

  Status checkpoint() override {
    auto result = db_->query_int("PRAGMA wal_checkpoint(PASSIVE)");
    if (!result) return result.error();
    return ok_status();
  }

 protected:
  // One writer at a time, queued at BEGIN IMMEDIATE: the counter's value is the last change committed.
  Status write_transaction(const std::function<Status()>& work) override {
    Transaction transaction(*db_);
    if (!transaction.begun()) return transaction.begun();
    if (auto status = work(); !status) return status;
    return transaction.commit();
  }

  Status read_transaction(const std::function<Status()>& work) override {
    if (auto status = db_->exec("BEGIN"); !status) return status;
    auto status = work();
    (void)db_->exec(status ? "COMMIT" : "ROLLBACK");
    return status;
  }

  Status lock_records(std::vector<std::string>) override { return ok_status(); }  // one writer at a time

  Result<std::int64_t> sequence_before() override {
    auto value = db_->query_int("SELECT value FROM counters WHERE name = 'change_seq'");
    if (!value) return value.error();
    return value->value_or(0);
  }

  Status sequence_taken(std::int64_t, std::int64_t last) override {
    auto advance = db_->prepare("UPDATE counters SET value = ? WHERE name = 'change_seq'");
    if (!advance) return advance.error();
    return (*advance)->bind(1, last).run();
  }

  // The counter as this snapshot holds it: writers commit one at a time, in the counter's order.
  Result<std::int64_t> horizon() override { return sequence_before(); }

  std::string contains_sql(const std::string& column) const override { return "instr(" + column + ", ?) > 0"; }
};

// Makes the collector's folder when missing, and keeps it to its owner (0700).
Status make_collector_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return make_error("store.access", folder.string(), "cannot create the collector folder: " + ec.message(),
                      "集約サーバーのフォルダを作成できません: " + ec.message());
  ::chmod(folder.c_str(), 0700);
  return ok_status();
}

// store.moved when `folder` belongs to a collector on PostgreSQL (note_postgres_folder).
Status refuse_moved(const std::filesystem::path& folder) {
  auto note = read_file(folder / "database.json");
  if (!note) return ok_status();
  const std::string url = string_member(nlohmann::json::parse(*note, nullptr, false), "postgresql");
  return make_error(
      "store.moved", folder.string(),
      "this collector keeps its data in PostgreSQL (" + url + "): give --db with that URL",
      "この集約サーバーのデータは PostgreSQL（" + url + "）にあります。--db でその URL を指定してください");
}

// collector.db in `folder`, which is made when missing.
Result<std::unique_ptr<Database>> open_collector_database(const std::filesystem::path& folder) {
  if (auto status = refuse_moved(folder); !status) return status.error();
  if (auto status = make_collector_folder(folder); !status) return status.error();
  return Database::open(folder / "collector.db", 0600);
}

}  // namespace

Result<std::unique_ptr<CollectorStore>> open_sqlite_collector_store(const std::filesystem::path& folder,
                                                                    bool background_checkpoints) {
  auto db = open_collector_database(folder);
  if (!db) return db.error();
  if (background_checkpoints)
    if (auto status = (*db)->exec("PRAGMA wal_autocheckpoint = 0"); !status) return status.error();
  auto store = std::make_unique<SqliteCollectorStore>(std::move(*db));
  if (auto status = store->init(); !status) return status.error();
  return std::unique_ptr<CollectorStore>(std::move(store));
}

Status note_postgres_folder(const std::filesystem::path& folder, const std::string& url) {
  if (auto status = make_collector_folder(folder); !status) return status;
  return write_file_atomic(folder / "database.json",
                           to_json_text(nlohmann::json{{"postgresql", redacted_url(url)}}) + "\n", 0600);
}

Result<std::unique_ptr<CollectorStore>> open_collector_store(const std::string& database, bool background_checkpoints) {
  if (is_postgres_url(database)) return open_postgres_collector_store(database);
  return open_sqlite_collector_store(database, background_checkpoints);
}

Result<MigrationReport> migrate_sqlite_collector_store(const std::filesystem::path& folder, int target) {
  auto db = open_collector_database(folder);
  if (!db) return db.error();
  SqliteCollectorStore store(std::move(*db));
  if (auto status = store.configure(); !status) return status.error();
  return store.migrate(target);
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Backup and restore
// ---------------------------------------------------------------------------------------------------------------

// Checks a copy of a collector database (integrity_check; a collector's schema, not newer than this version) and
// counts what it holds into `report`.
Status check_copy(Database& copy, const std::filesystem::path& name, BackupReport& report) {
  auto check = copy.prepare("PRAGMA integrity_check");
  if (!check) return check.error();
  auto row = (*check)->step();
  if (!row) return row.error();
  const std::string integrity = *row ? (*check)->text(0) : std::string("?");
  (*check)->reset();
  if (integrity != "ok")
    return make_error("backup.damaged", name.string(), "the copy fails its check: " + integrity,
                      "バックアップの検査に失敗しました: " + integrity);
  auto schema = copy.query_int("PRAGMA user_version");
  if (!schema) return schema.error();
  report.schema = schema->value_or(0);
  if (report.schema > kCollectorSchemaVersion) return newer_schema(static_cast<int>(report.schema));
  const std::pair<const char*, std::int64_t*> counts[] = {{"SELECT count(*) FROM users", &report.users},
                                                          {"SELECT count(*) FROM devices", &report.devices},
                                                          {"SELECT count(*) FROM records", &report.records},
                                                          {"SELECT count(*) FROM comments", &report.comments}};
  for (const auto& [sql, into] : counts) {
    auto value = copy.query_int(sql);
    if (!value)
      return make_error("backup.not_collector", name.string(), "not a collector database: " + value.error().message,
                        "集約サーバーのデータベースではありません: " + value.error().message);
    *into = value->value_or(0);
  }
  return ok_status();
}

Result<BackupReport> backup_sqlite_collector_store(const std::filesystem::path& folder,
                                                   const std::filesystem::path& to) {
  if (auto status = refuse_moved(folder); !status) return status.error();
  const std::filesystem::path file = folder / "collector.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return make_error("backup.no_store", file.string(), "no collector database in " + folder.string(),
                      folder.string() + " に集約サーバーのデータベースがありません");
  if (std::filesystem::exists(to, ec) &&
      (std::filesystem::equivalent(to, file, ec) || to.filename().string().rfind("collector.db-", 0) == 0))
    return make_error("backup.same_file", to.string(), "a backup goes to a file of its own, not the database's",
                      "バックアップ先にはデータベース以外のファイルを指定してください");
  const std::filesystem::path partial = to.string() + ".partial-" + new_item_id();  // two backups at once: each its own
  if (to.has_parent_path()) std::filesystem::create_directories(to.parent_path(), ec);  // a backups folder, first time
  std::filesystem::remove(partial, ec);
  auto cleanup = [&](Error error) {
    std::filesystem::remove(partial, ec);
    return error;
  };
  BackupReport report;
  {
    auto source = Database::open(file, 0600);
    if (!source) return source.error();
    auto copy = Database::open(partial, 0600);
    if (!copy) return cleanup(copy.error());
    sqlite3_backup* backup = sqlite3_backup_init((*copy)->handle(), "main", (*source)->handle(), "main");
    if (!backup) return cleanup(sqlite_error((*copy)->handle(), sqlite3_errcode((*copy)->handle()), "backup"));
    int rc = SQLITE_OK;
    do {  // all pages in one step, one read transaction; a busy destination (it is ours alone) only retries
      rc = sqlite3_backup_step(backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return cleanup(sqlite_error((*copy)->handle(), rc, "backup"));
    if (auto status = check_copy(**copy, to, report); !status) return cleanup(status.error());
    // The copy keeps the source's WAL mode in its header; folded back into the one file, it needs no log to open.
    if (auto status = (*copy)->exec("PRAGMA journal_mode = DELETE"); !status) return cleanup(status.error());
  }
  std::string error;
  if (!platform::sync_file(partial, error) || !platform::replace_file(partial, to, error))
    return cleanup(make_error("backup.write", to.string(), "cannot write the backup: " + error,
                              "バックアップを書き込めません: " + error));
  platform::sync_folder(to.parent_path().empty() ? std::filesystem::path(".") : to.parent_path());
  report.bytes = static_cast<std::int64_t>(std::filesystem::file_size(to, ec));
  return report;
}

namespace {

Result<int> lock_folder(const std::filesystem::path& folder, int how) {
  if (auto status = make_collector_folder(folder); !status) return status.error();
  const std::filesystem::path file = folder / "collector.lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error("store.access", file.string(), std::string("cannot open the lock file: ") + std::strerror(errno),
                      std::string("ロックファイルを開けません: ") + std::strerror(errno));
  if (::flock(fd, how | LOCK_NB) != 0) {
    ::close(fd);
    if (how == LOCK_EX)
      return make_error("restore.serving", folder.string(),
                        "a collector is serving from " + folder.string() + ": stop it first",
                        folder.string() + " で集約サーバーが動いています。先に停止してください");
    return make_error("store.restoring", folder.string(), "a restore into " + folder.string() + " is under way",
                      folder.string() + " へのリストアが進行中です");
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<ServingLock>> ServingLock::serving(const std::filesystem::path& folder) {
  auto fd = lock_folder(folder, LOCK_SH);
  if (!fd) return fd.error();
  return std::unique_ptr<ServingLock>(new ServingLock(*fd));
}

Result<std::unique_ptr<ServingLock>> ServingLock::restoring(const std::filesystem::path& folder) {
  auto fd = lock_folder(folder, LOCK_EX);
  if (!fd) return fd.error();
  return std::unique_ptr<ServingLock>(new ServingLock(*fd));
}

ServingLock::~ServingLock() { ::close(fd_); }

Result<RestoreReport> restore_sqlite_collector_store(const std::filesystem::path& folder,
                                                     const std::filesystem::path& from) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec))
    return make_error("restore.no_backup", from.string(), "no such backup file", "バックアップファイルがありません");
  if (!std::filesystem::is_regular_file(from, ec))
    return make_error("restore.no_backup", from.string(), "not a file", "ファイルではありません");
  if (auto status = refuse_moved(folder); !status) return status.error();
  auto lock = ServingLock::restoring(folder);  // makes the folder when missing
  if (!lock) return lock.error();
  const std::filesystem::path file = folder / "collector.db";
  const std::filesystem::path partial = file.string() + ".restoring";
  auto cleanup = [&](Error error) {
    std::filesystem::remove(partial, ec);
    return error;
  };
  // A file that is not a collector's backup is said to be that, naming it, not a damaged store.
  auto not_a_backup = [&](const Error& error) {
    return cleanup(make_error("backup.not_collector", from.string(), "not a collector backup (" + error.message + ")",
                              "集約サーバーのバックアップではありません（" + error.message + "）"));
  };
  std::filesystem::remove(partial, ec);
  std::filesystem::copy_file(from, partial, ec);
  if (ec)
    return cleanup(make_error("restore.write", partial.string(), "cannot copy the backup: " + ec.message(),
                              "バックアップをコピーできません: " + ec.message()));
  ::chmod(partial.c_str(), 0600);
  RestoreReport report;
  {
    auto copy = Database::open(partial, 0600);
    if (!copy) return not_a_backup(copy.error());
    if (auto status = check_copy(**copy, from, report.restored); !status)
      return status.error().code == "store.version" ? cleanup(status.error()) : not_a_backup(status.error());
    // A new id: the devices' cursors (which name the id) start over, since they may count changes the backup does
    // not hold and would skip as many new ones.
    if (auto status = (*copy)->exec("PRAGMA journal_mode = DELETE; UPDATE meta SET value = '" + new_uuid_v7() +
                                    "' WHERE key = 'collector_id'");
        !status)
      return cleanup(status.error());
  }
  // What was there is kept: a restore of the wrong file is undone by restoring this one.
  if (std::filesystem::exists(file, ec)) {
    report.replaced = file.string() + ".before-restore-" + std::to_string(now_unix_ms());
    if (auto kept = backup_sqlite_collector_store(folder, report.replaced); !kept)
      return cleanup(make_error(kept.error().code, kept.error().path,
                                "cannot keep the database being replaced: " + kept.error().message,
                                "置き換えるデータベースを保存できません: " + kept.error().message_ja));
  }
  // Run as root (for a service's folder), the files take the folder's owner, as the database they replace had.
  struct stat owner {};
  if (::geteuid() == 0 && ::stat(folder.c_str(), &owner) == 0) {
    for (const std::filesystem::path& made : {partial, report.replaced})
      if (!made.empty() && ::chown(made.c_str(), owner.st_uid, owner.st_gid) != 0)
        return cleanup(make_error("restore.write", made.string(), std::strerror(errno), std::strerror(errno)));
  }
  std::string error;
  if (!platform::sync_file(partial, error)) return cleanup(make_error("restore.write", partial.string(), error, error));
  for (const char* log : {"-wal", "-shm"}) std::filesystem::remove(file.string() + log, ec);
  if (!platform::replace_file(partial, file, error))
    return cleanup(make_error("restore.write", file.string(), error, error));
  platform::sync_folder(folder);
  report.restored.bytes = static_cast<std::int64_t>(std::filesystem::file_size(file, ec));
  report.identity_missing =
      !std::filesystem::exists(folder / "cert.pem", ec) || !std::filesystem::exists(folder / "key.pem", ec);
  return report;
}

}  // namespace tsunagi::sync
