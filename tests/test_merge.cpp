#include <catch2/catch.hpp>

#include "model/merge.hpp"
#include "model/record_json.hpp"

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
