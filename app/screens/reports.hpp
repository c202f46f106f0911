// The reports screen (報告書): the scope (fiscal year in 和暦, council, provisional) and one tab per report. The
// indicators as a table with a bar per indicator against its target line and the earlier years beside it; the
// committee report's activity lines per committee and work item; the theme matrix as a heat-map. A click on any
// figure lists the records behind it, each with what was done, its aim and its results, and a click on one of those
// opens it. Draws only; what the user asks for comes back as ReportsActions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/report_model.hpp"
#include "app/screens/widgets.hpp"

namespace tsunagi {

enum class ReportTab { Indicators, Committee, Themes };

struct ReportsView {
  ReportTab tab = ReportTab::Indicators;
  std::optional<ReportTab> select_tab;  // a tab to bring forward at the next frame (--screen reports-themes)
  std::vector<int> years;               // the fiscal years offered, newest first
  // The figure clicked: what it is (as shown) and the records behind it.
  std::string chosen_label;
  std::vector<std::string> chosen_records;
  ItemProbe* probe = nullptr;
};

struct ReportsActions {
  std::optional<ReportScope> scope;    // compute the reports of this scope
  std::optional<std::string> open_id;  // open a record behind a figure
};

// With `probe` (tests): each indicator's row as "report.indicator.<id>", each theme cell as
// "report.cell.<theme>.<area>", the tabs as "report.tab.indicators|committee|themes".
ReportsActions draw_reports(const ReportModel& model, ReportsView& view, const FontSet& fonts, I18n& i18n);

}  // namespace tsunagi
