// A report as a spreadsheet the municipality can file: an XLSX workbook (libxlsxwriter) with the report's sheet
// in its seed's layout: the title, a header row frozen and repeated on every printed page, column widths that fit
// the text (Japanese counted double), wrapped text, numbers as numbers and rates as percentages, A4 landscape
// fitted to the page width; for the indicators, a native Excel chart of target against actual.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "app/report_model.hpp"
#include "model/report.hpp"

namespace tsunagi {

struct XlsxChart {
  std::size_t category_column = 0;                // the names along the axis
  std::vector<std::size_t> value_columns;         // one series each, named by its header
};

// A report's sheet of a workbook: its name (at most 31 characters) and a chart beside its table when `chart` has
// value columns.
struct XlsxSheet {
  ReportSheet sheet;
  std::string name;
  XlsxChart chart = {};
};

// The reports a workbook holds, in its order: "indicators", "progress", "committee", "themes".
inline const std::vector<std::string> kReportNames{"indicators", "progress", "committee", "themes"};
// The report `which` (one of kReportNames) of `results` as a sheet: the seed's layout, a sheet name, and for the
// indicators a chart of target against actual.
XlsxSheet report_sheet(const ReportResults& results, const std::string& which, bool english);

// Where the window saves the workbook of every report of `fiscal_year` and `council` (a name; empty: every council):
// the user's Documents folder (else their home, else `fallback`), named 報告書_令和6年度.xlsx, or
// 報告書_令和6年度_児玉地区自立支援協議会.xlsx (Reports_FY2024.xlsx in English).
std::filesystem::path report_workbook_path(int fiscal_year, const std::string& council, bool english,
                                           const std::filesystem::path& fallback);

// Writes `sheets` as the workbook `path`, one worksheet each, in order (atomically: a reader never sees half a file).
Status write_report_xlsx(const std::filesystem::path& path, const std::vector<XlsxSheet>& sheets);

}  // namespace tsunagi
