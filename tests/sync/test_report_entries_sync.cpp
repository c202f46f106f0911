// Report entries (the progress management table's texts and hand-entered actuals) across a real collector over HTTPS
// on 127.0.0.1: they travel between a council's supervisors with who wrote them and where, every version stays as
// history with the newest current, staff and other councils' supervisors are refused per entry, a council's entries
// stay with that council, and a push sent twice stores nothing twice.
#include <chrono>
#include <thread>

#include "model/report_entry.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

void synced(EngineDevice& device) {
  auto outcome = device.sync();
  INFO(device.folder.filename().string() << ": " << outcome.error.describe());
  REQUIRE(outcome.result == sync::SyncResult::Done);
}

std::vector<ReportEntry> entries_of(const EngineDevice& device, const std::string& council, int fiscal_year = 2024) {
  auto entries = device.store->report_entries(council, fiscal_year);
  INFO((entries ? std::string() : entries.error().describe()));
  REQUIRE(entries);
  return *entries;
}

ReportEntry added(EngineDevice& device, const std::string& council, const std::string& kind, const std::string& key,
                  const json& fields) {
  auto entry = device.store->add_report_entry(council, 2024, kind, key, fields, device.enrollment.role);
  INFO((entry ? std::string() : entry.error().describe()));
  REQUIRE(entry);
  return *entry;
}

// Who wrote a version and where, as the collector stamped it from `device`'s token.
void check_written_on(const ReportEntry& entry, const EngineDevice& device) {
  INFO(report_entry_to_json(entry).dump());
  CHECK(entry.author == device.enrollment.user_name);
  CHECK(entry.role == "supervisor");
  CHECK(entry.device == device.enrollment.device_id);
  CHECK(entry.device_name == device.folder.filename().string());
}

std::vector<std::string> ids_of(const std::vector<ReportEntry>& entries) {
  std::vector<std::string> ids;
  for (const ReportEntry& entry : entries) ids.push_back(entry.id);
  return ids;
}

// The statuses of the report entry results of every push answer, in order.
std::vector<std::string> entry_statuses(const std::vector<FaultTransport::Answer>& answers) {
  std::vector<std::string> statuses;
  for (const auto& answer : answers) {
    if (answer.path != sync::kPushPath || answer.status != 200) continue;
    const json body = json::parse(answer.body);
    if (body.contains("report_entry_results"))
      for (const auto& result : body.at("report_entry_results"))
        statuses.push_back(result.at("status").get<std::string>());
  }
  return statuses;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture,
                 "report entries travel between a council's supervisors, keep every version, and stay in the council",
                 "[sync][report_entry]") {
  const std::string reference_dir = fs::path(TSUNAGI_REFERENCE_FILE).parent_path().string();
  auto imported = admin({"reference", "import", reference_dir + "/kodama.json"});
  INFO(describe(imported));
  REQUIRE(imported.exit_code == 0);
  EngineDevice a = engine_device("a-laptop", add_user("山本 課長", "supervisor", "", {"--council", "fukuoka"}));
  EngineDevice b = engine_device("b-laptop", add_user("佐藤 部長", "supervisor", "", {"--council", "fukuoka"}));
  EngineDevice staff = engine_device("staff-laptop", add_user("東 太郎", "staff", "東区", {"--council", "fukuoka"}));
  EngineDevice kodama = engine_device("kodama-laptop", add_user("児玉 課長", "supervisor", "", {"--council", "kodama"}));
  EngineDevice city = engine_device("city-laptop", add_user("市 課長", "supervisor"));

  // Supervisor A writes a project's evaluation and an indicator's actual, and syncs.
  const ReportEntry progress = added(a, "fukuoka", "progress", "P01",
                                     {{"status", "b"},
                                      {"work_done", "相談支援部会を年6回開催した。"},
                                      {"analysis", "事業所間の情報共有は進んだが、新規の参加が少ない。"},
                                      {"next_plan", "地域の事業所へ参加を呼びかける。"}});
  const ReportEntry actual = added(a, "fukuoka", "actual", "I03", {{"value", 12}, {"note", "相談支援専門員"}});
  CHECK(a.store->pending_report_entry_count().value() == 2);
  synced(a);
  CHECK(a.store->pending_report_entry_count().value() == 0);
  CHECK(database().integer("SELECT count(*) FROM report_entries") == 2);
  CHECK(database().column("SELECT DISTINCT author FROM report_entries") == std::vector<std::string>{"山本 課長"});

  // Supervisor B pulls them, with A's name and device.
  synced(b);
  const auto at_b = entries_of(b, "fukuoka");
  REQUIRE(ids_of(at_b) == std::vector<std::string>{actual.id, progress.id});
  for (const ReportEntry& entry : at_b) check_written_on(entry, a);
  CHECK(at_b[1].fields == progress.fields);
  CHECK(at_b[0].fields.at("value") == 12);
  // A's own copies are the collector's now: stamped the same way.
  CHECK(entries_of(a, "fukuoka") == at_b);

  // B writes a newer version of the evaluation; A pulls both versions, B's current.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const ReportEntry revised = added(b, "fukuoka", "progress", "P01",
                                    {{"status", "a"},
                                     {"work_done", "相談支援部会を年6回、研修を2回開催した。"},
                                     {"analysis", "新規の事業所が3か所参加した。"},
                                     {"next_plan", "参加事業所の定着を図る。"}});
  synced(b);
  synced(a);
  const auto at_a = entries_of(a, "fukuoka");
  REQUIRE(ids_of(at_a) == std::vector<std::string>{actual.id, progress.id, revised.id});
  check_written_on(at_a[2], b);
  const auto current = current_report_entries(at_a);
  REQUIRE(ids_of(current) == std::vector<std::string>{actual.id, revised.id});
  CHECK(current[1].fields.at("status") == "a");
  CHECK(current_report_entries(entries_of(b, "fukuoka")) == current);

  // A member of staff may not write one: refused per entry, it stays pending with the refusal, and the staff member
  // still receives the council's entries.
  const ReportEntry refused = added(staff, "fukuoka", "actual", "I04", {{"value", 3}});
  auto outcome = staff.sync();
  CHECK(outcome.result == sync::SyncResult::Rejected);
  REQUIRE(outcome.rejections.size() == 1);
  CHECK(outcome.rejections[0].error.code == "report_entry.role");
  CHECK(staff.store->pending_report_entry_count().value() == 1);
  auto rejection = staff.store->report_entry_rejection(refused.id);
  REQUIRE(rejection);
  REQUIRE(rejection->has_value());
  CHECK((*rejection)->code == "report_entry.role");
  CHECK(database().integer("SELECT count(*) FROM report_entries WHERE id = ?", {refused.id}) == 0);
  CHECK(ids_of(entries_of(staff, "fukuoka")) == std::vector<std::string>{actual.id, refused.id, progress.id, revised.id});

  // Another council's supervisor receives none of them, and may not write one for this council; their own
  // council's entry stays with them. A supervisor of no council receives every council's.
  synced(kodama);
  CHECK(entries_of(kodama, "").empty());
  const ReportEntry theirs = added(kodama, "kodama", "actual", "I01", {{"value", 40}});
  const ReportEntry intruding = added(kodama, "fukuoka", "actual", "I03", {{"value", 99}});
  auto kodama_outcome = kodama.sync();
  REQUIRE(kodama_outcome.rejections.size() == 1);
  CHECK(kodama_outcome.rejections[0].error.code == "report_entry.council");
  CHECK(database().integer("SELECT count(*) FROM report_entries WHERE id = ?", {intruding.id}) == 0);
  CHECK(ids_of(entries_of(kodama, "kodama")) == std::vector<std::string>{theirs.id});
  synced(a);
  CHECK(entries_of(a, "kodama").empty());
  CHECK(entries_of(a, "fukuoka").size() == 3);
  synced(city);
  CHECK(ids_of(entries_of(city, "")) == std::vector<std::string>{actual.id, progress.id, revised.id, theirs.id});
}

TEST_CASE_METHOD(SyncFixture, "a report entry pushed again is stored once, whether the engine or a replay resends it",
                 "[sync][report_entry]") {
  EngineDevice a = engine_device("a-laptop", add_user("山本 課長", "supervisor"));
  EngineDevice b = engine_device("b-laptop", add_user("佐藤 部長", "supervisor"));
  const ReportEntry entry = added(a, "", "actual", "I03", {{"value", 7}});

  // The push is stored but its answer is lost: the engine sends it again, which the collector answers as stored.
  FaultTransport watching(*a.transport);
  watching.lose_response = [](int number, const sync::HttpRequest& request) {
    return request.path == sync::kPushPath && number == 1;
  };
  auto outcome = a.sync(test_sync_options(), &watching);
  INFO(outcome.error.describe() << "\n" << watching.events());
  REQUIRE(outcome.result == sync::SyncResult::Done);
  CHECK(watching.lost() == 1);
  CHECK(entry_statuses(watching.answers()) == std::vector<std::string>{"stored", "already_stored"});
  CHECK(a.store->pending_report_entry_count().value() == 0);
  CHECK(database().integer("SELECT count(*) FROM report_entries") == 1);

  // The same request replayed as sent: already stored, nothing written, no new change for pulls.
  const long long changes = database().integer("SELECT value FROM counters WHERE name = 'change_seq'");
  const std::string body = sync::push_request_text({}, "", {}, {entry});
  for (int replay = 0; replay < 2; ++replay) {
    auto answer = a.transport->send({"POST", sync::kPushPath, body, a.enrollment.token});
    REQUIRE(answer);
    INFO(answer->body);
    REQUIRE(answer->status == 200);
    CHECK(json::parse(answer->body).at("report_entry_results").at(0).at("status") == "already_stored");
  }
  CHECK(database().integer("SELECT count(*) FROM report_entries") == 1);
  CHECK(database().integer("SELECT value FROM counters WHERE name = 'change_seq'") == changes);
  // Someone else's push of that id (a copy of another's entry) is refused, not taken as theirs.
  auto stolen = b.transport->send({"POST", sync::kPushPath, body, b.enrollment.token});
  REQUIRE(stolen);
  CHECK(json::parse(stolen->body).at("report_entry_results").at(0).at("error").at("code") == "protocol.mismatch");

  synced(b);
  const auto at_b = entries_of(b, "");
  REQUIRE(at_b.size() == 1);
  CHECK(at_b[0].id == entry.id);
  check_written_on(at_b[0], a);
  synced(b);  // a second pull repeats nothing
  CHECK(entries_of(b, "").size() == 1);
}

}  // namespace tsunagi::sync_tests
