#include "app/screens/reports.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "model/calendar.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

const ImVec4 kBarCurrent{0.145f, 0.420f, 0.431f, 1.0f};  // the accent: this year's actual
const ImVec4 kBarShort{0.80f, 0.48f, 0.20f, 1.0f};       // this year's actual, target not reached
const ImVec4 kBarEarlier{0.74f, 0.77f, 0.79f, 1.0f};     // the years before
const ImVec4 kTargetLine{0.70f, 0.18f, 0.15f, 1.0f};
const ImVec4 kHeatEmpty{0.965f, 0.969f, 0.973f, 1.0f};

ImU32 colour(const ImVec4& c) { return ImGui::GetColorU32(c); }

ImVec4 mix(const ImVec4& a, const ImVec4& b, float t) {
  return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, 1.0f};
}

void choose(ReportsView& view, std::string label, std::vector<std::string> records) {
  view.chosen_label = std::move(label);
  view.chosen_records = std::move(records);
  view.chosen_indicator.clear();
}

// The fiscal year, council and provisional switch. Returns the scope asked for when it changed.
std::optional<ReportScope> draw_scope(const ReportModel& model, const ReportsView& view, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  ReportScope scope = model.scope();
  bool changed = false;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(i18n.tr("report.fiscal_year"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("令和10年度").x + ImGui::GetFrameHeight() * 2);
  // The recent years, and every year the records or the plan's projects and work items name.
  std::vector<int> years = view.years;
  if (model.results()) years.insert(years.end(), model.results()->years.begin(), model.results()->years.end());
  years.erase(std::remove(years.begin(), years.end(), 0), years.end());
  std::sort(years.rbegin(), years.rend());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  if (ImGui::BeginCombo("##year", fiscal_year_text(scope.fiscal_year, !japanese).c_str(), ImGuiComboFlags_HeightLarge)) {
    for (int year : years)
      if (ImGui::Selectable(fiscal_year_text(year, !japanese).c_str(), year == scope.fiscal_year)) {
        scope.fiscal_year = year;
        changed = true;
      }
    ImGui::EndCombo();
  }
  if (model.results() && model.results()->reference.councils.size() > 1) {
    const ReferenceData& reference = model.results()->reference;
    ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
    ImGui::TextUnformatted(i18n.tr("report.council"));
    ImGui::SameLine();
    const std::string current =
        scope.council.empty() ? i18n.tr("report.council.all") : reference.name_of(ReferenceKind::Council, scope.council, !japanese);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
    if (ImGui::BeginCombo("##council", shown(current).c_str())) {
      if (ImGui::Selectable(i18n.tr("report.council.all"), scope.council.empty())) {
        scope.council.clear();
        changed = true;
      }
      for (const Council& council : reference.councils)
        if (ImGui::Selectable(shown(display_name(council, japanese)).c_str(), council.id == scope.council)) {
          scope.council = council.id;
          changed = true;
        }
      ImGui::EndCombo();
    }
  }
  ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
  changed |= ImGui::Checkbox(i18n.tr("report.provisional"), &scope.provisional);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", i18n.tr("report.provisional.hint"));
  if (model.loading()) {
    ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
    ImGui::TextDisabled("%s", i18n.tr("report.computing"));
  }
  return changed ? std::optional<ReportScope>(scope) : std::nullopt;
}

// This year's actual (and the years before, thinner and grey) as bars against the target's line, in a cell
// `width` wide; the figures in a tooltip.
void draw_indicator_bars(const IndicatorRow& row, float width, float height, bool japanese) {
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));  // not a button: the row's selectable takes the click
  double top = row.current.target.value_or(0);
  std::vector<const IndicatorFigure*> figures;
  for (const IndicatorFigure& figure : row.earlier) figures.push_back(&figure);
  figures.push_back(&row.current);
  for (const IndicatorFigure* figure : figures) top = std::max(top, figure->actual.value_or(0));
  if (top <= 0) top = 1;
  top *= 1.15;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float gap = 2.0f;
  const float bar = std::max(3.0f, (height - gap * static_cast<float>(figures.size() + 1)) / static_cast<float>(figures.size()));
  float y = origin.y + gap;
  for (const IndicatorFigure* figure : figures) {
    const bool current = figure == &row.current;
    const float length = static_cast<float>(figure->actual.value_or(0) / top) * width;
    const ImVec4& fill = !current ? kBarEarlier : figure->achieved.value_or(true) ? kBarCurrent : kBarShort;
    if (length > 0) draw->AddRectFilled(ImVec2(origin.x, y), ImVec2(origin.x + length, y + bar), colour(fill), 2.0f);
    y += bar + gap;
  }
  if (row.current.target) {
    const float x = origin.x + static_cast<float>(*row.current.target / top) * width;
    draw->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + height), colour(kTargetLine), 2.0f);
  }
  if (ImGui::IsMouseHoveringRect(origin, ImVec2(origin.x + width, origin.y + height))) {
    std::string tip;
    for (const IndicatorFigure* figure : figures) {
      char value[32] = "—";
      if (figure->actual) std::snprintf(value, sizeof value, "%g", *figure->actual);
      tip += (tip.empty() ? "" : "\n") + fiscal_year_text(figure->fiscal_year, !japanese) + "  " + value;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
}

// A figure no record holds, typed by a supervisor for the indicator chosen: a synced entry of its council.
std::optional<ReportEntryDraft> draw_actual_entry(const ReportResults& results, ReportsView& view, I18n& i18n) {
  if (!view.can_edit || view.chosen_indicator.empty()) return std::nullopt;
  std::string council = results.scope.council;
  if (council.empty() && results.reference.councils.size() == 1) council = results.reference.councils.front().id;
  ImGui::Spacing();
  if (council.empty()) {  // an entry belongs to one council
    colored_wrapped(kMutedText, i18n.tr("report.actual.choose_council"));
    return std::nullopt;
  }
  ImGui::AlignTextToFramePadding();
  text_unformatted(i18n.format("report.actual.label", {{"what", view.chosen_label}}));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  input_text("##actual", nullptr, view.actual_text);
  probe_item(view.probe, "report.actual");
  ImGui::SameLine();
  const bool pressed = ImGui::Button(i18n.tr("report.actual.save"));
  probe_item(view.probe, "report.actual.save");
  const std::optional<double> value = parse_figure(view.actual_text);  // full-width digits as typed from the seeds
  const bool valid = value.has_value();
  if (!valid && !view.actual_text.empty()) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    text_unformatted(i18n.tr("report.actual.not_a_number"));
    ImGui::PopStyleColor();
  }
  if (!pressed || !valid) return std::nullopt;
  return ReportEntryDraft{council, results.scope.fiscal_year, std::string(kActualEntry), view.chosen_indicator,
                          {{"value", *value}}};
}

std::optional<ReportEntryDraft> draw_indicators(const ReportResults& results, ReportsView& view, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  const IndicatorReport& report = results.indicators;
  if (report.indicators.empty()) {
    colored_wrapped(kMutedText, i18n.tr("report.indicators.none"));
    return std::nullopt;
  }
  // The legend: what the bars and the line are.
  const float swatch = ImGui::GetTextLineHeight() * 0.7f;
  auto legend = [&](const ImVec4& c, const char* key, bool line) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float y = at.y + (ImGui::GetTextLineHeight() - swatch) * 0.5f;
    if (line)
      ImGui::GetWindowDrawList()->AddLine(ImVec2(at.x + swatch * 0.5f, y - 2), ImVec2(at.x + swatch * 0.5f, y + swatch + 2), colour(c), 2.0f);
    else
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, y), ImVec2(at.x + swatch, y + swatch), colour(c), 2.0f);
    ImGui::Dummy(ImVec2(swatch, swatch));
    ImGui::SameLine();
    ImGui::TextDisabled("%s", i18n.tr(key));
    ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
  };
  legend(kBarCurrent, "report.legend.current", false);
  legend(kBarEarlier, "report.legend.earlier", false);
  legend(kTargetLine, "report.legend.target", true);
  ImGui::NewLine();

  const ReportSheet sheet = indicator_sheet(report, !japanese);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX;
  if (!ImGui::BeginTable("indicators", 6, flags)) return std::nullopt;
  ImGui::TableSetupColumn(i18n.tr("report.column.indicator"), ImGuiTableColumnFlags_WidthStretch, 2.2f);
  ImGui::TableSetupColumn(i18n.tr("report.column.target"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 6);
  ImGui::TableSetupColumn(i18n.tr("report.column.actual"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.5f);
  ImGui::TableSetupColumn(i18n.tr("report.column.rate"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4);
  ImGui::TableSetupColumn(i18n.tr("report.column.result"), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.5f);
  ImGui::TableSetupColumn(i18n.tr("report.column.chart"), ImGuiTableColumnFlags_WidthStretch, 1.6f);
  ImGui::TableHeadersRow();
  const float row_height = ImGui::GetTextLineHeight() * 2.2f;
  for (std::size_t i = 0; i < report.indicators.size(); ++i) {
    const IndicatorRow& row = report.indicators[i];
    const std::vector<std::string>& cells = sheet.rows[i];  // name, unit, comparison, target, actual, rate, result
    ImGui::TableNextRow(0, row_height);
    ImGui::PushID(static_cast<int>(i));
    ImGui::TableNextColumn();
    const bool chosen = view.chosen_label == cells[0];
    if (ImGui::Selectable("##row", chosen, ImGuiSelectableFlags_SpanAllColumns, ImVec2(0, row_height))) {
      choose(view, cells[0], row.current.records);
      view.chosen_indicator = row.id;
      view.actual_text = row.current.hand_entered ? cells[4] : "";
    }
    probe_item(view.probe, "report.indicator." + row.id);
    ImGui::SameLine(0, 0);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x);
    text_unformatted(cells[0]);
    ImGui::PopTextWrapPos();
    ImGui::TableNextColumn();
    if (!cells[3].empty()) text_unformatted(cells[3] + cells[1] + " " + cells[2]);
    ImGui::TableNextColumn();
    if (!cells[4].empty()) text_unformatted(cells[4] + cells[1]);
    if (row.current.hand_entered) {
      ImGui::SameLine(0, 2);
      ImGui::TextDisabled("*");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", shown(cells.back()).c_str());
    }
    ImGui::TableNextColumn();
    text_unformatted(cells[5]);
    ImGui::TableNextColumn();
    if (row.current.achieved) {
      ImGui::PushStyleColor(ImGuiCol_Text, *row.current.achieved ? kGoodText : kWarningText);
      text_unformatted(cells[6]);
      ImGui::PopStyleColor();
    }
    ImGui::TableNextColumn();
    if (row.current.target)
      draw_indicator_bars(row, ImGui::GetContentRegionAvail().x, row_height - 4, japanese);
    else  // bars of different figures against nothing would all read alike
      ImGui::TextDisabled("%s", i18n.tr("report.no_target"));
    ImGui::PopID();
  }
  ImGui::EndTable();
  return draw_actual_entry(results, view, i18n);
}

void draw_committee(const ReportResults& results, ReportsView& view, I18n& i18n) {
  const CommitteeReport& report = results.committee;
  if (report.committees.empty()) {
    colored_wrapped(kMutedText, i18n.tr("report.committee.none"));
    return;
  }
  const float indent = ImGui::GetFontSize() * 1.5f;
  for (const CommitteeSection& section : report.committees) {
    draw_section(shown(section.name).c_str());
    for (const CommitteeWorkItem& item : section.work_items) {
      ImGui::PushID(item.id.c_str());
      text_unformatted(item.number.empty() ? item.name : item.number + "．" + item.name);
      ImGui::Indent(indent);
      if (item.activities.empty()) ImGui::TextDisabled("%s", i18n.tr("report.committee.no_activity"));
      for (std::size_t i = 0; i < item.activities.size(); ++i) {
        const CommitteeActivity& activity = item.activities[i];
        const std::string line = activity_line(activity);
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::Selectable(shown(line).c_str(), view.chosen_label == line)) choose(view, line, activity.records);
        ImGui::PopID();
      }
      ImGui::Unindent(indent);
      ImGui::PopID();
    }
  }
}

void draw_themes(const ReportResults& results, ReportsView& view, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  const ThemeReport& report = results.themes;
  const ReferenceData& reference = results.reference;
  if (report.themes.empty() || report.areas.empty()) {
    colored_wrapped(kMutedText, i18n.tr("report.themes.none"));
    return;
  }
  std::size_t most = 1;
  for (const ThemeCell& cell : report.cells) most = std::max(most, cell.records.size());
  // The areas share the width left beside the themes' column, each at least wide enough for 市基幹; more areas than
  // fit scroll sideways, the themes staying in view.
  const ImVec2 padding(2.0f, 1.0f);
  const float theme_width = ImGui::GetFontSize() * 13;
  const float columns_width = ImGui::GetContentRegionAvail().x - theme_width - ImGui::GetStyle().ScrollbarSize;
  const float cell_width = std::max(ImGui::CalcTextSize("市基幹").x + 12,
                                    columns_width / static_cast<float>(report.areas.size()) - padding.x * 2 - 1);
  const float cell_height = ImGui::GetFrameHeight();
  const int columns = static_cast<int>(report.areas.size()) + 1;
  const float row_height = cell_height + padding.y * 2 + 1;
  const float table_height = ImGui::GetTextLineHeight() + padding.y * 2 + 1 +
                             static_cast<float>(report.themes.size()) * row_height + ImGui::GetStyle().ScrollbarSize + 2;
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_BordersInner | ImGuiTableFlags_SizingFixedFit;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, padding);
  const bool open = ImGui::BeginTable("themes", columns, flags, ImVec2(0, table_height));
  ImGui::PopStyleVar();
  if (!open) return;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn(i18n.tr("report.column.theme"), ImGuiTableColumnFlags_WidthFixed, theme_width);
  for (const std::string& area : report.areas)
    ImGui::TableSetupColumn(shown(reference.name_of(ReferenceKind::Area, area, !japanese)).c_str(),
                            ImGuiTableColumnFlags_WidthFixed, cell_width);
  ImGui::TableHeadersRow();
  for (const std::string& theme : report.themes) {
    ImGui::TableNextRow(0, cell_height);
    ImGui::TableNextColumn();
    const std::string theme_name = reference.name_of(ReferenceKind::Theme, theme, !japanese);
    ImGui::AlignTextToFramePadding();
    text_ellipsis(theme + " " + theme_name, ImGui::GetContentRegionAvail().x);
    for (const std::string& area : report.areas) {
      ImGui::TableNextColumn();
      auto found = std::find_if(report.cells.begin(), report.cells.end(),
                                [&](const ThemeCell& c) { return c.theme == theme && c.area == area; });
      const std::size_t count = found == report.cells.end() ? 0 : found->records.size();
      const ImVec2 at = ImGui::GetCursorScreenPos();
      const ImVec2 size(ImGui::GetContentRegionAvail().x, cell_height);
      ImGui::PushID((theme + "/" + area).c_str());
      const bool clicked = ImGui::InvisibleButton("##cell", size);
      probe_item(view.probe, "report.cell." + theme + "." + area);
      ImGui::PopID();
      const float t = count == 0 ? 0.0f : 0.25f + 0.75f * static_cast<float>(count) / static_cast<float>(most);
      const ImVec4 fill = count == 0 ? kHeatEmpty : mix(kHeatEmpty, kAccent, t);
      ImDrawList* draw = ImGui::GetWindowDrawList();
      draw->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), colour(fill));
      if (ImGui::IsItemHovered() && count > 0)
        draw->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), colour(kTargetLine), 0, 0, 2.0f);
      const std::string number = std::to_string(count);
      const ImVec2 text_size = ImGui::CalcTextSize(number.c_str());
      draw->AddText(ImVec2(at.x + (size.x - text_size.x) * 0.5f, at.y + (size.y - text_size.y) * 0.5f),
                    colour(t > 0.55f ? ImVec4(1, 1, 1, 1) : count == 0 ? kMutedText : ImGui::GetStyleColorVec4(ImGuiCol_Text)),
                    number.c_str());
      if (clicked && count > 0)
        choose(view, theme_name + " × " + found->area_name, found->records);
    }
  }
  ImGui::EndTable();
}

// "平成26年度 相談件数 25272件 → 平成29年度 43669件": a figure of the plan, its baseline and target.
std::string plan_figure(const nlohmann::json& figure, bool japanese) {
  auto part = [&](const char* value, const char* year) {
    std::string text;
    if (auto y = figure.find(year); y != figure.end() && y->is_number_integer()) text = fiscal_year_text(y->get<int>(), !japanese) + " ";
    if (auto v = figure.find(value); v != figure.end() && v->is_number()) {
      char number[32];
      std::snprintf(number, sizeof number, "%g", v->get<double>());
      text += number + figure.value("unit", std::string());
    }
    return text;
  };
  return figure.value("name", std::string()) + "  " + part("baseline", "baseline_year") + " → " + part("target", "target_year");
}

// A project's evaluation being written: the status a–d and the four texts. Returns true when 保存 was pressed.
bool draw_progress_editor(ProgressEdit& edit, ItemProbe* probe, I18n& i18n) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(i18n.tr("report.progress.status"));
  for (const char* status : {"a", "b", "c", "d"}) {
    ImGui::SameLine();
    if (ImGui::RadioButton(status, edit.status == status)) edit.status = status;
    probe_item(probe, std::string("report.progress.status.") + status);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", progress_status_text(status, i18n.language() != "ja").c_str());
  }
  const float width = ImGui::GetContentRegionAvail().x;
  const std::array<std::pair<const char*, std::string*>, 4> texts{{{"work_done", &edit.work_done},
                                                                   {"figures_actual", &edit.figures_actual},
                                                                   {"analysis", &edit.analysis},
                                                                   {"next_plan", &edit.next_plan}}};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto& [field, value] = texts[i];
    ImGui::TextDisabled("%s", i18n.tr("report.progress." + std::string(field)));
    const float lines = std::string(field) == "figures_actual" ? 2.0f : 4.0f;
    const float height = ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2.0f;
    wrapped_text_field(("##" + std::string(field)).c_str(), *value, edit.wrapped[i], ImVec2(width, height));
    probe_item(probe, "report.progress." + std::string(field));
  }
  const bool save = ImGui::Button(i18n.tr("report.progress.save"));
  probe_item(probe, "report.progress.save");
  return save;
}

// The progress management table: per project its plan, the work done (from the records, or as written), status,
// figures, analysis and next year's plan; a supervisor evaluates it, every version kept as its history.
std::optional<ReportEntryDraft> draw_progress(const ReportResults& results, ReportsView& view, I18n& i18n) {
  std::optional<ReportEntryDraft> save;
  const bool japanese = i18n.language() == "ja";
  const ProgressReport& report = results.progress;
  if (report.rows.empty()) {
    colored_wrapped(kMutedText, i18n.tr("report.progress.none"));
    return save;
  }
  const float indent = ImGui::GetFontSize() * 1.5f;
  for (const ProgressRow& row : report.rows) {
    ImGui::PushID(row.project.c_str());
    std::string name = row.number + "　" + row.name;
    if (row.category == "new") name += i18n.tr("report.progress.new");
    if (row.category == "expanded") name += i18n.tr("report.progress.expanded");
    draw_section(shown(name).c_str());
    if (!row.status.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, row.status == "a" || row.status == "b" ? kGoodText : kWarningText);
      text_unformatted(std::string(i18n.tr("report.progress.status")) + " " + progress_status_text(row.status, !japanese));
      ImGui::PopStyleColor();
    } else {
      ImGui::TextDisabled("%s", i18n.tr("report.progress.not_evaluated"));
    }
    if (!row.entered_by.empty()) {
      ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
      ImGui::TextDisabled("%s", shown(i18n.format("report.progress.entered",
                                                  {{"who", row.entered_by},
                                                   {"when", format_local_timestamp(row.entered_at, japanese)},
                                                   {"versions", std::to_string(row.history.size())}}))
                                    .c_str());
    }
    const bool editing = view.editing && view.editing->project == row.project;
    if (view.can_edit && !editing) {
      ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
      if (ImGui::SmallButton(i18n.tr("report.progress.edit"))) {
        view.editing = ProgressEdit{row.project, row.council, row.status, row.work_done, row.figures_actual,
                                    row.analysis, row.next_plan, {}, row.work_done_entered ? "" : row.work_done};
      }
      probe_item(view.probe, "report.progress.edit." + row.project);
    }
    ImGui::Indent(indent);
    if (!row.summary.empty()) colored_wrapped(kMutedText, row.summary);
    for (const nlohmann::json& figure : row.figures)
      if (figure.is_object()) colored_wrapped(kMutedText, std::string(i18n.tr("report.progress.figure")) + " " + plan_figure(figure, japanese));
    if (editing) {
      if (draw_progress_editor(*view.editing, view.probe, i18n)) {
        const ProgressEdit& edit = *view.editing;
        // Work done left as the records give it stays theirs: it follows the records approved later.
        const std::string work_done = !edit.prefilled.empty() && edit.work_done == edit.prefilled ? "" : edit.work_done;
        save = ReportEntryDraft{edit.council, report.fiscal_year, std::string(kProgressEntry), edit.project,
                                {{"status", edit.status}, {"work_done", work_done},
                                 {"figures_actual", edit.figures_actual}, {"analysis", edit.analysis},
                                 {"next_plan", edit.next_plan}}};
      }
      ImGui::SameLine();
      if (ImGui::Button(i18n.tr("report.progress.cancel"))) view.editing.reset();
    } else {
      const std::pair<const char*, const std::string*> parts[] = {{"work_done", &row.work_done},
                                                                  {"figures_actual", &row.figures_actual},
                                                                  {"analysis", &row.analysis},
                                                                  {"next_plan", &row.next_plan}};
      for (const auto& [field, text] : parts) {
        if (text->empty()) continue;
        std::string label = i18n.tr("report.progress." + std::string(field));
        if (std::string(field) == "work_done" && !row.work_done_entered) label += i18n.tr("report.progress.from_records");
        ImGui::TextDisabled("%s", label.c_str());
        ImGui::PushTextWrapPos(0.0f);
        text_unformatted(*text);
        ImGui::PopTextWrapPos();
      }
      const std::vector<std::string> ids = activity_records(row.activities);
      if (!ids.empty() &&
          ImGui::SmallButton(i18n.format("report.progress.records", {{"count", std::to_string(ids.size())}}).c_str()))
        choose(view, row.name, ids);
    }
    if (!row.history.empty()) {
      const bool open = view.history_open.count(row.project) > 0;
      if (ImGui::SmallButton(i18n.format(open ? "report.progress.history_hide" : "report.progress.history",
                                         {{"count", std::to_string(row.history.size())}})
                                 .c_str())) {
        if (open)
          view.history_open.erase(row.project);
        else
          view.history_open.insert(row.project);
      }
      if (open)
        for (auto version = row.history.rbegin(); version != row.history.rend(); ++version) {
          std::string line = format_local_timestamp(version->time, japanese) + "  " + version->author;
          if (!version->device_name.empty()) line += "（" + version->device_name + "）";
          const std::string status = version->fields.value("status", std::string());
          if (!status.empty()) line += "  " + progress_status_text(status, !japanese);
          colored_wrapped(kMutedText, line);
        }
    }
    ImGui::Unindent(indent);
    ImGui::PopID();
  }
  return save;
}

// The records behind the figure chosen: date, kind and title (a click opens it), and what was done, its aim and its
// results.
std::optional<std::string> draw_chosen(const ReportModel& model, ReportsView& view, I18n& i18n) {
  std::optional<std::string> open;
  if (view.chosen_label.empty()) return open;
  const bool japanese = i18n.language() == "ja";
  draw_section(shown(i18n.format("report.records", {{"what", view.chosen_label},
                                                    {"count", std::to_string(view.chosen_records.size())}}))
                   .c_str());
  const float indent = ImGui::GetFontSize() * 1.5f;
  for (const std::string& id : view.chosen_records) {
    const Record* record = model.record(id);
    if (!record) continue;
    ImGui::PushID(id.c_str());
    const std::string line = display_date(record->date, record->date_end, japanese) + "  " +
                             i18n.tr("kind." + std::string(enum_name(record->kind))) + "  " + record->title;
    if (ImGui::Selectable(shown(line).c_str())) open = id;
    ImGui::Indent(indent);
    const std::pair<const char*, const std::string*> parts[] = {
        {"report.record.content", &record->content}, {"report.record.purpose", &record->purpose},
        {"report.record.outcome", &record->outcome}};
    for (const auto& [key, text] : parts)
      if (!text->empty()) colored_wrapped(kMutedText, std::string(i18n.tr(key)) + ": " + *text);
    ImGui::Unindent(indent);
    ImGui::PopID();
  }
  return open;
}

}  // namespace

ReportsActions draw_reports(const ReportModel& model, ReportsView& view, const FontSet& fonts, I18n& i18n) {
  ReportsActions actions;
  const bool japanese = i18n.language() == "ja";
  std::string note;
  if (model.results()) {
    note = fiscal_year_text(model.results()->scope.fiscal_year, !japanese);
    if (model.results()->scope.provisional) note += "  " + std::string(i18n.tr("report.provisional.note"));
  }
  draw_heading(i18n.tr("report.title"), note, fonts);
  ImGui::Spacing();
  actions.scope = draw_scope(model, view, i18n);
  if (model.results()) {
    ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 3);
    actions.export_workbook = ImGui::Button(i18n.tr("report.export"));
    probe_item(view.probe, "report.export");
  }
  ImGui::Spacing();
  if (model.error()) colored_wrapped(kErrorText, error_text(*model.error(), i18n));
  if (!model.results()) {
    if (!model.error()) ImGui::TextDisabled("%s", i18n.tr("report.computing"));
    return actions;
  }
  const ReportResults& results = *model.results();
  if (ImGui::BeginTabBar("reports")) {
    const std::pair<ReportTab, const char*> tabs[] = {{ReportTab::Indicators, "indicators"},
                                                      {ReportTab::Progress, "progress"},
                                                      {ReportTab::Committee, "committee"},
                                                      {ReportTab::Themes, "themes"}};
    for (const auto& [tab, key] : tabs) {
      const bool select = view.select_tab == tab;
      const std::string label = std::string(i18n.tr("report.tab." + std::string(key))) + "###" + key;
      const bool open = ImGui::BeginTabItem(label.c_str(), nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
      probe_item(view.probe, "report.tab." + std::string(key));
      if (!open) continue;
      if (view.tab != tab) choose(view, "", {});  // what was chosen belongs to the other report
      view.tab = tab;
      ImGui::Spacing();
      switch (tab) {
        case ReportTab::Indicators:
          actions.save = draw_indicators(results, view, i18n);
          break;
        case ReportTab::Progress:
          actions.save = draw_progress(results, view, i18n);
          break;
        case ReportTab::Committee:
          draw_committee(results, view, i18n);
          break;
        case ReportTab::Themes:
          draw_themes(results, view, i18n);
          break;
      }
      ImGui::EndTabItem();
    }
    view.select_tab.reset();
    ImGui::EndTabBar();
  }
  ImGui::Spacing();
  actions.open_id = draw_chosen(model, view, i18n);
  return actions;
}

}  // namespace tsunagi
