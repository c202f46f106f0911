#include "app/screens/placeholder.hpp"

#include <imgui.h>

#include <string>

namespace tsunagi {

void draw_placeholder(std::string_view screen_key, const FontSet& fonts, I18n& i18n) {
  ImGui::PushFont(fonts.heading);
  ImGui::TextUnformatted(i18n.tr("nav." + std::string(screen_key)));
  ImGui::PopFont();
  ImGui::Separator();
  ImGui::Spacing();
  ImGui::TextWrapped("%s", i18n.tr("placeholder." + std::string(screen_key)));
  ImGui::Spacing();
  ImGui::TextDisabled("%s", i18n.tr("placeholder.coming_soon"));
}

}  // namespace tsunagi
