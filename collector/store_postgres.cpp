// The PostgreSQL collector store: its schema and migrations, the hooks of the shared SQL store (store_sql.hpp), and
// moving a SQLite collector's database into it (migrate-store).
//
// [SECTION] Schema
// [SECTION] The store
// [SECTION] Moving a SQLite store in
//
// The change sequence and the pull horizon (docs/PROTOCOL.md has the argument). Several collector processes write
// at once, and PostgreSQL transactions commit in any order, so a counter taken inside the transaction could let a
// reader see change N+1 committed while N is still open, move its cursor past N, and never receive it. Instead, a
// write transaction numbers its changes from its own transaction id: base + (xid << 20) + 1, + 2, ... A pull runs
// in one REPEATABLE READ snapshot whose xmin is the oldest transaction still running when it was taken; every
// transaction with a smaller id has ended, so its changes are in the snapshot (or were rolled back), and every
// transaction that writes later has an id of at least xmin. The pull reads up to the horizon base + (xmin << 20) - 1:
// every change numbered at or below it is in its snapshot, and no change committed afterwards is numbered at or
// below it. A long transaction holds pulls back (not forever: idle_in_transaction_session_timeout ends a stuck one),
// never makes them skip.
#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "collector/postgres.hpp"
#include "collector/store_sql.hpp"
#include "model/database.hpp"

namespace tsunagi::sync {

namespace {

// A transaction's changes: at most this many (a push of a million changes is refused, push.too_large).
constexpr int kChangeBits = 20;
constexpr std::int64_t kChangesPerTransaction = std::int64_t{1} << kChangeBits;
// Any number, the same in every collector process: migrations of one database take this lock one at a time.
// The lock migrate() takes (lock_records({"collector schema"})), which migrate-store takes too.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(hashtextextended('collector schema', 7464383117))";

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Schema
// ---------------------------------------------------------------------------------------------------------------

// Collector schema 2, as store_sqlite.cpp's steps make it: the same tables and columns, with PostgreSQL's types
// (sequences are BIGINT: numbered from transaction ids). A PostgreSQL store begins at schema 2; later versions add
// a step to both stores.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  team TEXT NOT NULL DEFAULT '',
  committees TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  council TEXT NOT NULL DEFAULT ''
);
CREATE TABLE enrollment_codes(
  code_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
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
CREATE TABLE enrollment_failures(address TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX enrollment_failures_address ON enrollment_failures(address, at);
CREATE TABLE records(
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  area TEXT NOT NULL,
  body TEXT NOT NULL,
  hlc TEXT NOT NULL,
  echo_device TEXT NOT NULL DEFAULT '',
  doc TEXT NOT NULL,
  council TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX records_seq ON records(seq);
CREATE INDEX records_author_seq ON records(author, seq);
CREATE TABLE revisions(
  record_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  device_id TEXT NOT NULL,
  status TEXT NOT NULL,
  received_at TEXT NOT NULL,
  seq BIGINT,
  PRIMARY KEY(record_id, hlc)
);
CREATE TABLE reference_data(id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE conflicts(
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  clock TEXT NOT NULL,
  value TEXT NOT NULL,
  winner_clock TEXT NOT NULL,
  by_user TEXT NOT NULL,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY(record_id, field, clock)
);
CREATE TABLE report_entries(
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  council TEXT NOT NULL,
  author TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE UNIQUE INDEX report_entries_seq ON report_entries(seq);
CREATE TABLE comments(
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  record_id TEXT NOT NULL,
  author TEXT NOT NULL,
  decision TEXT NOT NULL,
  revision TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE UNIQUE INDEX comments_seq ON comments(seq);
CREATE INDEX comments_record ON comments(record_id, decision);
CREATE TABLE history(
  seq BIGINT PRIMARY KEY,
  record_id TEXT NOT NULL,
  by_user TEXT NOT NULL,
  device_id TEXT NOT NULL,
  at TEXT NOT NULL,
  doc TEXT NOT NULL,
  conflicts TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX history_record ON history(record_id, seq);
)sql";

// The tables a collector database holds, with their columns, in an order that keeps references valid: what
// migrate-store copies.
struct TableColumns {
  const char* table;
  const char* columns;
};
constexpr TableColumns kTables[] = {
    {"users", "id, name, role, team, committees, created_at, council"},
    {"enrollment_codes", "code_hash, user_id, expires_at, used_at, device_id"},
    {"devices", "id, user_id, name, token_hash, enrolled_at, last_seen, revoked_at"},
    {"enrollment_failures", "address, at"},
    {"records", "id, seq, kind, author, area, body, hlc, echo_device, doc, council"},
    {"revisions", "record_id, hlc, device_id, status, received_at, seq"},
    {"reference_data", "id, seq, doc"},
    {"conflicts", "record_id, field, clock, value, winner_clock, by_user, device_id, at"},
    {"report_entries", "id, seq, council, author, doc"},
    {"comments", "id, seq, record_id, author, decision, revision, doc"},
    {"history", "seq, record_id, by_user, device_id, at, doc, conflicts"},
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The store
// ---------------------------------------------------------------------------------------------------------------

class PgCollectorStore final : public SqlCollectorStore<PgDatabase, PgStatement> {
 public:
  explicit PgCollectorStore(std::unique_ptr<PgDatabase> db) : SqlCollectorStore(std::move(db)) {}

  Status init() { return open_current(); }

  PgDatabase& database() { return *db_; }

 protected:
  // The collector id and the sequence base, as meta holds them (migrate-store replaces both).
  Status read_identity() override {
    if (auto id = SqlCollectorStore::read_identity(); !id) return id;
    auto base = meta("sequence_base");
    if (!base) return base.error();
    sequence_base_ = base->empty() ? 0 : std::stoll(*base);
    return ok_status();
  }

  // The schema as meta records it; 0 for a database without the collector's tables.
  Result<int> schema_version() override {
    auto tables = db_->query_int(
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'");
    if (!tables) return tables.error();
    if (tables->value_or(0) == 0) return 0;
    auto version = meta("schema");
    if (!version) return version.error();
    return version->empty() ? 0 : std::stoi(*version);
  }

  // DDL is transactional in PostgreSQL: a failed step leaves nothing.
  Status migration_step(int from) override {
    switch (from) {
      case 0:  // a new database: schema 2 at once
        if (auto status = db_->exec(kSchemaV2); !status) return status;
        for (const auto& [key, value] : {std::pair<const char*, std::string>{"collector_id", new_uuid_v7()},
                                         {"sequence_base", "0"},
                                         {"schema", std::to_string(kCollectorSchemaVersion)}})
          if (auto status = set_meta(key, value); !status) return status;
        return ok_status();
      default:
        return no_migration_from(from);
    }
  }

  // READ COMMITTED, with what a push reads to decide held by lock_records (advisory locks on its records' ids), and
  // enrollment codes claimed by a conditional UPDATE: each statement then reads what the transactions before it
  // committed. SERIALIZABLE would do without the locks, but uuid v7 keys put every insert on the same index page,
  // and its predicate locks then fail most concurrent pushes. A deadlock (two pushes of the same records: locks are
  // taken in order, so only through another path) or two inserts of one new id run the work again.
  Status write_transaction(const std::function<Status()>& work) override {
    constexpr int kAttempts = 20;
    std::minstd_rand jitter(static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())));
    for (int attempt = 1;; ++attempt) {
      auto status = db_->exec("BEGIN");
      if (status) {
        status = work();
        if (status)
          status = db_->exec("COMMIT");
        else
          (void)db_->exec("ROLLBACK");
      }
      // Two transactions inserting the same key at once: the second sees the first's row only once it runs again.
      const bool again = !status && (status.error().code == "store.retry" ||
                                     (status.error().code == "store.constraint" && attempt < 4));
      if (!again || attempt >= kAttempts) {
        if (!status && status.error().code == "store.retry")
          return make_error("store.busy", "", "the database stayed busy: " + status.error().message,
                            "データベースが混み合っています: " + status.error().message);
        return status;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200 * attempt + jitter() % 2000));
    }
  }

  Status read_transaction(const std::function<Status()>& work) override {
    if (auto status = db_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !status) return status;
    auto status = work();
    (void)db_->exec(status ? "COMMIT" : "ROLLBACK");
    return status;
  }

  Status lock_records(std::vector<std::string> ids) override {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto lock = db_->prepare("SELECT pg_advisory_xact_lock(hashtextextended(?, 7464383117))");  // as kMigrationLock
    if (!lock) return lock.error();
    for (const std::string& id : ids)
      if (auto status = (*lock)->bind(1, id).run(); !status) return status;
    return ok_status();
  }

  Result<std::int64_t> sequence_before() override {
    auto xid = db_->query_int("SELECT pg_current_xact_id()::text::bigint");
    if (!xid) return xid.error();
    return sequence_base_ + (xid->value_or(0) << kChangeBits);
  }

  Status sequence_taken(std::int64_t before, std::int64_t last) override {
    if (last - before < kChangesPerTransaction) return ok_status();
    return make_error("push.too_large", "", "too many changes in one request: send them in parts",
                      "一度に送る変更が多すぎます。分けて送ってください");
  }

  Result<std::int64_t> horizon() override {
    auto xmin = db_->query_int("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
    if (!xmin) return xmin.error();
    return sequence_base_ + (xmin->value_or(0) << kChangeBits) - 1;
  }

  std::string contains_sql(const std::string& column) const override { return "strpos(" + column + ", ?) > 0"; }

 private:
  std::int64_t sequence_base_ = 0;  // above every change a SQLite store had numbered before migrate-store
};

Result<std::unique_ptr<PgCollectorStore>> open_pg(const std::string& url) {
  auto db = PgDatabase::open(url);
  if (!db) return db.error();
  return std::make_unique<PgCollectorStore>(std::move(*db));
}

}  // namespace

Result<std::unique_ptr<CollectorStore>> open_postgres_collector_store(const std::string& url) {
  auto store = open_pg(url);
  if (!store) return store.error();
  if (auto status = (*store)->init(); !status) return status.error();
  return std::unique_ptr<CollectorStore>(std::move(*store));
}

Result<MigrationReport> migrate_postgres_collector_store(const std::string& url, int target) {
  auto store = open_pg(url);
  if (!store) return store.error();
  return (*store)->migrate(target);
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Moving a SQLite store in
// ---------------------------------------------------------------------------------------------------------------

Result<MoveReport> move_sqlite_store_to_postgres(const std::filesystem::path& folder, const std::string& url) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(folder / "collector.db", ec) &&
      !std::filesystem::exists(folder / "database.json", ec))  // moved already: migrate_sqlite_... says so
    return make_error("backup.no_store", folder.string(), "no collector database in " + folder.string(),
                      folder.string() + " に集約サーバーのデータベースがありません");
  // No collector may serve from the folder meanwhile: what it stored after the copy would stay behind.
  auto lock = ServingLock::restoring(folder);
  if (!lock)
    return lock.error().code == "restore.serving"
               ? make_error("migrate_store.serving", folder.string(),
                            "a collector is serving from " + folder.string() + ": stop it first",
                            folder.string() + " で集約サーバーが動いています。先に停止してください")
               : lock.error();
  auto migrated = migrate_sqlite_collector_store(folder);  // the copy is of this version's schema
  if (!migrated) return migrated.error();
  auto source = Database::open(folder / "collector.db", 0600);
  if (!source) return source.error();
  auto target = open_pg(url);
  if (!target) return target.error();
  if (auto status = (*target)->init(); !status) return status.error();
  PgDatabase& to = (*target)->database();

  MoveReport report;
  if (auto status = to.exec("BEGIN ISOLATION LEVEL SERIALIZABLE"); !status) return status.error();
  auto copy = [&]() -> Status {
    if (auto status = to.exec(kMigrationLock); !status) return status;
    for (const char* table : {"users", "records", "devices"}) {
      auto rows = to.query_int(std::string("SELECT count(*) FROM ") + table);
      if (!rows) return rows.error();
      if (rows->value_or(0) > 0)
        return make_error(
            "migrate_store.not_empty", redacted_url(url),
            "the PostgreSQL database holds a collector's data already (" + std::string(table) + ")",
            "移行先の PostgreSQL データベースには既に集約サーバーのデータがあります（" + std::string(table) + "）");
    }
    for (const auto& [table, columns] : kTables) {
      const std::string names = columns;
      const int count = static_cast<int>(std::count(names.begin(), names.end(), ',')) + 1;
      std::string placeholders;
      for (int i = 0; i < count; ++i) placeholders += i ? ", ?" : "?";
      auto select = source->get()->prepare("SELECT " + names + " FROM " + table);
      if (!select) return select.error();
      auto insert = to.prepare("INSERT INTO " + std::string(table) + "(" + names + ") VALUES(" + placeholders + ")");
      if (!insert) return insert.error();
      std::int64_t copied = 0;
      for (;;) {
        auto row = (*select)->step();
        if (!row) return row.error();
        if (!*row) break;
        for (int i = 0; i < count; ++i)
          if ((*select)->is_null(i))
            (*insert)->bind_null(i + 1);
          else
            (*insert)->bind(i + 1, (*select)->text(i));
        if (auto status = (*insert)->run(); !status) return status.error().with_context(table);
        ++copied;
      }
      (*select)->reset();
      report.rows.emplace_back(table, copied);
    }
    // The same collector id: the devices' cursors and tokens stay valid. New changes are numbered above every
    // number the SQLite store gave.
    auto last = source->get()->query_int("SELECT value FROM counters WHERE name = 'change_seq'");
    if (!last) return last.error();
    report.last_sequence = last->value_or(0);
    auto id = source->get()->prepare("SELECT value FROM meta WHERE key = 'collector_id'");
    if (!id) return id.error();
    auto found = (*id)->step();
    if (!found) return found.error();
    report.collector_id = *found ? (*id)->text(0) : std::string();
    (*id)->reset();
    auto set =
        to.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!set) return set.error();
    if (auto status = (*set)->bind(1, "collector_id").bind(2, report.collector_id).run(); !status) return status;
    // Where the collector last said devices reach it, for the admin commands' enrollment lines.
    auto endpoint = source->get()->prepare("SELECT value FROM meta WHERE key = 'endpoint'");
    if (!endpoint) return endpoint.error();
    auto announced = (*endpoint)->step();
    if (!announced) return announced.error();
    const std::string endpoint_text = *announced ? (*endpoint)->text(0) : std::string();
    (*endpoint)->reset();
    if (!endpoint_text.empty())
      if (auto status = (*set)->bind(1, "endpoint").bind(2, endpoint_text).run(); !status) return status;
    return (*set)->bind(1, "sequence_base").bind(2, std::to_string(report.last_sequence)).run();
  };
  auto status = copy();
  if (!status) {
    (void)to.exec("ROLLBACK");
    return status.error();
  }
  if (auto committed = to.exec("COMMIT"); !committed) return committed.error();
  // The SQLite database is set aside under a name no command opens (kept: it is the state before the move), and
  // the folder notes where its data went, so that `serve --data DIR` without --db refuses instead of serving it.
  source->reset();
  const std::filesystem::path file = folder / "collector.db";
  report.kept_as = file.string() + ".moved-to-postgresql-" + std::to_string(now_unix_ms());
  std::filesystem::rename(file, report.kept_as, ec);
  if (ec)
    return make_error(
        "migrate_store.rename", file.string(),
        "moved, but could not set the SQLite database aside: " + ec.message() + "; rename it yourself before serving",
        "移行しましたが SQLite のデータベースを退避できません: " + ec.message());
  for (const char* log : {"-wal", "-shm"}) std::filesystem::remove(file.string() + log, ec);
  if (auto status = note_postgres_folder(folder, url); !status) return status.error();
  return report;
}

}  // namespace tsunagi::sync
