#include "app/screens/editor_widgets.hpp"

#include "app/fonts.hpp"

#include <imgui_internal.h>  // GetActiveID: whether ImGui owns the field's buffer right now
#include <imgui_stdlib.h>

#include <string>
#include <vector>

#include "model/calendar.hpp"
#include "model/text.hpp"

namespace tsunagi {

// [SECTION] Soft wrapping ---------------------------------------------------------------------------------------

namespace {

// Characters that must not start a line in Japanese text (禁則処理): they stay at the end of the line before,
// a little past the wrap width (the field keeps a scroll bar's width in reserve).
bool no_line_start(char32_t c) {
  static constexpr std::u32string_view kClosing = U"、。，．）」』】〕〉》！？・ー：；ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)!?";
  return kClosing.find(c) != std::u32string_view::npos;
}

}  // namespace

std::string soft_wrap(std::string_view text, float width, const std::function<float(char32_t)>& advance) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t line_start = 0;       // byte offset in `out` where the current visual line starts
  std::size_t after_space = 0;      // byte offset in `out` just after the line's last space (0: none)
  float line_width = 0.0f, width_at_space = 0.0f;
  std::size_t i = 0;
  while (i < text.size()) {
    // One UTF-8 sequence (the text is valid UTF-8: it came from ImGui or the store).
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const std::string_view unit = text.substr(i, length);
    i += unit.size();
    if (unit == "\n") {
      out += '\n';
      line_start = out.size();
      after_space = 0;
      line_width = 0.0f;
      continue;
    }
    const std::vector<char32_t> decoded = decode_utf8(unit);
    const float w = decoded.empty() ? 0.0f : advance(decoded.front());
    const bool may_start_line = decoded.empty() || !no_line_start(decoded.front());
    if (line_width + w > width && out.size() > line_start && may_start_line) {
      if (after_space > line_start && unit != " ") {
        // Move the word after the last space to the next line.
        out.insert(after_space, "\r\n");
        line_start = after_space + 2;
        line_width -= width_at_space;
      } else if (unit != " ") {
        out += "\r\n";
        line_start = out.size();
        line_width = 0.0f;
      }
      after_space = 0;
    }
    out += unit;
    line_width += w;
    if (unit == " ") {
      after_space = out.size();
      width_at_space = line_width;
    }
  }
  return out;
}

std::string strip_soft_breaks(std::string_view display) {
  std::string out;
  out.reserve(display.size());
  for (std::size_t i = 0; i < display.size(); ++i) {
    if (display[i] == '\r') {
      if (i + 1 < display.size() && display[i + 1] == '\n') ++i;
      continue;
    }
    out += display[i];
  }
  return out;
}

namespace {

struct WrapContext {
  WrappedTextState* state;
  float width;
};

std::size_t utf8_start_before(const std::string& s, std::size_t at) {
  if (at == 0) return 0;
  std::size_t i = at - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

std::size_t utf8_end_after(const std::string& s, std::size_t at) {
  if (at >= s.size()) return s.size();
  std::size_t i = at + 1;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

float advance_of(char32_t c) {
  const ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  return font->GetCharAdvance(c <= 0xFFFF ? static_cast<ImWchar>(c) : static_cast<ImWchar>(0xFFFD)) * scale;
}

// Re-wraps the buffer after an edit, keeping the cursor after the same character of the text.
int rewrap_after_edit(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways) return insert_typed(data);  // characters above U+FFFF
  auto* context = static_cast<WrapContext*>(data->UserData);
  std::string edited(data->Buf, static_cast<std::size_t>(data->BufTextLen));
  std::size_t cursor = static_cast<std::size_t>(data->CursorPos);
  const std::string& before = context->state->display;
  // One byte fewer than before and the missing byte was half of a soft break: the user deleted the break itself
  // (Backspace at the start of a visual line, Delete at its end), meaning the character beyond it.
  if (edited.size() + 1 == before.size() && cursor < before.size()) {
    const char removed = before[cursor];
    if (removed == '\n' && cursor > 0 && before[cursor - 1] == '\r') {
      // Backspace after "\r\n": edited holds the '\r' at cursor - 1; delete it and the character before it.
      const std::size_t start = utf8_start_before(edited, cursor - 1);
      edited.erase(start, cursor - start);
      cursor = start;
    } else if (removed == '\r' && cursor < edited.size() && edited[cursor] == '\n') {
      // Delete before "\r\n": edited holds the '\n' at cursor; delete it and the character after it.
      const std::size_t end = utf8_end_after(edited, cursor + 1);
      edited.erase(cursor, end - cursor);
    }
  }
  // The cursor as a position in the text without soft breaks.
  const std::string text = strip_soft_breaks(edited);
  const std::size_t text_cursor = strip_soft_breaks(std::string_view(edited).substr(0, cursor)).size();
  const std::string display = soft_wrap(text, context->width, advance_of);
  std::size_t mapped = 0, counted = 0;
  while (mapped < display.size() && counted < text_cursor) {
    if (display[mapped] == '\r') {
      mapped += 2;
      continue;
    }
    ++mapped;
    ++counted;
  }
  if (display != edited || mapped != static_cast<std::size_t>(data->CursorPos)) {
    data->DeleteChars(0, data->BufTextLen);
    data->InsertChars(0, display.data(), display.data() + display.size());
    data->CursorPos = data->SelectionStart = data->SelectionEnd = static_cast<int>(mapped);
  }
  context->state->display = display;
  context->state->shown = text;
  return 0;
}

}  // namespace

bool wrapped_text_field(const char* id, std::string& text, WrappedTextState& state, ImVec2 size) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float width = (size.x > 0 ? size.x : ImGui::GetContentRegionAvail().x) - style.FramePadding.x * 2.0f -
                      style.ScrollbarSize - 2.0f;
  const ImGuiID widget = ImGui::GetID(id);
  // While the field is being edited, ImGui owns the buffer; otherwise follow the text (it may change elsewhere).
  const bool editing = ImGui::GetActiveID() == widget;
  if (!editing && (state.shown != text || state.width != width ||
                   glyph_aliases().from_display(strip_soft_breaks(state.display)) != text)) {
    state.display = soft_wrap(glyph_aliases().to_display(text), width, advance_of);
    state.shown = text;
    state.width = width;
  }
  WrapContext context{&state, width};
  std::string buffer = state.display;
  ImGui::InputTextMultiline(id, &buffer, size, ImGuiInputTextFlags_CallbackEdit | ImGuiInputTextFlags_CallbackAlways,
                            rewrap_after_edit, &context);
  state.display = buffer;
  const std::string now = glyph_aliases().from_display(strip_soft_breaks(buffer));
  if (now == text) return false;
  text = now;
  state.shown = now;
  return true;
}

// [SECTION] Date picker -----------------------------------------------------------------------------------------

namespace {

// 0 = Sunday (Zeller's congruence, Gregorian).
int weekday(int year, int month, int day) {
  if (month < 3) {
    month += 12;
    year -= 1;
  }
  const int k = year % 100, j = year / 100;
  const int h = (day + 13 * (month + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7;  // 0 = Saturday
  return (h + 6) % 7;
}

}  // namespace

std::string date_picker_grid(DatePickerState& state, const std::string& selected_iso, I18n& i18n,
                             ItemProbe* probe) {
  std::string picked;
  if (state.month < 1 || state.month > 12 || state.year < 1) {
    const auto today = parse_iso_date(selected_iso);
    state.year = today ? today->year : 2024;
    state.month = today ? today->month : 4;
  }
  const float cell = ImGui::GetFrameHeight() * 1.35f;
  const float grid_width = cell * 7 + ImGui::GetStyle().ItemSpacing.x * 0.0f;

  if (ImGui::ArrowButton("##previous", ImGuiDir_Left)) {
    if (--state.month < 1) state.month = 12, --state.year;
  }
  const Date first{state.year, state.month, 1};
  std::string title;
  if (auto era = era_of(first))
    title = i18n.format("date.month_title", {{"era", era_name(era->era)},
                                             {"era_letter", era_letter(era->era)},
                                             {"year", era->year == 1 ? std::string(i18n.tr("date.first_year"))
                                                                      : std::to_string(era->year)},
                                             {"month", std::to_string(state.month)},
                                             {"gregorian", std::to_string(state.year)}});
  else
    title = std::to_string(state.year) + "-" + std::to_string(state.month);
  const float title_width = ImGui::CalcTextSize(title.c_str()).x;
  const float arrow = ImGui::GetFrameHeight();
  ImGui::SameLine((grid_width - title_width) * 0.5f + ImGui::GetStyle().WindowPadding.x * 0.5f);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(title.c_str());
  ImGui::SameLine(grid_width - arrow + ImGui::GetStyle().WindowPadding.x);
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) {
    if (++state.month > 12) state.month = 1, ++state.year;
  }

  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0.5f, 0.5f));
  const ImVec4 sunday{0.70f, 0.25f, 0.22f, 1.0f}, saturday{0.20f, 0.38f, 0.65f, 1.0f};
  for (int d = 0; d < 7; ++d) {
    if (d > 0) ImGui::SameLine(static_cast<float>(d) * cell + ImGui::GetStyle().WindowPadding.x);
    const std::string name = i18n.tr("date.weekday." + std::to_string(d));
    const float w = ImGui::CalcTextSize(name.c_str()).x;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (cell - w) * 0.5f);
    ImGui::PushStyleColor(ImGuiCol_Text, d == 0   ? sunday
                                         : d == 6 ? saturday
                                                  : ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextUnformatted(name.c_str());
    ImGui::PopStyleColor();
  }
  const int offset = weekday(state.year, state.month, 1);
  const int days = days_in_month(state.year, state.month);
  for (int day = 1; day <= days; ++day) {
    const int column = (offset + day - 1) % 7;
    const float x = static_cast<float>(column) * cell + ImGui::GetStyle().WindowPadding.x;
    if (column > 0 && day > 1)
      ImGui::SameLine(x);
    else if (column > 0)
      ImGui::SetCursorPosX(x);  // the first day, on a new line under the weekday names
    const std::string iso = format_iso({state.year, state.month, day});
    ImGui::PushID(day);
    if (column == 0 || column == 6) ImGui::PushStyleColor(ImGuiCol_Text, column == 0 ? sunday : saturday);
    if (ImGui::Selectable(std::to_string(day).c_str(), iso == selected_iso, 0, ImVec2(cell - 2, cell * 0.8f)))
      picked = iso;
    probe_item(probe, "picker.day." + std::to_string(day));
    if (column == 0 || column == 6) ImGui::PopStyleColor();
    ImGui::PopID();
  }
  ImGui::PopStyleVar(2);
  return picked;
}

}  // namespace tsunagi
