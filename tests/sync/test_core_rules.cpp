// The collector's rules that no device can slip past (issue [5]): clocks from the future, changes to approved
// records, authorship, and what a known revision tells a member of staff.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

std::string collector_doc(const CollectorDatabase& db, const std::string& id) {
  auto docs = db.column("SELECT doc FROM records WHERE id = ?", {id});
  REQUIRE(docs.size() == 1);
  return docs[0];
}

// The revision of `record` as its device would push it.
sync::Revision revision_of(const Record& record) {
  return {record.id, record.clock, "", sync::content_hash(record), record_to_json(record)};
}

json push_answer(EngineDevice& device, const std::vector<sync::Revision>& revisions) {
  auto answer = device.transport->send(
      {"POST", sync::kPushPath, sync::push_request_json(revisions).dump(), device.enrollment.token});
  INFO((answer ? answer->body : answer.error().describe()));
  REQUIRE(answer);
  REQUIRE(answer->status == 200);
  return json::parse(answer->body).at("results");
}

Record stored(EngineDevice& device, const std::string& id) {
  auto record = device.store->get(id);
  REQUIRE(record);
  REQUIRE(*record);
  return **record;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "a laptop whose clock runs days ahead is refused, and its changes go once it is right",
                 "[sync][clock]") {
  EngineDevice device = engine_device("laptop", add_user("東 太郎", "staff", "東区"));
  auto ahead = std::make_shared<std::atomic<std::int64_t>>(3LL * 24 * 60 * 60 * 1000);
  device.run_clock_ahead(ahead);
  auto ids = device.import({to_record(case_review_json("三日先の時計で書いた記録 1", "東区")),
                            to_record(case_review_json("三日先の時計で書いた記録 2", "東区"))});
  REQUIRE(device.store->update(ids[0], json{{"title", "三日先の時計で直した記録 1"}}));

  auto refused = device.sync();
  CHECK(refused.result == sync::SyncResult::Failed);
  CHECK(refused.error.code == "clock.future");
  CHECK(database().integer("SELECT count(*) FROM records") == 0);
  CHECK(device.outbox_size() == 3);

  ahead->store(0);  // the user sets the laptop's clock right
  auto synced = device.sync();
  INFO(synced.error.describe());
  REQUIRE(synced.result == sync::SyncResult::Done);
  CHECK(device.outbox_size() == 0);
  const std::int64_t bound = now_unix_ms() + kMaxClockAheadMs;
  auto db = database();
  CHECK(db.integer("SELECT count(*) FROM records") == 2);
  CHECK(contains(collector_doc(db, ids[0]), "三日先の時計で直した記録 1"));  // the later edit, not the first text
  for (const std::string& clock : db.column("SELECT hlc FROM records")) {
    auto parsed = Hlc::parse(clock);
    REQUIRE(parsed);
    CHECK(parsed->wall_ms <= bound);
  }
  for (const std::string& id : ids) {
    const Record record = stored(device, id);
    for (const auto& [field, clock] : record.field_clocks) CHECK(clock <= record.clock);
  }
  CHECK(device.store->rewind_future_clocks().value() == 0);  // nothing left to rewind

  // A change made now orders after the rewound ones and goes as usual.
  REQUIRE(device.store->update(ids[1], json{{"title", "時計を直してから直した記録 2"}}));
  CHECK(stored(device, ids[1]).clock > stored(device, ids[0]).clock);
  CHECK(device.sync().result == sync::SyncResult::Done);
  CHECK(contains(collector_doc(database(), ids[1]), "時計を直してから直した記録 2"));
}

TEST_CASE_METHOD(SyncFixture, "an imported record carrying a clock from the future is rewound before it is pushed",
                 "[sync][clock]") {
  EngineDevice device = engine_device("laptop", add_user("東 太郎", "staff", "東区"));
  // An export from a laptop whose clock ran days ahead: the import keeps its clocks (its history) as given.
  Record exported = to_record(case_review_json("未来の時計の記録", "東区"));
  exported.clock = Hlc{now_unix_ms() + 3LL * 24 * 60 * 60 * 1000, 0, "0badc10c"}.to_string();
  exported.field_clocks = {{"*", exported.clock}};
  const std::string id = device.import({exported}).front();
  REQUIRE(stored(device, id).clock == exported.clock);

  auto synced = device.sync();
  INFO(synced.error.describe());
  REQUIRE(synced.result == sync::SyncResult::Done);
  CHECK(device.outbox_size() == 0);
  const std::int64_t bound = now_unix_ms() + kMaxClockAheadMs;
  auto pushed = Hlc::parse(stored(device, id).clock);
  REQUIRE(pushed);
  CHECK(pushed->wall_ms <= bound);
  auto db = database();
  CHECK(contains(collector_doc(db, id), "未来の時計の記録"));
  CHECK(db.column("SELECT hlc FROM records WHERE id = ?", {id}) == std::vector<std::string>{stored(device, id).clock});
}

TEST_CASE_METHOD(SyncFixture, "staff cannot change an approved record: auth.locked, and the collector keeps it",
                 "[sync][rules]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  auto ids = staff.import({to_record(meeting_json("承認される会議", "東区", "submitted"))});
  REQUIRE(staff.sync().result == sync::SyncResult::Done);
  REQUIRE(supervisor.sync().result == sync::SyncResult::Done);
  REQUIRE(supervisor.store->update(ids[0], json{{"status", "approved"}}));
  REQUIRE(supervisor.sync().result == sync::SyncResult::Done);

  // Changed on the laptop before it heard of the approval: the collector refuses the change.
  REQUIRE(staff.store->update(ids[0], json{{"title", "承認のあとで書き換えた件名"}}));
  auto outcome = staff.sync();
  CHECK(outcome.result == sync::SyncResult::Rejected);
  REQUIRE(outcome.rejections.size() == 1);
  CHECK(outcome.rejections[0].error.code == "auth.locked");
  const std::string doc = collector_doc(database(), ids[0]);
  CHECK(contains(doc, "承認される会議"));
  CHECK(contains(doc, "\"approved\""));
  // Once the laptop knows, it refuses the next change itself.
  REQUIRE(stored(staff, ids[0]).status == ReviewStatus::Approved);
  auto refused = staff.store->update(ids[0], json{{"title", "もう一度書き換えた件名"}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "auth.locked");

  // A supervisor may still change it.
  REQUIRE(supervisor.sync().result == sync::SyncResult::Done);
  REQUIRE(supervisor.store->update(ids[0], json{{"title", "管理者が直した件名"}}));
  CHECK(supervisor.sync().result == sync::SyncResult::Done);
  CHECK(contains(collector_doc(database(), ids[0]), "管理者が直した件名"));
}

TEST_CASE_METHOD(SyncFixture, "the collector decides authorship: author never changes, updated_by is the token's user",
                 "[sync][rules]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  add_user("西 次郎", "staff", "東区");
  auto ids = staff.import({to_record(meeting_json("自分の会議", "東区", "submitted"))});
  REQUIRE(staff.sync().result == sync::SyncResult::Done);

  SECTION("handing a record to another member of staff is refused") {
    REQUIRE(staff.store->update(ids[0], json{{"author", "西 次郎"}}));
    auto outcome = staff.sync();
    CHECK(outcome.result == sync::SyncResult::Rejected);
    REQUIRE(outcome.rejections.size() == 1);
    CHECK(outcome.rejections[0].error.code == "auth.author");
    CHECK(database().column("SELECT author FROM records WHERE id = ?", {ids[0]}) ==
          std::vector<std::string>{"東 太郎"});
  }
  SECTION("a revision claiming another updated_by is stored with the token's user") {
    Record record = stored(staff, ids[0]);
    record.title = "なりすましの変更";
    record.updated_by = "西 次郎";
    record.clock = Hlc{now_unix_ms(), 0, "00000000"}.to_string();
    record.field_clocks["title"] = record.clock;
    auto results = push_answer(staff, {revision_of(record)});
    INFO(results.dump());
    CHECK(results.at(0).at("status") == "stored");
    auto doc = json::parse(collector_doc(database(), ids[0]));
    CHECK(doc.at("updated_by") == "東 太郎");
    CHECK(doc.at("title") == "なりすましの変更");
  }
}

TEST_CASE_METHOD(SyncFixture, "a known revision of another's record is refused as any change of it, not already_stored",
                 "[sync][rules]") {
  EngineDevice a = engine_device("staff-a", add_user("東 太郎", "staff", "東区"));
  EngineDevice b = engine_device("staff-b", add_user("西 次郎", "staff", "西区"));
  auto ids = a.import({to_record(case_review_json("東 太郎の事例検討", "東区", "submitted"))});
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  const Record original = stored(a, ids[0]);

  auto known = push_answer(b, {revision_of(original)});  // the very (id, clock) the collector holds
  Record changed = original;
  changed.title = "書き換え";
  changed.clock = Hlc{now_unix_ms() + 1000, 0, "00000000"}.to_string();
  changed.field_clocks["title"] = changed.clock;
  auto unknown = push_answer(b, {revision_of(changed)});
  INFO(known.dump() << "\n" << unknown.dump());
  CHECK(known.at(0).at("status") == "rejected");
  CHECK(known.at(0).at("error") == unknown.at(0).at("error"));  // the same answer: nothing learnt
  CHECK_FALSE(contains(known.dump(), "東 太郎"));
  CHECK(contains(collector_doc(database(), ids[0]), "東 太郎の事例検討"));
}

}  // namespace tsunagi::sync_tests
