#include "app/screens/widgets.hpp"

#include <imgui_stdlib.h>

#include "model/calendar.hpp"

namespace tsunagi {

std::string display_date(const std::string& iso, const std::string& end, bool japanese) {
  auto span = stored_date_span(iso, end);
  if (!span) return iso;
  return japanese ? format_date_span(*span) : format_date_span_iso(*span);
}

void draw_heading(const char* title, const std::string& note, const FontSet& fonts) {
  const float heading_y = ImGui::GetCursorPosY();
  ImGui::PushFont(fonts.heading);
  ImGui::TextUnformatted(title);
  ImGui::PopFont();
  if (note.empty()) return;
  ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 2);
  ImGui::SetCursorPosY(heading_y + fonts.heading->Ascent - ImGui::GetFont()->Ascent);  // share the baseline
  ImGui::PushStyleColor(ImGuiCol_Text, kMutedText);
  text_unformatted(note);
  ImGui::PopStyleColor();
}

int insert_typed(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackAlways && glyph_aliases().has_typed()) {
    const std::string typed = glyph_aliases().take_typed();
    data->InsertChars(data->CursorPos, typed.data(), typed.data() + typed.size());
  }
  return 0;
}

bool input_text(const char* id, const char* hint, std::string& value, ImGuiInputTextFlags flags) {
  std::string display = shown(value);
  flags |= ImGuiInputTextFlags_CallbackAlways;
  const bool edited = hint != nullptr ? ImGui::InputTextWithHint(id, hint, &display, flags, insert_typed)
                                      : ImGui::InputText(id, &display, flags, insert_typed);
  std::string stored = glyph_aliases().from_display(display);
  const bool changed = stored != value;
  if (changed) value = std::move(stored);
  // With EnterReturnsTrue ImGui answers true only for Enter, though the text follows every keystroke.
  return (flags & ImGuiInputTextFlags_EnterReturnsTrue) != 0 ? edited : changed;
}

void probe_item(ItemProbe* probe, const std::string& name) {
  if (!probe) return;
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  (*probe)[name] = {min.x, min.y, max.x, max.y};
}

void draw_section(const char* title) {
  ImGui::Spacing();
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, kAccent);
  ImGui::TextUnformatted(title);
  ImGui::PopStyleColor();
  ImGui::Separator();
  ImGui::Spacing();
}

void colored_wrapped(const ImVec4& colour, std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::PushTextWrapPos(0.0f);
  text_unformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

std::string ellipsized(const std::string& display, float width) {
  if (ImGui::CalcTextSize(display.data(), display.data() + display.size()).x <= width) return display;
  // The longest start of the text (whole characters) that fits with the ellipsis after it.
  static constexpr std::string_view kEllipsis = "…";
  const float room = width - ImGui::CalcTextSize(kEllipsis.data(), kEllipsis.data() + kEllipsis.size()).x;
  std::size_t fits = 0;
  float used = 0.0f;  // ImGui does not kern: the widths of the characters add up
  for (std::size_t end = 0; end < display.size();) {
    std::size_t next = end + 1;
    while (next < display.size() && (static_cast<unsigned char>(display[next]) & 0xC0) == 0x80) ++next;
    used += ImGui::CalcTextSize(display.data() + end, display.data() + next).x;
    if (used > room) break;
    fits = end = next;
  }
  return display.substr(0, fits) + std::string(kEllipsis);
}

void text_tooltip(const std::string& display) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
  ImGui::TextUnformatted(display.data(), display.data() + display.size());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void text_ellipsis(std::string_view text, float width) {
  const std::string display = shown(text);
  const std::string cut = ellipsized(display, width);
  ImGui::TextUnformatted(cut.data(), cut.data() + cut.size());
  if (cut.size() != display.size() && ImGui::IsItemHovered()) text_tooltip(display);
}

}  // namespace tsunagi
