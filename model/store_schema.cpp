#include "model/store_schema.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <string>

#include "model/calendar.hpp"
#include "model/record.hpp"
#include "model/record_json.hpp"
#include "model/reference.hpp"
#include "model/search_fold.hpp"
#include "model/text.hpp"
#include "model/validation.hpp"
#include "model/platform.hpp"

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
-- Each filter's index ends in (date, start_time) so that the list's order comes from the index, not a sort.
CREATE INDEX records_date ON records(date, start_time);
CREATE INDEX records_kind_fy_date ON records(kind, fiscal_year, date, start_time);
CREATE INDEX records_fy_date ON records(fiscal_year, date, start_time);
CREATE INDEX records_status_date ON records(status, date, start_time);
CREATE INDEX records_author_date ON records(author, date, start_time);
CREATE INDEX records_area_date ON records(area, date, start_time);
CREATE INDEX records_body_date ON records(body, date, start_time);
CREATE TABLE record_themes(
  theme TEXT NOT NULL,
  record_seq INTEGER NOT NULL REFERENCES records(seq) ON DELETE CASCADE,
  PRIMARY KEY(theme, record_seq)
) WITHOUT ROWID;
-- seq is never reused while unacknowledged entries exist (they hold the maximum), which is all the sync engine
-- needs; AUTOINCREMENT would add a write to sqlite_sequence per change.
CREATE TABLE outbox(
  seq INTEGER PRIMARY KEY,
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
// finds "12". Bulk imports list new rows in fts_backlog instead of indexing them in their transaction (indexing
// costs more than storing); the backlog is indexed before any search runs, so results are always complete.
constexpr const char* kSchemaV2 = R"sql(
CREATE VIRTUAL TABLE record_fts USING fts5(title, text, tokenize = 'trigram');
CREATE TABLE fts_backlog(seq INTEGER PRIMARY KEY);
)sql";

// Version 3: sync bookkeeping. synced_hlc is the clock of the version the collector last acknowledged or sent (the
// base of the next revision pushed); sync_rejections holds why the collector refused a record's latest revision.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE records ADD COLUMN synced_hlc TEXT NOT NULL DEFAULT '';
CREATE TABLE sync_rejections(
  record_id TEXT PRIMARY KEY,
  hlc TEXT NOT NULL,
  code TEXT NOT NULL,
  path TEXT NOT NULL,
  message TEXT NOT NULL,
  message_ja TEXT NOT NULL,
  at TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Version 4: fewer list indexes, as every write (an import, a pulled page) maintains each of them at a random
// place. A fiscal year is a date range (April to March), so its filter walks records_date and records_fy_date
// goes; only meetings have a committee, so the committee index holds meetings only (queries name the kind). The
// kind and fiscal year index, which the list screen uses most, holds `deleted` too, so that a page far down the
// list skips the rows before it in the index without reading each from the table.
constexpr const char* kSchemaV4 = R"sql(
DROP INDEX records_fy_date;
DROP INDEX records_body_date;
CREATE INDEX records_meeting_body_date ON records(body, date, start_time) WHERE kind = 'meeting';
DROP INDEX records_kind_fy_date;
CREATE INDEX records_kind_fy_deleted_date ON records(kind, fiscal_year, deleted, date, start_time);
)sql";

// Version 5: each record's JSON document in a table of its own, beside the row of indexed columns. The rows of
// records become small (a tenth of a document), so the list indexes are built from a short scan when a large
// import sets them aside and builds them again, and a filtered page reads fewer pages.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE record_docs(seq INTEGER PRIMARY KEY, doc TEXT NOT NULL);
INSERT INTO record_docs(seq, doc) SELECT seq, doc FROM records;
ALTER TABLE records DROP COLUMN doc;
)sql";

// Version 6: values that lost a merge, kept as the collector sends them until a later change of their field
// resolves them (then the row goes).
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE record_conflicts(
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  clock TEXT NOT NULL,
  value TEXT NOT NULL,
  winner_clock TEXT NOT NULL,
  by_user TEXT NOT NULL,
  device TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY(record_id, field, clock)
) WITHOUT ROWID;
)sql";

// Version 7: a record's version with changes not yet sent, as it was before a pull merged another device's
// changes into it: its base and the pull cursor its changes were made under go with it. It is pushed before the
// record's current version, so that the collector judges those changes against what they had seen: pushed merged,
// a local value that lost to the pulled one would be gone, and one that won would pass as having seen it.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE sync_snapshots(
  record_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  base TEXT NOT NULL,
  seen TEXT NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY(record_id, hlc)
) WITHOUT ROWID;
)sql";

// Version 8: records refer to councils, areas, committees, themes and organisations by id, and a record may name
// several areas and committees (indexed in tables of their own, as themes are; the single-value indexes on area
// and body go). Every stored record is rewritten: the old "area" and "body" become lists, names become ids; a name
// that matches nothing is kept in the record and listed in unmatched_references. The full-text index is built
// again, as it now holds the references' names and text folded for search.
constexpr const char* kSchemaV8 = R"sql(
ALTER TABLE records ADD COLUMN council TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN date_end TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS records_area_date;
DROP INDEX IF EXISTS records_meeting_body_date;
-- An area's records in list order (date, start time), as the single-area index of schema 4 gave them: a list of
-- one ward's records walks this in order and stops after a page.
CREATE TABLE record_areas(
  area TEXT NOT NULL,
  date TEXT NOT NULL,
  start_time TEXT NOT NULL,
  record_seq INTEGER NOT NULL REFERENCES records(seq) ON DELETE CASCADE,
  PRIMARY KEY(area, date, start_time, record_seq)
) WITHOUT ROWID;
CREATE TABLE record_committees(
  committee TEXT NOT NULL,
  record_seq INTEGER NOT NULL REFERENCES records(seq) ON DELETE CASCADE,
  PRIMARY KEY(committee, record_seq)
) WITHOUT ROWID;
CREATE TABLE unmatched_references(
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(record_id, field, value)
) WITHOUT ROWID;
DELETE FROM record_themes;
DELETE FROM record_fts;
DELETE FROM fts_backlog;
INSERT INTO fts_backlog(seq) SELECT seq FROM records;
)sql";

// Version 9: review. Comments are rows of their own (append-only, merged by id, never a field of the record), with
// the ones written here and not yet acknowledged by the collector marked pending; a record's history, as the
// collector last sent it, is kept for reading offline.
constexpr const char* kSchemaV9 = R"sql(
CREATE TABLE comments(
  id TEXT PRIMARY KEY,
  record_id TEXT NOT NULL,
  author TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  device_name TEXT NOT NULL DEFAULT '',
  time TEXT NOT NULL,
  text TEXT NOT NULL,
  decision TEXT NOT NULL DEFAULT '',
  revision TEXT NOT NULL DEFAULT '',
  pending INTEGER NOT NULL DEFAULT 0,    -- written here; the collector has not acknowledged it yet
  rejection TEXT NOT NULL DEFAULT ''     -- why the collector refused it (JSON error), while it did
) WITHOUT ROWID;
CREATE INDEX comments_record ON comments(record_id, time, id);
CREATE INDEX comments_pending ON comments(pending) WHERE pending = 1;
CREATE INDEX comments_decision ON comments(decision, record_id) WHERE decision <> '';
CREATE TABLE record_history(record_id TEXT PRIMARY KEY, entries TEXT NOT NULL, fetched_at TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Version 10: report entries, the evaluation texts of the progress management table and hand-entered indicator
// actuals. Each row is one immutable version (its document is report_entry_to_json), merged by id as comments are;
// the ones written here and not yet acknowledged by the collector are pending.
constexpr const char* kSchemaV10 = R"sql(
CREATE TABLE report_entries(
  id TEXT PRIMARY KEY,
  council TEXT NOT NULL DEFAULT '',
  fiscal_year INTEGER NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  author TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  device_name TEXT NOT NULL DEFAULT '',
  time TEXT NOT NULL,
  doc TEXT NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0,    -- written here; the collector has not acknowledged it yet
  rejection TEXT NOT NULL DEFAULT ''     -- why the collector refused it (JSON error), while it did
) WITHOUT ROWID;
CREATE INDEX report_entries_year ON report_entries(fiscal_year, council, kind, key, time, id);
CREATE INDEX report_entries_pending ON report_entries(pending) WHERE pending = 1;
)sql";

Status rewrite_references(Database& db) {
  ReferenceData reference;
  if (auto doc = db.prepare("SELECT doc FROM reference_data WHERE id = 1"); !doc) {
    return doc.error();
  } else if (auto row = (*doc)->step(); !row) {
    return row.error();
  } else if (*row) {
    auto parsed = parse_json_text((*doc)->text(0));
    if (parsed)
      if (auto data = reference_from_json(*parsed)) reference = std::move(*data);
    (*doc)->reset();
  }
  auto select = db.prepare("SELECT d.seq, d.doc FROM record_docs d ORDER BY d.seq");
  if (!select) return select.error();
  std::vector<std::pair<std::int64_t, Record>> records;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return row.error();
    if (!*row) break;
    auto record = parse_record((*select)->text(1));
    if (!record) return record.error().with_context("stored record " + std::to_string((*select)->integer(0)));
    records.emplace_back((*select)->integer(0), std::move(*record));
  }
  (*select)->reset();
  auto write_doc = db.prepare("UPDATE record_docs SET doc = ? WHERE seq = ?");
  auto write_row = db.prepare("UPDATE records SET area = ?, body = ?, council = ?, date_end = ? WHERE seq = ?");
  auto unmatched =
      db.prepare("INSERT OR IGNORE INTO unmatched_references(record_id, field, value) VALUES(?, ?, ?)");
  if (!write_doc) return write_doc.error();
  if (!write_row) return write_row.error();
  if (!unmatched) return unmatched.error();
  for (auto& [seq, record] : records) {
    // Ids and names mean the same to every reader, so this is no change to sync: clocks stay as they are.
    resolve_references(record, reference, reference.council_of(record.author));
    struct List {
      const char* field;
      ReferenceKind kind;
      const std::vector<std::string>* values;
    };
    const List lists[] = {{"areas", ReferenceKind::Area, &record.areas},
                          {"themes", ReferenceKind::Theme, &record.themes},
                          {"committees", ReferenceKind::Committee, &record.committees},
                          {"work_items", ReferenceKind::WorkItem, &record.work_items}};
    for (const List& list : lists)
      for (const auto& value : *list.values)
        if (!reference.known(list.kind, value))
          if (auto status = (*unmatched)->bind(1, record.id).bind(2, std::string(list.field)).bind(3, value).run(); !status)
            return status;
    ReferenceColumns columns = reference_columns(record, reference);
    if (auto status = (*write_doc)->bind(1, record_text(record)).bind(2, seq).run(); !status) return status;
    if (auto status = (*write_row)
                          ->bind(1, columns.area_column)
                          .bind(2, columns.body_column)
                          .bind(3, record.council)
                          .bind(4, record.date_end)
                          .bind(5, seq)
                          .run();
        !status)
      return status;
    if (auto status = index_record_references(db, seq, columns, nullptr); !status) return status;
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
         return db.exec("INSERT INTO fts_backlog(seq) SELECT seq FROM records");
       }},
      {3, [](Database& db) { return db.exec(kSchemaV3); }},
      {4, [](Database& db) { return db.exec(kSchemaV4); }},
      {5, [](Database& db) { return db.exec(kSchemaV5); }},
      {6, [](Database& db) { return db.exec(kSchemaV6); }},
      {7, [](Database& db) { return db.exec(kSchemaV7); }},
      {8,
       [](Database& db) {
         if (auto status = db.exec(kSchemaV8); !status) return status;
         return rewrite_references(db);
       }},
      {9, [](Database& db) { return db.exec(kSchemaV9); }},
      {10, [](Database& db) { return db.exec(kSchemaV10); }},
  };
  return steps;
}

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  const std::tm utc = platform::utc_time(now);
  char out[32];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &utc);
  return out;
}

Status backup_file(Database& db, const std::filesystem::path& target) {
  auto opened = Database::open(target, 0600, db.key());  // encrypted as the store is
  if (!opened) return opened.error();
  sqlite3_backup* backup = sqlite3_backup_init((*opened)->handle(), "main", db.handle(), "main");
  if (!backup) return sqlite_error((*opened)->handle(), sqlite3_errcode((*opened)->handle()), "backup");
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return sqlite_error((*opened)->handle(), rc, "backup");
  return ok_status();
}

}  // namespace

std::int64_t text_index_key(const std::string& date, const std::string& start_time, std::int64_t seq) {
  std::int64_t days = 0;
  if (auto parsed = parse_iso_date(date)) {
    // Days since 0000-03-01 (proleptic Gregorian), always positive for the dates we accept.
    std::int64_t y = parsed->year - (parsed->month <= 2 ? 1 : 0);
    std::int64_t m = parsed->month + (parsed->month <= 2 ? 9 : -3);
    days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + parsed->day;
  }
  std::int64_t minutes = 0;
  if (auto time = parse_time(start_time)) minutes = time->hour * 60 + time->minute + 1;
  return (days << 43) | (minutes << 32) | (seq & 0xFFFFFFFF);
}

Status unindex_record_text(Database& db, std::int64_t seq, const std::string& date, const std::string& start_time) {
  auto remove = db.prepare("DELETE FROM record_fts WHERE rowid = ?");
  if (!remove) return remove.error();
  if (auto status = (*remove)->bind(1, text_index_key(date, start_time, seq)).run(); !status) return status;
  auto unlist = db.prepare("DELETE FROM fts_backlog WHERE seq = ?");
  if (!unlist) return unlist.error();
  return (*unlist)->bind(1, seq).run();
}

Status index_record_text(Database& db, std::int64_t seq, const Record& record, const ReferenceData& reference,
                         const TextIndexKey* previous) {
  if (previous)
    if (auto status = unindex_record_text(db, seq, previous->date, previous->start_time); !status) return status;
  auto insert = db.prepare("INSERT INTO record_fts(rowid, title, text) VALUES(?, ?, ?)");
  if (!insert) return insert.error();
  std::string text = searchable_text(record);
  // Themes are long sentences chosen from a list: the theme filter finds them, and indexing every record's would
  // double the index.
  const std::pair<ReferenceKind, const std::vector<std::string>*> references[] = {
      {ReferenceKind::Area, &record.areas},
      {ReferenceKind::Committee, &record.committees},
      {ReferenceKind::Organization, &record.organizations},
      {ReferenceKind::WorkItem, &record.work_items}};
  for (const auto& [kind, values] : references)
    for (const auto& value : *values) text += '\n' + reference.name_of(kind, value);
  // Its comments too: a supervisor finds the record by what was said about it.
  // (A store built at an older schema by a test has no comments table.)
  auto comments = db.prepare("SELECT text FROM comments WHERE record_id = ?");
  if (!comments && comments.error().message.find("no such table") == std::string::npos) return comments.error();
  if (comments) (*comments)->bind(1, record.id);
  for (; comments;) {
    auto row = (*comments)->step();
    if (!row) return row.error();
    if (!*row) break;
    text += '\n' + (*comments)->text(0);
  }
  if (comments) (*comments)->reset();
  return (*insert)
      ->bind(1, text_index_key(record.date, record.start_time, seq))
      .bind(2, fold_for_search(record.title))
      .bind(3, fold_for_search(text))
      .run();
}

ReferenceColumns reference_columns(const Record& record, const ReferenceData& reference) {
  ReferenceColumns columns;
  // `joined`, when given: the ids in the record's order, as the list columns show them.
  auto resolved = [&](ReferenceKind kind, const std::vector<std::string>& values, std::string* joined) {
    std::vector<std::string> ids;
    for (const auto& value : values) {
      ids.push_back(reference.resolve(kind, value, record.council).value_or(value));
      // Separated by a character no id has.
      if (joined) *joined += (joined->empty() ? "" : "\x1f") + ids.back();
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  };
  columns.areas = resolved(ReferenceKind::Area, record.areas, &columns.area_column);
  columns.committees = resolved(ReferenceKind::Committee, record.committees, &columns.body_column);
  columns.themes = resolved(ReferenceKind::Theme, record.themes, nullptr);
  columns.date = record.date;
  columns.start_time = record.start_time;
  return columns;
}

Status index_record_references(Database& db, std::int64_t seq, const ReferenceColumns& columns,
                               const ReferenceColumns* before) {
  struct Table {
    const char* remove;
    const char* add;
    const std::vector<std::string> ReferenceColumns::*ids;
    bool dated;  // rows hold the record's date and start time too
  };
  static constexpr Table kTables[] = {
      {"DELETE FROM record_areas WHERE area = ?1 AND date = ?3 AND start_time = ?4 AND record_seq = ?2",
       "INSERT OR IGNORE INTO record_areas(area, record_seq, date, start_time) VALUES(?1, ?2, ?3, ?4)",
       &ReferenceColumns::areas, true},
      {"DELETE FROM record_committees WHERE committee = ? AND record_seq = ?",
       "INSERT OR IGNORE INTO record_committees(committee, record_seq) VALUES(?, ?)", &ReferenceColumns::committees,
       false},
      {"DELETE FROM record_themes WHERE theme = ? AND record_seq = ?",
       "INSERT OR IGNORE INTO record_themes(theme, record_seq) VALUES(?, ?)", &ReferenceColumns::themes, false}};
  for (const Table& table : kTables) {
    const auto& ids = columns.*table.ids;
    const bool moved = table.dated && before && (before->date != columns.date || before->start_time != columns.start_time);
    if (before && before->*table.ids == ids && !moved) continue;
    if (before && !(before->*table.ids).empty()) {
      auto remove = db.prepare(table.remove);
      if (!remove) return remove.error();
      for (const auto& id : before->*table.ids) {
        (*remove)->bind(1, id).bind(2, seq);
        if (table.dated) (*remove)->bind(3, before->date).bind(4, before->start_time);
        if (auto status = (*remove)->run(); !status) return status;
      }
    }
    if (ids.empty()) continue;
    auto add = db.prepare(table.add);
    if (!add) return add.error();
    for (const auto& id : ids) {
      (*add)->bind(1, id).bind(2, seq);
      if (table.dated) (*add)->bind(3, columns.date).bind(4, columns.start_time);
      if (auto status = (*add)->run(); !status) return status;
    }
  }
  return ok_status();
}

Status migrate_store(Database& db, const std::filesystem::path& file, int target,
                     std::vector<std::filesystem::path>& backups) {
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return version.error();
  int current = static_cast<int>(version->value_or(0));
  if (current > kLatestSchemaVersion)
    return make_error("store.version", platform::path_to_utf8(file),
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

Result<SetAsideIndexes> SetAsideIndexes::drop(Database& db, bool outbox_too) {
  // Only indexes written as CREATE INDEX have a definition; the UNIQUE index on id stays, as it refuses duplicates.
  auto select = db.prepare(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
      "AND (tbl_name = 'records' OR (tbl_name = 'outbox' AND ?)) AND sql IS NOT NULL ORDER BY name");
  if (!select) return select.error();
  (*select)->bind(1, outbox_too);
  std::vector<std::string> names;
  SetAsideIndexes set_aside;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return row.error();
    if (!*row) break;
    names.push_back((*select)->text(0));
    set_aside.definitions_.push_back((*select)->text(1));
  }
  (*select)->reset();
  for (const auto& name : names)
    if (auto status = db.exec("DROP INDEX \"" + name + "\""); !status) return status.error();
  return set_aside;
}

Status SetAsideIndexes::rebuild(Database& db) {
  // Another connection may have built them already (an open finishing a bulk load beside a running pull).
  constexpr std::string_view kCreate = "CREATE INDEX ";
  for (const auto& definition : definitions_) {
    std::string sql = definition.rfind(kCreate, 0) == 0
                          ? "CREATE INDEX IF NOT EXISTS " + definition.substr(kCreate.size())
                          : definition;
    if (auto status = db.exec(sql); !status) return status;
  }
  definitions_.clear();
  return ok_status();
}

Result<std::size_t> index_text_backlog(Database& db, std::size_t limit, const ReferenceData& reference) {
  auto select =
      db.prepare("SELECT b.seq, d.doc FROM fts_backlog b JOIN record_docs d ON d.seq = b.seq ORDER BY b.seq LIMIT ?");
  if (!select) return select.error();
  (*select)->bind(1, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.emplace_back((*select)->integer(0), (*select)->text(1));
  }
  (*select)->reset();
  if (rows.empty()) return std::size_t{0};
  // All backlog deletions first, then the FTS inserts: FTS5 flushes its pending index at every later statement
  // savepoint in the same transaction.
  auto remove = db.prepare("DELETE FROM fts_backlog WHERE seq = ?");
  if (!remove) return remove.error();
  for (const auto& [seq, doc] : rows)
    if (auto status = (*remove)->bind(1, seq).run(); !status) return status.error();
  // FTS5 keeps pending rows in memory only while rowids ascend; a lower rowid flushes a segment. So insert in
  // key order.
  std::vector<std::pair<std::int64_t, Record>> keyed;
  keyed.reserve(rows.size());
  for (const auto& [seq, doc] : rows) {
    auto record = parse_record(doc);
    if (!record) return record.error().with_context("stored record " + std::to_string(seq));
    keyed.emplace_back(seq, std::move(*record));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return text_index_key(a.second.date, a.second.start_time, a.first) <
           text_index_key(b.second.date, b.second.start_time, b.first);
  });
  for (const auto& [seq, record] : keyed)
    if (auto status = index_record_text(db, seq, record, reference, nullptr); !status) return status.error();
  return rows.size();
}

}  // namespace tsunagi
