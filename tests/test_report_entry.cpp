// Report entries: their JSON form and its checks (each naming the path of what is wrong), the current value of an
// entry among its versions, and the local store's side (add, history, pending, acknowledgement, refusal, pulls).
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <limits>

#include "model/ids.hpp"
#include "model/report_entry.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

const std::string kId = "0193a5f2-c3d4-7abc-8def-0123456789ab";

json progress_json() {
  return {{"id", kId},
          {"council", "fukuoka"},
          {"fiscal_year", 2024},
          {"kind", "progress"},
          {"key", "P01"},
          {"fields",
           {{"status", "b"},
            {"work_done", "相談支援部会を年6回開催した。"},
            {"figures_actual", "6回"},
            {"analysis", "事業所間の情報共有は進んだが、新規参加が少ない。"},
            {"next_plan", "地域の事業所へ参加を呼びかける。"}}},
          {"author", "山本 課長"},
          {"role", "supervisor"},
          {"device", "dev-1"},
          {"device_name", "山本のノートPC"},
          {"time", "2025-03-10T09:00:00.000Z"}};
}

json actual_json() {
  return {{"id", kId},        {"council", "fukuoka"},
          {"fiscal_year", 2024}, {"kind", "actual"},
          {"key", "I03"},     {"fields", {{"value", 12}, {"note", "相談支援専門員の有資格者数"}}},
          {"time", "2025-03-10T09:00:00.000Z"}};
}

// The error reading `object` gives; fails the test when it reads.
Error refusal(const json& object) {
  auto read = report_entry_from_json(object, "/report_entries/0");
  REQUIRE_FALSE(read.ok());
  return read.error();
}

ReportEntry version(const std::string& key, const std::string& time, const std::string& id,
                    const std::string& council = "fukuoka", const std::string& kind = "progress") {
  ReportEntry entry;
  entry.id = id;
  entry.council = council;
  entry.fiscal_year = 2024;
  entry.kind = kind;
  entry.key = key;
  entry.time = time;
  return entry;
}

std::vector<std::string> ids_of(const std::vector<ReportEntry>& entries) {
  std::vector<std::string> ids;
  for (const ReportEntry& entry : entries) ids.push_back(entry.id);
  return ids;
}

}  // namespace

TEST_CASE("a report entry round-trips through its JSON", "[report_entry]") {
  for (const json& given : {progress_json(), actual_json()}) {
    auto read = report_entry_from_json(given, "");
    INFO(given.dump() << (read ? std::string() : read.error().describe()));
    REQUIRE(read.ok());
    CHECK(report_entry_to_json(*read) == given);
  }
  auto progress = report_entry_from_json(progress_json(), "");
  REQUIRE(progress.ok());
  CHECK(progress->fiscal_year == 2024);
  CHECK(progress->fields.at("status") == "b");
  CHECK(progress->device_name == "山本のノートPC");
  // Empty texts and an empty status are an entry being cleared; an actual's note is optional.
  json cleared = progress_json();
  cleared["fields"] = {{"status", ""}, {"analysis", ""}};
  CHECK(report_entry_from_json(cleared, "").ok());
  json bare = actual_json();
  bare["fields"] = {{"value", 3.5}};
  bare["council"] = "";
  CHECK(report_entry_from_json(bare, "").ok());
}

TEST_CASE("each kind of bad report entry gives its error and the path of what is wrong", "[report_entry]") {
  struct Case {
    const char* what;
    json entry;
    std::string code;
    std::string path;
  };
  auto with = [](json entry, const json::json_pointer& at, json value) {
    entry[at] = std::move(value);
    return entry;
  };
  auto without = [](json entry, const std::string& member) {
    entry.erase(member);
    return entry;
  };
  auto without_field = [](json entry, const std::string& field) {
    entry["fields"].erase(field);
    return entry;
  };
  const std::string p = "/report_entries/0";
  const std::string too_long(20001, 'x');
  const std::string invalid_utf8 = "\xE3\x81";
  const std::vector<Case> cases{
      {"not an object", json::array(), "json.type", p},
      {"an unknown member", with(progress_json(), "/extra"_json_pointer, 1), "protocol.member", p + "/extra"},
      {"an id that is no UUID", with(progress_json(), "/id"_json_pointer, "p-1"), "protocol.field", p + "/id"},
      {"no id", without(progress_json(), "id"), "protocol.field", p + "/id"},
      {"a council that is no string", with(progress_json(), "/council"_json_pointer, 7), "json.type", p + "/council"},
      {"a key of invalid UTF-8", with(progress_json(), "/key"_json_pointer, invalid_utf8), "utf8.invalid", p + "/key"},
      {"no fiscal year", without(progress_json(), "fiscal_year"), "json.type", p + "/fiscal_year"},
      {"a fiscal year as text", with(progress_json(), "/fiscal_year"_json_pointer, "2024"), "json.type",
       p + "/fiscal_year"},
      {"a fiscal year before 2000", with(progress_json(), "/fiscal_year"_json_pointer, 1999),
       "report_entry.fiscal_year", p + "/fiscal_year"},
      {"a fiscal year after 2100", with(progress_json(), "/fiscal_year"_json_pointer, 2101),
       "report_entry.fiscal_year", p + "/fiscal_year"},
      {"an unknown kind", with(progress_json(), "/kind"_json_pointer, "plan"), "report_entry.kind", p + "/kind"},
      {"no kind", without(progress_json(), "kind"), "report_entry.kind", p + "/kind"},
      {"an empty key", with(progress_json(), "/key"_json_pointer, " "), "report_entry.key", p + "/key"},
      {"no fields", without(progress_json(), "fields"), "json.type", p + "/fields"},
      {"fields that are a list", with(progress_json(), "/fields"_json_pointer, json::array()), "json.type",
       p + "/fields"},
      {"a field progress does not have", with(progress_json(), "/fields/value"_json_pointer, 3),
       "report_entry.field", p + "/fields/value"},
      {"a status other than a..d", with(progress_json(), "/fields/status"_json_pointer, "e"), "report_entry.status",
       p + "/fields/status"},
      {"a status in capitals", with(progress_json(), "/fields/status"_json_pointer, "A"), "report_entry.status",
       p + "/fields/status"},
      {"a text that is a number", with(progress_json(), "/fields/analysis"_json_pointer, 3), "json.type",
       p + "/fields/analysis"},
      {"a text over 20,000 characters", with(progress_json(), "/fields/work_done"_json_pointer, too_long),
       "report_entry.too_long", p + "/fields/work_done"},
      {"a text of invalid UTF-8", with(progress_json(), "/fields/next_plan"_json_pointer, invalid_utf8),
       "utf8.invalid", p + "/fields/next_plan"},
      {"an actual without a value", without_field(actual_json(), "value"), "report_entry.value",
       p + "/fields/value"},
      {"an actual's value as text", with(actual_json(), "/fields/value"_json_pointer, "12"), "report_entry.value",
       p + "/fields/value"},
      {"an actual's value that is not finite",
       with(actual_json(), "/fields/value"_json_pointer, std::numeric_limits<double>::infinity()),
       "report_entry.value", p + "/fields/value"},
      {"an actual with a progress field", with(actual_json(), "/fields/status"_json_pointer, "a"),
       "report_entry.field", p + "/fields/status"},
      {"an actual's note over 20,000 characters", with(actual_json(), "/fields/note"_json_pointer, too_long),
       "report_entry.too_long", p + "/fields/note"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const Error error = refusal(c.entry);
    CHECK(error.code == c.code);
    CHECK(error.path == c.path);
    CHECK_FALSE(error.message_ja.empty());
  }
  // 20,000 characters (not bytes) is the limit: Japanese text of that length is fine.
  std::string longest;
  for (int i = 0; i < 20000; ++i) longest += "あ";
  CHECK(report_entry_from_json(with(progress_json(), "/fields/work_done"_json_pointer, longest), "").ok());
}

TEST_CASE("an entry's current value is its newest version by time, then id, and every version is its history",
          "[report_entry]") {
  const std::vector<ReportEntry> versions{
      version("P01", "2025-03-10T09:00:00.000Z", "0193a5f2-0000-7000-8000-000000000001"),
      version("P01", "2025-03-12T09:00:00.000Z", "0193a5f2-0000-7000-8000-000000000003"),
      version("P01", "2025-03-11T09:00:00.000Z", "0193a5f2-0000-7000-8000-000000000002"),
      // Written at the same moment on two devices: the id decides, the same on every replica.
      version("P02", "2025-03-10T09:00:00.000Z", "0193a5f2-0000-7000-8000-00000000000b"),
      version("P02", "2025-03-10T09:00:00.000Z", "0193a5f2-0000-7000-8000-00000000000a"),
      // Another council's entry of the same project, and an actual of the same key, are other entries.
      version("P01", "2025-03-01T09:00:00.000Z", "0193a5f2-0000-7000-8000-000000000004", "kodama"),
      version("P01", "2025-03-01T09:00:00.000Z", "0193a5f2-0000-7000-8000-000000000005", "fukuoka", "actual"),
  };
  auto current = current_report_entries(versions);
  CHECK(ids_of(current) == std::vector<std::string>{
                               "0193a5f2-0000-7000-8000-000000000005",  // fukuoka actual P01
                               "0193a5f2-0000-7000-8000-000000000003",  // fukuoka progress P01: the newest
                               "0193a5f2-0000-7000-8000-00000000000b",  // fukuoka progress P02: the larger id
                               "0193a5f2-0000-7000-8000-000000000004",  // kodama progress P01
                           });
  // Whatever order versions arrive in (a union merged from devices), the answer is the same.
  std::vector<ReportEntry> reversed(versions.rbegin(), versions.rend());
  CHECK(current_report_entries(reversed) == current);
  CHECK(current_report_entries({}).empty());

  std::vector<ReportEntry> history = versions;
  sort_report_entries(history);
  CHECK(ids_of(history) == std::vector<std::string>{
                               "0193a5f2-0000-7000-8000-000000000005",
                               "0193a5f2-0000-7000-8000-000000000001",
                               "0193a5f2-0000-7000-8000-000000000002",
                               "0193a5f2-0000-7000-8000-000000000003",
                               "0193a5f2-0000-7000-8000-00000000000a",
                               "0193a5f2-0000-7000-8000-00000000000b",
                               "0193a5f2-0000-7000-8000-000000000004",
                           });
}

// ---------------------------------------------------------------------------------------------------------------
// The local store
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(StoreFixture, "a report entry is added stamped, checked, pending, and kept as history",
                 "[report_entry][store]") {
  const json fields = {{"status", "a"}, {"work_done", "研修を3回開催した。"}};
  auto first = store->add_report_entry("fukuoka", 2024, "progress", "P01", fields, "supervisor");
  REQUIRE(first.ok());
  CHECK(is_uuid(first->id));
  CHECK(first->author == "田中 花子");
  CHECK(first->role == "supervisor");
  CHECK_FALSE(first->time.empty());
  CHECK(first->fields == fields);
  CHECK(store->pending_report_entry_count().value() == 1);

  // Refused here as the collector would refuse it: nothing is stored.
  auto bad = store->add_report_entry("fukuoka", 2024, "progress", "P01", {{"status", "z"}}, "supervisor");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "report_entry.status");
  CHECK(bad.error().path == "/report_entry/fields/status");
  CHECK_FALSE(store->add_report_entry("fukuoka", 1999, "actual", "I01", {{"value", 1}}, "supervisor").ok());
  CHECK(store->pending_report_entry_count().value() == 1);

  auto second = store->add_report_entry("fukuoka", 2024, "progress", "P01", {{"status", "b"}}, "supervisor");
  REQUIRE(second.ok());
  auto actual = store->add_report_entry("fukuoka", 2024, "actual", "I03", {{"value", 12}}, "supervisor");
  REQUIRE(actual.ok());
  auto other_year = store->add_report_entry("fukuoka", 2023, "actual", "I03", {{"value", 9}}, "supervisor");
  REQUIRE(other_year.ok());
  auto other_council = store->add_report_entry("kodama", 2024, "actual", "I03", {{"value", 4}}, "supervisor");
  REQUIRE(other_council.ok());

  auto history = store->report_entries("fukuoka", 2024);
  REQUIRE(history.ok());
  CHECK(ids_of(*history) == std::vector<std::string>{actual->id, first->id, second->id});
  CHECK((*history)[1] == *first);
  CHECK(ids_of(current_report_entries(*history)) == std::vector<std::string>{actual->id, second->id});
  auto every_council = store->report_entries("", 2024);
  REQUIRE(every_council.ok());
  CHECK(ids_of(*every_council) == std::vector<std::string>{actual->id, first->id, second->id, other_council->id});

  // A store opened again reads the same.
  store.reset();
  store = open();
  auto reopened = store->report_entries("fukuoka", 2024);
  REQUIRE(reopened.ok());
  CHECK(*reopened == *history);
}

TEST_CASE_METHOD(StoreFixture, "pending report entries are acknowledged, or kept with the collector's refusal",
                 "[report_entry][store]") {
  auto kept = store->add_report_entry("fukuoka", 2024, "actual", "I01", {{"value", 1}}, "staff");
  // Older by a clock tick: two entries of one millisecond are equally old, and their order is their random ids'.
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  auto sent = store->add_report_entry("fukuoka", 2024, "actual", "I02", {{"value", 2}}, "supervisor");
  REQUIRE(kept.ok());
  REQUIRE(sent.ok());
  auto pending = store->pending_report_entries(100);
  REQUIRE(pending.ok());
  CHECK(ids_of(*pending) == std::vector<std::string>{kept->id, sent->id});
  CHECK(store->pending_report_entries(1).value().size() == 1);

  REQUIRE(store->acknowledge_report_entries({sent->id}).ok());
  REQUIRE(store->mark_report_entry_rejected(kept->id, make_error("report_entry.role", "/role", "only supervisors",
                                                                 "管理者だけ")).ok());
  CHECK(ids_of(store->pending_report_entries(100).value()) == std::vector<std::string>{kept->id});
  CHECK(store->pending_report_entry_count().value() == 1);
  auto rejection = store->report_entry_rejection(kept->id);
  REQUIRE(rejection.ok());
  REQUIRE(rejection->has_value());
  CHECK((*rejection)->code == "report_entry.role");
  CHECK((*rejection)->message == "only supervisors");
  CHECK_FALSE(store->report_entry_rejection(sent->id).value().has_value());
  // Comments keep their own pending rows: the shared bookkeeping keeps the two apart.
  CHECK(store->pending_comment_count().value() == 0);
}

TEST_CASE_METHOD(StoreFixture, "pulled report entries are written, and the collector's copy replaces a pending one",
                 "[report_entry][store]") {
  auto mine = store->add_report_entry("fukuoka", 2024, "progress", "P01", {{"status", "c"}}, "supervisor");
  REQUIRE(mine.ok());
  REQUIRE(store->mark_report_entry_rejected(mine->id, make_error("store.busy", "", "busy", "")).ok());

  ReportEntry stamped = *mine;  // as the collector sends it back: who and where from the token
  stamped.device = "device-7";
  stamped.device_name = "田中のノートPC";
  stamped.time = "2025-03-10T09:00:00.000Z";
  ReportEntry theirs = version("P01", "2025-03-11T09:00:00.000Z", new_uuid_v7());
  theirs.fields = {{"status", "b"}};
  theirs.author = "山本 課長";
  theirs.role = "supervisor";
  theirs.device = "device-9";
  theirs.device_name = "山本のノートPC";

  PulledPage page;
  page.cursor = "collector.5";
  page.report_entries = {stamped, theirs};
  REQUIRE(store->apply_pulled(page).ok());
  CHECK(store->pending_report_entry_count().value() == 0);
  CHECK_FALSE(store->report_entry_rejection(mine->id).value().has_value());
  auto history = store->report_entries("fukuoka", 2024);
  REQUIRE(history.ok());
  CHECK(*history == std::vector<ReportEntry>{stamped, theirs});
  CHECK(current_report_entries(*history) == std::vector<ReportEntry>{theirs});
  CHECK(store->pull_cursor().value() == "collector.5");

  // The same page again changes nothing (a pull repeated after a crash).
  REQUIRE(store->apply_pulled(page).ok());
  CHECK(store->report_entries("fukuoka", 2024).value().size() == 2);
}
