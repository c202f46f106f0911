// The editor's model without any drawing: autosave, reopening after a crash, save and submit, lists, search.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <thread>

#include "app/editor_model.hpp"
#include "app/screens/editor_widgets.hpp"
#include "tests/store_fixture.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;

namespace {

// A clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
  EditorOptions options() {
    EditorOptions options;
    options.autosave_delay = std::chrono::milliseconds(2000);
    options.now = [this] { return now; };
    return options;
  }
};

std::string scratch(Store& store) { return *store.setting(EditorModel::kScratchKey); }

std::size_t record_count(Store& store) { return static_cast<std::size_t>(*store.count(RecordQuery{})); }

// A store and the writer the editor stores through (its own thread and connection on the same folder).
struct EditorFixture : StoreFixture {
  StoreWriter writer{folder.path / "data", [] {
                       StoreOptions options;
                       options.author = "田中 花子";
                       return options;
                     }()};
  // Waits for the writes queued so far and hands their answers to the model.
  void settle() { writer.wait_idle(); }
};

}  // namespace

TEST_CASE_METHOD(EditorFixture, "autosave waits for a pause in typing, or for focus to leave the field", "[editor]") {
  ManualClock clock;
  EditorModel model(*store, writer, clock.options());
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.record().title = "第1回";
  model.changed("/title");
  model.tick();
  settle();
  CHECK(scratch(*store).empty());  // still typing
  clock.now += std::chrono::milliseconds(1500);
  model.record().title = "第1回運営会議";
  model.changed("/title");
  clock.now += std::chrono::milliseconds(1500);
  model.tick();
  settle();
  CHECK(scratch(*store).empty());  // 1.5 s since the last keystroke
  clock.now += std::chrono::milliseconds(600);
  model.tick();
  settle();
  CHECK(scratch(*store).find("第1回運営会議") != std::string::npos);
  CHECK_FALSE(model.scratch_pending());
  CHECK(record_count(*store) == 0);  // autosave never stores the record itself (no outbox entry)

  model.record().meeting.venue = "市民福祉プラザ";
  model.changed("/venue");
  model.field_left();  // no waiting when focus leaves
  settle();
  CHECK(scratch(*store).find("市民福祉プラザ") != std::string::npos);
}

TEST_CASE_METHOD(EditorFixture, "the editor reopens what was typed but never saved", "[editor]") {
  {
    EditorModel model(*store, writer);
    REQUIRE(model.start_new(RecordKind::Outreach, "2024-09-12"));
    model.record().title = "家庭訪問";
    model.changed("/title");
    model.number_text("/people_met") = "１x";  // as typed, not a number yet
    model.changed("/people_met");
    model.field_left();
    settle();
  }  // the process "dies" here: nothing else is written
  EditorModel reopened(*store, writer);
  REQUIRE(reopened.reopen_scratch());
  CHECK(reopened.is_new());
  CHECK(reopened.record().kind == RecordKind::Outreach);
  CHECK(reopened.record().title == "家庭訪問");
  CHECK(reopened.number_text("/people_met") == "１x");
  CHECK(reopened.dirty());
  // The touched field's problem is shown again.
  REQUIRE(reopened.visible_issues("/people_met").size() == 1);
  CHECK(reopened.visible_issues("/people_met")[0]->code == "number.invalid");
}

TEST_CASE_METHOD(EditorFixture, "save stores a draft, even an invalid one, and clears the scratch", "[editor]") {
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.record().date = "R5.7.3";
  model.changed("/date");
  model.number_text("/participant_count") = "１２";
  model.changed("/participant_count");
  model.field_left();
  settle();
  REQUIRE_FALSE(scratch(*store).empty());
  CHECK(model.visible_issues("/date").empty());  // a seed form is a valid date
  REQUIRE(model.save());
  settle();
  CHECK(scratch(*store).empty());
  CHECK_FALSE(model.is_new());
  auto stored = store->get(model.record().id);
  REQUIRE(stored);
  REQUIRE(stored->has_value());
  CHECK((*stored)->status == ReviewStatus::Draft);
  CHECK((*stored)->date == "2023-07-03");
  CHECK((*stored)->participant_count == 12);
  CHECK(model.record().date == "2023-07-03");  // the editor shows the stored form
  // Saving again without a change stores nothing new.
  const std::string clock_before = (*stored)->clock;
  REQUIRE(model.save());
  settle();
  CHECK((*store->get(model.record().id))->clock == clock_before);
  CHECK(model.notice() == EditorNotice::NothingToSave);
}

TEST_CASE_METHOD(EditorFixture, "submit refuses an invalid record and shows every message", "[editor]") {
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::CaseReview, "2024-07-03"));
  CHECK(model.visible_issues("/case_code").empty());  // untouched: not shown yet
  auto refused = model.submit();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "editor.invalid");
  CHECK(model.notice() == EditorNotice::NotSubmitted);
  settle();
  CHECK(record_count(*store) == 0);
  CHECK_FALSE(model.visible_issues("/case_code").empty());
  CHECK_FALSE(model.visible_issues("/title").empty());

  model.record().title = "ケース検討会";
  model.record().case_review.case_code = "A-2024-017";
  model.record().case_review.review_type = ReviewType::CaseConference;
  model.changed("/case_code");
  REQUIRE(model.submit());
  settle();
  auto stored = *store->get(model.record().id);
  REQUIRE(stored);
  CHECK(stored->status == ReviewStatus::Submitted);
  CHECK(model.notice() == EditorNotice::Submitted);
  const auto events = model.take_stored();
  REQUIRE(events.size() == 1);
  CHECK(events[0].id == stored->id);
  CHECK(events[0].status_changed);
}

TEST_CASE_METHOD(EditorFixture, "a field's message changes when focus leaves it, not while typing", "[editor]") {
  // The form below a field must not move under the user's hand: a message appearing (or going) as each key is
  // typed shifts every field below it, so a click aimed at the next field lands on another one.
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.record().date = "R6.13";  // half-typed
  model.changed("/date");
  CHECK(model.visible_issues("/date").empty());
  model.field_left();
  CHECK(model.settle_due());
  model.settle();  // at the end of the frame focus left the field in
  REQUIRE(model.visible_issues("/date").size() == 1);
  CHECK(model.visible_issues("/date")[0]->code == "date.invalid");
  model.record().date = "R6.12.1";  // fixed while typing again: the message stays until focus leaves
  model.changed("/date");
  CHECK(model.visible_issues("/date").size() == 1);
  model.settle();  // what the window does on a frame with no text field active
  CHECK(model.visible_issues("/date").empty());
}

TEST_CASE_METHOD(EditorFixture, "a returned record is fixed and submitted again", "[editor]") {
  Record added = add(R"({"kind": "outreach", "date": "2024-09-12", "title": "訪問", "status": "draft",
                         "visit_type": "home", "place": "ご自宅"})");
  // The supervisor returned it (as a pull from the collector would bring it).
  REQUIRE(store->update(added.id, {{"status", "returned"}}));
  EditorModel model(*store, writer);
  REQUIRE(model.open(added.id));
  CHECK(model.record().status == ReviewStatus::Returned);
  CHECK(model.issues().empty());
  model.record().content = "本人と面談";
  model.changed("/content");
  REQUIRE(model.submit());
  settle();
  auto stored = *store->get(added.id);
  CHECK(stored->status == ReviewStatus::Submitted);
  CHECK(stored->content == "本人と面談");
}

TEST_CASE_METHOD(EditorFixture, "opening another record stores the unsaved typing first", "[editor]") {
  Record other = add(R"({"kind": "meeting", "date": "2024-07-03", "title": "全体会"})");
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-08-01"));
  model.record().title = "書きかけ";
  model.changed("/title");
  REQUIRE(model.open(other.id));
  CHECK(model.record().title == "全体会");
  settle();
  RecordQuery query;
  query.search = "書きかけ";
  CHECK(*store->count(query) == 1);
  CHECK(scratch(*store).empty());
}

TEST_CASE_METHOD(EditorFixture, "kind changes only for a new record, and lists add, move and remove", "[editor]") {
  Record stored = add(R"({"kind": "meeting", "date": "2024-07-03", "title": "全体会"})");
  EditorModel model(*store, writer);
  REQUIRE(model.open(stored.id));
  model.set_kind(RecordKind::Outreach);
  CHECK(model.record().kind == RecordKind::Meeting);

  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.set_kind(RecordKind::CaseReview);
  CHECK(model.record().kind == RecordKind::CaseReview);
  model.add_item(EditorList::Roles);
  model.add_item(EditorList::Roles);
  model.record().case_review.roles[0].role = "A";
  model.record().case_review.roles[1].role = "B";
  model.move_item(EditorList::Roles, 1, -1);
  CHECK(model.record().case_review.roles[0].role == "B");
  model.move_item(EditorList::Roles, 0, -1);  // already first
  CHECK(model.record().case_review.roles[0].role == "B");
  model.remove_item(EditorList::Roles, 0);
  REQUIRE(model.record().case_review.roles.size() == 1);
  CHECK(model.record().case_review.roles[0].role == "A");
  CHECK(model.add_value(EditorList::Themes, "ひきこもり"));
  CHECK_FALSE(model.add_value(EditorList::Themes, "ひきこもり"));
}

TEST_CASE("organisation search ignores width and case", "[editor]") {
  ReferenceData reference;
  reference.organizations = {{"1", "ワークステップ香椎", "就労移行支援", "東区"},
                             {"2", "ＡＢＣ作業所", "就労継続支援B型", "西区"}};
  CHECK(find_organizations(reference, "香椎", 8).size() == 1);
  CHECK(find_organizations(reference, "abc", 8).size() == 1);
  CHECK(find_organizations(reference, "就労", 8).size() == 2);
  CHECK(find_organizations(reference, "就労", 1).size() == 1);
  CHECK(find_organizations(reference, "  ", 8).empty());
}

TEST_CASE("reference trees list children under their parent", "[editor]") {
  std::vector<Committee> committees{{"c1", "相談支援部会", "", "plenary", "committee"},
                                    {"plenary", "全体会", "", "", "plenary"},
                                    {"c2", "分科会", "", "c1", "subcommittee"}};
  const auto rows = tree_order(committees);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].index == 1);
  CHECK(rows[0].depth == 0);
  CHECK(rows[1].index == 0);
  CHECK(rows[1].depth == 1);
  CHECK(rows[2].index == 2);
  CHECK(rows[2].depth == 2);
}

TEST_CASE("soft wrapping breaks long lines and strips back to the text", "[editor]") {
  auto advance = [](char32_t c) { return c < 0x80 ? 1.0f : 2.0f; };
  CHECK(soft_wrap("あいうえお", 6.0f, advance) == "あいう\r\nえお");
  CHECK(soft_wrap("abc def ghi", 8.0f, advance) == "abc def \r\nghi");
  CHECK(soft_wrap("ab\ncd", 8.0f, advance) == "ab\ncd");
  CHECK(soft_wrap("あいう。えお", 6.0f, advance) == "あいう。\r\nえお");  // 。 never starts a line
  const std::string text = "議事録です。\n次の行 with some English words in it";
  const std::string display = soft_wrap(text, 7.0f, advance);
  CHECK(display.find('\r') != std::string::npos);
  CHECK(strip_soft_breaks(display) == text);
}

TEST_CASE_METHOD(EditorFixture, "a stored record's problems show as soon as it opens", "[editor]") {
  Record added = add(R"({"kind": "case_review", "date": "2024-10-02", "title": "個別ケース会議",
                         "case_code": "山田太郎", "review_type": "case_conference"})");
  EditorModel model(*store, writer);
  REQUIRE(model.open(added.id));
  const auto shown = model.visible_issues("/case_code");
  REQUIRE(shown.size() == 1);
  CHECK(shown[0]->severity == Severity::Warning);
  CHECK(shown[0]->code == "case_code.looks_like_name");
}

TEST_CASE_METHOD(EditorFixture, "saving keeps a change that reached the store meanwhile in another field", "[editor]") {
  Record added = add(R"({"kind": "meeting", "date": "2024-07-03", "title": "全体会", "venue": "本庁舎"})");
  EditorModel model(*store, writer);
  REQUIRE(model.open(added.id));
  // While the editor is open, a sync brings a new venue.
  REQUIRE(store->update(added.id, {{"venue", "市民福祉プラザ"}}));
  model.record().title = "第1回全体会";
  model.changed("/title");
  REQUIRE(model.save());
  settle();
  auto stored = *store->get(added.id);
  CHECK(stored->title == "第1回全体会");
  CHECK(stored->meeting.venue == "市民福祉プラザ");
  CHECK(stored->status == ReviewStatus::Draft);
  CHECK(model.record().meeting.venue == "市民福祉プラザ");  // the editor now shows it too
}

TEST_CASE_METHOD(EditorFixture, "typing goes on while a save is on its way, and is kept over the stored version",
                 "[editor]") {
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.record().title = "第1回";
  model.changed("/title");
  model.record().date = "R6.7.3";
  model.changed("/date");
  REQUIRE(model.save());
  CHECK(model.saving());
  CHECK(model.notice() == EditorNotice::Saving);
  // Typed before the writer answers.
  model.record().title = "第1回運営会議";
  model.changed("/title");
  settle();
  CHECK_FALSE(model.saving());
  CHECK(model.record().title == "第1回運営会議");  // the typing, not the stored title
  CHECK(model.record().date == "2024-07-03");     // not typed meanwhile: the stored (normalised) form
  CHECK(model.dirty());
  CHECK((*store->get(model.record().id))->title == "第1回");
  REQUIRE(model.save());
  settle();
  CHECK((*store->get(model.record().id))->title == "第1回運営会議");
  CHECK_FALSE(model.dirty());
  CHECK(record_count(*store) == 1);  // the second save updated the record the first one created
}

TEST_CASE_METHOD(EditorFixture, "a save never waits for another connection's write lock", "[editor]") {
  EditorModel model(*store, writer);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  model.record().title = "ロック中に保存";
  model.changed("/title");
  // Another connection (a sync, an import) holds the write lock.
  sqlite3* other = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(folder.path / "data" / Store::kFileName, &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto before = std::chrono::steady_clock::now();
  REQUIRE(model.save());
  model.field_left();
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(writer.poll());  // nothing can be written yet
  CHECK(model.saving());
  CHECK(model.notice() == EditorNotice::Saving);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  settle();
  CHECK(model.notice() == EditorNotice::Saved);
  CHECK_FALSE(model.last_error());
  CHECK(record_count(*store) == 1);
}

TEST_CASE_METHOD(EditorFixture, "a submitted record is read-only until its author withdraws it to a draft",
                 "[editor]") {
  Record added = add(R"({"kind": "outreach", "date": "2024-09-12", "title": "訪問", "status": "submitted",
                         "visit_type": "home", "place": "ご自宅"})");
  EditorModel model(*store, writer);
  REQUIRE(model.open(added.id));
  CHECK(model.read_only());
  model.record().title = "書き換え";
  model.changed("/title");  // ignored: nothing is marked changed
  CHECK_FALSE(model.dirty());
  REQUIRE(model.save());
  settle();
  CHECK((*store->get(added.id))->title == "訪問");
  CHECK((*store->get(added.id))->status == ReviewStatus::Submitted);

  REQUIRE(model.withdraw());
  CHECK(model.read_only());  // until the writer answers
  settle();
  CHECK_FALSE(model.read_only());
  CHECK(model.notice() == EditorNotice::Withdrawn);
  CHECK((*store->get(added.id))->status == ReviewStatus::Draft);
  const auto events = model.take_stored();
  REQUIRE(events.size() == 1);
  CHECK(events[0].status_changed);  // the window sends the withdrawal at once
  CHECK_FALSE(model.withdraw());     // a draft has nothing to withdraw

  Record approved = add(R"({"kind": "outreach", "date": "2024-09-13", "title": "承認済みの訪問", "status": "approved",
                            "visit_type": "home", "place": "ご自宅"})");
  REQUIRE(model.open(approved.id));
  CHECK(model.read_only());
  CHECK_FALSE(model.withdraw());
}

TEST_CASE_METHOD(EditorFixture, "required fields are known before any submit, and the last kind is remembered",
                 "[editor]") {
  EditorModel model(*store, writer);
  CHECK(model.last_kind() == RecordKind::Meeting);
  REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
  CHECK(model.required("/title"));
  CHECK(model.required("/meeting_type"));
  CHECK(model.required("/agenda/3/title"));
  CHECK_FALSE(model.required("/venue"));
  CHECK_FALSE(model.required("/case_code"));
  model.set_kind(RecordKind::Outreach);
  CHECK(model.required("/place"));
  CHECK_FALSE(model.required("/body"));
  settle();
  CHECK(model.last_kind() == RecordKind::Outreach);
  EditorModel later(*store, writer);
  CHECK(later.last_kind() == RecordKind::Outreach);
}

TEST_CASE_METHOD(EditorFixture, "a scratch left by a save cut off after storing the record saves it again, not twice",
                 "[editor]") {
  std::string id;
  {
    EditorModel model(*store, writer);
    REQUIRE(model.start_new(RecordKind::Meeting, "2024-07-03"));
    id = model.record().id;
    model.record().title = "保存の途中で止まった会議";
    model.changed("/title");
    model.field_left();
    settle();
  }
  // The record reached the store, the scratch (still saying "new") was not cleared: a power cut between the two.
  auto record = parse_record(R"({"kind": "meeting", "date": "2024-07-03", "title": "保存の途中で止まった会議"})");
  REQUIRE(record);
  record->id = id;
  REQUIRE(store->create(*record));
  EditorModel reopened(*store, writer);
  REQUIRE(reopened.reopen_scratch());
  CHECK_FALSE(reopened.is_new());
  reopened.record().title = "保存の途中で止まった会議（続き）";
  reopened.changed("/title");
  REQUIRE(reopened.save());
  settle();
  CHECK_FALSE(reopened.last_error());
  CHECK(record_count(*store) == 1);
  CHECK((*store->get(id))->title == "保存の途中で止まった会議（続き）");
}
