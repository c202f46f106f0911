#include <catch2/catch.hpp>

#include <algorithm>

#include "model/merge.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

// A record made at clock 100 by device a.
Record base() {
  auto record = parse_record(R"({"id":"r1","kind":"meeting","date":"2024-05-01","title":"運営会議","venue":"市役所",
    "minutes":"初稿","hlc":"0000000000100.0000.aaaaaaaa","field_hlc":{"*":"0000000000100.0000.aaaaaaaa"}})");
  REQUIRE(record.ok());
  return *record;
}

// `record` with `field` set to `value` by a change at `clock`.
Record edit(Record record, const std::string& field, const json& value, const std::string& clock) {
  auto patched = apply_patch(record, json{{field, value}}, nullptr);
  REQUIRE(patched.ok());
  patched->field_clocks[field] = clock;
  patched->clock = std::max(patched->clock, clock);
  return *patched;
}

Record merge(const Record& a, const Record& b) {
  auto merged = merge_records(a, b);
  REQUIRE(merged.ok());
  return merged->merged;
}

}  // namespace

TEST_CASE("edits to different fields on two devices both survive", "[merge]") {
  Record on_a = edit(base(), "title", "運営会議（第２回）", "0000000000200.0000.aaaaaaaa");
  Record on_b = edit(base(), "venue", "福祉センター", "0000000000150.0000.bbbbbbbb");
  auto result = merge_records(on_a, on_b);
  REQUIRE(result.ok());
  CHECK(result->merged.title == "運営会議（第２回）");
  CHECK(result->merged.meeting.venue == "福祉センター");
  CHECK(result->taken == std::vector<std::string>{"venue"});
  CHECK(result->lost.empty());
  CHECK(result->merged.clock == "0000000000200.0000.aaaaaaaa");
  CHECK(merge(on_b, on_a) == result->merged);  // order does not matter
}

TEST_CASE("the later edit of one field wins, and the loser is reported", "[merge]") {
  Record early = edit(base(), "minutes", "早い版", "0000000000200.0000.aaaaaaaa");
  Record late = edit(base(), "minutes", "遅い版", "0000000000300.0000.bbbbbbbb");
  auto merged = merge_records(late, early, "0000000000100.0000.aaaaaaaa");
  REQUIRE(merged.ok());
  CHECK(merged->merged.meeting.minutes == "遅い版");
  CHECK(merged->lost == std::vector<std::string>{"minutes"});
  // An edit made after seeing the later one is no conflict, whatever its clock says.
  auto sequential = merge_records(late, early, "0000000000300.0000.bbbbbbbb");
  REQUIRE(sequential.ok());
  CHECK(sequential->lost.empty());
  CHECK(merge(early, late).meeting.minutes == "遅い版");
}

TEST_CASE("merging is idempotent and associative", "[merge]") {
  Record a = edit(base(), "title", "A", "0000000000200.0000.aaaaaaaa");
  Record b = edit(base(), "minutes", "B", "0000000000250.0000.bbbbbbbb");
  Record c = edit(edit(base(), "title", "C", "0000000000300.0000.cccccccc"), "venue", "C会場",
                  "0000000000300.0000.cccccccc");
  Record ab = merge(a, b);
  CHECK(merge(ab, b) == ab);
  CHECK(merge(ab, ab) == ab);
  CHECK(merge(merge(a, b), c) == merge(a, merge(b, c)));
  Record all = merge(merge(a, b), c);
  CHECK(all.title == "C");
  CHECK(all.meeting.minutes == "B");
  CHECK(all.meeting.venue == "C会場");
}

TEST_CASE("a deletion is a field like any other", "[merge]") {
  Record deleted = base();
  deleted.deleted = true;
  deleted.field_clocks["deleted"] = "0000000000200.0000.aaaaaaaa";
  deleted.clock = "0000000000200.0000.aaaaaaaa";
  Record edited = edit(base(), "title", "編集", "0000000000300.0000.bbbbbbbb");
  Record merged = merge(deleted, edited);
  CHECK(merged.deleted);
  CHECK(merged.title == "編集");
  CHECK(merge(edited, deleted) == merged);
}

TEST_CASE("unknown fields from a newer client merge by clock too", "[merge]") {
  Record newer = edit(base(), "x_new_field", json{{"a", 1}}, "0000000000200.0000.bbbbbbbb");
  Record merged = merge(base(), newer);
  CHECK(merged.unknown["x_new_field"] == json{{"a", 1}});
  CHECK(merge(newer, base()).unknown["x_new_field"] == json{{"a", 1}});
}

TEST_CASE("a record cannot change kind in a merge", "[merge]") {
  Record other = base();
  other.kind = RecordKind::Outreach;
  auto merged = merge_records(base(), other);
  REQUIRE_FALSE(merged.ok());
  CHECK(merged.error().code == "merge.kind");
}

namespace {

// `record` changed as the store changes it: `patch` applied, normalised, each changed field or member stamped with
// `clock`.
Record change(const Record& record, const json& patch, const std::string& clock) {
  auto patched = apply_patch(record, patch, nullptr);
  REQUIRE(patched.ok());
  normalize_record(*patched);
  for (const std::string& name : changed_fields(record, *patched)) patched->field_clocks[name] = clock;
  patched->clock = std::max(patched->clock, clock);
  return *patched;
}

std::vector<std::string> agenda_titles(const Record& record) {
  std::vector<std::string> titles;
  for (const auto& item : record.meeting.agenda) titles.push_back(item.title);
  return titles;
}

}  // namespace

TEST_CASE("agenda items added on two devices apart are both kept, each item merging on its own", "[merge]") {
  Record start = change(base(), json{{"agenda", {{{"title", "報告"}}, {{"title", "協議"}}}}},
                        "0000000000110.0000.aaaaaaaa");
  REQUIRE(start.meeting.agenda.size() == 2);
  CHECK_FALSE(start.meeting.agenda[0].key.id.empty());
  CHECK(start.meeting.agenda[0].key.pos < start.meeting.agenda[1].key.pos);

  json on_a_list = field_value(start, "agenda");
  on_a_list.push_back({{"title", "Aが足した議題"}});
  on_a_list[0]["summary"] = "Aの要約";
  Record on_a = change(start, json{{"agenda", on_a_list}}, "0000000000200.0000.aaaaaaaa");
  json on_b_list = field_value(start, "agenda");
  on_b_list.push_back({{"title", "Bが足した議題"}});
  on_b_list.erase(on_b_list.begin() + 1);  // b removes 協議
  Record on_b = change(start, json{{"agenda", on_b_list}}, "0000000000300.0000.bbbbbbbb");

  const Record one = merge(on_a, on_b);
  const Record other = merge(on_b, on_a);
  CHECK(one == other);
  auto titles = agenda_titles(one);
  CHECK(titles.size() == 3);
  CHECK(titles[0] == "報告");
  CHECK(std::count(titles.begin(), titles.end(), "Aが足した議題") == 1);
  CHECK(std::count(titles.begin(), titles.end(), "Bが足した議題") == 1);
  CHECK(std::count(titles.begin(), titles.end(), "協議") == 0);  // the removal stands: nobody changed it since
  CHECK(one.meeting.agenda[0].summary == "Aの要約");             // a's change of an item b did not touch
  CHECK(merge(one, on_a) == one);                               // idempotent

  // A move changes the moved item alone.
  json moved = field_value(one, "agenda");
  moved.push_back(moved[0]);
  moved.erase(moved.begin());
  Record after_move = change(one, json{{"agenda", moved}}, "0000000000400.0000.aaaaaaaa");
  CHECK(changed_fields(one, after_move).size() == 1);
  CHECK(agenda_titles(after_move).back() == "報告");
}

TEST_CASE("themes merge as a set: members added and removed apart are all kept", "[merge]") {
  Record start = change(base(), json{{"themes", {"T01", "T02"}}}, "0000000000110.0000.aaaaaaaa");
  Record on_a = change(start, json{{"themes", {"T01", "T02", "T05"}}}, "0000000000200.0000.aaaaaaaa");
  Record on_b = change(start, json{{"themes", {"T03", "T02"}}}, "0000000000300.0000.bbbbbbbb");  // -T01 +T03
  CHECK(changed_fields(start, on_b) == std::vector<std::string>{"themes/T01", "themes/T03"});
  const Record one = merge(on_a, on_b);
  CHECK(one == merge(on_b, on_a));
  CHECK(one.themes == std::vector<std::string>{"T02", "T03", "T05"});
}

TEST_CASE("an edit against a deletion is a conflict: the record stays deleted, the edit is kept", "[merge]") {
  Record start = base();
  Record deleted = change(start, json::object(), "0000000000200.0000.aaaaaaaa");
  deleted.deleted = true;
  deleted.field_clocks["deleted"] = "0000000000200.0000.aaaaaaaa";
  deleted.clock = "0000000000200.0000.aaaaaaaa";
  Record edited = change(start, json{{"minutes", "削除と同時に書いた議事録"}}, "0000000000150.0000.bbbbbbbb");

  auto result = merge_records(deleted, edited, start.clock);
  REQUIRE(result.ok());
  CHECK(result->merged.deleted);
  CHECK(result->merged.meeting.minutes == "削除と同時に書いた議事録");  // kept beneath the tombstone
  CHECK(result->lost == std::vector<std::string>{"deleted"});
  CHECK(merge_value(edited, "deleted") == false);  // the kept value: "not deleted", which brings it back
  // An edit made after the device saw the deletion is no conflict.
  Record later = merge(edited, deleted);
  Record after = change(later, json{{"minutes", "後で"}}, "0000000000500.0000.bbbbbbbb");
  CHECK(merge_records(deleted, after, later.clock)->lost.empty());
}

TEST_CASE("a value replaced by a later change made without seeing it is reported as overwritten", "[merge]") {
  Record early = edit(base(), "minutes", "早い版", "0000000000200.0000.aaaaaaaa");
  Record late = edit(base(), "minutes", "遅い版", "0000000000300.0000.bbbbbbbb");
  // The early one is stored; the late one, edited from the base, arrives second and wins.
  auto merged = merge_records(early, late, "0000000000100.0000.aaaaaaaa");
  REQUIRE(merged.ok());
  CHECK(merged->merged.meeting.minutes == "遅い版");
  CHECK(merged->lost.empty());
  CHECK(merged->overwritten ==
        std::vector<MergeResult::Overwritten>{{"minutes", "0000000000200.0000.aaaaaaaa"}});
  // Not when the later change was made after seeing it, nor when one device changed its own value again.
  CHECK(merge_records(early, late, "0000000000200.0000.aaaaaaaa")->overwritten.empty());
  Record again = edit(early, "minutes", "自分で直した版", "0000000000300.0000.aaaaaaaa");
  CHECK(merge_records(early, again, "0000000000100.0000.aaaaaaaa")->overwritten.empty());
  // A list item replaced the same way is reported by its own path.
  Record with_item = change(base(), json{{"agenda", json::array({{{"title", "議題"}, {"id", "i1"}, {"pos", 1}}})}},
                            "0000000000150.0000.aaaaaaaa");
  Record item_a = change(with_item, json{{"agenda", json::array({{{"title", "議題A"}, {"id", "i1"}, {"pos", 1}}})}},
                         "0000000000200.0000.aaaaaaaa");
  Record item_b = change(with_item, json{{"agenda", json::array({{{"title", "議題B"}, {"id", "i1"}, {"pos", 1}}})}},
                         "0000000000300.0000.bbbbbbbb");
  auto items = merge_records(item_a, item_b, with_item.clock);
  REQUIRE(items.ok());
  CHECK(items->overwritten == std::vector<MergeResult::Overwritten>{{"agenda/i1", "0000000000200.0000.aaaaaaaa"}});
}

TEST_CASE("a deletion made without seeing an edit reports the edit as overwritten on deleted", "[merge]") {
  Record start = base();
  Record edited = change(start, json{{"minutes", "削除前の議事録"}}, "0000000000150.0000.aaaaaaaa");
  Record deleted = change(start, json::object(), "0000000000200.0000.bbbbbbbb");
  deleted.deleted = true;
  deleted.field_clocks["deleted"] = "0000000000200.0000.bbbbbbbb";
  auto result = merge_records(edited, deleted, start.clock);
  REQUIRE(result.ok());
  CHECK(result->merged.deleted);
  CHECK(result->overwritten == std::vector<MergeResult::Overwritten>{{"deleted", "0000000000150.0000.aaaaaaaa"}});
  // A deletion made after seeing the edit is no conflict.
  CHECK(merge_records(edited, deleted, edited.clock)->overwritten.empty());
}
