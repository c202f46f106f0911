#include "model/store_schema.hpp"

#include <ctime>
#include <functional>
#include <string>

#include "model/record.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

// Version 1: records as JSON documents with indexed columns, themes, tombstones, the outbox, settings and reference
// data.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records(
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  date TEXT NOT NULL DEFAULT '',
  fiscal_year INTEGER,
  start_time TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  area TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  author TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0,
  hlc TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT '',
  doc TEXT NOT NULL
);
CREATE INDEX records_date ON records(date, start_time);
CREATE INDEX records_kind_date ON records(kind, date);
CREATE INDEX records_fy_date ON records(fiscal_year, date);
CREATE INDEX records_status_date ON records(status, date);
CREATE INDEX records_author_date ON records(author, date);
CREATE INDEX records_area_date ON records(area, date);
CREATE INDEX records_body_date ON records(body, date);
CREATE TABLE record_themes(
  theme TEXT NOT NULL,
  record_seq INTEGER NOT NULL REFERENCES records(seq) ON DELETE CASCADE,
  PRIMARY KEY(theme, record_seq)
) WITHOUT ROWID;
CREATE INDEX record_themes_record ON record_themes(record_seq);
CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  op TEXT NOT NULL,
  fields TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  device TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX outbox_record ON outbox(record_id);
CREATE TABLE reference_data(id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL, updated_at TEXT NOT NULL);
)sql";

// Version 2: full-text search that works for Japanese. FTS5's trigram tokenizer indexes every three-character
// sequence, so it finds words without a Japanese word segmenter; text is width-normalised first so that "１２"
// finds "12".
constexpr const char* kSchemaV2 = R"sql(
CREATE VIRTUAL TABLE record_fts USING fts5(title, text, tokenize = 'trigram');
)sql";

Status build_fts_from_documents(Database& db) {
  auto select = db.prepare("SELECT seq, doc FROM records");
  if (!select) return select.error();
  // Collect first: writing to record_fts while stepping the records cursor is fine in SQLite, but keeping the
  // read separate makes a failure leave nothing half-indexed (the transaction rolls back either way).
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.emplace_back((*select)->integer(0), (*select)->text(1));
  }
  (*select)->reset();
  for (const auto& [seq, doc] : rows) {
    auto record = parse_record(doc);
    if (!record) return record.error().with_context("record " + std::to_string(seq));
    if (auto status = index_record_text(db, seq, *record); !status) return status;
  }
  return ok_status();
}

struct Migration {
  int version;
  std::function<Status(Database&)> apply;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps{
      {1, [](Database& db) { return db.exec(kSchemaV1); }},
      {2,
       [](Database& db) {
         if (auto status = db.exec(kSchemaV2); !status) return status;
         return build_fts_from_documents(db);
       }},
  };
  return steps;
}

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &utc);
  return out;
}

Status backup_file(Database& db, const std::filesystem::path& target) {
  auto opened = Database::open(target, 0600);
  if (!opened) return opened.error();
  sqlite3_backup* backup = sqlite3_backup_init((*opened)->handle(), "main", db.handle(), "main");
  if (!backup) return sqlite_error((*opened)->handle(), sqlite3_errcode((*opened)->handle()), "backup");
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqlite_error((*opened)->handle(), rc, "backup");
  return ok_status();
}

}  // namespace

Status index_record_text(Database& db, std::int64_t seq, const Record& record) {
  auto remove = db.prepare("DELETE FROM record_fts WHERE rowid = ?");
  if (!remove) return remove.error();
  if (auto status = (*remove)->bind(1, seq).run(); !status) return status;
  auto insert = db.prepare("INSERT INTO record_fts(rowid, title, text) VALUES(?, ?, ?)");
  if (!insert) return insert.error();
  return (*insert)->bind(1, seq).bind(2, normalize_width(record.title)).bind(3, normalize_width(searchable_text(record))).run();
}

Status migrate_store(Database& db, const std::filesystem::path& file, int target,
                     std::vector<std::filesystem::path>& backups) {
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return version.error();
  int current = static_cast<int>(version->value_or(0));
  if (current > kLatestSchemaVersion)
    return make_error("store.version", file.string(),
                      "the data file was written by a newer version of Tsunagi (schema " + std::to_string(current) +
                          "); update this program",
                      "このデータは新しいバージョンのつなぎで作成されています（スキーマ " + std::to_string(current) +
                          "）。プログラムを更新してください");
  if (current >= target) return ok_status();
  if (current > 0) {
    std::filesystem::path backup = file;
    backup += ".v" + std::to_string(current) + ".bak-" + utc_stamp();
    if (auto status = backup_file(db, backup); !status) return status.error().with_context("backup before migration");
    backups.push_back(backup);
  }
  for (const auto& step : migrations()) {
    if (step.version <= current || step.version > target) continue;
    Transaction transaction(db);
    if (!transaction.begun()) return transaction.begun();
    if (auto status = step.apply(db); !status)
      return status.error().with_context("migration to schema " + std::to_string(step.version));
    if (auto status = db.exec("PRAGMA user_version = " + std::to_string(step.version)); !status) return status;
    if (auto status = transaction.commit(); !status) return status;
  }
  return ok_status();
}

}  // namespace tsunagi
