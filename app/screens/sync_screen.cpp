#include "app/screens/sync_screen.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "app/screens/widgets.hpp"
#include "model/calendar.hpp"

namespace tsunagi {

namespace {

// "sync.connection.online", "sync.connection.no_network", ...
std::string connection_key(Connection connection) {
  return "sync.connection." + std::string(connection_name(connection));
}

ImVec4 connection_colour(Connection connection) {
  switch (connection) {
    case Connection::Online:
      return kGoodText;
    case Connection::Unknown:
      return kMutedText;
    case Connection::NoNetwork:
    case Connection::NotAnswering:
      return kWarningText;
    case Connection::PinMismatch:
    case Connection::Refusing:
      return kErrorText;
  }
  return kMutedText;
}

// A filled circle in `colour`, as tall as a line of text's x-height, followed by the cursor on the same line.
void status_dot(const ImVec4& colour) {
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + size * 0.4f, at.y + size * 0.55f), size * 0.26f,
                                              ImGui::ColorConvertFloat4ToU32(colour));
  ImGui::Dummy(ImVec2(size * 0.8f, size));
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
}

const char* advice_key(SyncAdvice advice) {
  switch (advice) {
    case SyncAdvice::Enroll:
      return "sync.advice.enroll";
    case SyncAdvice::CallOffice:
      return "sync.advice.call_office";
    case SyncAdvice::OpenRecord:
      return "sync.advice.open_record";
    case SyncAdvice::NoNetwork:
      return "sync.advice.no_network";
    case SyncAdvice::NotAnswering:
      return "sync.advice.not_answering";
    case SyncAdvice::Check:
      return "sync.advice.check";
    case SyncAdvice::None:
      break;
  }
  return nullptr;
}

// Label and value on one row of a two-column table.
void fact_row(const char* label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("%s", label);
  ImGui::TableSetColumnIndex(1);
  text_unformatted(value);
}

}  // namespace

std::string field_label(const std::string& path, I18n& i18n) {
  std::string field = path.rfind("/record/", 0) == 0 ? path.substr(8) : path.substr(path.empty() ? 0 : 1);
  field = field.substr(0, field.find('/'));
  const std::string key = (field == "status" || field == "kind" ? "list.column." : "editor.field.") + field;
  return i18n.tr(!field.empty() && i18n.has(key) ? std::string_view(key) : std::string_view("sync.rejection.whole"));
}

std::string rejection_reason(const Error& error, I18n& i18n) {
  // A record the collector found invalid: the validation's own words, as the editor shows them beside the field.
  if (error.code == "record.invalid")
    return i18n.language() == "ja" ? error.message_ja : error.message;
  const std::string key = "sync.rejection.reason." + error.code;
  return i18n.tr(i18n.has(key) ? std::string_view(key) : std::string_view("sync.rejection.reason.other"));
}

namespace {

std::string count_text(I18n& i18n, std::int64_t count) {
  return i18n.format("sync.count", {{"count", std::to_string(count)}});
}

// 詳細をコピー: what a developer would need (codes, paths, the library's words) goes to the clipboard for the
// office, never onto the screen.
void details_button(const Error& error, I18n& i18n, ItemProbe* probe) {
  if (ImGui::SmallButton(i18n.tr("error.copy_details")))
    ImGui::SetClipboardText((error.code + ": " + error.describe(false)).c_str());
  probe_item(probe, "error.copy_details");
}

}  // namespace

SyncActions draw_sync_screen(const SyncView& sync, const FontSet& fonts, I18n& i18n, ItemProbe* probe) {
  SyncActions actions;
  const bool japanese = i18n.language() == "ja";
  const DeviceState& device = sync.device;
  draw_heading(i18n.tr("nav.sync"), "", fonts);
  ImGui::Spacing();

  if (ImGui::BeginTable("facts", 2, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextDisabled("%s", i18n.tr("sync.connection"));
    ImGui::TableSetColumnIndex(1);
    status_dot(connection_colour(sync.connection));
    ImGui::TextUnformatted(i18n.tr(device.enrolled ? connection_key(sync.connection) : "sync.not_enrolled"));
    probe_item(probe, "sync.connection");
    if (device.enrolled) {
      fact_row(i18n.tr("sync.server"), device.server);
      fact_row(i18n.tr("sync.user"), device.user_name + " (" + i18n.tr("role." + device.role) + ")");
    }
    fact_row(i18n.tr("sync.waiting"), count_text(i18n, device.waiting));
    fact_row(i18n.tr("sync.last_success"), device.last_success.empty()
                                               ? std::string(i18n.tr("sync.never"))
                                               : format_local_timestamp(device.last_success, japanese));
    ImGui::EndTable();
  }
  ImGui::Spacing();

  ImGui::BeginDisabled(sync.running || !device.enrolled);
  if (ImGui::Button(i18n.tr(sync.running ? "sync.running" : "sync.button"),
                    ImVec2(ImGui::CalcTextSize(i18n.tr("sync.button")).x + ImGui::GetFontSize() * 4, 0)))
    actions.sync_now = true;
  probe_item(probe, "sync.button");
  ImGui::EndDisabled();
  if (!device.enrolled) {
    ImGui::SameLine();
    if (ImGui::Button(i18n.tr("sync.open_settings"))) actions.open_settings = true;
  }

  if (sync.running) {
    ImGui::Spacing();
    const sync::SyncProgress& p = sync.progress;
    const bool pushing = p.phase == sync::SyncPhase::Pushing;
    const std::int64_t to_send = p.records_sent + p.waiting;
    // Sending has a known end; receiving does not (the collector pages until nothing is left): that bar sweeps.
    const float fraction = pushing && to_send > 0 ? static_cast<float>(p.records_sent) / static_cast<float>(to_send)
                                                  : static_cast<float>(std::fmod(ImGui::GetTime() * 0.5, 1.0));
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, kAccent);
    ImGui::ProgressBar(fraction, ImVec2(-1, 0), i18n.tr(pushing ? "sync.phase.pushing" : "sync.phase.pulling"));
    ImGui::PopStyleColor();
    ImGui::TextDisabled("%s", i18n.format("sync.progress", {{"sent", std::to_string(p.records_sent)},
                                                            {"received", std::to_string(p.records_received)},
                                                            {"waiting", std::to_string(p.waiting)},
                                                            {"kib_out", std::to_string(p.bytes_sent / 1024)},
                                                            {"kib_in", std::to_string(p.bytes_received / 1024)}})
                                  .c_str());
  } else if (sync.result == sync::SyncResult::Done) {
    ImGui::Spacing();
    colored_wrapped(kGoodText, i18n.format("sync.done", {{"sent", std::to_string(sync.progress.records_sent)},
                                                         {"received", std::to_string(sync.progress.records_received)}}));
  }

  // What went wrong, and what to do next.
  const SyncAdvice advice = sync.advice != SyncAdvice::None ? sync.advice
                            : !device.enrolled              ? SyncAdvice::Enroll
                            : device.rejections.empty()     ? SyncAdvice::None
                                                            : SyncAdvice::OpenRecord;
  if (const char* key = advice_key(advice)) {
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
    const bool waiting = advice == SyncAdvice::NoNetwork || advice == SyncAdvice::NotAnswering;
    colored_wrapped(waiting ? kWarningText : kErrorText, i18n.tr(key));
    probe_item(probe, "sync.advice");
    if (sync.error && advice == SyncAdvice::Check) {
      colored_wrapped(kMutedText, error_text(*sync.error, i18n));
      details_button(*sync.error, i18n, probe);
    }
  }
  if (device.store_error) {
    colored_wrapped(kErrorText, error_text(*device.store_error, i18n));
    details_button(*device.store_error, i18n, probe);
  }

  if (!device.rejections.empty()) {
    ImGui::Spacing();
    ImGui::TextUnformatted(i18n.tr("sync.rejections"));
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("rejections", 4, flags)) {
      ImGui::TableSetupColumn(i18n.tr("sync.rejection.record"), ImGuiTableColumnFlags_WidthStretch, 3.0f);
      ImGui::TableSetupColumn(i18n.tr("sync.rejection.field"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
      ImGui::TableSetupColumn(i18n.tr("sync.rejection.reason"), ImGuiTableColumnFlags_WidthStretch, 3.0f);
      ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
      ImGui::TableHeadersRow();
      for (std::size_t i = 0; i < device.rejections.size(); ++i) {
        const SyncRejection& rejection = device.rejections[i];
        const std::string title = i < device.rejected_titles.size() ? device.rejected_titles[i] : "";
        ImGui::PushID(static_cast<int>(i));
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        text_unformatted(title.empty() ? rejection.record_id : title);
        ImGui::TableSetColumnIndex(1);
        text_unformatted(field_label(rejection.error.path, i18n));
        ImGui::TableSetColumnIndex(2);
        const std::string reason = rejection_reason(rejection.error, i18n);
        ImGui::PushTextWrapPos(0.0f);
        text_unformatted(reason);
        ImGui::PopTextWrapPos();
        ImGui::TableSetColumnIndex(3);
        if (ImGui::SmallButton(i18n.tr("sync.rejection.open"))) {
          actions.open_id = rejection.record_id;
          actions.open_field = rejection.error.path;
          actions.open_message = field_label(rejection.error.path, i18n) + ": " + reason;
        }
        probe_item(probe, "sync.open." + std::to_string(i));
        ImGui::PopID();
      }
      ImGui::EndTable();
    }
  }
  return actions;
}

void draw_sync_status(const SyncView& sync, I18n& i18n, float scale) {
  const DeviceState& device = sync.device;
  status_dot(connection_colour(sync.connection));
  ImGui::TextUnformatted(i18n.tr(device.enrolled ? connection_key(sync.connection) : "sync.not_enrolled"));
  ImGui::SameLine(0, 20.0f * scale);
  if (sync.running) {
    ImGui::TextUnformatted(i18n.format("statusbar.syncing", {{"sent", std::to_string(sync.progress.records_sent)},
                                                             {"received",
                                                              std::to_string(sync.progress.records_received)}})
                               .c_str());
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, device.waiting > 0 ? kWarningText : kMutedText);
    ImGui::TextUnformatted(i18n.format("statusbar.waiting", {{"count", std::to_string(device.waiting)}}).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::SameLine(0, 20.0f * scale);
  ImGui::TextDisabled(
      "%s", i18n.format("statusbar.last_sync",
                        {{"when", device.last_success.empty()
                                      ? std::string(i18n.tr("sync.never"))
                                      : format_local_timestamp(device.last_success, i18n.language() == "ja")}})
                .c_str());
}

}  // namespace tsunagi
