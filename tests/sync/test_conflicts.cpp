// Two devices editing one record while apart, and a collector that is briefly overloaded.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "sync_fixture.hpp"

namespace tsunagi::sync_tests {

// Two supervisors' laptops that both hold one meeting: two people about to change one record while apart.
class SharedMeeting : public SyncFixture {
 public:
  SharedMeeting() {
    REQUIRE(a.sync().result == sync::SyncResult::Done);
    REQUIRE(b.sync().result == sync::SyncResult::Done);
  }

  // Both laptops and the collector agree on the minutes `winner`, and keep `loser`, written on `maker`, as the
  // one conflict of the record, with who wrote it and where.
  void check_minutes_kept(const std::string& winner, const std::string& loser, const EngineDevice& maker) {
    CHECK(database().integer("SELECT count(*) FROM conflicts WHERE record_id = ?", {id}) == 1);
    for (EngineDevice* device : {&a, &b}) {
      INFO(device->folder);
      CHECK((*device->store->get(id))->meeting.minutes == winner);
      auto kept = device->store->conflicts(id);
      REQUIRE(kept);
      REQUIRE(kept->size() == 1);
      CHECK(kept->front().field == "minutes");
      CHECK(kept->front().value == loser);
      CHECK(kept->front().by == maker.enrollment.user_name);
      CHECK(kept->front().device == maker.enrollment.device_id);
      CHECK_FALSE(kept->front().at.empty());
    }
  }

 protected:
  EngineDevice a = engine_device("a", add_user("主任 一郎", "supervisor"));
  EngineDevice b = engine_device("b", add_user("主任 二郎", "supervisor"));
  std::string id = a.import({to_record(meeting_json("運営会議", "東区", "submitted"))}).front();
};

TEST_CASE_METHOD(SyncFixture,
                 "edits to one record on two devices merge by field: the same field is a reported conflict",
                 "[sync][conflict]") {
  std::string line_a = add_user("主任 一郎", "supervisor");
  std::string line_b = add_user("主任 二郎", "supervisor");
  EngineDevice a = engine_device("a", line_a);
  EngineDevice b = engine_device("b", line_b);

  std::string id = a.import({to_record(meeting_json("運営会議", "東区", "submitted"))}).front();
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(b.record_ids().count(id));

  // Apart: both change the minutes; a changes the venue, b the participant count. b's edit is the later one.
  REQUIRE(a.store->update(id, json{{"minutes", "Aの議事録"}, {"venue", "Aの会場"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // one millisecond apart, a tie goes by device id
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}, {"participant_count", 30}}));

  REQUIRE(b.sync().result == sync::SyncResult::Done);  // b first: stored
  FaultTransport watching(*a.transport);
  auto outcome = a.sync(test_sync_options(), &watching);
  REQUIRE(outcome.result == sync::SyncResult::Done);  // a conflict is final, not an error: nothing to retry
  CHECK(push_results_with(watching.answers(), "conflict") == 1);
  const json answer = json::parse(watching.answers().front().body);
  CHECK(answer.at("results").at(0).at("code") == 409);
  CHECK(answer.at("results").at(0).at("lost") == json::array({"minutes"}));
  CHECK(a.outbox_size() == 0);

  REQUIRE(b.sync().result == sync::SyncResult::Done);
  auto on_a = a.store->get(id);
  auto on_b = b.store->get(id);
  REQUIRE(on_a);
  REQUIRE(on_b);
  REQUIRE(on_a->has_value());
  REQUIRE(on_b->has_value());
  // Both converge on the same record: b's minutes (the later edit), a's venue, b's count.
  CHECK((*on_a)->meeting.minutes == "Bの議事録");
  CHECK((*on_a)->meeting.venue == "Aの会場");
  CHECK((*on_a)->participant_count == 30);
  CHECK(**on_a == **on_b);

  // The minutes that lost are kept, not dropped: at the collector and on both devices, with who and where.
  CHECK(database().integer("SELECT count(*) FROM conflicts WHERE record_id = ?", {id}) == 1);
  for (EngineDevice* device : {&a, &b}) {
    auto kept = device->store->conflicts(id);
    REQUIRE(kept);
    REQUIRE(kept->size() == 1);
    CHECK(kept->front().field == "minutes");
    CHECK(kept->front().value == "Aの議事録");
    CHECK(kept->front().by == "主任 一郎");
    CHECK(kept->front().device == a.enrollment.device_id);
  }
  // The command line lists the record and shows both values.
  auto run = [&a](const std::vector<std::string>& words) {
    std::vector<std::string> argv{TSUNAGI_BIN, "--data", a.folder.string(), "--lang", "en"};
    argv.insert(argv.end(), words.begin(), words.end());
    auto result = testing::run(argv, kProcessLimit);
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  };
  const json listed = run({"record", "list", "--conflicts", "--format", "json"});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].at("id") == id);
  const json shown = run({"record", "show", id});
  REQUIRE(shown.at("conflicts").size() == 1);
  CHECK(shown.at("conflicts")[0].at("field") == "minutes");
  CHECK(shown.at("conflicts")[0].at("values")[0].at("value") == "Bの議事録");
  CHECK(shown.at("conflicts")[0].at("values")[0].at("current") == true);
  CHECK(shown.at("conflicts")[0].at("values")[1].at("value") == "Aの議事録");
  CHECK(shown.at("conflicts")[0].at("values")[1].at("by") == "主任 一郎");

  // Writing the merged text resolves it everywhere.
  REQUIRE(a.store->update(id, json{{"minutes", "AとBを合わせた議事録"}}));
  CHECK(a.store->conflicts(id)->empty());
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  CHECK(b.store->conflicts(id)->empty());
  CHECK((*b.store->get(id))->meeting.minutes == "AとBを合わせた議事録");
  CHECK(database().integer("SELECT count(*) FROM conflicts WHERE record_id = ?", {id}) == 0);
  CHECK(run({"record", "list", "--conflicts", "--format", "json"}).empty());
}

TEST_CASE_METHOD(SharedMeeting, "a push whose only change lost is a conflict kept, not already stored",
                 "[sync][conflict]") {
  REQUIRE(a.store->update(id, json{{"minutes", "Aの議事録"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  FaultTransport watching(*a.transport);
  REQUIRE(a.sync(test_sync_options(), &watching).result == sync::SyncResult::Done);
  CHECK(push_results_with(watching.answers(), "conflict") == 1);
  CHECK(push_results_with(watching.answers(), "already_stored") == 0);
  auto kept = a.store->conflicts(id);
  REQUIRE(kept);
  REQUIRE(kept->size() == 1);
  CHECK(kept->front().value == "Aの議事録");
  CHECK((*a.store->get(id))->meeting.minutes == "Bの議事録");
}

TEST_CASE_METHOD(SharedMeeting,
                 "a value replaced by a later change made apart is kept too, though the later one arrives second",
                 "[sync][conflict]") {
  // Apart: a edits the minutes and syncs first; b, who never saw it, edits them later and syncs second.
  REQUIRE(a.store->update(id, json{{"minutes", "Aの議事録"}}));
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}}));
  FaultTransport watching(*b.transport);
  REQUIRE(b.sync(test_sync_options(), &watching).result == sync::SyncResult::Done);
  CHECK(push_results_with(watching.answers(), "stored") == 1);  // b's change won: stored, not a conflict
  REQUIRE(a.sync().result == sync::SyncResult::Done);

  // a's minutes are not lost: kept as a conflict, with a's user and device, everywhere.
  check_minutes_kept("Bの議事録", "Aの議事録", a);

  // An edit made after pulling the other is no conflict, whichever device makes it; nor is a device's own later
  // change of its own value, even one pushed without having heard the first push answered.
  // a takes its own minutes back from the command line (the first value record show lists after the current).
  auto taken = testing::run({TSUNAGI_BIN, "--data", a.folder.string(), "record", "resolve", id, "minutes", "--take", "1"},
                            kProcessLimit);
  INFO(describe(taken));
  REQUIRE(taken.exit_code == 0);
  CHECK((*a.store->get(id))->meeting.minutes == "Aの議事録");
  CHECK(a.store->conflicts(id)->empty());
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録（修正）"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録（再修正）"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  CHECK(database().integer("SELECT count(*) FROM conflicts WHERE record_id = ?", {id}) == 0);
  CHECK(a.store->conflicts(id)->empty());
  CHECK(b.store->conflicts(id)->empty());
}

TEST_CASE_METHOD(SharedMeeting,
                 "a value that reached the collector after a device last pulled is unseen by it, whatever its clock",
                 "[sync][conflict]") {
  // c's clock runs 30 minutes ahead: its change gives the record a clock later than anything a, whose clock is
  // right, makes meanwhile. b pulls c's change, then a's change of the minutes reaches the collector with a clock
  // earlier than what b last pulled. b, who never saw a's minutes, then writes its own: judged by clocks (a's is
  // before b's base) a's minutes would be replaced as if b had seen them; judged by arrival they are kept.
  EngineDevice c = engine_device("c", add_user("主任 三郎", "supervisor"));
  REQUIRE(c.sync().result == sync::SyncResult::Done);
  c.run_clock_ahead(std::make_shared<std::atomic<std::int64_t>>(30 * 60 * 1000));
  REQUIRE(c.store->update(id, json{{"title", "運営会議（時計が進んだ端末で修正）"}}));
  REQUIRE(c.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.store->update(id, json{{"minutes", "Aの議事録"}}));
  FaultTransport a_watching(*a.transport);
  REQUIRE(a.sync(test_sync_options(), &a_watching).result == sync::SyncResult::Done);
  REQUIRE(push_results_with(a_watching.answers(), "stored") == 1);
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  check_minutes_kept("Bの議事録", "Aの議事録", a);
}

namespace {

// A sync during which the user changes record `id` once, as the pull starts (typing while the window syncs): the
// change waits in the outbox while the pull merges another's change of the same field into the record.
sync::SyncOutcome sync_typing_during_pull(EngineDevice& device, const std::string& id, const json& change) {
  bool typed = false;
  sync::SyncEngine engine(*device.store, *device.transport, device.enrollment, test_sync_options());
  return engine.run([&](const sync::SyncProgress& progress) {
    if (progress.phase != sync::SyncPhase::Pulling || typed) return;
    typed = true;
    REQUIRE(device.store->update(id, change));
  });
}

}  // namespace

TEST_CASE_METHOD(SharedMeeting, "a pull that meets a change still waiting to be sent keeps the conflict either way",
                 "[sync][conflict]") {
  std::string winner, loser;
  const EngineDevice* maker = nullptr;  // of the loser
  SECTION("the pulled change is later: the waiting one is kept") {
    b.run_clock_ahead(std::make_shared<std::atomic<std::int64_t>>(10 * 60 * 1000));
    winner = "Bの議事録";
    loser = "Aの議事録";
    maker = &a;
  }
  SECTION("the waiting change is later: the pulled one is kept") {
    winner = "Aの議事録";
    loser = "Bの議事録";
    maker = &b;
  }
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(sync_typing_during_pull(a, id, json{{"minutes", "Aの議事録"}}).result == sync::SyncResult::Done);
  CHECK((*a.store->get(id))->meeting.minutes == winner);  // merged here first, and still waiting to be sent
  CHECK(a.outbox_size() > 0);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  check_minutes_kept(winner, loser, *maker);
}

TEST_CASE_METHOD(SharedMeeting, "a deletion made without seeing an edit keeps the edit as a conflict on deleted",
                 "[sync][conflict]") {
  REQUIRE(a.store->update(id, json{{"minutes", "削除される前に書いた議事録"}}));
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(b.store->remove(id));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  for (EngineDevice* device : {&a, &b}) {
    auto record = device->store->get(id);
    REQUIRE(record);
    REQUIRE(record->has_value());
    CHECK((*record)->deleted);
    auto kept = device->store->conflicts(id);
    REQUIRE(kept);
    REQUIRE(kept->size() == 1);
    CHECK(kept->front().field == "deleted");
    CHECK(kept->front().value == false);  // "not deleted": using it brings the record back, edit and all
    CHECK(kept->front().by == "主任 一郎");
  }
  REQUIRE(a.store->resolve_conflict(id, "deleted", json(false)));
  auto back = a.store->get(id);
  CHECK_FALSE((*back)->deleted);
  CHECK((*back)->meeting.minutes == "削除される前に書いた議事録");
}

TEST_CASE_METHOD(SharedMeeting, "keeping the current value resolves a conflict on every device", "[sync][conflict]") {
  REQUIRE(a.store->update(id, json{{"minutes", "Aの議事録"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(b.store->update(id, json{{"minutes", "Bの議事録"}}));
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  REQUIRE(b.store->conflicts(id)->size() == 1);

  // b decides its own (current) text stands: the value stays, its clock moves, and that is what travels. Done
  // from the command line, as a script would: a field without a conflict, or a value it does not list, is refused.
  auto tsunagi = [this](const std::vector<std::string>& words) {
    std::vector<std::string> argv{TSUNAGI_BIN, "--data", b.folder.string(), "--lang", "en", "record", "resolve", id};
    argv.insert(argv.end(), words.begin(), words.end());
    return testing::run(argv, kProcessLimit);
  };
  auto no_conflict = tsunagi({"venue"});
  CHECK(no_conflict.exit_code == 1);
  CHECK(contains(no_conflict.err, "conflict.none"));
  CHECK(tsunagi({"minutes", "--take", "2"}).exit_code == 64);  // one value is kept: 1 is the only one to take
  auto kept = tsunagi({"minutes"});
  INFO(describe(kept));
  REQUIRE(kept.exit_code == 0);
  CHECK((*b.store->get(id))->meeting.minutes == "Bの議事録");
  CHECK(b.store->conflicts(id)->empty());
  REQUIRE(b.sync().result == sync::SyncResult::Done);
  CHECK(database().integer("SELECT count(*) FROM conflicts WHERE record_id = ?", {id}) == 0);
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  CHECK(a.store->conflicts(id)->empty());
  CHECK((*a.store->get(id))->meeting.minutes == "Bの議事録");
  CHECK(**a.store->get(id) == **b.store->get(id));
}

TEST_CASE_METHOD(SyncFixture, "agenda items and themes added on two devices apart are all kept after sync",
                 "[sync][conflict]") {
  EngineDevice a = engine_device("a", add_user("主任 一郎", "supervisor"));
  EngineDevice b = engine_device("b", add_user("主任 二郎", "supervisor"));
  std::string id = a.import({to_record(meeting_json("運営会議", "東区", "submitted"))}).front();
  REQUIRE(a.store->update(id, json{{"agenda", {{{"title", "報告"}}}}}));
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  REQUIRE(b.sync().result == sync::SyncResult::Done);

  json on_a = field_value(**a.store->get(id), "agenda");
  on_a.push_back({{"title", "Aの議題"}});
  REQUIRE(a.store->update(id, json{{"agenda", on_a}, {"themes", {"T01"}}}));
  json on_b = field_value(**b.store->get(id), "agenda");
  on_b.push_back({{"title", "Bの議題"}});
  REQUIRE(b.store->update(id, json{{"agenda", on_b}, {"themes", {"T02"}}}));

  REQUIRE(a.sync().result == sync::SyncResult::Done);
  FaultTransport watching(*b.transport);
  REQUIRE(b.sync(test_sync_options(), &watching).result == sync::SyncResult::Done);
  CHECK(push_results_with(watching.answers(), "conflict") == 0);  // different items: nothing collides
  REQUIRE(a.sync().result == sync::SyncResult::Done);
  const Record on_collector = *parse_record(
      database().column("SELECT doc FROM records WHERE id = ?", {id}).at(0));
  for (EngineDevice* device : {&a, &b}) {
    const Record record = **device->store->get(id);
    std::vector<std::string> titles;
    for (const auto& item : record.meeting.agenda) titles.push_back(item.title);
    CHECK(titles.size() == 3);
    CHECK(titles.at(0) == "報告");
    CHECK(std::count(titles.begin(), titles.end(), "Aの議題") == 1);
    CHECK(std::count(titles.begin(), titles.end(), "Bの議題") == 1);
    CHECK(record.themes == std::vector<std::string>{"T01", "T02"});
    CHECK(record.meeting.agenda == on_collector.meeting.agenda);
    CHECK(device->store->conflicts(id)->empty());
  }
}

TEST_CASE_METHOD(SyncFixture, "a conflict kept after a device last pulled the record still reaches it",
                 "[sync][conflict]") {
  // The device's next push of the record is stored exactly as sent; the record still goes back to it, with the
  // conflict, since conflicts travel with the record.
  EngineDevice staff = engine_device("staff", add_user("佐藤 花子", "staff", "東区"));
  EngineDevice chief = engine_device("chief", add_user("山本 課長", "supervisor"));
  std::string id = staff.import({to_record(meeting_json("運営会議", "東区", "submitted"))}).front();
  REQUIRE(staff.sync().result == sync::SyncResult::Done);
  REQUIRE(chief.sync().result == sync::SyncResult::Done);
  REQUIRE(chief.store->update(id, json{{"title", "課長の件名"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(staff.store->update(id, json{{"title", "佐藤の件名"}}));
  REQUIRE(staff.sync().result == sync::SyncResult::Done);
  REQUIRE(chief.sync().result == sync::SyncResult::Done);  // the chief's title loses: kept as a conflict
  REQUIRE(chief.store->conflicts(id)->size() == 1);
  REQUIRE(staff.store->update(id, json{{"venue", "区役所"}}));
  REQUIRE(staff.sync().result == sync::SyncResult::Done);
  REQUIRE(staff.sync().result == sync::SyncResult::Done);
  auto kept = staff.store->conflicts(id);
  REQUIRE(kept);
  REQUIRE(kept->size() == 1);
  CHECK(kept->front().value == "課長の件名");
}

// Answers 503 (with Retry-After) for the first `busy` requests, then forwards.
class BusyTransport final : public sync::Transport {
 public:
  BusyTransport(sync::Transport& inner, int busy) : inner_(inner), busy_(busy) {}
  Result<sync::HttpResponse> send(const sync::HttpRequest& request) override {
    if (calls_++ < busy_) return sync::HttpResponse{503, R"({"error":{"code":"store.busy"}})", "1", "", ""};
    return inner_.send(request);
  }
  int calls() const { return calls_; }

 private:
  sync::Transport& inner_;
  int busy_;
  int calls_ = 0;
};

TEST_CASE_METHOD(SyncFixture,
                 "a busy collector is retried with backoff honouring Retry-After, a bounded number of times",
                 "[sync][retry]") {
  EngineDevice device = engine_device("a", add_user("主任 一郎", "supervisor"));
  device.import({to_record(meeting_json("運営会議", "東区", "submitted"))});
  std::vector<int> waits;
  sync::SyncOptions options = test_sync_options();
  options.attempts = 4;
  options.backoff_ms = 100;
  options.sleep = [&waits](int ms) { waits.push_back(ms); };

  SECTION("busy twice, then it answers: the sync succeeds") {
    BusyTransport busy(*device.transport, 2);
    auto outcome = device.sync(options, &busy);
    CHECK(outcome.result == sync::SyncResult::Done);
    REQUIRE(waits.size() == 2);
    for (int ms : waits) CHECK(ms >= 1000);  // Retry-After: 1 second
    CHECK(device.outbox_size() == 0);
  }
  SECTION("busy every time: offline after the attempts, the change still waits") {
    BusyTransport busy(*device.transport, 1000);
    auto outcome = device.sync(options, &busy);
    CHECK(outcome.result == sync::SyncResult::Offline);
    CHECK(sync::sync_exit_code(outcome.result) == 2);
    CHECK(busy.calls() == 4);
    CHECK(waits.size() == 3);
    CHECK(device.outbox_size() == 1);
  }
}

}  // namespace tsunagi::sync_tests
