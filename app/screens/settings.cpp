#include "app/screens/settings.hpp"

#include <imgui.h>

#include <cmath>
#include <cstring>
#include <iterator>

#include "app/screens/widgets.hpp"

namespace tsunagi {

namespace {

constexpr const char* kFontScaleKeys[] = {"settings.size.small", "settings.size.standard", "settings.size.large",
                                          "settings.size.largest"};
static_assert(std::size(kFontScaleKeys) == std::size(kFontScales));

}  // namespace

SettingsActions draw_settings(const SyncView& sync, SettingsView& view, float font_scale, int lock_minutes,
                              const KeyringState& keyring, const std::string& data_folder, const FontSet& fonts,
                              I18n& i18n, ItemProbe* probe) {
  SettingsActions actions;
  const bool japanese = i18n.language() == "ja";
  const DeviceState& device = sync.device;
  draw_heading(i18n.tr("nav.settings"), "", fonts);

  draw_section(i18n.tr("settings.enrollment"));
  if (device.enrolled) {
    colored_wrapped(kGoodText, i18n.format("settings.enrolled_as", {{"user", device.user_name},
                                                                    {"role", i18n.tr("role." + device.role)},
                                                                    {"server", device.server}}));
    ImGui::TextDisabled("%s", i18n.format("settings.device", {{"device", device.device_id}}).c_str());
    ImGui::Spacing();
    ImGui::TextDisabled("%s", i18n.tr("settings.enroll_again"));
  } else {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(i18n.tr("settings.enroll_how"));
    ImGui::PopTextWrapPos();
  }
  if (view.focus_line) {
    ImGui::SetKeyboardFocusHere();
    view.focus_line = false;
  }
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize(i18n.tr("settings.enroll_button")).x - ImGui::GetFontSize() * 3);
  const bool entered =
      input_text("##line", i18n.tr("settings.enroll_hint"), view.enrollment_line, ImGuiInputTextFlags_EnterReturnsTrue);
  probe_item(probe, "settings.line");
  ImGui::SameLine();
  const bool has_line = !view.enrollment_line.empty();
  ImGui::BeginDisabled(sync.enrolling || !has_line);
  if ((ImGui::Button(i18n.tr("settings.enroll_button")) || entered) && has_line && !sync.enrolling) {
    actions.enroll_line = view.enrollment_line;
    view.sent_line = view.enrollment_line;
  }
  probe_item(probe, "settings.enroll");
  ImGui::EndDisabled();
  if (sync.enrolling) ImGui::TextDisabled("%s", i18n.tr("settings.enrolling"));
  if (sync.enroll_error) {
    colored_wrapped(kErrorText, i18n.tr("settings.enroll_failed"));
    colored_wrapped(kMutedText, error_text(*sync.enroll_error, i18n));
    probe_item(probe, "settings.enroll_error");
  } else if (sync.enrolled_now) {
    colored_wrapped(kGoodText, i18n.tr("settings.enroll_done"));
    // Its code is spent: the line leaves the box, and the button waits for a new one.
    if (!sync.enrolling && view.enrollment_line == view.sent_line) view.enrollment_line.clear();
  }

  draw_section(i18n.tr("settings.language"));
  if (ImGui::RadioButton(i18n.tr("settings.language.ja"), japanese) && !japanese) actions.language = "ja";
  probe_item(probe, "settings.language.ja");
  ImGui::SameLine(0, ImGui::GetFontSize() * 2);
  if (ImGui::RadioButton(i18n.tr("settings.language.en"), !japanese) && japanese) actions.language = "en";
  probe_item(probe, "settings.language.en");

  draw_section(i18n.tr("settings.text_size"));
  for (std::size_t i = 0; i < std::size(kFontScales); ++i) {
    if (i > 0) ImGui::SameLine();
    const bool current = std::fabs(font_scale - kFontScales[i]) < 0.01f;
    if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_HeaderActive));
    if (ImGui::Button(i18n.tr(kFontScaleKeys[i]), ImVec2(ImGui::GetFontSize() * 4.5f, 0)) && !current)
      actions.font_scale = kFontScales[i];
    if (current) ImGui::PopStyleColor();
  }
  ImGui::TextDisabled("%s", i18n.tr("settings.text_size_keys"));

  draw_section(i18n.tr("settings.lock"));
  ImGui::TextUnformatted(i18n.tr("settings.lock_after"));
  for (std::size_t i = 0; i < std::size(kLockMinutes); ++i) {
    if (i > 0) ImGui::SameLine();
    const int minutes = kLockMinutes[i];
    const std::string label = minutes == 0
                                  ? std::string(i18n.tr("settings.lock_never"))
                                  : i18n.format("settings.lock_minutes", {{"minutes", std::to_string(minutes)}});
    if (ImGui::RadioButton(label.c_str(), lock_minutes == minutes) && lock_minutes != minutes)
      actions.lock_minutes = minutes;
    probe_item(probe, "settings.lock." + std::to_string(minutes));
  }
  if (ImGui::Button(i18n.tr("settings.lock_now"))) actions.lock_now = true;
  probe_item(probe, "settings.lock_now");
  ImGui::Spacing();
  bool keyring_on = keyring.on;
  ImGui::BeginDisabled(!keyring.known || keyring.busy);
  if (ImGui::Checkbox(i18n.tr("settings.keyring"), &keyring_on)) actions.keyring = keyring_on;
  probe_item(probe, "settings.keyring");
  ImGui::EndDisabled();
  if (keyring.busy) {
    ImGui::SameLine();
    ImGui::TextColored(kMutedText, "%s", i18n.tr("settings.keyring_busy"));
  }
  colored_wrapped(kMutedText, i18n.format("settings.keyring_why",
                                          {{"store", i18n.tr(std::string("keyring.store.") + keyring.store)}}));
  if (keyring.error) {
    colored_wrapped(kErrorText, i18n.tr("settings.keyring_failed"));
    colored_wrapped(kMutedText, error_text(*keyring.error, i18n));
  }

  draw_section(i18n.tr("settings.data"));
  ImGui::TextDisabled("%s", i18n.tr("settings.data_folder"));
  text_unformatted(data_folder);
  return actions;
}

}  // namespace tsunagi
