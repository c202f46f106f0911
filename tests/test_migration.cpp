#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>

#include "model/calendar.hpp"
#include "model/store_schema.hpp"
#include "store_fixture.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;

namespace {

void exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(file, &db) == SQLITE_OK);
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
  REQUIRE(tsunagi::testing::open_store_file(backup, &db, SQLITE_OPEN_READONLY) == SQLITE_OK);
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
    const std::string fy = parsed ? std::to_string(fiscal_year(*parsed)) : "NULL";
    exec(data / Store::kFileName,
         "INSERT INTO records(id, kind, date, fiscal_year, title, body, status, hlc, doc) VALUES('" + record->id +
             "', '" + kind + "', '" + date + "', " + fy + ", '" + title + "', '" + (kind == "meeting" ? body : "") +
             "', 'draft', '" + record->clock + "', '" + record_text(*record) +
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
  REQUIRE(tsunagi::testing::open_store_file((*store)->file(), &db, SQLITE_OPEN_READONLY) == SQLITE_OK);
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

namespace {

std::vector<std::string> query_column(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(file, &db, SQLITE_OPEN_READONLY) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("schema 8 turns the names a schema 5 store holds into ids, and keeps and lists names that match nothing",
          "[store][migration]") {
  TempFolder folder;
  auto data = folder.path / "data";
  {
    StoreOptions old;
    old.target_schema_version = 5;
    auto store = Store::open(data, old);  // with the default reference data, as every store has
    REQUIRE(store.ok());
    CHECK((*store)->schema_version() == 5);
  }
  // Rows as schema 5 held them: one area and (on meetings) one committee by name, themes by their full sentence.
  int added = 0;
  auto add = [&](const std::string& kind, const std::string& area, const std::string& body, const std::string& theme,
                 const std::string& organization, const std::string& title) {
    ++added;
    const std::string id = "0193a5f2-c3d4-7abc-8def-00000000000" + std::to_string(added);
    const std::string clock = "1688000000000.000" + std::to_string(added) + ".456789ab";
    std::string doc = R"({"id":")" + id + R"(","kind":")" + kind + R"(","date":"2024-07-0)" + std::to_string(added) +
                      R"(","title":")" + title + R"(","area":")" + area + R"(","themes":[")" + theme +
                      R"("],"organizations":[")" + organization + R"("],"status":"submitted","author":"田中 花子",)" +
                      (kind == "meeting" ? R"("body":")" + body + R"(","meeting_type":"committee","format":"in_person",)"
                                         : std::string(R"("visit_type":"home","place":"ご自宅",)")) +
                      R"("hlc":")" + clock + R"(","field_hlc":{"*":")" + clock + R"("}})";
    exec(data / Store::kFileName,
         "INSERT INTO records(id, kind, date, fiscal_year, title, area, body, status, author, hlc) VALUES('" + id +
             "', '" + kind + "', '2024-07-0" + std::to_string(added) + "', 2024, '" + title + "', '" + area + "', '" +
             (kind == "meeting" ? body : "") + "', 'submitted', '田中 花子', '" + clock +
             "'); INSERT INTO record_docs(seq, doc) SELECT max(seq), '" + doc +
             "' FROM records; INSERT INTO record_themes(theme, record_seq) SELECT '" + theme +
             "', max(seq) FROM records; INSERT INTO fts_backlog(seq) SELECT max(seq) FROM records");
    return id;
  };
  const std::string known = add("meeting", "東区", "相談支援部会",
                                "ひきこもり状態のため、医療に繋がらず、福祉サービスの導入、支援の継続が難しい",
                                "髙田ワークス", "相談支援部会 定例会");
  const std::string unknown = add("meeting", "火星区", "謎の部会", "未知のテーマ", "ひまわり作業所", "名前の合わない会議");
  const std::string visit = add("outreach", "西区", "", "ひきこもり状態のため、医療に繋がらず、福祉サービスの導入、支援の継続が難しい",
                                "𠮷野の里作業所", "家庭訪問");

  auto store = Store::open(data);
  REQUIRE(store.ok());
  CHECK((*store)->schema_version() == kLatestSchemaVersion);
  CHECK_FALSE((*store)->migration_backups().empty());  // the schema 5 file was copied first

  auto record = [&](const std::string& id) {
    auto got = (*store)->get(id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    return **got;
  };
  const Record matched = record(known);
  CHECK(matched.areas == std::vector<std::string>{"higashi"});
  CHECK(matched.committees == std::vector<std::string>{"consultation"});
  CHECK(matched.themes == std::vector<std::string>{"T08"});
  CHECK(matched.organizations == std::vector<std::string>{"org-0003"});
  CHECK(matched.council == "fukuoka");
  CHECK(matched.clock == "1688000000000.0001.456789ab");  // the same version: ids and names mean the same
  CHECK(record(visit).organizations == std::vector<std::string>{"org-0005"});

  // Nothing is dropped: names with no match stay as they were, and the migration lists them.
  const Record kept = record(unknown);
  CHECK(kept.areas == std::vector<std::string>{"火星区"});
  CHECK(kept.committees == std::vector<std::string>{"謎の部会"});
  CHECK(kept.themes == std::vector<std::string>{"未知のテーマ"});
  CHECK(kept.organizations == std::vector<std::string>{"ひまわり作業所"});
  CHECK(query_column((*store)->file(), "SELECT field || '=' || value FROM unmatched_references WHERE record_id = '" +
                                           unknown + "' ORDER BY field") ==
        std::vector<std::string>{"areas=火星区", "committees=謎の部会", "themes=未知のテーマ"});
  CHECK(query_column((*store)->file(), "SELECT value FROM unmatched_references WHERE record_id = '" + known + "'")
            .empty());

  // Filters find them by id or name, and the unmatched by what they hold.
  auto titles = [&](const RecordQuery& query) { return list_titles(**store, query); };
  RecordQuery query;
  query.area = "東区";
  CHECK(titles(query) == std::vector<std::string>{"相談支援部会 定例会"});
  query.area = "higashi_hakata";  // the area above the ward
  CHECK(titles(query) == std::vector<std::string>{"相談支援部会 定例会"});
  query.area = "火星区";
  CHECK(titles(query) == std::vector<std::string>{"名前の合わない会議"});
  query = {};
  query.theme = "T08";
  CHECK(titles(query) == std::vector<std::string>{"家庭訪問", "相談支援部会 定例会"});
  query = {};
  query.search = "城南";  // not anywhere
  CHECK(titles(query).empty());
  query.search = "相談支援部会";  // the committee's name is in the index, though the record holds its id
  CHECK(titles(query) == std::vector<std::string>{"相談支援部会 定例会"});
  query.search = "吉野の里";  // an organisation's name, folded (𠮷野)
  CHECK(titles(query) == std::vector<std::string>{"家庭訪問"});
  // The list shows names.
  auto rows = (*store)->list(RecordQuery{});
  REQUIRE(rows.ok());
  for (const auto& row : *rows)
    if (row.title == "相談支援部会 定例会") {
      CHECK(row.area == "東区");
      CHECK(row.body == "相談支援部会");
    }
}

TEST_CASE("schema 10 adds report entries to a schema 9 store and keeps its comments pending", "[store][migration]") {
  TempFolder folder;
  auto data = folder.path / "data";
  std::string record_id, comment_id;
  {
    StoreOptions old;
    old.author = "山本 課長";
    old.target_schema_version = 9;
    auto store = Store::open(data, old);
    REQUIRE(store.ok());
    CHECK((*store)->schema_version() == 9);
    auto record = parse_record(R"({"kind":"meeting","date":"2024-07-03","title":"運営会議","body":"運営会議",
      "meeting_type":"steering","format":"in_person"})");
    REQUIRE(record.ok());
    auto created = (*store)->create(std::move(*record));
    REQUIRE(created.ok());
    record_id = created->id;
    auto comment = (*store)->add_comment(record_id, "議事録を確認しました。", "supervisor");
    REQUIRE(comment.ok());
    comment_id = comment->id;
  }
  CHECK(query_column(data / Store::kFileName, "SELECT name FROM sqlite_master WHERE name = 'report_entries'").empty());

  StoreOptions options;
  options.author = "山本 課長";
  auto store = Store::open(data, options);
  REQUIRE(store.ok());
  CHECK((*store)->schema_version() == 10);
  REQUIRE((*store)->migration_backups().size() == 1);
  CHECK((*store)->migration_backups()[0].filename().string().rfind("tsunagi.db.v9.bak-", 0) == 0);
  // What schema 9 held is there as it was: the record, and the comment still waiting to be sent.
  CHECK(list_titles(**store, RecordQuery{}) == std::vector<std::string>{"運営会議"});
  auto pending = (*store)->pending_comments(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].id == comment_id);
  // And the new table takes report entries.
  CHECK((*store)->pending_report_entry_count().value() == 0);
  auto entry = (*store)->add_report_entry("fukuoka", 2024, "actual", "I03", {{"value", 12}}, "supervisor");
  REQUIRE(entry.ok());
  CHECK((*store)->report_entries("fukuoka", 2024).value() == std::vector<ReportEntry>{*entry});
  CHECK(query_column((*store)->file(), "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                       "'report_entries' AND name LIKE 'report_entries_%' ORDER BY name") ==
        std::vector<std::string>{"report_entries_pending", "report_entries_year"});
}
