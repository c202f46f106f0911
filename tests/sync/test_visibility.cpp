// Who pulls what: staff see their own records and the meetings of their team's areas; supervisors see everything;
// staff may not approve.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

Laptop enrolled_laptop(SyncFixture& fixture, const std::string& folder, const std::string& user,
                       const std::string& role, const std::string& team) {
  Laptop device = fixture.laptop(folder);
  auto enrolled = device.enroll(fixture.add_user(user, role, team));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);
  return device;
}

// A supervisor of one council (by id or name).
Laptop fixture_laptop_with_council(SyncFixture& fixture, const std::string& folder, const std::string& user,
                                   const std::string& council) {
  Laptop device = fixture.laptop(folder);
  auto enrolled = device.enroll(fixture.add_user(user, "supervisor", "", {"--council", council}));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);
  return device;
}

std::set<std::string> pulled_ids(const Laptop& device) {
  auto synced = device.sync();
  INFO(describe(synced));
  REQUIRE(synced.exit_code == 0);
  return device.record_ids();
}

}  // namespace

TEST_CASE_METHOD(SyncFixture,
                 "staff pull the meetings of their team and not the case reviews of others while supervisors pull all",
                 "[sync][visibility]") {
  Laptop a = enrolled_laptop(*this, "staff-a", "東 太郎", "staff", "東区");
  std::string review_id = a.add_record(case_review_json("東区 事例検討（非公開）", "東区", "submitted"));
  std::string meeting_id = a.add_record(meeting_json("東区 地域連絡会", "東区"));
  auto pushed = a.sync();
  INFO(describe(pushed));
  REQUIRE(pushed.exit_code == 0);

  Laptop b = enrolled_laptop(*this, "staff-b", "西 次郎", "staff", "西区");
  Laptop c = enrolled_laptop(*this, "staff-c", "東 三郎", "staff", "東区");
  Laptop d = enrolled_laptop(*this, "staff-d", "博多 四郎", "staff", "東・博多エリア");  // the area above 東区
  Laptop s = enrolled_laptop(*this, "supervisor", "山本 課長", "supervisor", "");

  CHECK(pulled_ids(b).empty());
  CHECK(pulled_ids(c) == std::set<std::string>{meeting_id});
  CHECK(pulled_ids(d) == std::set<std::string>{meeting_id});
  CHECK(pulled_ids(s) == std::set<std::string>{meeting_id, review_id});
}

TEST_CASE_METHOD(SyncFixture, "staff may not approve: the item is rejected and tsunagi sync exits 4",
                 "[sync][visibility]") {
  SECTION("the collector's answer for the item") {
    EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
    auto ids = staff.import({to_record(meeting_json("承認済みにした会議", "東区", "approved")),
                             to_record(meeting_json("提出した会議", "東区", "submitted"))});
    auto outcome = staff.sync();
    CHECK(outcome.result == sync::SyncResult::Rejected);
    REQUIRE(outcome.rejections.size() == 1);
    CHECK(outcome.rejections[0].record_id == ids[0]);
    CHECK(outcome.rejections[0].error.code == "auth.review");
    CHECK(outcome.rejections[0].error.path == "/record/status");
    auto db = database();
    CHECK(db.integer("SELECT count(*) FROM records WHERE id = ?", {ids[0]}) == 0);
    CHECK(db.integer("SELECT count(*) FROM records WHERE id = ?", {ids[1]}) == 1);  // its batch-mate went through
  }
  SECTION("tsunagi sync names the record and the field") {
    Laptop staff = enrolled_laptop(*this, "staff", "東 太郎", "staff", "東区");
    std::string id = staff.add_record(meeting_json("承認済みにした会議", "東区", "approved"));
    auto synced = staff.sync();
    INFO(describe(synced));
    CHECK(synced.exit_code == 4);
    CHECK(synced.err.find(id) != std::string::npos);
    CHECK(synced.err.find("/record/status") != std::string::npos);
    CHECK(synced.err.find("auth.review") != std::string::npos);
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
}

}  // namespace tsunagi::sync_tests

namespace tsunagi::sync_tests {

TEST_CASE_METHOD(SyncFixture, "a council's supervisor pulls every record of that council and nothing of another",
                 "[sync][visibility]") {
  const std::string reference_dir = fs::path(TSUNAGI_REFERENCE_FILE).parent_path().string();
  REQUIRE(admin({"reference", "import", reference_dir + "/kodama.json"}).exit_code == 0);
  Laptop a = enrolled_laptop(*this, "staff-a", "東 太郎", "staff", "東区");
  json kodama_review = case_review_json("児玉 事例検討", "", "draft");
  kodama_review["council"] = "kodama";
  kodama_review.erase("area");
  json fukuoka_review = case_review_json("東区 事例検討", "東区", "draft");
  fukuoka_review["council"] = "fukuoka";
  const std::string kodama_id = a.add_record(kodama_review);
  const std::string fukuoka_id = a.add_record(fukuoka_review);
  REQUIRE(a.sync().exit_code == 0);

  Laptop kodama = fixture_laptop_with_council(*this, "kodama-head", "児玉 課長", "児玉郡市自立支援協議会");
  Laptop fukuoka = fixture_laptop_with_council(*this, "fukuoka-head", "福岡 課長", "fukuoka");
  CHECK(pulled_ids(kodama) == std::set<std::string>{kodama_id});
  CHECK(pulled_ids(fukuoka) == std::set<std::string>{fukuoka_id});
  // The history of a record outside the council is not theirs to read either.
  auto history = kodama.tsunagi({"record", "history", fukuoka_id, "--format", "json"});
  CHECK(history.exit_code != 0);
}

}  // namespace tsunagi::sync_tests
