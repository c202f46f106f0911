#include "app/screens/widgets.hpp"

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

void colored_wrapped(const ImVec4& colour, std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour);
  ImGui::PushTextWrapPos(0.0f);
  text_unformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace tsunagi
