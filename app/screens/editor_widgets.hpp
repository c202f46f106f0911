// Widgets the record editor needs beyond Dear ImGui's: a multi-line text field that wraps while typing, and a
// month grid for picking a date. Both draw only; their state lives in structs the caller keeps.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <imgui.h>

#include "app/i18n.hpp"
#include "app/screens/widgets.hpp"  // ItemProbe

namespace tsunagi {

// --- Soft wrapping -----------------------------------------------------------------------------------------------
// Dear ImGui 1.86's multi-line input does not wrap. The field therefore edits a display copy of the text in which
// each soft line break is "\r\n": ImGui breaks the line at the '\n' and neither draws nor measures the '\r', and
// no '\r' can be typed or pasted (ImGui filters it), so a '\r' always marks a soft break. After every edit the
// text is re-wrapped and the cursor kept after the same character.

// `text` (no soft breaks) with "\r\n" inserted wherever a line would grow wider than `width`, as `advance` measures
// a code point. Breaks after the last space of a line when it has one (Latin words), else between characters.
std::string soft_wrap(std::string_view text, float width, const std::function<float(char32_t)>& advance);
// `display` without its soft breaks.
std::string strip_soft_breaks(std::string_view display);

struct WrappedTextState {
  std::string display;  // what the InputText edits
  std::string shown;    // the text `display` was made from
  float width = 0.0f;   // the wrap width it was made for
};

// A multi-line text field of `size` editing `text` with soft wrapping. Returns true when `text` changed.
bool wrapped_text_field(const char* id, std::string& text, WrappedTextState& state, ImVec2 size);

// --- Date picker ---------------------------------------------------------------------------------------------------

struct DatePickerState {
  int year = 0, month = 0;  // the month shown
};

// Draws the month grid inside an open popup: "‹ 令和6年4月 ›", weekday names, the days. Returns the ISO date the
// user clicked, or an empty string. `selected_iso` is highlighted.
// With `probe`, each day's button is recorded as "picker.day.<d>".
std::string date_picker_grid(DatePickerState& state, const std::string& selected_iso, I18n& i18n,
                             ItemProbe* probe = nullptr);

}  // namespace tsunagi
