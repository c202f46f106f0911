// The reports screen (報告書): the scope (fiscal year in 和暦, council, provisional) and one tab per report. The
// indicators as a table with a bar per indicator against its target line and the earlier years beside it; the
// committee report's activity lines per committee and work item; the theme matrix as a heat-map. A click on any
// figure lists the records behind it, each with what was done, its aim and its results, and a click on one of those
// opens it. Draws only; what the user asks for comes back as ReportsActions.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/report_model.hpp"
#include "app/screens/editor_widgets.hpp"
#include "app/screens/widgets.hpp"

namespace tsunagi {

enum class ReportTab { Indicators, Progress, Committee, Themes };

// A new version of a report entry, as the screen asks for it (Store::add_report_entry writes it).
struct ReportEntryDraft {
  std::string council;
  int fiscal_year = 0;
  std::string kind, key;
  nlohmann::json fields = nlohmann::json::object();
};

// A project's evaluation being written (進捗状況管理表): the fields of its entry.
struct ProgressEdit {
  std::string project, council;
  std::string status, work_done, figures_actual, analysis, next_plan;
  std::array<WrappedTextState, 4> wrapped;
  std::string prefilled;  // the work done as the records give it, when none was written: saved only if changed
};

struct ReportsView {
  ReportTab tab = ReportTab::Indicators;
  std::optional<ReportTab> select_tab;  // a tab to bring forward at the next frame (--screen reports-themes)
  std::vector<int> years;               // the fiscal years offered, newest first
  // The figure clicked: what it is (as shown) and the records behind it.
  std::string chosen_label;
  std::vector<std::string> chosen_records;
  std::string chosen_indicator;  // the indicator chosen (its actual may be entered by hand)
  std::string actual_text;       // that actual, as typed
  bool can_edit = false;         // a supervisor: evaluates projects and enters actuals
  std::optional<ProgressEdit> editing;
  std::set<std::string> history_open;  // projects whose history is shown
  ItemProbe* probe = nullptr;
};

struct ReportsActions {
  std::optional<ReportScope> scope;    // compute the reports of this scope
  std::optional<std::string> open_id;  // open a record behind a figure
  std::optional<ReportEntryDraft> save;  // store a new version of an entry (an evaluation, an actual)
  bool export_workbook = false;          // write every report of the scope as one XLSX workbook
};

// With `probe` (tests): each indicator's row as "report.indicator.<id>", each theme cell as
// "report.cell.<theme>.<area>", the tabs as "report.tab.indicators|progress|committee|themes", a project's edit button
// as "report.progress.edit.<id>", its fields as "report.progress.<field>" and its save button as
// "report.progress.save", the actual's field and button as "report.actual" and "report.actual.save".
ReportsActions draw_reports(const ReportModel& model, ReportsView& view, const FontSet& fonts, I18n& i18n);

}  // namespace tsunagi
