// A wiped laptop gets its user's records back: a new code for the same user, enroll again, `tsunagi restore`.
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// The "tsunagi-enroll ..." line of a `tsunagi-collector user add|code` output.
std::string enrollment_line_in(const std::string& output) {
  std::istringstream lines(output);
  std::string line, found;
  while (std::getline(lines, line))
    if (line.rfind("tsunagi-enroll ", 0) == 0) found = line;
  return found;
}

}  // namespace

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
  auto code = admin({"user", "code", "--name", "佐藤 花子"});
  INFO(describe(code));
  REQUIRE(code.exit_code == 0);
  std::string line = enrollment_line_in(code.out);
  REQUIRE_FALSE(line.empty());
  auto enrolled = laptop_u.enroll(line);
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

}  // namespace tsunagi::sync_tests
