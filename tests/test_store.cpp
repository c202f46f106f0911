#include <catch2/catch.hpp>

#include <sqlite3.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "model/database.hpp"
#include "model/ids.hpp"
#include "model/store_schema.hpp"
#include "store_fixture.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

const char* kMeeting = R"({"kind":"meeting","date":"2023-07-03","start_time":"13:30","end_time":"15:00",
  "title":"第１回全体会","area":"東区","themes":["T08"],"status":"submitted",
  "body":"全体会","meeting_type":"plenary","format":"in_person",
  "agenda":[{"title":"サインレスについて","summary":"アンケート結果を報告","decision":"サインレスの継続を決定"}]})";

std::vector<std::string> titles(const Result<std::vector<RecordSummary>>& rows) {
  REQUIRE(rows.ok());
  std::vector<std::string> out;
  for (const auto& row : *rows) out.push_back(row.title);
  std::sort(out.begin(), out.end());
  return out;
}

// The indexes of the store's file with their definitions, read on a connection of its own.
std::vector<std::string> index_definitions(const Store& store) {
  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(store.file(), &db, SQLITE_OPEN_READONLY) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT name || ': ' || ifnull(sql, '') FROM sqlite_schema WHERE type = 'index' ORDER BY 1",
                     -1, &stmt, nullptr);
  std::vector<std::string> out;
  while (sqlite3_step(stmt) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::string record_json(const std::string& kind, const std::string& date, const std::string& title,
                        const std::string& extra = "") {
  std::string body = R"({"kind":")" + kind + R"(","date":")" + date + R"(","title":")" + title + "\"";
  return body + (extra.empty() ? "" : "," + extra) + "}";
}

}  // namespace

TEST_CASE_METHOD(StoreFixture, "a new store is private, in WAL mode, with foreign keys on", "[store]") {
#ifndef _WIN32  // on Windows the user's profile keeps it private
  struct stat info {};
  REQUIRE(::stat(store->file().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(store->file().parent_path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
#endif
  CHECK(store->schema_version() == kLatestSchemaVersion);
  CHECK(is_uuid(store->device_id()));

  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(store->file(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  // The same device id on reopening; default reference data loaded once.
  std::string device = store->device_id();
  store.reset();
  store = open();
  CHECK(store->device_id() == device);
  auto reference = store->reference();
  REQUIRE(reference.ok());
  CHECK(reference->themes.size() == 12);
  CHECK(reference->has_area("東区"));
}

TEST_CASE_METHOD(StoreFixture, "create stamps id, author, device, clocks and appends to the outbox", "[store]") {
  Record created = add(kMeeting);
  CHECK(is_uuid(created.id));
  CHECK(created.author == "田中 花子");
  CHECK(created.device == store->device_id());
  CHECK(Hlc::parse(created.clock));
  CHECK(created.field_clocks.at("*") == created.clock);
  CHECK_FALSE(created.created_at.empty());

  auto stored = store->get(created.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK(**stored == created);

  auto outbox = store->outbox(10);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].record_id == created.id);
  CHECK((*outbox)[0].op == "create");
  CHECK((*outbox)[0].clock == created.clock);
  CHECK((*outbox)[0].changed_by == "田中 花子");

  auto duplicate = store->create(created);
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == "record.duplicate");
}

TEST_CASE_METHOD(StoreFixture, "an update stamps a new clock on the changed fields only", "[store]") {
  Record created = add(kMeeting);
  auto updated = store->update(created.id, json{{"title", "第１回全体会（修正）"}, {"venue", "本庄市役所"}});
  REQUIRE(updated.ok());
  CHECK(updated->clock > created.clock);
  CHECK(updated->field_clocks.at("title") == updated->clock);
  CHECK(updated->field_clocks.at("venue") == updated->clock);
  CHECK(updated->field_clocks.at("*") == created.clock);
  CHECK_FALSE(updated->field_clocks.count("date"));
  CHECK(updated->meeting.agenda == created.meeting.agenda);

  auto outbox = store->outbox(10);
  REQUIRE(outbox->size() == 2);
  CHECK((*outbox)[1].op == "update");
  CHECK((*outbox)[1].fields == std::vector<std::string>{"title", "venue"});

  // Setting a field to the value it has is no change: nothing new to send.
  auto same = store->update(created.id, json{{"title", "第１回全体会（修正）"}});
  REQUIRE(same.ok());
  CHECK(same->clock == updated->clock);
  CHECK(*store->outbox_size() == 2);

  // The collector acknowledged the first revision: its entry goes, the later one stays.
  auto acknowledged = store->acknowledge_sent({{created.id, (*outbox)[0].seq, created.clock}});
  REQUIRE(acknowledged.ok());
  CHECK(*store->outbox_size() == 1);
}

TEST_CASE_METHOD(StoreFixture, "a deleted record is a tombstone, not a missing row", "[store]") {
  Record created = add(kMeeting);
  REQUIRE(store->remove(created.id).ok());
  auto stored = store->get(created.id);
  REQUIRE(stored->has_value());
  CHECK((*stored)->deleted);
  CHECK((*stored)->title == created.title);  // content kept
  CHECK(store->list({})->empty());
  RecordQuery with_deleted;
  with_deleted.include_deleted = true;
  auto rows = store->list(with_deleted);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].deleted);
  CHECK(store->outbox(10)->back().op == "delete");
  CHECK(store->remove(created.id).ok());  // deleting twice is harmless
  CHECK(*store->outbox_size() == 2);
  CHECK(store->remove("no-such-id").error().code == "record.not_found");
}

TEST_CASE_METHOD(StoreFixture, "a draft may be incomplete: a submitted record must be valid", "[store]") {
  CHECK_NOTHROW(add(R"({"kind":"outreach","title":"途中まで","status":"draft"})"));
  auto parsed = parse_record(R"({"kind":"outreach","title":"不完全","status":"submitted"})");
  auto rejected = store->create(*parsed);
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().code == "record.invalid");
  CHECK(rejected.error().path == "/date");
  CHECK(store->list({})->size() == 1);

  Record draft = add(record_json("outreach", "2024-05-01", "家庭訪問", R"("status":"draft")"));
  auto submit = store->update(draft.id, json{{"status", "submitted"}});
  REQUIRE_FALSE(submit.ok());
  CHECK(submit.error().path == "/visit_type");
  auto fixed = store->update(draft.id, json{{"status", "submitted"}, {"visit_type", "home"}, {"place", "利用者宅"}});
  CHECK(fixed.ok());
}

TEST_CASE_METHOD(StoreFixture, "typed dates and times in the seeds' forms are stored as ISO", "[store]") {
  Record created = add(R"({"kind":"meeting","date":"R5.9.13","start_time":"１０：００","end_time":"12時",
    "title":"意見交換会","meeting_type":"exchange","format":"in_person","body":"運営会議","status":"submitted"})");
  CHECK(created.date == "2023-09-13");
  CHECK(created.start_time == "10:00");
  CHECK(created.end_time == "12:00");
}

TEST_CASE_METHOD(StoreFixture, "queries filter by every indexed column", "[store]") {
  add(record_json(
      "meeting", "2024-03-31", "年度末の会議",
      R"("area":"東区","status":"approved","author":"佐藤","body":"運営会議","meeting_type":"steering","format":"online")"));
  add(record_json("meeting", "2024-04-01", "年度初めの会議",
                  R"("area":"博多区","body":"相談支援部会","themes":["T08"])"));
  add(record_json("outreach", "2024-07-15", "夏の家庭訪問", R"("area":"西区","themes":["T08"])"));
  add(record_json("case_review", "2025-03-31", "年度末のケース検討", R"("area":"東区")"));

  RecordQuery fy2024;
  fy2024.fiscal_year = 2024;
  CHECK(titles(store->list(fy2024)) ==
        std::vector<std::string>{"夏の家庭訪問", "年度初めの会議", "年度末のケース検討"});
  RecordQuery fy2023;
  fy2023.fiscal_year = 2023;
  CHECK(titles(store->list(fy2023)) == std::vector<std::string>{"年度末の会議"});

  RecordQuery meetings;
  meetings.kind = RecordKind::Meeting;
  CHECK(store->list(meetings)->size() == 2);
  RecordQuery range;
  range.date_from = "2024-04-01";
  range.date_to = "2024-07-15";
  CHECK(titles(store->list(range)) == std::vector<std::string>{"夏の家庭訪問", "年度初めの会議"});
  RecordQuery july;
  july.month = 7;
  CHECK(titles(store->list(july)) == std::vector<std::string>{"夏の家庭訪問"});
  RecordQuery east;
  east.area = "東区";
  CHECK(store->list(east)->size() == 2);
  RecordQuery east_area;  // a parent area takes in its wards (東・博多エリア: 東区 and 博多区)
  east_area.area = "東・博多エリア";
  CHECK(store->list(east_area)->size() == 3);
  RecordQuery theme;
  theme.theme = "ひきこもり";
  CHECK(titles(store->list(theme)) == std::vector<std::string>{"夏の家庭訪問", "年度初めの会議"});
  RecordQuery approved;
  approved.status = ReviewStatus::Approved;
  CHECK(titles(store->list(approved)) == std::vector<std::string>{"年度末の会議"});
  RecordQuery by_sato;
  by_sato.author = "佐藤";
  CHECK(titles(store->list(by_sato)) == std::vector<std::string>{"年度末の会議"});
  RecordQuery committee;
  committee.committee = "相談支援部会";
  CHECK(titles(store->list(committee)) == std::vector<std::string>{"年度初めの会議"});
  CHECK(*store->count(fy2024) == 3);

  RecordQuery newest_first;
  auto rows = store->list(newest_first);
  REQUIRE(rows->size() == 4);
  CHECK((*rows)[0].date == "2025-03-31");
  newest_first.descending = false;
  newest_first.limit = 2;
  newest_first.offset = 1;
  rows = store->list(newest_first);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].date == "2024-04-01");
}

TEST_CASE_METHOD(StoreFixture, "a committee query takes in the committees below it", "[store]") {
  auto reference = store->reference();
  REQUIRE(reference.ok());
  const Committee* child = nullptr;
  const Committee* parent = nullptr;
  for (const auto& c : reference->committees)
    for (const auto& p : reference->committees)
      if (!c.parent.empty() && c.parent == p.id) child = &c, parent = &p;
  REQUIRE(child);
  add(record_json("meeting", "2024-06-01", "子の会議", R"("body":")" + child->name + "\""));
  add(record_json("meeting", "2024-06-02", "親の会議", R"("body":")" + parent->name + "\""));
  RecordQuery query;
  query.committee = parent->name;
  CHECK(store->list(query)->size() == 2);
  query.committee = child->name;
  CHECK(store->list(query)->size() == 1);
}

TEST_CASE_METHOD(StoreFixture, "full-text search finds Japanese words of any length", "[store][search]") {
  add(kMeeting);
  add(record_json(
      "outreach", "2024-05-10", "グループホーム訪問",
      R"("content":"施設入所支援・グループホームの空き情報を把握し、１２２人日の利用を確認","place":"山﨑ハウス")"));
  add(record_json("case_review", "2024-06-01", "ケース検討会", R"("issues":"強度行動障がい、8050問題")"));

  auto search = [&](const std::string& text) {
    RecordQuery query;
    query.search = text;
    return titles(store->list(query));
  };
  CHECK(search("サインレスの継続") == std::vector<std::string>{"第１回全体会"});  // agenda decision
  CHECK(search("空き情報") == std::vector<std::string>{"グループホーム訪問"});
  CHECK(search("会議").empty());
  CHECK(search("全体") == std::vector<std::string>{"第１回全体会"});           // two characters
  CHECK(search("﨑") == std::vector<std::string>{"グループホーム訪問"});       // one rare kanji
  CHECK(search("122人日") == std::vector<std::string>{"グループホーム訪問"});  // full-width in the text
  CHECK(search("８０５０") == std::vector<std::string>{"ケース検討会"});       // full-width in the query
  CHECK(search("強度行動 8050") == std::vector<std::string>{"ケース検討会"});
  CHECK(search("強度行動 サインレス").empty());
  CHECK(search("\"quoted\" 100%_").empty());                          // query syntax characters are data, not operators
  CHECK(search("東区") == std::vector<std::string>{"第１回全体会"});  // the area is searchable text too
}

TEST_CASE_METHOD(StoreFixture, "import is all or nothing and updates records it already has", "[store]") {
  std::vector<Record> batch;
  for (int i = 0; i < 3; ++i)
    batch.push_back(
        *parse_record(record_json("meeting", "2024-05-0" + std::to_string(i + 1), "会議" + std::to_string(i))));
  batch.push_back(*parse_record(R"({"kind":"meeting","title":"壊れた提出","status":"submitted"})"));
  auto failed = store->import_records(batch);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("record 4") != std::string::npos);
  CHECK(*store->count({}) == 0);
  CHECK(*store->outbox_size() == 0);

  batch.pop_back();
  auto written = store->import_records(batch);
  REQUIRE(written.ok());
  CHECK(*written == 3);
  CHECK(*store->count({}) == 3);

  // Re-importing an export updates in place: no duplicates, and unchanged records are not re-sent.
  std::vector<Record> exported;
  REQUIRE(store
              ->for_each({},
                         [&](const Record& r) {
                           exported.push_back(r);
                           return true;
                         })
              .ok());
  exported[0].title = "会議（修正）";
  auto again = store->import_records(exported);
  REQUIRE(again.ok());
  CHECK(*again == 1);
  CHECK(*store->count({}) == 3);
  CHECK(*store->outbox_size() == 4);
}

TEST_CASE_METHOD(StoreFixture, "a full disk gives a clear error and loses nothing", "[store]") {
  store.reset();
  StoreOptions small;
  small.max_file_bytes = 600 * 1024;
  store = open(small);
  std::string text(2000, 'x');
  int stored = 0;
  Error last;
  for (int i = 0; i < 2000; ++i) {
    auto created = store->create(*parse_record(
        record_json("meeting", "2024-05-01", "記録" + std::to_string(i), R"("minutes":")" + text + "\"")));
    if (!created) {
      last = created.error();
      break;
    }
    ++stored;
  }
  REQUIRE(stored > 0);
  CHECK(last.code == "store.full");
  CHECK(last.message_ja.find("ディスク") != std::string::npos);
  CHECK(*store->count({}) == stored);
  CHECK(*store->outbox_size() == stored);
  store.reset();
  store = open();  // without the cap, everything is there and writable
  CHECK(*store->count({}) == stored);
  CHECK_NOTHROW(add(kMeeting));
}

TEST_CASE_METHOD(StoreFixture, "a large import that fills the disk is refused whole, its indexes back in place",
                 "[store]") {
  const auto indexes = index_definitions(*store);
  add(kMeeting);
  store.reset();
  StoreOptions small;
  small.max_file_bytes = 2 * 1024 * 1024;
  store = open(small);
  std::vector<Record> batch;
  for (int i = 0; i < 3000; ++i)  // about 6 MB: the indexes are set aside, and the disk fills before the end
    batch.push_back(*parse_record(record_json("outreach", "2024-06-01", "訪問" + std::to_string(i),
                                              R"("content":")" + std::string(2000, 'x') + "\"")));
  auto written = store->import_records(std::move(batch));
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().code == "store.full");
  CHECK(*store->count({}) == 1);
  CHECK(*store->outbox_size() == 1);
  CHECK(index_definitions(*store) == indexes);
  store.reset();
  store = open();
  CHECK(*store->count({}) == 1);
  CHECK(index_definitions(*store) == indexes);
}

TEST_CASE_METHOD(StoreFixture, "the log stays bounded while commits follow one another", "[store]") {
  // The background checkpoint runs behind the commits, and the log starts over only when a transaction begins with
  // all of it copied: without the commits' own step it would grow with everything written (here 25 MB).
  store.reset();
  StoreOptions options;
  options.checkpoint_pages = 64;  // 256 KB: the log may reach 16 times that before a commit copies it itself
  store = open(options);
  std::filesystem::path log = store->file();
  log += "-wal";
  std::uintmax_t largest = 0;
  for (int transaction = 0; transaction < 250; ++transaction) {
    std::vector<Record> batch;
    for (int i = 0; i < 25; ++i)
      batch.push_back(*parse_record(record_json("outreach", "2024-06-01", "訪問" + std::to_string(i),
                                                R"("content":")" + std::string(4000, 'x') + "\"")));
    REQUIRE(store->import_records(std::move(batch)).ok());
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(log, ec));
  }
  CHECK(*store->count({}) == 250 * 25);
  CHECK(largest < 6u * 1024 * 1024);
}

#ifndef _WIN32  // fork and SIGKILL
TEST_CASE_METHOD(StoreFixture, "a process killed while writing leaves every committed record intact", "[store]") {
  store.reset();
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    auto writer = Store::open(folder.path / "data");
    if (!writer) ::_exit(3);
    for (int i = 0;; ++i) {
      auto created = (*writer)->create(*parse_record(record_json("meeting", "2024-05-01", "記録" + std::to_string(i))));
      if (!created) ::_exit(4);
      char committed = 1;
      if (::write(pipe_fds[1], &committed, 1) != 1) ::_exit(5);
    }
  }
  ::close(pipe_fds[1]);
  int acknowledged = 0;
  char byte;
  while (acknowledged < 200 && ::read(pipe_fds[0], &byte, 1) == 1) ++acknowledged;
  ::kill(child, SIGKILL);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  while (::read(pipe_fds[0], &byte, 1) == 1) ++acknowledged;  // commits reported before the kill
  ::close(pipe_fds[0]);
  REQUIRE(WIFSIGNALED(wait_status));

  store = open();
  auto total = store->count({});
  REQUIRE(total.ok());
  CHECK(*total >= acknowledged);
  CHECK(*total <= acknowledged + 1);  // at most the one committed but not yet reported
  CHECK(*store->outbox_size() == *total);
  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(store->file(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "ok");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}
#endif

TEST_CASE_METHOD(StoreFixture, "two connections on one folder see each other's writes", "[store]") {
  auto second = open();
  add(kMeeting);
  CHECK(*second->count({}) == 1);
  CHECK(second->device_id() == store->device_id());
}

TEST_CASE_METHOD(StoreFixture, "settings persist", "[store]") {
  REQUIRE(store->set_setting("language", "en").ok());
  store.reset();
  store = open();
  CHECK(*store->setting("language") == "en");
  CHECK(store->setting("missing")->empty());
}


TEST_CASE_METHOD(StoreFixture, "a large import is all or nothing across its chunks", "[store]") {
  const auto indexes = index_definitions(*store);
  REQUIRE(indexes.size() > 5);
  std::vector<Record> batch;
  for (int i = 0; i < 2500; ++i)
    batch.push_back(*parse_record(record_json("outreach", "2024-06-01", "訪問" + std::to_string(i))));
  batch[2100] = *parse_record(R"({"kind":"meeting","title":"壊れた提出","status":"submitted"})");
  auto failed = store->import_records(batch);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("record 2101") != std::string::npos);
  CHECK(*store->count({}) == 0);
  CHECK(*store->outbox_size() == 0);
  CHECK(index_definitions(*store) == indexes);  // set aside for the import, and back with its rollback

  batch.erase(batch.begin() + 2100);
  auto written = store->import_records(batch);
  REQUIRE(written.ok());
  CHECK(*written == 2499);
  RecordQuery everything;
  everything.limit = 0;
  CHECK(*store->count(everything) == 2499);
  RecordQuery search;
  search.search = "訪問2498";
  CHECK(store->list(search)->size() == 1);
  CHECK(index_definitions(*store) == indexes);  // built again before the commit
}

TEST_CASE_METHOD(StoreFixture, "a bulk load sets the indexes aside across transactions, and an open finishes one cut off",
                 "[store]") {
  const auto indexes = index_definitions(*store);
  auto page = [](int first, const std::string& cursor) {
    PulledPage page;
    for (int i = first; i < first + 500; ++i) {
      auto record = parse_record(record_json("outreach", "2024-06-01", "復元" + std::to_string(i),
                                             R"("area":")" + std::string(i % 2 ? "東区" : "西区") + R"(")"));
      REQUIRE(record.ok());
      record->id = new_uuid_v7();
      record->clock = "1700000000000.0000.0000000" + std::to_string(i % 10);
      page.records.push_back(std::move(*record));
    }
    page.cursor = cursor;
    return page;
  };
  REQUIRE(store->start_bulk_load().ok());
  CHECK(index_definitions(*store).size() < indexes.size());
  REQUIRE(store->apply_pulled(page(0, "c1.500")).ok());
  REQUIRE(store->start_bulk_load().ok());  // already under way: nothing changes
  REQUIRE(store->apply_pulled(page(500, "c1.1000")).ok());
  RecordQuery east;
  east.area = "東区";
  east.limit = 0;
  CHECK(*store->count(east) == 500);  // queries work meanwhile, without the indexes
  REQUIRE(store->finish_bulk_load().ok());
  CHECK(index_definitions(*store) == indexes);
  CHECK(*store->count(east) == 500);
  REQUIRE(store->finish_bulk_load().ok());  // nothing set aside: nothing to do

  // Cut off: the process ends between the pages; the next open builds the indexes again.
  REQUIRE(store->start_bulk_load().ok());
  REQUIRE(store->apply_pulled(page(1000, "c1.1500")).ok());
  store.reset();
  store = open();
  CHECK(index_definitions(*store) == indexes);
  CHECK(store->setting("bulk_load.indexes")->empty());
  CHECK(*store->count(east) == 750);
  CHECK(*store->pull_cursor() == "c1.1500");
}

TEST_CASE_METHOD(StoreFixture, "a bulk load cut off by a full disk leaves a store that opens, and is finished later",
                 "[store]") {
  const auto indexes = index_definitions(*store);
  store.reset();
  StoreOptions small;
  small.max_file_bytes = 3 * 1024 * 1024;
  store = open(small);
  REQUIRE(store->start_bulk_load().ok());
  // Pages of 200 records until one does not fit, then of one record until not even that fits: the disk is full.
  Error full;
  int page_size = 200;
  for (int first = 0; first < 100000; first += page_size) {
    PulledPage page;
    for (int i = first; i < first + page_size; ++i) {
      auto record = parse_record(record_json("outreach", "2024-06-01", "復元" + std::to_string(i),
                                             R"("content":")" + std::string(2000, 'x') + "\""));
      REQUIRE(record.ok());
      record->id = new_uuid_v7();
      record->clock = "1700000000000.0000.00000001";
      page.records.push_back(std::move(*record));
    }
    page.cursor = "c1." + std::to_string(first + page_size);
    auto applied = store->apply_pulled(std::move(page));
    if (!applied) {
      full = applied.error();
      if (page_size == 1) break;
      page_size = 1;
    }
  }
  REQUIRE(full.code == "store.full");
  CHECK_FALSE(store->finish_bulk_load().ok());  // no room to build the indexes either
  const std::int64_t kept = *store->count({});
  CHECK(kept > 0);

  store.reset();
  store = open(small);  // still full: it opens, and answers without the indexes
  CHECK(*store->count({}) == kept);
  CHECK_FALSE(store->setting("bulk_load.indexes")->empty());
  store.reset();
  store = open();  // room again: the open builds them
  CHECK(index_definitions(*store) == indexes);
  CHECK(store->setting("bulk_load.indexes")->empty());
  CHECK(*store->count({}) == kept);
}

TEST_CASE_METHOD(StoreFixture, "a store that already holds many records keeps its indexes through a first pull",
                 "[store]") {
  std::vector<Record> batch;
  for (int i = 0; i <= Store::kBulkLoadAtMost; ++i)
    batch.push_back(*parse_record(record_json("outreach", "2024-06-01", "訪問" + std::to_string(i))));
  REQUIRE(store->import_records(std::move(batch)).ok());
  const auto indexes = index_definitions(*store);
  REQUIRE(store->start_bulk_load().ok());
  CHECK(index_definitions(*store) == indexes);
  CHECK(store->setting("bulk_load.indexes")->empty());
}

TEST_CASE_METHOD(StoreFixture, "an idle indexing step gives way to another connection's write", "[store]") {
  std::vector<Record> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(*parse_record(record_json("outreach", "2024-06-01", "訪問" + std::to_string(i))));
  REQUIRE(store->import_records(std::move(batch)).ok());
  REQUIRE(*store->search_backlog() == 10);
  sqlite3* writer = nullptr;  // another connection, in the middle of a write
  REQUIRE(tsunagi::testing::open_store_file(store->file(), &writer) == SQLITE_OK);
  REQUIRE(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto step = store->index_search_backlog_step(500, 20);
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().code == "store.busy");
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  step = store->index_search_backlog_step(500, 20);
  REQUIRE(step.ok());
  CHECK(*step == 10);
  CHECK(*store->search_backlog() == 0);
}

TEST_CASE_METHOD(StoreFixture, "a large import into a smaller store indexes old and new records alike", "[store]") {
  add(R"({"kind":"meeting","date":"2024-04-02","title":"前からある会議","area":"東区","status":"submitted",
    "body":"相談支援部会","meeting_type":"committee","format":"in_person"})");
  std::vector<Record> batch;
  for (int i = 0; i < 3000; ++i) {
    auto record = parse_record(record_json(i % 2 ? "outreach" : "meeting", "2024-05-01", "取り込み" + std::to_string(i)));
    REQUIRE(record.ok());
    record->areas = {i % 3 ? "西区" : "東区"};
    record->author = i % 5 ? "田中 花子" : "山本 太郎";
    record->themes = {i % 4 ? "就労支援" : "権利擁護"};
    batch.push_back(std::move(*record));
  }
  auto written = store->import_records(std::move(batch));
  REQUIRE(written.ok());
  CHECK(*written == 3000);

  RecordQuery query;
  query.limit = 0;
  query.area = "東区";
  CHECK(*store->count(query) == 1001);  // 1,000 imported and the one that was there
  query = {};
  query.limit = 0;
  query.author = "山本 太郎";
  CHECK(*store->count(query) == 600);
  query = {};
  query.limit = 0;
  query.fiscal_year = 2024;
  query.kind = RecordKind::Meeting;
  CHECK(*store->count(query) == 1501);
  query = {};
  query.theme = "権利擁護";
  query.limit = 0;
  CHECK(*store->count(query) == 750);
  query = {};
  query.committee = "相談支援部会";
  auto rows = store->list(query);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].title == "前からある会議");
  CHECK(*store->outbox_size() == 3001);
  auto sent = store->outbox(10, 0);
  REQUIRE(sent.ok());
  REQUIRE_FALSE(sent->empty());
  CHECK(store->get((*sent)[0].record_id)->has_value());
}

TEST_CASE_METHOD(StoreFixture, "paging through 100,000 rows' worth of offsets prepares one statement, not one a page",
                 "[store]") {
  for (int i = 0; i < 30; ++i) add(record_json("meeting", "2024-05-0" + std::to_string(1 + i % 9), "会議" + std::to_string(i)));
  const std::size_t before = store->prepared_statements();
  RecordQuery query;
  query.limit = 100;
  for (int offset = 0; offset < 100000; offset += 100) {
    query.offset = offset;
    REQUIRE(store->list(query));
  }
  CHECK(store->prepared_statements() <= before + 2);
  // Queries of many shapes (each search has its own SQL) stay within the cache's bound.
  for (int i = 0; i < 300; ++i) {
    RecordQuery shaped;
    shaped.search = std::string(static_cast<std::size_t>(i % 40 + 1), 'a');
    shaped.area = i % 2 ? "東区" : "";
    REQUIRE(store->list(shaped));
  }
  CHECK(store->prepared_statements() <= Database::kCachedStatements);
}

namespace {

// A store whose author comes from its settings (and $USER), as the window's and the sync worker's do.
std::unique_ptr<Store> open_unnamed(const std::filesystem::path& folder) {
  auto opened = Store::open(folder);
  REQUIRE(opened);
  return std::move(*opened);
}

}  // namespace

TEST_CASE_METHOD(StoreFixture, "what one connection changes shows in another's author and reference data at once",
                 "[store]") {
  auto window = open_unnamed(folder.path / "shared");
  auto worker = open_unnamed(folder.path / "shared");
  REQUIRE(window->author() == worker->author());

  // The worker enrolls; the window's very next record is the enrolled user's, without reopening.
  REQUIRE(worker->adopt_author("佐藤 花子"));
  CHECK(window->author() == "佐藤 花子");
  auto record = parse_record(record_json("meeting", "2024-05-20", "登録後の会議"));
  REQUIRE(record);
  auto created = window->create(*record);
  REQUIRE(created);
  CHECK(created->author == "佐藤 花子");
  CHECK(created->updated_by == "佐藤 花子");

  // New reference data pulled by the worker reaches the window's cached copy.
  auto reference = window->reference();
  REQUIRE(reference);
  ReferenceData changed = *reference;
  changed.themes.push_back(Theme{"T99", "新しいテーマ", "New theme"});
  REQUIRE(worker->replace_reference(changed));
  auto seen = window->reference();
  REQUIRE(seen);
  CHECK(seen->has_theme("新しいテーマ"));
}

TEST_CASE_METHOD(StoreFixture, "an enrollment makes the records written before it the enrolled user's, and only those",
                 "[store]") {
  // The login name a store falls back to without an author setting.
  const char* saved_user = std::getenv(platform::kLoginVariable);
  const std::string restore_user = saved_user ? saved_user : "";
  set_env(platform::kLoginVariable, "tsunagi-login");
  const std::filesystem::path data = folder.path / "laptop";
  auto laptop = open_unnamed(data);
  CHECK(laptop->author() == "tsunagi-login");
  auto add_to = [](Store& s, const std::string& title, const std::string& author) {
    auto record = parse_record(record_json("meeting", "2024-05-20", title));
    REQUIRE(record);
    record->author = author;
    auto created = s.create(*record);
    REQUIRE(created);
    return created->id;
  };
  const std::string before = add_to(*laptop, "登録前の会議", "");  // the store's author: the login name
  const std::string unnamed = add_to(*laptop, "名前のない会議", "");
  const std::string colleague = add_to(*laptop, "同僚の会議", "山田 一郎");
  const std::string sent = add_to(*laptop, "送信済みの会議", "");
  REQUIRE(laptop->acknowledge_sent({{sent, 1000000, laptop->get(sent)->value().clock}}));
  auto author_of = [&](const std::string& id) { return laptop->get(id)->value().author; };
  CHECK(author_of(before) == "tsunagi-login");

  auto adopted = laptop->adopt_author("佐藤 花子");
  REQUIRE(adopted);
  CHECK(*adopted == 2);
  CHECK(author_of(before) == "佐藤 花子");
  CHECK(author_of(unnamed) == "佐藤 花子");
  CHECK(author_of(colleague) == "山田 一郎");     // not a name this device used: stays as written
  CHECK(author_of(sent) == "tsunagi-login");  // the collector has it under that name already
  // Each change of hands is a change that syncs.
  auto entries = laptop->outbox(100);
  REQUIRE(entries);
  CHECK(std::count_if(entries->begin(), entries->end(), [&](const OutboxEntry& e) { return e.record_id == before; }) ==
        2);
  CHECK(*laptop->adopt_author("佐藤 花子") == 0);  // done: nothing to do

  // A store from before this version: a connection that kept writing under the old name (as the window's did,
  // before connections read settings afresh), and no note that the author came from an enrollment. The next
  // adoption (each sync makes one) repairs the record.
  {
    StoreOptions stale_options;
    stale_options.author = "tsunagi-login";
    auto stale = Store::open(data, stale_options);
    REQUIRE(stale);
    auto record = parse_record(record_json("meeting", "2024-05-22", "古い名前で書いた会議"));
    REQUIRE(record);
    auto created = (*stale)->create(*record);
    REQUIRE(created);
    CHECK(created->author == "tsunagi-login");
    REQUIRE(laptop->set_setting("author.enrolled", ""));
    CHECK(*laptop->adopt_author("佐藤 花子") == 1);
    CHECK(author_of(created->id) == "佐藤 花子");
  }

  // A second enrolled user on the same laptop does not take the first one's records.
  const std::string hers = add_to(*laptop, "佐藤さんの会議", "");
  CHECK(author_of(hers) == "佐藤 花子");
  REQUIRE(laptop->adopt_author("鈴木 次郎"));
  CHECK(author_of(hers) == "佐藤 花子");
  set_env(platform::kLoginVariable, saved_user ? restore_user.c_str() : nullptr);
}

TEST_CASE_METHOD(StoreFixture, "search folds width, kana and variant kanji alike in the text and the query",
                 "[store][search]") {
  add(R"({"kind":"meeting","date":"2024-07-01","title":"サインレスの継続","meeting_type":"event"})");
  add(R"({"kind":"meeting","date":"2024-07-02","title":"ヒキコモリ支援の勉強会","meeting_type":"training"})");
  add(R"({"kind":"outreach","date":"2024-07-03","title":"髙田ワークス訪問","place":"𠮷野の里作業所"})");
  add(R"({"kind":"outreach","date":"2024-07-04","title":"グループホーム山﨑ハウス","place":"栁川ベーカリー工房"})");
  add(R"({"kind":"outreach","date":"2024-07-05","title":"短期入所事業所 德寿苑","place":"ご自宅"})");
  add(R"({"kind":"meeting","date":"2024-07-06","title":"第①回 運営会議","meeting_type":"steering","committees":["steering"]})");
  auto found = [this](const std::string& search) {
    RecordQuery query;
    query.search = search;
    return list_titles(*store, query);
  };
  using Titles = std::vector<std::string>;
  CHECK(found("ｻｲﾝﾚｽ") == Titles{"サインレスの継続"});  // half-width katakana, voiced marks and all
  CHECK(found("さいんれす") == Titles{"サインレスの継続"});  // hiragana finds katakana
  CHECK(found("ひきこもり") == Titles{"ヒキコモリ支援の勉強会"});
  CHECK(found("高田") == Titles{"髙田ワークス訪問"});  // 髙 / 高
  CHECK(found("吉野の里") == Titles{"髙田ワークス訪問"});  // 𠮷 / 吉, in another field
  CHECK(found("山崎") == Titles{"グループホーム山﨑ハウス"});  // 﨑 / 崎
  CHECK(found("柳川") == Titles{"グループホーム山﨑ハウス"});  // 栁 / 柳
  CHECK(found("徳寿苑") == Titles{"短期入所事業所 德寿苑"});  // 德 / 徳
  CHECK(found("第1回") == Titles{"第①回 運営会議"});  // ① / 1
  CHECK(found("ＳＡＩＮ").empty());
  CHECK(found("髙田ワークス") == Titles{"髙田ワークス訪問"});  // the variant itself still finds it
}

TEST_CASE_METHOD(StoreFixture, "filters take ids or names: a theme by a word of it, committees with their subtree, "
                               "any of several areas, a council",
                 "[store]") {
  add(R"({"kind":"meeting","date":"2024-07-01","title":"東区・博多区合同","areas":["東区","博多区"],
          "themes":["ひきこもり"],"committees":["こども部会"],"meeting_type":"committee","status":"submitted"})");
  add(R"({"kind":"meeting","date":"2024-07-02","title":"未就学児分科会","areas":["higashi"],
          "committees":["preschool_sub"],"meeting_type":"subcommittee","status":"submitted"})");
  add(R"({"kind":"case_review","date":"2024-07-03","title":"事例検討（こども部会）","areas":["西区"],
          "committees":["children"],"themes":["T05"],"review_type":"case_study","status":"submitted"})");
  add(R"({"kind":"outreach","date":"2024-07-04","title":"学校訪問","areas":["西区"],"visit_type":"school",
          "place":"小学校","status":"submitted"})");
  auto titles = [this](const RecordQuery& query) { return list_titles(*store, query); };
  using Titles = std::vector<std::string>;
  RecordQuery query;
  query.theme = "T08";
  CHECK(titles(query) == Titles{"東区・博多区合同"});
  query.theme = "ひきこもり";
  CHECK(titles(query) == Titles{"東区・博多区合同"});
  query = {};
  query.committee = "こども部会";  // a case review done for the committee counts too, and its sub-committees
  CHECK(titles(query) == Titles{"事例検討（こども部会）", "未就学児分科会", "東区・博多区合同"});
  query.committee = "children";
  CHECK(titles(query) == Titles{"事例検討（こども部会）", "未就学児分科会", "東区・博多区合同"});
  query = {};
  query.area = "博多区";
  CHECK(titles(query) == Titles{"東区・博多区合同"});
  query.area = "東区";
  CHECK(titles(query) == Titles{"未就学児分科会", "東区・博多区合同"});
  query.area = "東・博多エリア";
  CHECK(titles(query) == Titles{"未就学児分科会", "東区・博多区合同"});
  auto counted = store->count(query);
  REQUIRE(counted.ok());
  CHECK(*counted == 2);  // a record in two wards of the area is one record
  query = {};
  query.council = "fukuoka";
  CHECK(titles(query).size() == 4);
  query.council = "福岡市障がい者等地域生活支援協議会";
  CHECK(titles(query).size() == 4);
  query.council = "kodama";
  CHECK(titles(query).empty());
  // The list shows names, every area of a record.
  auto rows = store->list(RecordQuery{});
  REQUIRE(rows.ok());
  CHECK(rows->back().area == "博多区・東区");  // a set: in the order of the ids
  CHECK(rows->back().body == "こども部会");
}
