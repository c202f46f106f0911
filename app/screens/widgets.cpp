#include "app/screens/widgets.hpp"

#include <imgui_stdlib.h>

namespace tsunagi {

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

}  // namespace tsunagi
