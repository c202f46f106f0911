#include "app/screens/lock.hpp"

#include <imgui.h>

namespace tsunagi {

LockActions draw_lock_screen(const LockModel& lock, LockView& view, const std::string& data_folder,
                             const FontSet& fonts, I18n& i18n, ItemProbe* probe) {
  LockActions actions;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::Begin("##lock", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  const float em = ImGui::GetFontSize();
  const float width = std::min(viewport->WorkSize.x - 4 * em, 34 * em);
  ImGui::SetCursorPos(ImVec2((viewport->WorkSize.x - width) / 2, std::max(2 * em, viewport->WorkSize.y * 0.18f)));
  // A panel of its own width, so that the section's rule and the wrapped text end where the fields do.
  ImGui::BeginChild("##lock-panel", ImVec2(width, 0), false, ImGuiWindowFlags_NoBackground);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::PushFont(fonts.heading);
  ImGui::TextUnformatted(i18n.tr("app.name"));
  ImGui::PopFont();
  ImGui::TextColored(kMutedText, "%s", i18n.tr("app.tagline"));
  ImGui::Spacing();
  const bool choosing = lock.choosing();
  draw_section(i18n.tr(choosing ? "lock.choose_heading" : "lock.heading"));
  ImGui::TextUnformatted(i18n.tr(choosing ? "lock.choose_why" : "lock.why"));
  ImGui::Spacing();

  const bool busy = lock.checking();
  ImGui::BeginDisabled(busy);
  // Nothing else on this screen takes typing: the field keeps the keyboard.
  const bool refocus = !busy && !ImGui::IsAnyItemActive();
  if (refocus && view.field == 0) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(width);
  bool entered = input_text("##passphrase", i18n.tr(choosing ? "lock.new_hint" : "lock.hint"), view.passphrase,
                            ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  probe_item(probe, "lock.passphrase");
  if (ImGui::IsItemActive()) view.field = 0;
  if (choosing) {
    // Return in the first field goes on to the second, as a form does.
    if (entered) {
      entered = false;
      view.field = 1;
    }
    if (refocus && view.field == 1) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(width);
    entered = input_text("##confirmation", i18n.tr("lock.confirm_hint"), view.confirmation,
                         ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
    probe_item(probe, "lock.confirmation");
    if (ImGui::IsItemActive()) view.field = 1;
  }
  const bool clicked = ImGui::Button(i18n.tr(choosing ? "lock.choose_button" : "lock.open_button"));
  probe_item(probe, "lock.open");
  ImGui::EndDisabled();
  if ((clicked || entered) && !busy && !view.passphrase.empty()) actions.submit = true;
  if (busy) {
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "%s", i18n.tr(choosing ? "lock.encrypting" : "lock.checking"));
  } else if (lock.trying_keyring()) {  // the passphrase may be typed meanwhile
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "%s", i18n.tr("lock.trying_keyring"));
  }
  if (lock.error()) {
    ImGui::Spacing();
    const std::string code = lock.error()->code;
    if (code == "store.passphrase" || code == "passphrase.short" || code == "passphrase.mismatch") {
      ImGui::TextColored(kErrorText, "%s", i18n.tr("lock.error." + code));
    } else if (code.rfind("keyring.", 0) == 0) {  // the login's keyring did not open it: the passphrase does
      ImGui::TextColored(kErrorText, "%s", i18n.tr("lock.error.keyring"));
      ImGui::TextColored(kMutedText, "%s", error_text(*lock.error(), i18n).c_str());
    } else
      ImGui::TextColored(kErrorText, "%s", error_text(*lock.error(), i18n).c_str());
  }
  if (!choosing) {
    ImGui::Spacing();
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, kMutedText);
    ImGui::TextUnformatted(i18n.tr("lock.forgotten"));
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();
  ImGui::TextDisabled("%s", i18n.format("lock.folder", {{"folder", data_folder}}).c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
  ImGui::End();
  return actions;
}

}  // namespace tsunagi
