#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>

#include "model/calendar.hpp"
#include "model/store_schema.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;

namespace {

void exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a schema 1 file is backed up and migrated, and its records become searchable", "[store][migration]") {
  TempFolder folder;
  auto data = folder.path / "data";
  {
    StoreOptions old;
    old.target_schema_version = 1;
    auto store = Store::open(data, old);
    REQUIRE(store.ok());
    CHECK((*store)->schema_version() == 1);
  }
  // What version 1 wrote: the row and its document, but no full-text index (that came with version 2).
  std::string doc = R"({"id":"0193a5f2-c3d4-7abc-8def-0123456789ab","kind":"meeting","date":"2023-07-03",
    "title":"第１回全体会","status":"approved","body":"全体会","meeting_type":"plenary","format":"in_person",
    "minutes":"サインレスの継続を決定","hlc":"1688000000000.0000.456789ab","field_hlc":{"*":"1688000000000.0000.456789ab"}})";
  exec(data / Store::kFileName,
       "INSERT INTO records(id, kind, date, fiscal_year, title, status, hlc, doc) VALUES("
       "'0193a5f2-c3d4-7abc-8def-0123456789ab', 'meeting', '2023-07-03', 2023, '第１回全体会', 'approved', "
       "'1688000000000.0000.456789ab', '" +
           doc + "')");

  auto store = Store::open(data);
  REQUIRE(store.ok());
  // Through 2 (full-text), 3 (sync bookkeeping), 4 (fewer indexes) and 5 (documents in their own table).
  CHECK((*store)->schema_version() == kLatestSchemaVersion);
  REQUIRE((*store)->migration_backups().size() == 1);
  auto backup = (*store)->migration_backups()[0];
  CHECK(std::filesystem::exists(backup));
  CHECK(backup.filename().string().rfind("tsunagi.db.v1.bak-", 0) == 0);

  RecordQuery query;
  query.search = "サインレス";
  auto rows = (*store)->list(query);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].title == "第１回全体会");
  auto stored = (*store)->get("0193a5f2-c3d4-7abc-8def-0123456789ab");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->meeting.minutes == "サインレスの継続を決定");
  CHECK((*stored)->clock == "1688000000000.0000.456789ab");

  // The backup is the old file as it was: schema 1, with the record.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(backup.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM records", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == 1);
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  // Opening again migrates nothing and takes no further backup.
  store->reset();
  auto again = Store::open(data);
  REQUIRE(again.ok());
  CHECK((*again)->migration_backups().empty());
}

TEST_CASE("a file from a newer version is refused, not damaged", "[store][migration]") {
  TempFolder folder;
  auto data = folder.path / "data";
  { REQUIRE(Store::open(data).ok()); }
  exec(data / Store::kFileName, "PRAGMA user_version = 99");
  auto store = Store::open(data);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == "store.version");
}

TEST_CASE("schema 4 drops the fiscal year index, indexes committees of meetings only, and keeps deletion in the kind index",
          "[store][migration]") {
  TempFolder folder;
  auto data = folder.path / "data";
  {
    StoreOptions old;
    old.target_schema_version = 3;
    REQUIRE(Store::open(data, old).ok());
  }
  // Rows as schema 3 held them (the document beside the indexed columns), written as the code of that time did.
  int added = 0;
  auto add = [&](const std::string& kind, const std::string& date, const std::string& title, const std::string& body) {
    auto record = parse_record(R"({"kind":")" + kind + R"(","date":")" + date + R"(","title":")" + title +
                               R"(","body":")" + body + R"("})");
    REQUIRE(record.ok());
    ++added;
    record->id = "0193a5f2-c3d4-7abc-8def-00000000000" + std::to_string(added);
    record->clock = "1688000000000.000" + std::to_string(added) + ".456789ab";
    auto parsed = parse_iso_date(record->date);
    std::optional<int> fy = parsed ? std::optional<int>(fiscal_year(*parsed)) : std::nullopt;
    exec(data / Store::kFileName,
         "INSERT INTO records(id, kind, date, fiscal_year, title, body, status, hlc, doc) VALUES('" + record->id +
             "', '" + kind + "', '" + date + "', " + (fy ? std::to_string(*fy) : "NULL") + ", '" + title + "', '" +
             (kind == "meeting" ? body : "") + "', 'draft', '" + record->clock + "', '" + record_text(*record) +
             "'); INSERT INTO fts_backlog(seq) SELECT max(seq) FROM records");
  };
  add("meeting", "2024-03-31", "年度末", "相談支援部会");
  add("meeting", "2024-04-01", "年度初め", "相談支援部会");
  add("outreach", "2025-03-31", "訪問", "");
  add("meeting", "2024-06-31", "日付の誤り", "相談支援部会");  // a draft whose date is not a date
  auto store = Store::open(data);
  REQUIRE(store.ok());
  CHECK((*store)->schema_version() == kLatestSchemaVersion);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(((*store)->file()).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> indexes;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name",
                     -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) indexes.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  CHECK(std::find(indexes.begin(), indexes.end(), "records_fy_date") == indexes.end());
  CHECK(std::find(indexes.begin(), indexes.end(), "records_body_date") == indexes.end());
  // Schema 4 indexed committees of meetings only; schema 8 moved committees (of any record) to a table of their own.
  CHECK(std::find(indexes.begin(), indexes.end(), "records_meeting_body_date") == indexes.end());
  CHECK(std::find(indexes.begin(), indexes.end(), "records_kind_fy_date") == indexes.end());
  CHECK(std::find(indexes.begin(), indexes.end(), "records_kind_fy_deleted_date") != indexes.end());

  auto titles = [&store](const RecordQuery& query) {
    std::vector<std::string> out;
    auto rows = (*store)->list(query);
    REQUIRE(rows.ok());
    for (const auto& row : *rows) out.push_back(row.title);
    return out;
  };
  RecordQuery fy2024;  // April to March; a date that is not one belongs to no fiscal year
  fy2024.fiscal_year = 2024;
  CHECK(titles(fy2024) == std::vector<std::string>{"訪問", "年度初め"});
  fy2024.kind = RecordKind::Meeting;
  CHECK(titles(fy2024) == std::vector<std::string>{"年度初め"});
  RecordQuery committee;
  committee.committee = "相談支援部会";
  CHECK(titles(committee) == std::vector<std::string>{"日付の誤り", "年度初め", "年度末"});
}
