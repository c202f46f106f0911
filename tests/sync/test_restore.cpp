// A wiped laptop gets its user's records back: a new code for the same user, enroll again, `tsunagi restore`.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {

TEST_CASE_METHOD(SyncFixture, "a wiped laptop enrolled again restores all of its user's records", "[sync][restore]") {
  Laptop laptop_u = laptop("laptop-u");
  REQUIRE(laptop_u.enroll(add_user("佐藤 花子", "staff", "東区")).exit_code == 0);
  std::set<std::string> hers{laptop_u.add_record(case_review_json("事例検討 その１", "東区")),
                             laptop_u.add_record(case_review_json("事例検討 その２", "博多区", "submitted")),
                             laptop_u.add_record(meeting_json("東区 地域連絡会", "東区"))};
  std::string edited = *hers.begin();
  auto edit_file = root.path() / "edit.json";
  std::ofstream(edit_file) << json{{"title", "事例検討（修正後）"}}.dump();
  REQUIRE(laptop_u.tsunagi({"record", "edit", edited, "--json", edit_file.string()}).exit_code == 0);
  auto pushed = laptop_u.sync();
  INFO(describe(pushed));
  REQUIRE(pushed.exit_code == 0);

  // A colleague in another team: her meeting in 東区 is visible to 佐藤 (team 東区), her case review is not.
  Laptop laptop_v = laptop("laptop-v");
  REQUIRE(laptop_v.enroll(add_user("西 次郎", "staff", "西区")).exit_code == 0);
  std::string visible = laptop_v.add_record(meeting_json("東区で開いた合同会議", "東区"));
  std::string hidden = laptop_v.add_record(case_review_json("西区 事例検討", "西区"));
  REQUIRE(laptop_v.sync().exit_code == 0);

  // The laptop is wiped: its data folder, enrollment included, is gone.
  std::string old_device = laptop_u.enrollment_file().at("device_id");
  fs::remove_all(laptop_u.data());
  auto enrolled = laptop_u.enroll(collector->user_code("佐藤 花子"));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);
  CHECK(laptop_u.enrollment_file().at("device_id") != old_device);

  auto restored = laptop_u.tsunagi({"restore"});
  INFO(describe(restored));
  REQUIRE(restored.exit_code == 0);
  std::set<std::string> expected = hers;
  expected.insert(visible);
  CHECK(laptop_u.record_ids() == expected);
  CHECK(laptop_u.record_ids().count(hidden) == 0);
  CHECK(laptop_u.show(edited).at("title") == "事例検討（修正後）");
  CHECK(laptop_u.show(edited).at("author") == "佐藤 花子");
  auto status = laptop_u.tsunagi({"status"});
  CHECK(status.out.find("waiting: 0") != std::string::npos);
}

TEST_CASE_METHOD(SyncFixture, "a restore cut off goes on from its last page when asked again", "[sync][restore]") {
  EngineDevice staff = engine_device("staff", add_user("佐藤 花子", "staff", "東区"));
  staff.import(numbered_records("復元の続き", 1, 25));
  REQUIRE(staff.sync().result == sync::SyncResult::Done);

  EngineDevice office = engine_device("office", add_user("山本 課長", "supervisor"));
  sync::SyncOptions options = test_sync_options();
  options.pull_page = 10;
  options.attempts = 1;
  {
    FaultTransport dropping(*office.transport);  // the link drops at the third page
    dropping.refuse = [](int number, const sync::HttpRequest& request) {
      return request.path == sync::kPullPath && number >= 3;
    };
    auto cut = sync::SyncEngine(*office.store, dropping, office.enrollment, options).restore();
    CHECK(cut.result == sync::SyncResult::Offline);
    CHECK(office.record_count() == 20);
  }
  FaultTransport counting(*office.transport);
  std::vector<std::string> cursors;
  counting.before_send = [&cursors](int, const sync::HttpRequest& request) {
    if (request.path != sync::kPullPath) return;
    const json cursor = json::parse(request.body).at("cursor");
    cursors.push_back(cursor.is_string() ? cursor.get<std::string>() : "");
  };
  auto resumed = sync::SyncEngine(*office.store, counting, office.enrollment, options).restore();
  INFO(counting.events());
  REQUIRE(resumed.result == sync::SyncResult::Done);
  CHECK(office.record_count() == 25);
  REQUIRE(cursors.size() == 1);  // the last page only
  CHECK_FALSE(cursors[0].empty());

  // Once finished, the next restore starts from the beginning again.
  cursors.clear();
  REQUIRE(sync::SyncEngine(*office.store, counting, office.enrollment, options).restore().result ==
          sync::SyncResult::Done);
  REQUIRE(cursors.size() == 3);
  CHECK(cursors[0].empty());
}

TEST_CASE_METHOD(SyncFixture, "a restore cut off and finished by a plain sync does not resume later",
                 "[sync][restore]") {
  EngineDevice staff = engine_device("staff", add_user("佐藤 花子", "staff", "東区"));
  staff.import(numbered_records("復元の続き", 1, 25));
  REQUIRE(staff.sync().result == sync::SyncResult::Done);

  EngineDevice office = engine_device("office", add_user("山本 課長", "supervisor"));
  sync::SyncOptions options = test_sync_options();
  options.pull_page = 10;
  options.attempts = 1;
  {
    FaultTransport dropping(*office.transport);
    dropping.refuse = [](int number, const sync::HttpRequest& request) {
      return request.path == sync::kPullPath && number >= 3;
    };
    REQUIRE(sync::SyncEngine(*office.store, dropping, office.enrollment, options).restore().result ==
            sync::SyncResult::Offline);
  }
  // The window's ordinary sync finishes the pull: every change is here, so the restore is complete.
  REQUIRE(sync::SyncEngine(*office.store, *office.transport, office.enrollment, options).run().result ==
          sync::SyncResult::Done);
  CHECK(office.record_count() == 25);
  FaultTransport counting(*office.transport);
  std::vector<std::string> cursors;
  counting.before_send = [&cursors](int, const sync::HttpRequest& request) {
    if (request.path != sync::kPullPath) return;
    const json cursor = json::parse(request.body).at("cursor");
    cursors.push_back(cursor.is_string() ? cursor.get<std::string>() : "");
  };
  REQUIRE(sync::SyncEngine(*office.store, counting, office.enrollment, options).restore().result ==
          sync::SyncResult::Done);
  REQUIRE(cursors.size() == 3);  // from the beginning
  CHECK(cursors[0].empty());
}

}  // namespace tsunagi::sync_tests
