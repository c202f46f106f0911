// The record list opens a record in the editor on a double-click or on Enter (driven headless).
#include <catch2/catch.hpp>

#include "app/screens/record_list.hpp"
#include "tests/ui/headless_editor.hpp"

using namespace tsunagi;

namespace {

struct ListDriver {
  testing::HeadlessImGui imgui;
  I18n i18n;
  RecordListState state;
  RecordListView view;
  std::optional<std::string> opened;

  ListDriver() {
    REQUIRE(i18n.load("ja"));
    for (int i = 0; i < 3; ++i) {
      RecordSummary row;
      row.id = "record-" + std::to_string(i);
      row.date = "2024-07-0" + std::to_string(i + 1);
      row.title = "会議 " + std::to_string(i);
      state.rows.push_back(row);
    }
    state.total = 3;
    state.loaded = true;
  }
  void frame() {
    imgui.frame([&] {
      const RecordListActions actions = draw_record_list(state, RecordQuery{}, view, imgui.fonts(), i18n);
      if (actions.open_id) opened = actions.open_id;
    });
  }
  void mouse(bool down) {
    ImGui::GetIO().MouseDown[0] = down;
    frame();
  }
};

}  // namespace

TEST_CASE("a double-click on a row opens it, a single click only selects it, Enter opens the selected row",
          "[editor][list]") {
  ListDriver list;
  list.frame();
  // Walk down the table until a click selects a row: the first row reached is the first record. The steps are
  // wider than ImGui's double-click distance, so that no two of these clicks make a double-click.
  float y = 0;
  for (; y < 400; y += 8) {
    ImGui::GetIO().MousePos = ImVec2(400, y);
    list.frame();
    list.mouse(true);
    list.mouse(false);
    if (!list.view.selected_id.empty()) break;
  }
  REQUIRE(list.view.selected_id == "record-0");
  CHECK_FALSE(list.opened);

  list.mouse(true);  // the second click of a double-click
  list.mouse(false);
  REQUIRE(list.opened);
  CHECK(*list.opened == "record-0");

  list.opened.reset();
  ImGui::GetIO().MousePos = ImVec2(400, y + 40);  // well inside the second row (or third)
  list.frame();
  for (int i = 0; i < 30; ++i) list.frame();  // past the double-click time
  list.mouse(true);
  list.mouse(false);
  REQUIRE(list.view.selected_id != "record-0");
  CHECK_FALSE(list.opened);
  const std::string selected = list.view.selected_id;
  ImGui::GetIO().KeysDown[GLFW_KEY_ENTER] = true;
  list.frame();
  ImGui::GetIO().KeysDown[GLFW_KEY_ENTER] = false;
  list.frame();
  REQUIRE(list.opened);
  CHECK(*list.opened == selected);
}
