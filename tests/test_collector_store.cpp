// The collector's storage. The conformance suite ("[conformance]"): every test written against the CollectorStore
// contract runs against both stores, SQLite in a temporary folder and PostgreSQL in a schema of its own on the
// server ctest's fixture starts (tests/support/postgres_server.sh). Then each store's own: migrations from each
// earlier schema, SQLite's backup and restore.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "collector/postgres.hpp"
#include "collector/rules.hpp"
#include "collector/store.hpp"
#include "collector_fixture.hpp"
#include "model/database.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "model/reference.hpp"
#include "protocol_fixture.hpp"
#include "store_fixture.hpp"
#include "support/postgres.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;
using namespace protocol_fixture;
using namespace collector_fixture;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Every record document `who` pulls from the start, in pages of `page_size`: id → document.
std::map<std::string, json> pull_all(CollectorStore& store, const Principal& who, std::size_t page_size = 1000) {
  std::map<std::string, json> records;
  std::int64_t cursor = 0;
  for (bool more = true; more;) {
    auto page = store.pull(who, cursor, page_size);
    REQUIRE(page);
    for (const std::string& doc : page->records) {
      json record = json::parse(doc);
      records[record["id"]] = record;
    }
    cursor = page->sequence;
    more = page->more;
  }
  return records;
}

// A new, empty store of `backend`: "sqlite" in a temporary folder, "postgresql" in a schema of its own. open() gives
// one more connection to it (a collector process's, or a worker thread's).
class FreshStore {
 public:
  explicit FreshStore(const std::string& backend) {
    if (backend == "postgresql") schema_ = std::make_unique<testing::PostgresSchema>();
  }
  std::string database() const { return schema_ ? schema_->url() : folder_.path.string(); }
  // Until pulls see every change committed so far (testing::settle_postgres; SQLite's always do).
  void settle() const {
    if (schema_) testing::settle_postgres(schema_->url());
  }
  std::unique_ptr<CollectorStore> open() const {
    auto store = open_collector_store(database());
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    return std::move(*store);
  }

 private:
  TempFolder folder_;
  std::unique_ptr<testing::PostgresSchema> schema_;
};

// The conformance suite's test cases run once per store.
#define FOR_EACH_STORE(fresh)                                                      \
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql"); \
  INFO("store: " << backend);                                                      \
  FreshStore fresh(backend)

// The next page from `cursor` that brings something (records, or the reference data), pulling again while the
// pages are empty, for at most 10 s: on PostgreSQL a change reaches pulls once every transaction that began
// before it has ended, and other tests' transactions run on the same server meanwhile.
PullPage pull_next(CollectorStore& store, const Principal& who, std::int64_t cursor) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto page = store.pull(who, cursor, 100);
    REQUIRE(page);
    if (!page->records.empty() || page->reference || std::chrono::steady_clock::now() > until) return *page;
    REQUIRE(page->sequence >= cursor);
    cursor = page->sequence;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Four migrations of one database at once, as collectors starting together run them: the steps they ran in all,
// and how many failed, with their errors.
struct Migrators {
  int steps = 0, failures = 0;
  std::string errors;
};
Migrators migrate_at_once(const std::function<Result<MigrationReport>()>& migrate) {
  Migrators together;
  std::mutex mutex;  // guards together
  std::vector<std::thread> starting;
  for (int i = 0; i < 4; ++i)
    starting.emplace_back([&] {
      auto report = migrate();
      std::lock_guard lock(mutex);
      if (report) {
        together.steps += report->steps;
      } else {
        ++together.failures;
        together.errors += report.error().describe() + "\n";
      }
    });
  for (auto& thread : starting) thread.join();
  return together;
}

Record record_by(const std::string& author, const std::vector<std::string>& areas) {
  Record record = meeting(author, ReviewStatus::Draft);
  record.id = new_uuid_v7();
  record.areas = areas;
  return record;
}

}  // namespace

TEST_CASE("a store's pull agrees with may_see for every kind of user, record, comment and report entry",
          "[collector][visibility][conformance]") {
  // The rule is written once (Visibility); this checks that the store's query of it (visible_sql) gives what
  // may_see does, over every combination of a record's author, kind, council, areas and committees (by id and by
  // name, the area tree and the committee tree), for users of each role, team, committee and council.
  FOR_EACH_STORE(fresh);
  auto store = fresh.open();
  ReferenceData reference;
  reference.councils = {{"fukuoka", "福岡市障がい者等地域生活支援協議会", "", ""},
                        {"kodama", "児玉郡市自立支援協議会", "", ""}};
  reference.areas = {{"hh", "東・博多エリア", "", "", "fukuoka", "area"},
                     {"higashi", "東区", "", "hh", "fukuoka", "ward"},
                     {"hakata", "博多区", "", "hh", "fukuoka", "ward"},
                     {"nishi", "西区", "", "", "fukuoka", "ward"}};
  reference.committees = {{"children", "こども部会", "", "", "committee", "", "", ""},
                          {"preschool_sub", "未就学児分科会", "", "children", "subcommittee", "", "", ""},
                          {"steering", "運営会議", "", "", "steering", "", "", ""}};
  reference.staff = {{"s1", "田中 花子", "staff", "higashi"}, {"s2", "鈴木 三郎", "staff", "nishi"}};
  REQUIRE(store->update_reference(
      [&](const std::string&) -> Result<std::string> { return to_json_text(reference_to_json(reference)); }));
  auto stored_reference = store->reference_document();
  REQUIRE(stored_reference);
  auto parsed = reference_from_json(json::parse(*stored_reference));
  REQUIRE(parsed);
  reference = *parsed;  // as the store reads it back

  Principal admin = principal("管理者", Role::Admin);
  admin.device.id = "device-admin";
  std::vector<Record> records;
  std::vector<Revision> revisions;
  const std::vector<std::vector<std::string>> area_lists = {{},        {"higashi"},         {"東区"},
                                                            {"nishi"}, {"hakata", "nishi"}, {"hh"}};
  const std::vector<std::vector<std::string>> committee_lists = {
      {}, {"children"}, {"こども部会"}, {"preschool_sub"}, {"steering"}};
  for (const std::string author : {"田中 花子", "鈴木 三郎", "児玉 太郎", "主任"})
    for (const RecordKind kind : {RecordKind::Meeting, RecordKind::CaseReview})
      for (const std::string council : {"", "fukuoka", "kodama"})
        for (const auto& areas : area_lists)
          for (const auto& committees : committee_lists) {
            Record record = meeting(author, ReviewStatus::Draft);
            record.id = new_uuid_v7();
            record.kind = kind;
            record.council = council;
            record.areas = areas;
            record.committees = committees;
            records.push_back(record);
            revisions.push_back(revision_of(record));
          }
  auto pushed = store->push(admin, revisions, std::nullopt);
  REQUIRE(pushed);
  for (const PushResult& result : pushed->results) REQUIRE(result.status == PushStatus::Stored);
  std::vector<Comment> comments;
  for (const Record& record : records) {
    Comment comment;
    comment.id = new_uuid_v7();
    comment.record_id = record.id;
    comment.text = "確認しました";
    comment.time = "2024-05-02T09:00:00.000Z";
    comments.push_back(comment);
  }
  std::vector<ReportEntry> entries;
  for (const std::string council : {"", "fukuoka", "kodama"}) {
    entries.push_back(entry_for(council, "P01"));
    entries.back().id = new_uuid_v7();
  }
  pushed = store->push(admin, {}, std::nullopt, comments, entries);
  REQUIRE(pushed);
  for (const PushResult& result : pushed->comments) REQUIRE(result.status == PushStatus::Stored);
  for (const PushResult& result : pushed->report_entries) REQUIRE(result.status == PushStatus::Stored);
  fresh.settle();

  auto with = [](Principal who, const std::string& council, std::vector<std::string> committees = {}) {
    who.user.council = council;
    who.user.committees = std::move(committees);
    who.device.id = "device-" + who.user.name;
    return who;
  };
  const std::vector<Principal> users = {
      with(principal("田中 花子", Role::Staff, "higashi"), ""),
      with(principal("佐藤 一郎", Role::Staff, "東・博多エリア"), "fukuoka"),
      with(principal("鈴木 三郎", Role::Staff, "nishi"), "", {"こども部会"}),
      with(principal("山本 太郎", Role::Staff), "kodama", {"preschool_sub", "steering"}),
      with(principal("東 主任", Role::Supervisor, "hh"), ""),
      with(principal("博多 主任", Role::Supervisor, "博多区"), "", {"children"}),
      with(principal("児玉 課長", Role::Supervisor), "kodama"),
      with(principal("福岡 課長", Role::Supervisor, "nishi"), "fukuoka"),
      with(principal("部会長", Role::Supervisor), "", {"運営会議"}),
      with(principal("市 課長", Role::Supervisor), ""),
      with(principal("管理 担当", Role::Admin, "nishi"), "kodama"),
  };
  for (const Principal& who : users) {
    INFO(who.user.name << " (" << role_name(who.user.role) << ", team " << who.user.team << ", council "
                       << who.user.council << ")");
    std::set<std::string> expected_records, expected_comments, expected_entries;
    for (std::size_t i = 0; i < records.size(); ++i)
      if (may_see(who, records[i], reference)) {
        expected_records.insert(records[i].id);
        expected_comments.insert(comments[i].id);
      }
    for (const ReportEntry& entry : entries)
      if (may_see_report_entry(who, entry.council)) expected_entries.insert(entry.id);
    std::set<std::string> pulled_records, pulled_comments, pulled_entries;
    std::int64_t cursor = 0;
    for (bool more = true; more;) {  // in pages of 97, so that paging is part of it
      auto page = store->pull(who, cursor, 97);
      REQUIRE(page);
      for (const std::string& doc : page->records) REQUIRE(pulled_records.insert(json::parse(doc)["id"]).second);
      for (const std::string& doc : page->comments) REQUIRE(pulled_comments.insert(json::parse(doc)["id"]).second);
      for (const std::string& doc : page->report_entries) REQUIRE(pulled_entries.insert(json::parse(doc)["id"]).second);
      REQUIRE(page->sequence >= cursor);
      cursor = page->sequence;
      more = page->more;
    }
    CHECK_FALSE(expected_records.empty());
    if (!supervises_all(who)) CHECK(expected_records.size() < records.size());
    CHECK(pulled_records == expected_records);
    CHECK(pulled_comments == expected_comments);
    CHECK(pulled_entries == expected_entries);
  }
}

TEST_CASE("users, enrollment codes, devices and tokens", "[collector][identity][conformance]") {
  FOR_EACH_STORE(fresh);
  auto store = fresh.open();
  User given;
  given.name = "田中 花子";
  given.team = "higashi";
  given.committees = {"children"};
  auto user = store->add_user(given);
  REQUIRE(user);
  CHECK_FALSE(user->id.empty());
  auto again = store->add_user(given);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "user.exists");
  auto users = store->users();
  REQUIRE(users);
  REQUIRE(users->size() == 1);
  CHECK(users->at(0).committees == std::vector<std::string>{"children"});

  const std::int64_t now = 1'700'000'000'000;
  REQUIRE(store->add_enrollment_code(user->id, "code-a", now + 1000));
  REQUIRE(store->add_enrollment_code(user->id, "code-old", now - 1));
  CHECK(store->redeem_enrollment("code-x", "laptop", "token-x", now).error().code == "enroll.invalid");
  CHECK(store->redeem_enrollment("code-old", "laptop", "token-x", now).error().code == "enroll.expired");
  auto laptop = store->redeem_enrollment("code-a", "laptop-12", "token-a", now);
  REQUIRE(laptop);
  CHECK(laptop->user.name == "田中 花子");
  CHECK(store->redeem_enrollment("code-a", "laptop-13", "token-b", now).error().code == "enroll.used");

  auto other = fresh.open();  // another process sees the device at once
  auto known = other->authenticate("token-a");
  REQUIRE(known);
  REQUIRE(*known);
  CHECK((*known)->device.id == laptop->device.id);
  CHECK((*known)->user.team == "higashi");
  auto unknown = other->authenticate("token-b");
  REQUIRE(unknown);
  CHECK_FALSE(*unknown);
  auto devices = other->devices();
  REQUIRE(devices);
  REQUIRE(devices->size() == 1);
  CHECK(devices->at(0).user_name == "田中 花子");

  REQUIRE(other->revoke_device(laptop->device.id));
  auto revoked = store->authenticate("token-a");
  REQUIRE(revoked);
  CHECK_FALSE(*revoked);
  CHECK(store->revoke_device("no-such-device").error().code == "device.not_found");

  for (int i = 1; i <= 3; ++i) {
    auto failures = store->note_enrollment_failure("127.0.0.9", now + i, 60'000);
    REQUIRE(failures);
    CHECK(*failures == i);
  }
  auto later = other->enrollment_failures("127.0.0.9", now + 120'000, 60'000);
  REQUIRE(later);
  CHECK(*later == 0);  // outside the window

  REQUIRE(store->set_announcement(R"({"url":"https://collector.example:8443","pin":"sha256//x"})"));
  auto announced = other->announcement();
  REQUIRE(announced);
  CHECK(json::parse(*announced)["url"] == "https://collector.example:8443");
}

TEST_CASE("two devices redeeming one code at once: one gets a device, the other enroll.used",
          "[collector][identity][conformance]") {
  FOR_EACH_STORE(fresh);
  auto store = fresh.open();
  User given;
  given.name = "佐藤 一郎";
  auto user = store->add_user(given);
  REQUIRE(user);
  REQUIRE(store->add_enrollment_code(user->id, "code-once", now_unix_ms() + 60'000));
  std::vector<std::unique_ptr<CollectorStore>> connections;
  for (int i = 0; i < 4; ++i) connections.push_back(fresh.open());
  std::vector<std::string> outcomes(4);
  std::vector<std::thread> racing;
  for (int i = 0; i < 4; ++i)
    racing.emplace_back([&, i] {
      auto redeemed = connections[i]->redeem_enrollment("code-once", "laptop-" + std::to_string(i),
                                                        "token-" + std::to_string(i), now_unix_ms());
      outcomes[i] = redeemed ? "device" : redeemed.error().code;
    });
  for (auto& thread : racing) thread.join();
  INFO(outcomes[0] << " " << outcomes[1] << " " << outcomes[2] << " " << outcomes[3]);
  CHECK(std::count(outcomes.begin(), outcomes.end(), "device") == 1);
  CHECK(std::count(outcomes.begin(), outcomes.end(), "enroll.used") == 3);
  auto devices = store->devices();
  REQUIRE(devices);
  CHECK(devices->size() == 1);
}

TEST_CASE("a push is stored once, answered already_stored again, merged, and pulled with its history",
          "[collector][push][conformance]") {
  FOR_EACH_STORE(fresh);
  auto store = fresh.open();
  Principal author = principal("田中 花子", Role::Staff, "higashi");
  Record record = meeting("田中 花子", ReviewStatus::Draft);
  record.id = new_uuid_v7();
  auto pushed = store->push(author, {revision_of(record)}, std::nullopt);
  REQUIRE(pushed);
  REQUIRE(pushed->results.size() == 1);
  CHECK(pushed->results[0].status == PushStatus::Stored);
  auto again = store->push(author, {revision_of(record)}, std::nullopt);
  REQUIRE(again);
  CHECK(again->results[0].status == PushStatus::AlreadyStored);

  Principal other_laptop = author;
  other_laptop.device.id = "device-other";
  const PullPage first = pull_next(*store, other_laptop, 0);
  REQUIRE(first.records.size() == 1);
  const std::int64_t cursor = first.sequence;
  CHECK(cursor > 0);

  Record edited = record;
  edited.title = "運営会議（第2回）";
  edited.clock = "0000000000200.0000.aaaaaaaa";
  edited.field_clocks["title"] = edited.clock;
  auto second = fresh.open()->push(author, {revision_of(edited, record.clock)}, cursor);
  REQUIRE(second);
  CHECK(second->results[0].status == PushStatus::Stored);
  const PullPage next = pull_next(*store, other_laptop, cursor);
  REQUIRE(next.records.size() == 1);
  CHECK(json::parse(next.records[0])["title"] == "運営会議（第2回）");
  CHECK(next.sequence > cursor);
  auto nothing = store->pull(other_laptop, next.sequence, 100);
  REQUIRE(nothing);
  CHECK(nothing->records.empty());
  CHECK(nothing->sequence >= next.sequence);  // past others' changes, perhaps

  auto history = store->history(other_laptop, record.id);
  REQUIRE(history);
  REQUIRE(*history);
  REQUIRE((*history)->size() == 2);
  CHECK((*history)->at(0).kind == "created");
  CHECK((*history)->at(1).kind == "changed");
  Principal stranger = principal("鈴木 三郎", Role::Staff, "nishi");
  auto hidden = store->history(stranger, record.id);
  REQUIRE(hidden);
  CHECK_FALSE(*hidden);

  // The reference data: read and written in one transaction, and pulled once after it changed.
  REQUIRE(store->update_reference([](const std::string& current) -> Result<std::string> {
    CHECK(current.empty());
    return std::string(R"({"councils":[]})");
  }));
  const PullPage with_reference = pull_next(*store, other_laptop, nothing->sequence);
  REQUIRE(with_reference.reference);
  auto after_reference = store->pull(other_laptop, with_reference.sequence, 100);
  REQUIRE(after_reference);
  CHECK_FALSE(after_reference->reference);
  auto refused = store->update_reference(
      [](const std::string&) -> Result<std::string> { return make_error("reference.invalid", "", "no", "no"); });
  CHECK_FALSE(refused);
  auto kept = store->reference_document();
  REQUIRE(kept);
  CHECK(*kept == R"({"councils":[]})");
}

TEST_CASE("pushes from several connections at once, pulled meanwhile: every change once, none skipped",
          "[collector][cursor][conformance]") {
  // The cursor's promise under concurrent writers (for PostgreSQL, the transaction-id horizon of
  // store_postgres.cpp): pullers that page through while eight connections push never skip a record and never
  // receive one twice, and their last cursor covers them all.
  FOR_EACH_STORE(fresh);
  constexpr int kPushers = 8, kPushes = 12, kPerPush = 5;
  std::atomic<bool> pushing{true}, settled{false};
  std::vector<std::thread> pushers;
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  for (int p = 0; p < kPushers; ++p)
    pushers.emplace_back([&, p] {
      auto store = fresh.open();
      Principal who = principal("職員" + std::to_string(p), Role::Staff);
      for (int i = 0; i < kPushes; ++i) {
        std::vector<Revision> batch;
        for (int k = 0; k < kPerPush; ++k) {
          Record record = meeting(who.user.name, ReviewStatus::Draft);
          record.id = new_uuid_v7();
          batch.push_back(revision_of(record));
        }
        auto pushed = store->push(who, batch, std::nullopt);
        if (!pushed || pushed->results.size() != batch.size()) {
          std::lock_guard lock(errors_mutex);
          errors.push_back(pushed ? "results missing" : pushed.error().describe());
        }
      }
    });
  Principal admin = principal("管理者", Role::Admin);
  auto puller = [&](std::size_t page_size) {
    auto store = fresh.open();
    std::map<std::string, int> received;
    std::int64_t cursor = 0;
    auto drain = [&] {
      for (bool more = true; more;) {
        auto page = store->pull(admin, cursor, page_size);
        REQUIRE(page);
        for (const std::string& doc : page->records) ++received[json::parse(doc)["id"].get<std::string>()];
        REQUIRE(page->sequence >= cursor);
        cursor = page->sequence;
        more = page->more;
      }
    };
    while (pushing) drain();
    while (!settled) std::this_thread::yield();
    drain();  // after the last commit, settled
    return received;
  };
  std::map<std::string, int> small_pages, large_pages;
  std::thread small([&] { small_pages = puller(7); });
  std::thread large([&] { large_pages = puller(1000); });
  for (auto& thread : pushers) thread.join();
  pushing = false;
  fresh.settle();
  settled = true;
  small.join();
  large.join();
  INFO((errors.empty() ? std::string() : errors.front()));
  REQUIRE(errors.empty());
  auto everything = pull_all(*fresh.open(), admin);
  REQUIRE(everything.size() == static_cast<std::size_t>(kPushers * kPushes * kPerPush));
  for (const auto* received : {&small_pages, &large_pages}) {
    CHECK(received->size() == everything.size());
    std::size_t doubled = 0;
    for (const auto& [id, times] : *received) doubled += times > 1;
    CHECK(doubled == 0);
  }
}

TEST_CASE("collectors starting at once on a new PostgreSQL database migrate it once, and a newer schema is refused",
          "[collector][migration][postgres]") {
  testing::PostgresSchema schema;
  const Migrators together = migrate_at_once([&] { return migrate_postgres_collector_store(schema.url()); });
  INFO(together.errors);
  CHECK(together.failures == 0);
  CHECK(together.steps == 1);  // a new PostgreSQL store is made at schema 2 in one step, by whoever came first
  auto store = open_postgres_collector_store(schema.url());
  REQUIRE(store);
  CHECK_FALSE((*store)->collector_id().empty());
  auto db = PgDatabase::open(schema.url());
  REQUIRE(db);
  REQUIRE((*db)->exec("UPDATE meta SET value = '99' WHERE key = 'schema'"));
  auto newer = open_postgres_collector_store(schema.url());
  REQUIRE_FALSE(newer);
  CHECK(newer.error().code == "store.version");
  auto refused = migrate_postgres_collector_store(schema.url());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "store.version");
  auto unreachable = open_postgres_collector_store("postgresql://tsunagi@127.0.0.1:1/postgres?connect_timeout=2");
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.error().code == "store.unavailable");
}

TEST_CASE("a collector database of schema 1 migrates to 2 with its users, devices, tokens and records",
          "[collector][migration]") {
  TempFolder folder;
  auto first = migrate_sqlite_collector_store(folder.path, 1);
  REQUIRE(first);
  CHECK(first->from == 0);
  CHECK(first->to == 1);
  // What a collector of schema 1 wrote: a record of one area and one committee (named, not listed), no council
  // column, no history; a user and an enrolled device.
  Record held = meeting("田中 花子", ReviewStatus::Submitted);
  held.id = new_uuid_v7();
  held.council = "fukuoka";
  held.areas = {"東区"};
  const std::string token_hash = sha256_hex("token of the laptop");
  {
    auto db = Database::open(folder.path / "collector.db");
    REQUIRE(db);
    REQUIRE(
        (*db)->exec("INSERT INTO users(id, name, role, team, committees, created_at) VALUES "
                    "('u1', '田中 花子', 'staff', '東区', '[]', '2024-04-01T00:00:00Z'), "
                    "('u2', '佐藤 一郎', 'staff', '東区', '[]', '2024-04-01T00:00:00Z')"));
    REQUIRE(
        (*db)->exec("INSERT INTO devices(id, user_id, name, token_hash, enrolled_at) VALUES "
                    "('d1', 'u1', 'laptop-12', '" +
                    token_hash + "', '2024-04-02T00:00:00Z')"));
    auto insert = (*db)->prepare(
        "INSERT INTO records(id, seq, kind, author, area, body, hlc, doc) VALUES(?, 1, 'meeting', ?, '東区', "
        "'運営会議', ?, ?)");
    REQUIRE(insert);
    REQUIRE((*insert)->bind(1, held.id).bind(2, held.author).bind(3, held.clock).bind(4, record_text(held)).run());
    REQUIRE((*db)->exec("UPDATE counters SET value = 1 WHERE name = 'change_seq'"));
    REQUIRE((*db)->exec("INSERT INTO revisions(record_id, hlc, device_id, status, received_at) VALUES('" + held.id +
                        "', '" + held.clock + "', 'd1', 'stored', '2024-05-01T00:00:00Z')"));
  }
  auto second = migrate_sqlite_collector_store(folder.path);
  REQUIRE(second);
  CHECK(second->from == 1);
  CHECK(second->to == kCollectorSchemaVersion);
  CHECK(second->steps == kCollectorSchemaVersion - 1);

  auto store = open_sqlite_collector_store(folder.path);
  REQUIRE(store);
  auto laptop = (*store)->authenticate(token_hash);  // the device keeps syncing without enrolling again
  REQUIRE(laptop);
  REQUIRE(*laptop);
  CHECK((*laptop)->user.name == "田中 花子");
  // A colleague of the team finds the meeting by its area (the column now lists it), it has its history, and a
  // supervisor of its council finds it by the council taken from the document.
  Principal colleague = principal("佐藤 一郎", Role::Staff, "東区");
  CHECK(pull_all(**store, colleague).count(held.id) == 1);
  auto history = (*store)->history(colleague, held.id);
  REQUIRE(history);
  REQUIRE(*history);
  CHECK((*history)->size() == 1);
  Principal head = principal("福岡 課長", Role::Supervisor);
  head.user.council = "fukuoka";
  CHECK(pull_all(**store, head).count(held.id) == 1);
  // And it takes new changes: the device pushes an edit on top of the stored version.
  Record edited = held;
  edited.title = "運営会議（第2回）";
  edited.clock = "0000000000200.0000.aaaaaaaa";
  edited.field_clocks["title"] = edited.clock;
  auto pushed = (*store)->push(**laptop, {revision_of(edited, held.clock)}, std::int64_t{1});
  REQUIRE(pushed);
  CHECK(pushed->results.at(0).status == PushStatus::Stored);
}

TEST_CASE("a schema 1 database given parts of schema 2 in place by an earlier version migrates too",
          "[collector][migration]") {
  // Before migrations were numbered, each start added what was missing to a schema 1 database: any of it may be
  // there already.
  TempFolder folder;
  REQUIRE(migrate_sqlite_collector_store(folder.path, 1));
  {
    auto db = Database::open(folder.path / "collector.db");
    REQUIRE(db);
    REQUIRE((*db)->exec("ALTER TABLE users ADD COLUMN council TEXT NOT NULL DEFAULT ''"));
    REQUIRE(
        (*db)->exec("CREATE TABLE conflicts(record_id TEXT NOT NULL, field TEXT NOT NULL, clock TEXT NOT NULL, "
                    "value TEXT NOT NULL, winner_clock TEXT NOT NULL, by_user TEXT NOT NULL, device_id TEXT NOT "
                    "NULL, at TEXT NOT NULL, PRIMARY KEY(record_id, field, clock)) WITHOUT ROWID"));
  }
  auto migrated = migrate_sqlite_collector_store(folder.path);
  INFO((migrated ? "" : migrated.error().describe()));
  REQUIRE(migrated);
  CHECK(migrated->to == kCollectorSchemaVersion);
  REQUIRE(open_sqlite_collector_store(folder.path));
}

TEST_CASE("collectors starting at once on a new database migrate it once, and a newer schema is refused",
          "[collector][migration]") {
  TempFolder folder;
  const Migrators together = migrate_at_once([&] { return migrate_sqlite_collector_store(folder.path); });
  INFO(together.errors);
  CHECK(together.failures == 0);
  CHECK(together.steps == kCollectorSchemaVersion);  // each step once, by whoever came first
  auto store = open_sqlite_collector_store(folder.path);
  REQUIRE(store);
  const std::string id = (*store)->collector_id();
  CHECK_FALSE(id.empty());
  store->reset();
  {
    auto db = Database::open(folder.path / "collector.db");
    REQUIRE(db);
    REQUIRE((*db)->exec("PRAGMA user_version = 99"));
  }
  auto newer = open_sqlite_collector_store(folder.path);
  REQUIRE_FALSE(newer);
  CHECK(newer.error().code == "store.version");
  CHECK(newer.error().message.find("99") != std::string::npos);
  auto refused = migrate_sqlite_collector_store(folder.path);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "store.version");
}

TEST_CASE("a backup taken while pushes go on is a whole collector database that serves the same devices",
          "[collector][backup]") {
  TempFolder folder;
  auto store = open_sqlite_collector_store(folder.path);
  REQUIRE(store);
  User user;
  user.name = "田中 花子";
  auto added = (*store)->add_user(user);
  REQUIRE(added);
  const std::string code_hash = sha256_hex("code"), token_hash = sha256_hex("token");
  REQUIRE((*store)->add_enrollment_code(added->id, code_hash, now_unix_ms() + 60000));
  auto laptop = (*store)->redeem_enrollment(code_hash, "laptop-12", token_hash, now_unix_ms());
  REQUIRE(laptop);

  // Another connection pushes one record after another while the backup copies: the copy holds a prefix of them.
  std::atomic<bool> stop{false};
  std::atomic<int> pushed{0};
  std::thread pusher([&] {
    auto writer = open_sqlite_collector_store(folder.path);
    REQUIRE(writer);
    while (!stop || pushed < 50) {
      auto answer = (*writer)->push(*laptop, {revision_of(record_by("田中 花子", {"東区"}))}, std::nullopt);
      if (!answer || answer->results.at(0).status != PushStatus::Stored) break;
      ++pushed;
    }
  });
  while (pushed < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const fs::path copy = folder.path / "backup" / "collector-copy.db";
  fs::create_directories(copy.parent_path());
  auto report = backup_sqlite_collector_store(folder.path, copy);
  stop = true;
  pusher.join();
  REQUIRE(report);
  CHECK(report->schema == kCollectorSchemaVersion);
  CHECK(report->users == 1);
  CHECK(report->devices == 1);
  CHECK(report->records >= 20);
  CHECK(report->records <= pushed);
  CHECK(report->bytes == static_cast<std::int64_t>(fs::file_size(copy)));
  for (const auto& entry : fs::directory_iterator(copy.parent_path()))
    CHECK(entry.path().filename().string().find(".partial") == std::string::npos);
  CHECK((fs::status(copy).permissions() & fs::perms::others_read) == fs::perms::none);

  // Restored in a folder of its own, it is the collector with the device's token and the records it held, under a
  // new id: cursors of the old one (which may count changes the backup lacks) start over.
  const fs::path restored = folder.path / "restored";
  fs::create_directories(restored);
  {
    auto other = open_sqlite_collector_store(restored);  // a database there already, replaced with its log
    REQUIRE(other);
  }
  {
    // Not while a collector serves from the folder.
    auto serving = ServingLock::serving(restored);
    REQUIRE(serving);
    auto refused = restore_sqlite_collector_store(restored, copy);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "restore.serving");
  }
  auto put_back = restore_sqlite_collector_store(restored, copy);
  REQUIRE(put_back);
  CHECK(put_back->restored.records == report->records);
  CHECK(put_back->identity_missing);
  CHECK_FALSE(fs::exists(restored / "collector.db.restoring"));
  // The database it replaced is kept, whole: restoring it undoes the restore.
  REQUIRE_FALSE(put_back->replaced.empty());
  auto undo = restore_sqlite_collector_store(restored, put_back->replaced);
  REQUIRE(undo);
  CHECK(undo->restored.records == 0);
  REQUIRE(restore_sqlite_collector_store(restored, copy));
  {
    auto restoring = ServingLock::restoring(restored);  // and no collector starts during a restore
    REQUIRE(restoring);
    auto starting = ServingLock::serving(restored);
    REQUIRE_FALSE(starting);
    CHECK(starting.error().code == "store.restoring");
  }
  auto again = open_sqlite_collector_store(restored);
  REQUIRE(again);
  CHECK((*again)->collector_id() != (*store)->collector_id());
  auto device = (*again)->authenticate(token_hash);
  REQUIRE(device);
  REQUIRE(*device);
  CHECK(pull_all(**again, principal("管理者", Role::Admin)).size() == static_cast<std::size_t>(report->records));

  // What is not a collector's backup is refused, and the database in place stays.
  const fs::path junk = folder.path / "junk.db";
  {
    auto other = Database::open(junk);
    REQUIRE(other);
    REQUIRE((*other)->exec("CREATE TABLE t(x)"));
  }
  auto refused = restore_sqlite_collector_store(restored, junk);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "backup.not_collector");
  CHECK(refused.error().path == junk.string());
  auto not_sqlite = restore_sqlite_collector_store(restored, folder.path / "backup");  // a folder
  REQUIRE_FALSE(not_sqlite);
  CHECK(not_sqlite.error().code == "restore.no_backup");
  CHECK(backup_sqlite_collector_store(folder.path, folder.path / "collector.db").error().code == "backup.same_file");
  CHECK(restore_sqlite_collector_store(restored, folder.path / "missing.db").error().code == "restore.no_backup");
  REQUIRE(open_sqlite_collector_store(restored));
  CHECK(pull_all(**again, principal("管理者", Role::Admin)).size() == static_cast<std::size_t>(report->records));

  // A folder with no collector database is said so, and no file is left.
  auto none = backup_sqlite_collector_store(folder.path / "none", folder.path / "none.db");
  REQUIRE_FALSE(none);
  CHECK(none.error().code == "backup.no_store");
  CHECK_FALSE(fs::exists(folder.path / "none.db"));
}
