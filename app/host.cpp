#include "app/host.hpp"

#include <cmath>

#include "app/screens/widgets.hpp"
#include "model/platform.hpp"

namespace tsunagi {

namespace {

constexpr float kBaseFontPixels = 17.0f;
constexpr float kHeadingFontPixels = 23.0f;

Status build_font_atlas(FontState& fonts) {
  ImVector<ImWchar> ranges;
  build_glyph_ranges(fonts.coverage.extra(), ranges);
  const float body = std::round(kBaseFontPixels * fonts.scale), heading = std::round(kHeadingFontPixels * fonts.scale);
  auto set = build_fonts(*ImGui::GetIO().Fonts, fonts.file, body, heading, ranges, fonts.heading_ranges);
  fonts.body_ranges.swap(ranges);  // the atlas holds the new buffer, which now lives in fonts.body_ranges
  if (!set)
    return make_error("font.atlas", platform::path_to_utf8(fonts.file.face().path), "cannot build the font atlas",
                      "フォントの文字表を作れません");
  fonts.set = *set;
  return ok_status();
}

}  // namespace

// A calm light theme: warm off-white ground, dark grey text, one muted teal accent, soft rounding.
ImGuiStyle make_style(float scale) {
  ImGuiStyle style;
  ImGui::StyleColorsLight(&style);
  style.WindowPadding = {16, 14};
  style.FramePadding = {10, 6};
  style.ItemSpacing = {10, 8};
  style.ItemInnerSpacing = {8, 6};
  style.CellPadding = {10, 7};
  style.ScrollbarSize = 14;
  style.WindowRounding = 0;
  style.ChildRounding = 0;
  style.FrameRounding = 5;
  style.GrabRounding = 5;
  style.ScrollbarRounding = 7;
  style.TabRounding = 5;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.FrameBorderSize = 0;
  style.SelectableTextAlign = {0.0f, 0.5f};

  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = {0.16f, 0.18f, 0.20f, 1.0f};
  c[ImGuiCol_TextDisabled] = {0.44f, 0.47f, 0.50f, 1.0f};
  c[ImGuiCol_WindowBg] = {0.980f, 0.978f, 0.970f, 1.0f};
  c[ImGuiCol_ChildBg] = {0, 0, 0, 0};
  c[ImGuiCol_PopupBg] = {1, 1, 1, 0.98f};
  c[ImGuiCol_Border] = {0.82f, 0.84f, 0.85f, 1.0f};
  c[ImGuiCol_FrameBg] = {0.93f, 0.94f, 0.94f, 1.0f};
  c[ImGuiCol_FrameBgHovered] = {0.89f, 0.92f, 0.92f, 1.0f};
  c[ImGuiCol_FrameBgActive] = {0.85f, 0.90f, 0.90f, 1.0f};
  c[ImGuiCol_Header] = {0.80f, 0.890f, 0.886f, 1.0f};
  c[ImGuiCol_HeaderHovered] = {0.87f, 0.929f, 0.925f, 1.0f};
  c[ImGuiCol_HeaderActive] = {0.75f, 0.860f, 0.855f, 1.0f};
  c[ImGuiCol_Button] = {0.86f, 0.91f, 0.91f, 1.0f};
  c[ImGuiCol_ButtonHovered] = {0.80f, 0.88f, 0.88f, 1.0f};
  c[ImGuiCol_ButtonActive] = {0.74f, 0.85f, 0.85f, 1.0f};
  c[ImGuiCol_CheckMark] = kAccent;
  c[ImGuiCol_SliderGrab] = kAccent;
  c[ImGuiCol_Separator] = {0.84f, 0.86f, 0.86f, 1.0f};
  c[ImGuiCol_TableHeaderBg] = {0.925f, 0.937f, 0.937f, 1.0f};
  c[ImGuiCol_TableBorderStrong] = {0.84f, 0.86f, 0.86f, 1.0f};
  c[ImGuiCol_TableBorderLight] = {0.90f, 0.91f, 0.91f, 1.0f};
  c[ImGuiCol_TableRowBg] = {0, 0, 0, 0};
  c[ImGuiCol_TableRowBgAlt] = {0.20f, 0.30f, 0.30f, 0.035f};
  c[ImGuiCol_ScrollbarBg] = {0, 0, 0, 0};
  c[ImGuiCol_ScrollbarGrab] = {0.78f, 0.80f, 0.81f, 1.0f};
  c[ImGuiCol_ScrollbarGrabHovered] = {0.70f, 0.73f, 0.74f, 1.0f};
  c[ImGuiCol_ScrollbarGrabActive] = {0.62f, 0.66f, 0.67f, 1.0f};
  c[ImGuiCol_NavHighlight] = kAccent;

  style.ScaleAllSizes(scale);
  return style;
}

Result<UiFont> load_japanese_font() {
  auto face = find_japanese_font();
  if (!face) return face.error();
  return UiFont::load(*face);
}

Result<std::unique_ptr<FontState>> start_imgui(App& app, UiFont font, float screen_scale) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini in the working folder: the layout is fixed
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;

  // Built in place: ImVector has no move constructor, and copying an empty one passes memcpy a null pointer.
  auto fonts = std::make_unique<FontState>();
  fonts->file = std::move(font);
  fonts->scale = screen_scale * app.font_scale();
  ImGui::GetStyle() = make_style(fonts->scale);
  build_heading_ranges(app.i18n().all_text(), fonts->heading_ranges);
  fonts->coverage.add_text(app.known_text(), nullptr);
  if (auto built = build_font_atlas(*fonts); !built) return built.error();
  return fonts;
}

Result<bool> prepare_frame(App& app, FontState& fonts, float screen_scale) {
  bool stale = app.poll(fonts.coverage, fonts.set.body);
  const float scale = screen_scale * app.font_scale();
  if (app.take_font_change() || scale != fonts.scale) {  // another monitor, text size or language
    fonts.scale = scale;
    ImGui::GetStyle() = make_style(scale);
    build_heading_ranges(app.i18n().all_text(), fonts.heading_ranges);
    stale = true;
  }
  if (!stale) return false;
  if (auto built = build_font_atlas(fonts); !built) return built.error();
  return true;
}

}  // namespace tsunagi
