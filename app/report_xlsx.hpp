// A report as a spreadsheet the municipality can file: an XLSX workbook (libxlsxwriter) with the report's sheet
// in its seed's layout: the title, a header row frozen and repeated on every printed page, column widths that fit
// the text (Japanese counted double), wrapped text, numbers as numbers and rates as percentages, A4 landscape
// fitted to the page width; for the indicators, a native Excel chart of target against actual.
#pragma once

#include <filesystem>
#include <string>

#include "model/error.hpp"
#include "model/report.hpp"

namespace tsunagi {

struct XlsxChart {
  std::size_t category_column = 0;                // the names along the axis
  std::vector<std::size_t> value_columns;         // one series each, named by its header
};

// Writes `sheet` as the workbook `path` (atomically: a reader never sees half a file), its sheet named
// `sheet_name` (at most 31 characters), with `chart` beside the table when it has value columns.
Status write_report_xlsx(const std::filesystem::path& path, const ReportSheet& sheet, const std::string& sheet_name,
                         const XlsxChart& chart = {});

}  // namespace tsunagi
