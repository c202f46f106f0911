// The editor screen driven through simulated input (no window): clicks, typed text, keys; then what the store holds.
#include <catch2/catch.hpp>

#include "tests/store_fixture.hpp"
#include "tests/ui/headless_editor.hpp"
#include "model/files.hpp"
#include "model/reference.hpp"

using namespace tsunagi;
using tsunagi::testing::HeadlessEditor;

namespace {

struct ScreenFixture : StoreFixture {
  StoreWriter writer{folder.path / "data", [] {
                       StoreOptions options;
                       options.author = "田中 花子";
                       return options;
                     }()};
  EditorModel model{*store, writer};
  HeadlessEditor editor{model, writer};

  // What the store holds once every write queued so far is done.
  std::vector<Record> stored_records() {
    editor.settle();
    std::vector<Record> records;
    REQUIRE(store->for_each(RecordQuery{}, [&](const Record& r) {
      records.push_back(r);
      return true;
    }));
    return records;
  }
  // Replaces the focused field's text: select all, then type.
  void retype(const std::string& field, const std::string& text) {
    editor.click(field);
    editor.press(GLFW_KEY_A, true);
    editor.type(text);
  }
};

}  // namespace

TEST_CASE_METHOD(ScreenFixture, "type a meeting, add an agenda item, save with Ctrl+S", "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/title");
  editor.type("第1回 運営会議");
  CHECK(model.record().title == "第1回 運営会議");
  editor.click("/agenda.add");
  REQUIRE(model.record().meeting.agenda.size() == 1);
  editor.click("/agenda/0/title");
  editor.type("年間計画");
  editor.click("/agenda/0/decision");
  editor.type("サインレスの継続を決定");
  editor.press(GLFW_KEY_S, true);

  const auto records = stored_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].status == ReviewStatus::Draft);
  CHECK(records[0].title == "第1回 運営会議");
  CHECK(records[0].date == "2024-07-03");
  REQUIRE(records[0].meeting.agenda.size() == 1);
  CHECK(records[0].meeting.agenda[0].title == "年間計画");
  CHECK(records[0].meeting.agenda[0].decision == "サインレスの継続を決定");
  CHECK(editor.stored());
}

TEST_CASE_METHOD(ScreenFixture, "Ctrl+Enter refuses an invalid record, shows messages beside the fields, then submits",
                 "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/title");
  editor.type("相談支援部会");
  editor.press(GLFW_KEY_ENTER, true);
  CHECK(stored_records().empty());
  editor.frame();
  // The message sits right under its field.
  REQUIRE(editor.has("issue./meeting_type"));
  CHECK(editor.rect("issue./meeting_type").y0 >= editor.rect("/meeting_type").y1);
  CHECK(editor.rect("issue./meeting_type").y0 - editor.rect("/meeting_type").y1 < 20.0f);
  CHECK_FALSE(editor.has("issue./format"));  // optional
  CHECK_FALSE(editor.has("issue./title"));

  // The committee from the tree (its meeting type comes with it), the format from its list.
  const auto& committees = model.reference().committees;
  std::size_t committee = 0;
  while (committee < committees.size() && committees[committee].name != "相談支援部会") ++committee;
  REQUIRE(committee < committees.size());
  editor.click("/committees");
  editor.click("/committees/choice/" + std::to_string(committee));
  editor.press(GLFW_KEY_ESCAPE);
  CHECK(model.record().committees == std::vector<std::string>{committees[committee].id});
  CHECK(model.record().meeting.meeting_type == MeetingType::Committee);
  editor.click("/format");
  editor.click("/format/choice/2");
  CHECK(model.record().meeting.format == MeetingFormat::Written);
  CHECK_FALSE(editor.has("issue./meeting_type"));

  editor.press(GLFW_KEY_ENTER, true);
  const auto records = stored_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].status == ReviewStatus::Submitted);
  CHECK(records[0].committees == std::vector<std::string>{"consultation"});
}

TEST_CASE_METHOD(ScreenFixture, "dates: typed seed forms, the month grid, and Esc closes it", "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  retype("/date", "R5.7.3");
  CHECK(model.record().date == "R5.7.3");
  CHECK(editor.has("/date.wareki"));  // 令和5年7月3日 beside the field
  retype("/date", "令和6年3月末");
  CHECK(editor.has("/date.wareki"));
  retype("/date", "R5.2.30");  // no such day
  CHECK_FALSE(editor.has("/date.wareki"));
  CHECK_FALSE(editor.has("issue./date"));  // not while typing: the form below must not move
  editor.press(GLFW_KEY_TAB);              // focus leaves the field
  CHECK(editor.has("issue./date"));

  retype("/date", "R5.7.3");
  editor.click("/date.pick");
  REQUIRE(editor.has("picker.day.15"));
  editor.press(GLFW_KEY_ESCAPE);
  CHECK_FALSE(editor.has("picker.day.15"));
  CHECK(model.record().date == "R5.7.3");

  editor.click("/date.pick");
  editor.click("picker.day.15");
  editor.frame();
  CHECK(model.record().date == "2023-07-15");
  CHECK_FALSE(editor.has("picker.day.15"));
}

TEST_CASE_METHOD(ScreenFixture, "Tab moves through the fields in order, and Esc keeps what was typed", "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/date");
  editor.press(GLFW_KEY_TAB);
  editor.type("10:00");
  editor.press(GLFW_KEY_TAB);
  editor.type("11時30分");
  editor.press(GLFW_KEY_TAB);
  editor.type("全体会");
  INFO(nlohmann::json(record_to_json(model.record())).dump());
  CHECK(model.record().start_time == "10:00");
  CHECK(model.record().end_time == "11時30分");
  CHECK(model.record().title == "全体会");
  editor.press(GLFW_KEY_ESCAPE);
  CHECK(model.record().title == "全体会");
}

TEST_CASE_METHOD(ScreenFixture, "the form stays still while a field is typed in, so a click lands where aimed",
                 "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.frame();
  const ItemRect start_time = editor.rect("/start_time");  // where the user sees the next field
  retype("/date", "R5.2.30");                                // no such day: a message will go under the date
  editor.click_at(start_time);
  editor.type("10:00");
  CHECK(model.record().start_time == "10:00");
  CHECK(model.record().date == "R5.2.30");
  CHECK(editor.has("issue./date"));  // shown once focus left the date
}

TEST_CASE_METHOD(ScreenFixture, "a kept conflict shows under its field, and a click resolves it in the store",
                 "[editor][screen]") {
  auto made = record_from_json(nlohmann::json{{"kind", "meeting"}, {"date", "2024-07-03"}, {"title", "運営会議"},
                                              {"minutes", "今の議事録"}, {"status", "draft"}});
  REQUIRE(made);
  auto created = store->create(*made);
  REQUIRE(created);
  // What a pull brings: the record as it is, and the value of another device's change that lost to it.
  PulledPage page;
  page.records = {*created};
  page.cursor = "c.1";
  page.conflicts = {{created->id, "minutes", "別の端末の議事録", "1700000000000.0000.0000000b", created->clock,
                     "佐藤 花子", "device-b", "2024-07-03T01:00:00Z"}};
  REQUIRE(store->apply_pulled(page));
  REQUIRE(store->conflicts(created->id)->size() == 1);

  REQUIRE(model.open(created->id));
  editor.frame();
  REQUIRE(editor.has("conflict./minutes"));
  editor.click("conflict./minutes.take");
  editor.settle();
  auto stored = store->get(created->id);
  REQUIRE(stored);
  CHECK((*stored)->meeting.minutes == "別の端末の議事録");
  CHECK(store->conflicts(created->id)->empty());
  CHECK(model.record().meeting.minutes == "別の端末の議事録");
  editor.frame();
  CHECK_FALSE(editor.has("conflict./minutes"));
}

TEST_CASE_METHOD(ScreenFixture, "agenda items: add, reorder, remove", "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/agenda.add");
  editor.click("/agenda.add");
  editor.click("/agenda/0/title");
  editor.type("A");
  editor.click("/agenda/1/title");
  editor.type("B");
  editor.click("/agenda/1.up");
  REQUIRE(model.record().meeting.agenda.size() == 2);
  CHECK(model.record().meeting.agenda[0].title == "B");
  CHECK(model.record().meeting.agenda[1].title == "A");
  editor.click("/agenda/0.remove");
  REQUIRE(model.record().meeting.agenda.size() == 1);
  CHECK(model.record().meeting.agenda[0].title == "A");
}

TEST_CASE_METHOD(ScreenFixture, "organisations by type-ahead, themes by multi-select, numbers in full width",
                 "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/organizations.search");
  editor.type("香椎");
  REQUIRE(editor.has("/organizations.match.0"));
  editor.click("/organizations.match.0");
  REQUIRE(model.record().organizations.size() == 1);
  CHECK(model.record().organizations[0] == "org-0001");  // stored by id, shown by name
  editor.click("/organizations.search");
  editor.type("ひまわり作業所");  // not registered: kept as typed
  editor.press(GLFW_KEY_ENTER);
  REQUIRE(model.record().organizations.size() == 2);
  CHECK(model.record().organizations[1] == "ひまわり作業所");

  editor.click("/themes");
  editor.click("/themes/choice/0");
  editor.click("/themes/choice/7");
  REQUIRE(model.record().themes.size() == 2);
  CHECK(model.record().themes[1] == model.reference().themes[7].id);
  editor.press(GLFW_KEY_ESCAPE);  // closes the drop-down
  CHECK_FALSE(editor.has("/themes/choice/0"));

  editor.click("/participant_count");
  editor.type("１２");
  CHECK(model.record().participant_count == 12);
}

TEST_CASE_METHOD(ScreenFixture, "leaving a field autosaves at once, and a new record can change its kind",
                 "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("kind.case_review");
  CHECK(model.record().kind == RecordKind::CaseReview);
  REQUIRE(editor.has("/case_code"));
  editor.click("/case_code");
  editor.type("A-2024-017");
  editor.settle();
  CHECK(store->setting(EditorModel::kScratchKey)->find("A-2024-017") == std::string::npos);  // still typing
  editor.click("/title");  // focus leaves the case code
  editor.settle();
  CHECK(store->setting(EditorModel::kScratchKey)->find("A-2024-017") != std::string::npos);
  CHECK(stored_records().empty());
}

TEST_CASE_METHOD(ScreenFixture, "multi-line text wraps while typing and is stored without the soft breaks",
                 "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  std::string minutes;
  for (int i = 0; i < 12; ++i) minutes += "全体会を開催し、今年度の重点を確認した。";
  editor.click("/minutes");
  editor.type(minutes);
  editor.press(GLFW_KEY_ENTER);  // a real line break
  editor.type("以上");
  CHECK(model.record().meeting.minutes == minutes + "\n以上");
  CHECK(editor.view().wrapped["/minutes"].display.find("\r\n") != std::string::npos);
  // Backspace at the very end removes a character of the text, never a soft break.
  editor.press(GLFW_KEY_BACKSPACE);
  CHECK(model.record().meeting.minutes == minutes + "\n以");
}

TEST_CASE_METHOD(ScreenFixture, "closing with unsaved changes asks, and Esc cancels", "[editor][screen]") {
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  editor.click("/title");
  editor.type("閉じる前");
  editor.click("button.close");
  REQUIRE(editor.has("confirm.discard"));
  editor.press(GLFW_KEY_ESCAPE);
  CHECK_FALSE(editor.has("confirm.discard"));
  CHECK(model.is_open());
  editor.click("button.close");
  editor.click("confirm.save");
  CHECK_FALSE(model.is_open());
  CHECK(editor.closed());
  const auto records = stored_records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].title == "閉じる前");
}

TEST_CASE_METHOD(ScreenFixture, "with two councils the editor chooses the council, and offers that council's committees",
                 "[editor][screen]") {
  auto kodama = load_reference_file(assets_dir() / "reference" / "kodama.json");
  REQUIRE(kodama.ok());
  model.set_reference(merge_reference(model.reference(), *kodama));
  REQUIRE(model.start_new(RecordKind::Meeting, "2023-07-03"));
  CHECK(model.record().council.empty());  // 田中 花子 is in neither council's staff: she chooses
  editor.frame();
  REQUIRE(editor.has("/council"));
  const auto& councils = model.reference().councils;
  std::size_t kodama_index = 0;
  while (kodama_index < councils.size() && councils[kodama_index].id != "kodama") ++kodama_index;
  REQUIRE(kodama_index < councils.size());
  editor.click("/council");
  editor.click("/council/choice/" + std::to_string(kodama_index));
  CHECK(model.record().council == "kodama");

  // The committee drop-down now lists Kodama's only: Fukuoka's 相談支援部会 is not drawn.
  const auto& committees = model.reference().committees;
  std::size_t fukuoka_consultation = 0, kodama_consultation = 0;
  for (std::size_t i = 0; i < committees.size(); ++i) {
    if (committees[i].id == "consultation") fukuoka_consultation = i;
    if (committees[i].id == "kodama.consultation") kodama_consultation = i;
  }
  editor.click("/committees");
  editor.frame();
  CHECK_FALSE(editor.has("/committees/choice/" + std::to_string(fukuoka_consultation)));
  REQUIRE(editor.has("/committees/choice/" + std::to_string(kodama_consultation)));
  editor.click("/committees/choice/" + std::to_string(kodama_consultation));
  editor.press(GLFW_KEY_ESCAPE);
  CHECK(model.record().committees == std::vector<std::string>{"kodama.consultation"});

  // The next new record starts in the council chosen last.
  editor.settle();
  REQUIRE(model.start_new(RecordKind::Meeting, "2023-07-04"));
  CHECK(model.record().council == "kodama");
}
