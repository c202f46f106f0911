// drawn_text / drawn_lines: the text of a frame read back from ImGui's draw data. Each check can fail: what is
// asked for is text the screen shows (or must not show), read from the glyph quads, not from the App's state.
#include <catch2/catch.hpp>

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cfloat>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/drawn_text.hpp"
#include "model/text.hpp"
#include "tests/client/app_fixture.hpp"

namespace tsunagi {
namespace {

struct DrawnTextFixture : DemoAppFixture {
  // Until the App has nothing left to do, then a few frames more: the atlas takes in the rows' characters and the
  // table settles its column widths.
  static void settle(HeadlessHost& ui) {
    REQUIRE(ui.frames_until([&] { return ui.app().settled(); }));
    for (int i = 0; i < 4; ++i) REQUIRE(ui.frame());
  }
};

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// The index of the first line containing `part`, if any.
std::optional<std::size_t> line_with(const std::vector<DrawnLine>& lines, std::string_view part) {
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (has(lines[i].text, part)) return i;
  return std::nullopt;
}

bool has_private_use(std::string_view text) {
  const std::vector<char32_t> code_points = decode_utf8(text);
  return std::any_of(code_points.begin(), code_points.end(), [](char32_t c) { return c >= 0xE000 && c <= 0xF8FF; });
}

// A frame of our own in the host's ImGui context (with its fonts): `draw` makes its windows; the App draws nothing.
template <typename Draw>
void own_frame(Draw draw) {
  ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
  ImGui::NewFrame();
  draw();
  ImGui::Render();
}

}  // namespace

TEST_CASE_METHOD(DrawnTextFixture, "the list screen reads as it shows: heading, columns, visible rows only",
                 "[client][drawn_text]") {
  auto ui = host();
  App& app = ui->app();
  settle(*ui);
  REQUIRE(app.list().state().total == 48);
  const std::string text = ui->drawn_text();
  INFO(text);

  CHECK(has(text, "記録一覧"));
  CHECK(has(text, "全 48 件"));             // the count beside the heading, its spaces read from the gaps
  CHECK(has(text, "種別 日付 件名 地域"));  // the column headers, in order (件名 alone is also in the search hint)
  const RecordSummary* first = app.list().row(0);
  REQUIRE(first != nullptr);
  CHECK(has(text, first->title));
  CHECK(has(text, "𠮷田 浩二"));  // a character above U+FFFF, drawn through its stand-in, read back as itself
  CHECK_FALSE(has_private_use(text));

  // Not on screen: a made-up title, and a record far below the rows that fit (one whose title is in no other).
  CHECK_FALSE(has(text, "存在しない記録の件名"));
  std::optional<std::string> far_title;
  for (int i = 47; i >= 40 && !far_title; --i) {
    const RecordSummary* row = app.list().row(i);
    REQUIRE(row != nullptr);
    bool unique = true;
    for (int j = 0; j < 48; ++j)
      if (j != i && app.list().row(j) != nullptr && has(app.list().row(j)->title, row->title)) unique = false;
    if (unique) far_title = row->title;
  }
  REQUIRE(far_title);
  INFO("far title: " << *far_title);
  CHECK_FALSE(has(text, *far_title));

  // Reading order: the heading's line (with its count) above the first row's, and lines top to bottom.
  const std::vector<DrawnLine> lines = ui->drawn_lines();
  const auto heading = line_with(lines, "全 48 件");
  const auto first_row = line_with(lines, first->title);
  REQUIRE(heading);
  REQUIRE(first_row);
  CHECK(*heading < *first_row);
  CHECK(lines[*heading].y < lines[*first_row].y);
  CHECK(std::is_sorted(lines.begin(), lines.end(), [](const DrawnLine& a, const DrawnLine& b) { return a.y < b.y; }));
}

TEST_CASE_METHOD(DrawnTextFixture, "what is typed into the search box is read from the box", "[client][drawn_text]") {
  auto ui = host();
  App& app = ui->app();
  settle(*ui);
  const auto filter_line = [&] {
    const std::vector<DrawnLine> lines = ui->drawn_lines();
    const auto found = line_with(lines, "年度: すべて");  // the search box shares its row with these filters
    return found ? lines[*found].text : std::string();
  };
  CHECK(has(filter_line(), "件名・本文を検索"));  // the hint, while the box is empty

  ui->key(GLFW_KEY_F, true);
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->type("ひきこもり");
  REQUIRE(ui->frame());
  REQUIRE(ui->frames_until([&] { return app.settled() && app.list().state().query.search == "ひきこもり"; }));
  REQUIRE(ui->frame());
  {
    const std::string line = filter_line();
    INFO(line);
    CHECK(has(line, "ひきこもり"));
    CHECK_FALSE(has(line, "件名・本文を検索"));  // the hint is gone, not drawn under the text
  }

  // A character above U+FFFF typed into the box reads back as itself.
  for (int i = 0; i < 5; ++i) {
    ui->key(GLFW_KEY_BACKSPACE);
    REQUIRE(ui->frame());
    REQUIRE(ui->frame());
  }
  ui->type("𠮷田");
  REQUIRE(ui->frame());
  REQUIRE(ui->frames_until([&] { return app.settled() && app.list().state().query.search == "𠮷田"; }));
  REQUIRE(ui->frame());
  {
    const std::string line = filter_line();
    INFO(line);
    CHECK(has(line, "𠮷田"));
    CHECK_FALSE(has(line, "ひきこもり"));
    CHECK_FALSE(has_private_use(ui->drawn_text()));
  }

  // Text longer than the box scrolls: its head leaves the box (InputText clips the glyph at the edge finely) and is
  // not read; its tail is.
  ui->type("ABCDEFGHIJ" + std::string(60, '0') + "XYZ");
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  {
    const std::string line = filter_line();
    INFO(line);
    CHECK(has(line, "000XYZ"));
    CHECK_FALSE(has(line, "ABCDEFGHIJ"));
    CHECK_FALSE(has(line, "𠮷田"));
  }
}

TEST_CASE_METHOD(DrawnTextFixture, "a window partly off screen is read only where it shows", "[client][drawn_text]") {
  auto ui = host();
  settle(*ui);
  own_frame([] {
    ImGui::SetNextWindowPos({1100, 300});
    ImGui::SetNextWindowSize({400, 150});
    ImGui::Begin("Probe", nullptr, ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted("Seen");
    ImGui::SameLine(300);  // at x 1400: inside the window, beyond the display's right edge (1280)
    ImGui::TextUnformatted("Beyond");
    for (int i = 0; i < 20; ++i) ImGui::Text("Row %02d", i);  // the later ones below the window's bottom
    ImGui::End();
  });
  const std::string text = ui->drawn_text();
  INFO(text);
  CHECK(has(text, "Probe"));
  CHECK(has(text, "Seen"));
  CHECK(has(text, "Row 00"));
  CHECK_FALSE(has(text, "Beyond"));
  CHECK_FALSE(has(text, "Row 19"));
  CHECK_FALSE(has(text, "記録一覧"));  // the App drew nothing in this frame: nothing of its last one is left
}

TEST_CASE_METHOD(DrawnTextFixture, "a glyph outside its clip rect is not read, and a finely clipped one is",
                 "[client][drawn_text]") {
  auto ui = host();
  settle(*ui);
  ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  ImFont* font = atlas.Fonts[0];
  const float size = font->FontSize;
  const auto width = [&](const char* text) { return font->CalcTextSizeA(size, FLT_MAX, 0.0f, text).x; };
  const ImU32 black = IM_COL32(0, 0, 0, 255);

  // Scissored: ImGui tessellates the whole text; the clip rect set afterwards lets through half of "X" only.
  ImDrawList scissored(ImGui::GetDrawListSharedData());
  scissored._ResetForNewFrame();
  scissored.PushTextureID(atlas.TexID);
  scissored.PushClipRect({0, 0}, {1280, 800});
  scissored.AddText(font, size, {100, 100}, black, "XYZ");
  scissored.PushClipRect({0, 0}, {2000, 800});  // wider than the display (1280): ImGui tessellates "Off"
  scissored.AddText(font, size, {1300, 140}, black, "Off");
  REQUIRE(scissored.CmdBuffer.Size == 2);
  scissored.CmdBuffer[0].ClipRect.z = 100 + width("X") * 0.5f;

  // Finely clipped, as InputText does: "B" is cut through its middle, so its UVs shrink and match no glyph
  // exactly; "C" lies wholly beyond the clip and is not tessellated.
  ImDrawList fine(ImGui::GetDrawListSharedData());
  fine._ResetForNewFrame();
  fine.PushTextureID(atlas.TexID);
  fine.PushClipRect({0, 0}, {1280, 800});
  const ImVec4 fine_clip{0, 0, 100 + width("A") + width("B") * 0.5f, 800};
  fine.AddText(font, size, {100, 200}, black, "ABC", nullptr, 0.0f, &fine_clip);
  fine.AddText(font, size, {100, 300}, IM_COL32(0, 0, 0, 0), "Clear");  // transparent: ImGui skips it

  ImDrawList* lists[] = {&scissored, &fine};
  ImDrawData data;
  data.Valid = true;
  data.CmdLists = lists;
  data.CmdListsCount = 2;
  data.DisplayPos = {0, 0};
  data.DisplaySize = {1280, 800};
  const std::vector<DrawnLine> lines = drawn_lines(data, atlas);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "X");
  CHECK(lines[0].x == 100);
  CHECK(lines[0].y == 100);
  CHECK(lines[0].size == size);
  CHECK(lines[1].text == "AB");
  CHECK(lines[1].y == 200);
  CHECK(drawn_text(data, atlas) == "X\nAB");

  // Without the clip rect's cut the whole text is read, so the cut above is what hid "YZ"; with a wider display,
  // "Off" is read too.
  scissored.CmdBuffer[0].ClipRect.z = 1280;
  CHECK(drawn_text(data, atlas) == "XYZ\nAB");
  data.DisplaySize = {2000, 800};
  CHECK(drawn_text(data, atlas) == "XYZ\nOff\nAB");
}

TEST_CASE_METHOD(DrawnTextFixture, "after English is chosen in 設定 the list says Records", "[client][drawn_text]") {
  auto ui = host(Screen::Settings);
  App& app = ui->app();
  ItemProbe probe;
  app.set_probe(&probe);
  REQUIRE(ui->frames_until([&] { return app.settled() && probe.count("settings.language.en") > 0; }));
  REQUIRE(ui->frame());
  CHECK(has(ui->drawn_text(), "設定"));
  REQUIRE(ui->click(probe, "settings.language.en"));
  REQUIRE(ui->frame());
  REQUIRE(ui->frame());
  ui->key(GLFW_KEY_F, true);  // to the list
  REQUIRE(ui->frame());
  settle(*ui);
  REQUIRE(app.screen() == Screen::List);
  const std::string text = ui->drawn_text();
  INFO(text);
  CHECK(has(text, "Records"));
  CHECK(has(text, "48 records"));
  CHECK(has(text, "Kind Date Title"));
  CHECK_FALSE(has(text, "記録一覧"));  // no Japanese label left over from before the switch
  CHECK_FALSE(has(text, "件名"));
}

}  // namespace tsunagi
