// Enrolling and pushing: records written offline before enrollment reach a supervisor intact (real `tsunagi`
// processes), and pushes are idempotent, whether the same batch arrives twice or a device resends after losing the
// collector's answer.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// The revisions a device would push for `ids`: each record as stored, new at the collector (empty base).
std::vector<sync::Revision> revisions_of(EngineDevice& device, const std::vector<std::string>& ids) {
  std::vector<sync::Revision> revisions;
  for (const auto& id : ids) {
    auto record = device.store->get(id);
    REQUIRE(record);
    REQUIRE(*record);
    const Record& r = **record;
    revisions.push_back({r.id, r.clock, "", sync::content_hash(r), record_to_json(r)});
  }
  return revisions;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "records written before enrolling reach a supervisor with their text and ids intact",
                 "[sync][enroll]") {
  Laptop staff = laptop("staff-laptop");
  json meeting = meeting_json("令和６年度 第１回 東区地域連絡会（新規事業所の紹介・情報共有）", "東区");
  meeting["agenda"] =
      json::array({{{"title", "新規事業所の紹介"},
                    {"summary", "新規開設のグループホームから事業内容と受け入れ状況について説明を受けた。"},
                    {"decision", "次回も継続して情報交換を行う"}}});
  json review = case_review_json("就労支援部会 事例検討（家族まるごとの支援・キーパーソン不在）", "東区");
  // Written offline, before the laptop was ever enrolled.
  std::string meeting_id = staff.add_record(meeting);
  std::string review_id = staff.add_record(review);

  auto enrolled = staff.enroll(add_user("佐藤 花子", "staff", "東区"));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);
  auto synced = staff.sync();
  INFO(describe(synced));
  REQUIRE(synced.exit_code == 0);
  auto status = staff.tsunagi({"status"});
  CHECK(status.out.find("waiting: 0") != std::string::npos);

  Laptop supervisor = laptop("supervisor-laptop");
  auto supervisor_enrolled = supervisor.enroll(add_user("山本 課長", "supervisor"));
  INFO(describe(supervisor_enrolled));
  REQUIRE(supervisor_enrolled.exit_code == 0);
  auto pulled = supervisor.sync();
  INFO(describe(pulled));
  REQUIRE(pulled.exit_code == 0);

  CHECK(supervisor.record_ids() == std::set<std::string>{meeting_id, review_id});
  json got_meeting = supervisor.show(meeting_id);
  CHECK(got_meeting.at("id") == meeting_id);
  CHECK(got_meeting.at("title") == meeting.at("title"));
  CHECK(got_meeting.at("minutes") == meeting.at("minutes"));
  CHECK(got_meeting.at("venue") == meeting.at("venue"));
  CHECK(got_meeting.at("names").at("committees").at(0) == meeting.at("body"));  // stored by id, shown by name
  CHECK(got_meeting.at("agenda").at(0).at("summary") == meeting.at("agenda").at(0).at("summary"));
  CHECK(got_meeting.at("status") == "submitted");
  CHECK(got_meeting.at("author") == "佐藤 花子");  // the laptop's pre-enrollment records became the user's
  json got_review = supervisor.show(review_id);
  CHECK(got_review.at("title") == review.at("title"));
  CHECK(got_review.at("issues") == review.at("issues"));
  CHECK(got_review.at("policy") == review.at("policy"));
  CHECK(got_review.at("author") == "佐藤 花子");
}

TEST_CASE_METHOD(SyncFixture, "the same push batch sent twice is stored once", "[sync][idempotent]") {
  EngineDevice device = engine_device("staff", add_user("田中 一郎", "staff", "東区"));
  auto ids = device.import(numbered_records("重複送信の確認", 1, 20));
  auto revisions = revisions_of(device, ids);
  sync::HttpRequest request{"POST", sync::kPushPath, sync::push_request_json(revisions).dump(),
                            device.enrollment.token};

  for (const char* expected : {"stored", "already_stored"}) {
    auto answer = device.transport->send(request);
    INFO((answer ? answer->body : answer.error().describe()));
    REQUIRE(answer);
    REQUIRE(answer->status == 200);
    auto results = json::parse(answer->body).at("results");
    REQUIRE(results.size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK(results[i].at("id") == ids[i]);
      CHECK(results[i].at("status") == expected);
    }
  }

  auto db = database();
  CHECK(db.integer("SELECT count(*) FROM records") == 20);
  for (const auto& id : ids) {
    CHECK(db.integer("SELECT count(*) FROM records WHERE id = ?", {id}) == 1);
    CHECK(db.integer("SELECT count(*) FROM revisions WHERE record_id = ?", {id}) == 1);
  }
}

TEST_CASE_METHOD(SyncFixture, "a push whose answer was lost is sent again and stored once", "[sync][idempotent]") {
  EngineDevice device = engine_device("staff", add_user("田中 一郎", "staff", "東区"));
  auto ids = device.import(numbered_records("応答消失の確認", 1, 30));
  REQUIRE(device.outbox_size() == 30);
  FaultTransport faulty(*device.transport);
  sync::SyncOptions options = test_sync_options();
  options.push_batch = 10;

  SECTION("the run gives up, and the next sync resends") {
    // The collector stores the first batch, but its answer never arrives and the engine may not retry.
    faulty.lose_response = [](int number, const sync::HttpRequest& request) {
      return request.path == sync::kPushPath && number == 1;
    };
    sync::SyncOptions no_retry = options;
    no_retry.attempts = 1;
    auto first = device.sync(no_retry, &faulty);
    CHECK(first.result == sync::SyncResult::Offline);
    REQUIRE(faulty.lost() == 1);
    CHECK(database().integer("SELECT count(*) FROM records") == 10);
    CHECK(device.outbox_size() == 30);  // nothing was acknowledged, so nothing left the outbox

    faulty.lose_response = nullptr;
    auto second = device.sync(options, &faulty);
    INFO(second.error.describe());
    CHECK(second.result == sync::SyncResult::Done);
  }
  SECTION("the engine retries within the same run") {
    faulty.lose_response = [](int number, const sync::HttpRequest& request) {
      return request.path == sync::kPushPath && number == 2;
    };
    auto outcome = device.sync(options, &faulty);
    INFO(outcome.error.describe());
    CHECK(outcome.result == sync::SyncResult::Done);
    REQUIRE(faulty.lost() == 1);
  }

  CHECK(device.outbox_size() == 0);
  CHECK(push_results_with(faulty.answers(), "stored") == 30);
  CHECK(push_results_with(faulty.answers(), "already_stored") == 10);  // the resent batch, recognised
  auto db = database();
  CHECK(db.integer("SELECT count(*) FROM records") == 30);
  CHECK(db.integer("SELECT count(DISTINCT id) FROM records") == 30);
  for (const auto& id : ids) CHECK(db.integer("SELECT count(*) FROM revisions WHERE record_id = ?", {id}) == 1);
}

TEST_CASE_METHOD(SyncFixture, "several councils' reference data reach a laptop, and the collector refuses a submitted "
                              "record whose committee its reference data no longer has",
                 "[sync][reference]") {
  const std::string reference_dir = std::filesystem::path(TSUNAGI_REFERENCE_FILE).parent_path().string();
  auto imported = admin({"reference", "import", reference_dir + "/kodama.json"});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("now 2 councils") != std::string::npos);  // beside Fukuoka's, not instead

  Laptop staff = laptop("kodama-laptop");
  REQUIRE(staff.enroll(add_user("佐藤 花子", "staff", "東区")).exit_code == 0);
  REQUIRE(staff.sync().exit_code == 0);  // brings Kodama's committees and work items
  json meeting = {{"kind", "meeting"},        {"council", "kodama"},        {"date", "R5.7.3"},
                  {"title", "相談支援部会 情報共有"}, {"committees", {"相談支援部会"}}, {"meeting_type", "committee"},
                  {"work_items", {"kodama.consultation.fy2023.1"}}, {"status", "submitted"}};
  const std::string id = staff.add_record(meeting);
  auto synced = staff.sync();
  INFO(describe(synced));
  REQUIRE(synced.exit_code == 0);
  // Kodama's 相談支援部会, not Fukuoka's of the same name: the record's council decides.
  CHECK(staff.show(id).at("committees") == json::array({"kodama.consultation"}));
  CollectorDatabase db = database();
  CHECK(db.column("SELECT json_extract(doc, '$.committees[0]') FROM records WHERE id = ?", {id}) ==
        std::vector<std::string>{"kodama.consultation"});

  // The office starts its reference data over without Kodama; the laptop has not synced since.
  REQUIRE(admin({"reference", "import", "--replace", std::string(TSUNAGI_REFERENCE_FILE)}).exit_code == 0);
  meeting["title"] = "相談支援部会 第2回";
  const std::string refused_id = staff.add_record(meeting);
  auto refused = staff.sync();
  INFO(describe(refused));
  CHECK(refused.exit_code == 4);  // a record was rejected: the laptop keeps it, marked
  CHECK(refused.err.find("council \"kodama\" is not in the reference data") != std::string::npos);
  CHECK(refused.err.find("[record.invalid]") != std::string::npos);
  CHECK(db.integer("SELECT count(*) FROM records WHERE id = ?", {refused_id}) == 0);
}

}  // namespace tsunagi::sync_tests
