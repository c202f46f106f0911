// The whole client (navigation, list, settings) driven through simulated input in an ImGui context without a
// window or renderer: the shortcuts, search as you type, and settings that persist in the store.
#include <catch2/catch.hpp>

#include "model/platform.hpp"
#include "tests/support/encrypted_folders.hpp"

#include <GLFW/glfw3.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <imgui_internal.h>

#include "model/files.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"
#include "sync/client.hpp"
#include "tests/client/app_fixture.hpp"

namespace tsunagi {
namespace {

using AppFixture = DemoAppFixture;
using nlohmann::json;

}  // namespace

TEST_CASE_METHOD(AppFixture, "Ctrl+F focuses the search box and typing Japanese filters the list",
                 "[client][app]") {
  auto ui = host();
  App& app = ui->app();
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  const std::int64_t everything = app.list().state().total;
  REQUIRE(everything == 48);

  ui->key(GLFW_KEY_N, true);  // away to the editor first, so that Ctrl+F must bring the list back
  REQUIRE(ui->frame());
  CHECK(app.screen() == Screen::Editor);
  ui->key(GLFW_KEY_F, true);
  REQUIRE(ui->frame());
  CHECK(app.screen() == Screen::List);
  REQUIRE(ui->frame());  // the box takes the keyboard
  REQUIRE(ui->frame());  // and says so (WantTextInput follows a frame later)
  CHECK(ImGui::GetIO().WantTextInput);

  ui->type("ひきこもり");
  REQUIRE(ui->frame());
  CHECK(app.list().requested_query().search == "ひきこもり");
  REQUIRE(ui->frames_until([&] { return app.settled() && app.list().state().query.search == "ひきこもり"; }));
  RecordQuery search;
  search.search = "ひきこもり";
  auto expected = store->count(search);
  REQUIRE(expected);
  CHECK(*expected > 0);
  CHECK(*expected < everything);
  CHECK(app.list().state().total == *expected);
}

TEST_CASE_METHOD(AppFixture, "a click on a row opens it in the editor, at the top, with no note of another record",
                 "[client][app]") {
  auto ui = host();
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  // The first row sits under the filters and the table's header: walk down until a click opens something.
  float y = 150;
  for (; y < 500 && app.screen() == Screen::List; y += 8) {
    ui->click({1060, y});  // the sync column: its header does not sort
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
  }
  REQUIRE(app.screen() == Screen::Editor);
  const std::string first = app.list().row(0)->id;
  CHECK(app.editor().record().id == first);
  CHECK(app.list_view().selected_id == first);

  // Save it (a note appears), scroll down the form, then open the second row: the form starts at the top again
  // and says nothing about the first record.
  ui->key(GLFW_KEY_S, true);
  REQUIRE(ui->frames_until([&] { return !app.writer().busy() && app.editor().notice() != EditorNotice::Saving; }));
  for (int i = 0; i < 5; ++i) {
    ui->move_mouse({700, 400});
    ui->wheel(-10);
    REQUIRE(ui->frame());
  }
  REQUIRE(probe.count("/title") > 0);
  const float title_scrolled = probe["/title"].y0;
  ui->key(GLFW_KEY_F, true);  // back to the list
  REQUIRE(ui->frames_until([&] { return app.screen() == Screen::List && app.settled(); }));
  for (int i = 0; i < 40; ++i) REQUIRE(ui->frame());  // past the double-click time
  ui->click({1060, y + 30});  // the second row
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  REQUIRE(app.screen() == Screen::Editor);
  const std::string second = app.list().row(1)->id;
  CHECK(app.editor().record().id == second);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  CHECK(probe["/title"].y0 > title_scrolled);  // at the top of the form again
  CHECK(app.editor().notice() == EditorNotice::None);
  const std::string text = ui->drawn_text();
  CHECK(text.find(app.i18n().tr("editor.saved")) == std::string::npos);
  CHECK(text.find(app.i18n().tr("editor.nothing_to_save")) == std::string::npos);
  CHECK(text.find(app.editor().record().title) != std::string::npos);
}

TEST_CASE_METHOD(AppFixture, "a refused record opens from the sync screen at its field, with the collector's reason",
                 "[client][app]") {
  const Record record = add(R"({"kind": "meeting", "date": "2024-07-03", "title": "断られた会議"})");
  REQUIRE(store->mark_rejected(record.id, record.clock,
                               make_error("record.invalid", "/record/title", "title is too long", "件名が長すぎます")));
  auto ui = host(Screen::Sync);
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled() && probe.count("sync.open.0") > 0; }));
  for (int i = 0; i < 3; ++i) REQUIRE(ui->frame());  // the table settles its column widths
  REQUIRE(ui->click(probe, "sync.open.0"));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  CHECK(app.screen() == Screen::Editor);
  CHECK(app.editor().record().id == record.id);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  REQUIRE(ui->click(probe, "/title"));  // the refused field is drawn (outlined), and can be corrected
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->key(GLFW_KEY_END);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->type("（短縮）");
  REQUIRE(ui->frame());
  CHECK(app.editor().record().title == "断られた会議（短縮）");
}

TEST_CASE_METHOD(AppFixture, "English is chosen in 設定 and kept for the next start", "[client][app]") {
  {
    auto ui = host(Screen::Settings);
    App& app = ui->app();
    ItemProbe probe;
    app.set_probe(&probe);
    REQUIRE(ui->frames_until([&] { return app.settled() && probe.count("settings.language.en") > 0; }));
    CHECK(app.i18n().language() == "ja");
    CHECK(std::string(app.i18n().tr("nav.list")) == "記録一覧");
    REQUIRE(ui->click(probe, "settings.language.en"));
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());  // the atlas follows the new catalogue
    CHECK(app.i18n().language() == "en");
    CHECK(std::string(app.i18n().tr("nav.list")) == "Records");
  }
  auto reopened = host();
  CHECK(reopened->app().i18n().language() == "en");
}

TEST_CASE_METHOD(AppFixture, "the text size follows Ctrl+plus and Ctrl+minus and is kept for the next start",
                 "[client][app]") {
  {
    auto ui = host();
    CHECK(ui->app().font_scale() == 1.0f);
    ui->key(GLFW_KEY_EQUAL, true);
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());  // the atlas is rebuilt before this frame
    CHECK(ui->app().font_scale() > 1.0f);
    CHECK(ImGui::GetFont()->FontSize > 17.0f);
  }
  auto reopened = host();
  CHECK(reopened->app().font_scale() > 1.0f);
  reopened->key(GLFW_KEY_MINUS, true);
  REQUIRE(reopened->frame());
  CHECK(reopened->app().font_scale() == 1.0f);
}


TEST_CASE_METHOD(AppFixture, "a character above U+FFFF is drawn from its own glyph and typed back as itself",
                 "[client][app][glyphs]") {
  const char32_t kTsuchiYoshi = 0x20BB7;  // 𠮷, as in the demo data's 𠮷田 浩二
  auto ui = host();
  App& app = ui->app();
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  REQUIRE(ui->frame());  // the atlas rebuilt with the rows' characters
  const ImWchar alias = glyph_aliases().alias_for(kTsuchiYoshi);
  REQUIRE(alias >= 0xE000);
  const ImFontGlyph* glyph = ImGui::GetFont()->FindGlyphNoFallback(alias);
  REQUIRE(glyph != nullptr);
  CHECK(glyph->X1 > glyph->X0);  // a real outline, not the geta stand-in's remap
  CHECK(glyph->AdvanceX > 0);
  CHECK(glyph_aliases().to_display("𠮷田") == encode_utf8(alias) + "田");
  CHECK(glyph_aliases().from_display(encode_utf8(alias) + "田") == "𠮷田");

  // Typed (as the IME commits it) into the search box, it is searched for as the real character.
  ui->key(GLFW_KEY_F, true);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->type("𠮷田");
  REQUIRE(ui->frame());
  CHECK(app.list().requested_query().search == "𠮷田");
  REQUIRE(ui->frames_until([&] { return app.settled() && app.list().state().query.search == "𠮷田"; }));
  CHECK(app.list().state().total >= 1);
  CHECK(app.list().row(0)->author == "𠮷田 浩二");
}


TEST_CASE_METHOD(AppFixture, "while another connection holds the store's lock for 3 s, the window saves and no frame waits",
                 "[client][app][freeze]") {
  auto ui = host();
  App& app = ui->app();
  ItemProbe probe;
  type_new_title(*ui, probe, "ロックの間に保存した会議");
  for (int i = 0; i < 10; ++i) REQUIRE(ui->frame());  // the atlas takes in the new characters before the timing

  // A sync, an import or an index rebuild on another connection holds the write lock.
  sqlite3* other = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(folder.path / "data" / Store::kFileName, &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto locked = std::chrono::steady_clock::now();
  ui->key(GLFW_KEY_S, true);  // save, then keep typing and leave the field (an autosave)
  double slowest_ms = 0;
  int frames = 0;
  while (std::chrono::steady_clock::now() - locked < std::chrono::seconds(3)) {
    if (frames == 10) ui->type(" 2");
    if (frames == 20) REQUIRE(ui->click(probe, "/venue"));
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(ui->frame());
    slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    ++frames;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(app.editor().saving());  // the write is still waiting for the lock
  CHECK(app.editor().notice() == EditorNotice::Saving);
  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  INFO(frames << " frames during the 3 s lock, the slowest " << slowest_ms << " ms");
  CHECK(frames > 100);
  CHECK(slowest_ms < 16.0);

  // Once the lock is gone the record is stored, with what was typed while it waited kept in the editor.
  REQUIRE(ui->frames_until([&] { return !app.writer().busy(); }));
  CHECK(app.editor().notice() == EditorNotice::Saved);
  CHECK(app.editor().record().title == "ロックの間に保存した会議 2");
  RecordQuery query;
  query.search = "ロックの間に保存";
  CHECK(*store->count(query) == 1);
}


TEST_CASE_METHOD(AppFixture, "the window sleeps unless the caret must blink, the autosave is due or a sync moves",
                 "[client][app][energy]") {
  AppConfig quick_blink = config();
  quick_blink.caret_blink_seconds = 1.5;
  auto opened = host(quick_blink);
  HeadlessHost& ui = *opened;
  App& app = ui.app();
  REQUIRE(ui.frames_until([&] { return app.settled(); }));
  for (int i = 0; i < 3; ++i) REQUIRE(ui.frame());
  // The list, idle: asleep until input or a worker's result, or the idle lock (10 minutes from the last input).
  auto asleep = [&app] {
    auto wait = app.idle_timeout();
    return wait && *wait > 9 * 60.0 && *wait <= kDefaultLockMinutes * 60.0;
  };
  CHECK(asleep());

  ui.key(GLFW_KEY_F, true);  // the search box takes the keyboard: awake for the caret's blink only
  for (int i = 0; i < 3; ++i) REQUIRE(ui.frame());
  REQUIRE(ImGui::GetIO().WantTextInput);
  auto caret = app.idle_timeout();
  REQUIRE(caret);
  CHECK(*caret > 0.0);
  CHECK(*caret <= 1.2);

  // Typing into a record: the autosave is due 2 s after the last key.
  ui.key(GLFW_KEY_N, true);
  ItemProbe probe;
  app.set_probe(&probe);
  for (int i = 0; i < 3; ++i) REQUIRE(ui.frame());
  REQUIRE(ui.click(probe, "/title"));
  for (int i = 0; i < 3; ++i) REQUIRE(ui.frame());
  ui.type("自動保存まで");
  REQUIRE(ui.frame());
  REQUIRE(app.editor().autosave_due());
  REQUIRE(app.idle_timeout());
  CHECK(*app.idle_timeout() <= 2.0);

  // Without input the caret stops blinking and stays lit; once the typing is autosaved, nothing is due.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  REQUIRE(ui.frames_until([&] { return !app.editor().autosave_due() && !app.writer().busy(); }, 100));
  REQUIRE(ui.frame());
  CHECK(ImGui::GetIO().WantTextInput);
  CHECK_FALSE(ImGui::GetIO().ConfigInputTextCursorBlink);
  CHECK(asleep());
}

}  // namespace tsunagi

namespace tsunagi {

TEST_CASE_METHOD(DemoAppFixture, "the review queue keeps the longest waiting first until a header is clicked, and "
                                 "a third click on it brings that order back",
                 "[client][app][queue]") {
  enroll_as("山田 主任", "supervisor", false);  // the demo's records stay their writers' (the queue's)
  auto ui = host(Screen::Queue);
  App& app = ui->app();
  REQUIRE(ui->frames_until([&] { return app.settled() && app.queue().state().total > 1; }));
  for (int i = 0; i < 5; ++i) REQUIRE(ui->frame());
  CHECK(app.queue().requested_query().sort == SortColumn::Updated);
  CHECK_FALSE(app.queue().requested_query().descending);

  // The 日付 header (the table's second column): descending first, as in the record list, then ascending, then
  // the queue's own order.
  std::optional<DrawnLine> header;
  for (const DrawnLine& line : ui->drawn_lines())
    if (line.text.find("種別 日付") != std::string::npos) header = line;
  INFO(ui->drawn_text());
  REQUIRE(header);
  const ImGuiTable* table = nullptr;
  ImGuiContext& context = *ImGui::GetCurrentContext();
  for (int n = 0; n < context.Tables.GetMapSize(); ++n)
    if (ImGuiTable* candidate = context.Tables.TryGetMapData(n))
      if (candidate->ColumnsCount == 7 && (!table || candidate->LastFrameActive > table->LastFrameActive))
        table = candidate;
  REQUIRE(table);
  const ImVec2 date_header((table->Columns[1].MinX + table->Columns[1].MaxX) / 2, header->y + header->size / 2);
  const std::vector<std::pair<SortColumn, bool>> expected{
      {SortColumn::Date, true}, {SortColumn::Date, false}, {SortColumn::Updated, false}};
  for (const auto& [column, descending] : expected) {
    ui->click(date_header);
    REQUIRE(ui->frames_until(
        [&] { return app.queue().requested_query().sort == column && app.queue().requested_query().descending == descending; },
        30));
    for (int i = 0; i < 40; ++i) REQUIRE(ui->frame());  // past the double-click time
  }
}

TEST_CASE_METHOD(DemoAppFixture, "a click on a report's figure lists the records behind it, and a click on one opens it",
                 "[client][app][reports]") {
  AppConfig settings = config(Screen::Reports);
  settings.report_year = 2024;
  auto ui = host(std::move(settings));
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled(); }));
  REQUIRE(ui->frame());
  const ReportResults& results = *app.reports().results();
  REQUIRE(results.scope.fiscal_year == 2024);
  // The demo's approved case reviews of FY2024, behind the first indicator.
  const IndicatorRow& cases = results.indicators.indicators.front();
  REQUIRE(cases.id == "case_study_count");
  REQUIRE_FALSE(cases.current.records.empty());
  std::string text = ui->drawn_text();
  INFO(text);
  CHECK(text.find("活動指標") != std::string::npos);
  CHECK(text.find(cases.name) != std::string::npos);
  CHECK(text.find(app.reports().record(cases.current.records.front())->title) == std::string::npos);

  REQUIRE(ui->click(probe, "report.indicator.case_study_count"));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  text = ui->drawn_text();
  for (const std::string& id : cases.current.records) CHECK(text.find(app.reports().record(id)->title) != std::string::npos);

  // The theme matrix: a cell with records lists them with what was done; one of them opens. (A tab takes a press
  // only where the pointer already rested the frame before, as it does under a hand.)
  const ItemRect tab = probe["report.tab.themes"];
  ui->move_mouse({(tab.x0 + tab.x1) / 2, (tab.y0 + tab.y1) / 2});
  REQUIRE(ui->frame());
  REQUIRE(ui->click(probe, "report.tab.themes"));
  REQUIRE_FALSE(results.themes.cells.empty());
  const ThemeCell& cell = results.themes.cells.front();
  REQUIRE(ui->frames_until([&] { return probe.count("report.cell." + cell.theme + "." + cell.area) > 0; }, 10));
  REQUIRE(ui->click(probe, "report.cell." + cell.theme + "." + cell.area));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  text = ui->drawn_text();
  const Record* first = app.reports().record(cell.records.front());
  REQUIRE(first);
  CHECK(text.find(first->title) != std::string::npos);
  CHECK(text.find(cell.area_name) != std::string::npos);
  std::optional<DrawnLine> line;
  for (const DrawnLine& drawn : ui->drawn_lines())
    if (drawn.text.find(first->title) != std::string::npos && drawn.y > probe["report.cell." + cell.theme + "." + cell.area].y1)
      line = drawn;
  REQUIRE(line);

  // Excel に書き出す: every report in one workbook in the user's folder (a home without Documents: the home; on
  // Windows the Documents folder, which no variable moves).
#ifdef _WIN32
  const std::filesystem::path out_folder = platform::documents_folder();
#else
  const char* home = std::getenv("HOME");
  const std::string saved_home = home ? home : "";
  set_env("HOME", folder.path.c_str());
  const std::filesystem::path out_folder = folder.path;
#endif
  const std::filesystem::path workbook = out_folder / platform::path_from_utf8("報告書_令和6年度.xlsx");
  const std::filesystem::path csv_file = out_folder / platform::path_from_utf8("報告書_令和6年度_活動指標.csv");
  REQUIRE(ui->click(probe, "report.export"));
  const bool written = ui->frames_until([&] { return std::filesystem::exists(workbook) && !app.writer().busy(); }, 500);
#ifndef _WIN32
  set_env("HOME", saved_home.c_str());
#endif
  REQUIRE(written);
  auto bytes = read_file(workbook);
  REQUIRE(bytes);
  CHECK(bytes->substr(0, 2) == "PK");  // a zip: the XLSX container
  auto csv = read_file(csv_file);
  REQUIRE(csv);
  CHECK(csv->rfind("\xEF\xBB\xBF指標,", 0) == 0);  // UTF-8 with BOM, the Japanese header
  REQUIRE(ui->frame());
  CHECK(ui->drawn_text().find("書き出しました: " + platform::path_to_utf8(workbook)) != std::string::npos);
#ifdef _WIN32  // the user's own Documents: everything the export wrote there goes
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(out_folder, ec))
    if (platform::path_to_utf8(entry.path().filename()).starts_with("報告書_令和6年度"))
      std::filesystem::remove(entry.path(), ec);
#endif

  for (int i = 0; i < 40; ++i) REQUIRE(ui->frame());  // past the double-click time
  ui->click({line->x + 40, line->y + line->size / 2});
  REQUIRE(ui->frames_until([&] { return app.screen() == Screen::Editor || app.screen() == Screen::Review; }, 10));
}

TEST_CASE_METHOD(DemoAppFixture, "a supervisor evaluates a project in the progress table: the version is stored "
                                 "with its fields and shown as the current one",
                 "[client][app][reports]") {
  auto kitakyushu = load_reference_file(assets_dir() / "reference" / "kitakyushu.json");
  REQUIRE(kitakyushu);
  auto reference = store->reference();
  REQUIRE(reference);
  REQUIRE(store->replace_reference(merge_reference(*reference, *kitakyushu)));
  for (const char* date : {"2016-05-10", "2016-11-08"}) {
    auto record = record_from_json(json{{"kind", "initiative"}, {"council", "kitakyushu"}, {"date", date},
                                        {"title", "家庭訪問を含むよろず相談"}, {"work_items", {"kitakyushu.project_1"}},
                                        {"status", "approved"}});
    REQUIRE(record);
    REQUIRE(store->create(*record));
  }
  enroll_as("北九州 主任", "supervisor", true);

  AppConfig settings = config(Screen::Reports);
  settings.report_year = 2016;
  settings.report_tab = ReportTab::Progress;
  auto ui = host(std::move(settings));
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled() && probe.count("report.progress.edit.kitakyushu.project_1"); }));
  std::string text = ui->drawn_text();
  INFO(text);
  CHECK(text.find("新たな障害者相談支援体制の構築【拡充】") != std::string::npos);
  CHECK(text.find("実施状況（記録から）") != std::string::npos);
  CHECK(text.find("家庭訪問を含むよろず相談（5/10、11/8）") != std::string::npos);
  CHECK(text.find("目的達成状況: 未評価") != std::string::npos);

  REQUIRE(ui->click(probe, "report.progress.edit.kitakyushu.project_1"));
  REQUIRE(ui->frames_until([&] { return probe.count("report.progress.status.b") > 0; }, 10));
  REQUIRE(ui->click(probe, "report.progress.status.b"));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  // The form runs below the window's bottom: scroll until its save button is in view.
  for (int i = 0; i < 50 && probe["report.progress.save"].y1 > 780; ++i) {
    ui->move_mouse({700, 400});
    ui->wheel(-2);
    REQUIRE(ui->frame());
  }
  REQUIRE(probe["report.progress.save"].y1 <= 780);
  REQUIRE(ui->click(probe, "report.progress.analysis"));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->type("関係機関との連携を強める必要があります。");
  REQUIRE(ui->frame());
  REQUIRE(ui->click(probe, "report.progress.save"));
  REQUIRE(ui->frames_until([&] {
    auto versions = store->report_entries("kitakyushu", 2016);
    return versions && !versions->empty() && app.settled();
  }));
  auto versions = store->report_entries("kitakyushu", 2016);
  REQUIRE(versions->size() == 1);
  const ReportEntry& saved = versions->front();
  CHECK(saved.kind == "progress");
  CHECK(saved.key == "kitakyushu.project_1");
  CHECK(saved.author == "北九州 主任");
  CHECK(saved.fields["status"] == "b");
  CHECK(saved.fields["analysis"] == "関係機関との連携を強める必要があります。");
  // The work done was left as the records give it: it stays theirs (records approved later join it).
  CHECK(saved.fields["work_done"] == "");
  auto pending = store->pending_report_entry_count();
  CHECK((pending && *pending == 1));  // waits for the collector (unreachable here)
  REQUIRE(ui->frames_until([&] { return ui->drawn_text().find("最終更新: 北九州 主任") != std::string::npos; }, 200));
  text = ui->drawn_text();
  CHECK(text.find("b 具体的に取り組み、継続して推進") != std::string::npos);
  CHECK(text.find("関係機関との連携を強める必要があります。") != std::string::npos);
  CHECK(text.find("実施状況（記録から）") != std::string::npos);
}

}  // namespace tsunagi
