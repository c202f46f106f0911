#include "app/report_xlsx.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "model/calendar.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/platform.hpp"

namespace tsunagi {

namespace {

// How wide `text` shows, in Excel's column units: a character outside ASCII (kana, kanji, full-width) takes two;
// a cell of several lines is as wide as its longest.
double display_width(const std::string& text) {
  double widest = 0, width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      widest = std::max(widest, width);
      width = 0;
    } else if (byte < 0x80) {
      width += 1;
    } else if ((byte & 0xC0) != 0x80) {
      width += 2;  // the first byte of a multi-byte character
    }
  }
  return std::max(widest, width);
}

constexpr double kMaxColumnWidth = 60;  // characters, in a sheet of few columns
constexpr double kLineHeight = 16.5;    // points, of a line of the default font (CJK glyphs stand taller)

// How many lines `text` takes in a column `width` characters wide, wrapped.
double wrapped_lines(const std::string& text, double width) {
  double lines = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    const double line = display_width(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    lines += std::max(1.0, std::ceil(line / std::max(width, 1.0)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

// A cell that is a number ("12", "2.5") or a rate ("66.7%"): its value, and whether it is a rate.
std::optional<std::pair<double, bool>> numeric(const std::string& cell) {
  if (cell.empty()) return std::nullopt;
  const bool rate = cell.back() == '%';
  const std::string digits = rate ? cell.substr(0, cell.size() - 1) : cell;
  if (digits.empty() || digits.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return std::nullopt;
  return std::make_pair(rate ? value / 100 : value, rate);
}

Error xlsx_error(lxw_error error, const std::filesystem::path& path) {
  return make_error("xlsx.write", platform::path_to_utf8(path),
                    std::string("cannot write the spreadsheet: ") + lxw_strerror(error),
                    std::string("表計算ファイルを書き出せません: ") + lxw_strerror(error));
}

struct Formats {
  lxw_format *title, *header, *text, *number, *percent;
};

Formats add_formats(lxw_workbook* workbook) {
  lxw_format* title = workbook_add_format(workbook);
  format_set_bold(title);
  format_set_font_size(title, 14);
  lxw_format* header = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_text_wrap(header);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_bg_color(header, 0xDDEBF7);
  format_set_align(header, LXW_ALIGN_VERTICAL_CENTER);
  lxw_format* text = workbook_add_format(workbook);
  format_set_text_wrap(text);
  format_set_border(text, LXW_BORDER_THIN);
  format_set_align(text, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* number = workbook_add_format(workbook);
  format_set_border(number, LXW_BORDER_THIN);
  format_set_align(number, LXW_ALIGN_VERTICAL_TOP);
  format_set_num_format(number, "#,##0.##");
  lxw_format* percent = workbook_add_format(workbook);
  format_set_border(percent, LXW_BORDER_THIN);
  format_set_align(percent, LXW_ALIGN_VERTICAL_TOP);
  format_set_num_format(percent, "0.0%");

  return {title, header, text, number, percent};
}

// One report on its own sheet of `workbook`: the title, the frozen header, the rows, the print settings, the chart.
void add_sheet(lxw_workbook* workbook, const Formats& formats, const XlsxSheet& report) {
  const ReportSheet& sheet = report.sheet;
  const std::string& sheet_name = report.name;
  const XlsxChart& chart = report.chart;
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  auto [title, header, text, number, percent] = formats;
  worksheet_write_string(worksheet, 0, 0, sheet.title.c_str(), title);
  const lxw_row_t header_row = 1;
  std::vector<double> widths(sheet.header.size(), 6);
  for (std::size_t c = 0; c < sheet.header.size(); ++c) {
    worksheet_write_string(worksheet, header_row, static_cast<lxw_col_t>(c), sheet.header[c].c_str(), header);
    widths[c] = std::max(widths[c], display_width(sheet.header[c]) + 2);
  }
  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(header_row + 1 + r);
    for (std::size_t c = 0; c < sheet.rows[r].size(); ++c) {
      const std::string& cell = sheet.rows[r][c];
      const auto col = static_cast<lxw_col_t>(c);
      if (auto value = numeric(cell))
        worksheet_write_number(worksheet, row, col, value->first, value->second ? percent : number);
      else
        worksheet_write_string(worksheet, row, col, cell.c_str(), text);
      if (c < widths.size()) widths[c] = std::max(widths[c], display_width(cell) + 2);
    }
  }
  // Wide enough for the text, up to a width that still prints: longer text wraps. Rows grow to their wrapped
  // lines (a spreadsheet does not size rows of a written file by itself, and a printout would cut them).
  // A sheet of many text columns (the progress table's ten) keeps each narrower, so that one page wide stays legible.
  const double widest = std::clamp(240.0 / static_cast<double>(std::max<std::size_t>(widths.size(), 1)), 24.0, kMaxColumnWidth);
  for (double& width : widths) width = std::min(width, widest);
  for (std::size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(worksheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
  double header_lines = 1;  // a long header wraps too (数値目標達成状況及び現状分析、今後の課題)
  for (std::size_t c = 0; c < sheet.header.size() && c < widths.size(); ++c)
    header_lines = std::max(header_lines, wrapped_lines(sheet.header[c], widths[c] - 1));
  if (header_lines > 1) worksheet_set_row(worksheet, header_row, kLineHeight * header_lines + 4, nullptr);
  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    double lines = 1;
    for (std::size_t c = 0; c < sheet.rows[r].size() && c < widths.size(); ++c)
      lines = std::max(lines, wrapped_lines(sheet.rows[r][c], widths[c] - 1));
    if (lines > 1)
      worksheet_set_row(worksheet, static_cast<lxw_row_t>(header_row + 1 + r), kLineHeight * lines + 4, nullptr);
  }
  worksheet_freeze_panes(worksheet, header_row + 1, 1);
  worksheet_repeat_rows(worksheet, header_row, header_row);
  worksheet_set_landscape(worksheet);
  worksheet_set_paper(worksheet, 9);  // A4
  worksheet_fit_to_pages(worksheet, 1, 0);  // one page wide, as many tall as it takes

  if (!chart.value_columns.empty() && !sheet.rows.empty()) {
    lxw_chart* bars = workbook_add_chart(workbook, LXW_CHART_BAR);
    const auto first = static_cast<lxw_row_t>(header_row + 1);
    const auto last = static_cast<lxw_row_t>(header_row + sheet.rows.size());
    for (std::size_t column : chart.value_columns) {
      lxw_chart_series* series = chart_add_series(bars, nullptr, nullptr);
      chart_series_set_categories(series, sheet_name.c_str(), first, static_cast<lxw_col_t>(chart.category_column),
                                  last, static_cast<lxw_col_t>(chart.category_column));
      chart_series_set_values(series, sheet_name.c_str(), first, static_cast<lxw_col_t>(column), last,
                              static_cast<lxw_col_t>(column));
      chart_series_set_name(series, sheet.header.at(column).c_str());
    }
    chart_title_set_name(bars, sheet.title.c_str());
    chart_legend_set_position(bars, LXW_CHART_LEGEND_BOTTOM);
    worksheet_insert_chart(worksheet, static_cast<lxw_row_t>(last + 2), 0, bars);
  }

}

}  // namespace

XlsxSheet report_sheet(const ReportResults& results, const std::string& which, bool english) {
  if (which == "indicators") {
    XlsxChart chart;
    chart.value_columns = {3, 4};  // target and actual, per indicator
    return {indicator_sheet(results.indicators, english), english ? "Indicators" : "活動指標", chart};
  }
  if (which == "progress") return {progress_sheet(results.progress, english), english ? "Progress" : "進捗状況管理表"};
  if (which == "committee") return {committee_sheet(results.committee, english), english ? "Committees" : "専門部会等の活動"};
  return {theme_sheet(results.themes, results.reference, english), english ? "Themes" : "地域課題別"};
}

std::filesystem::path report_workbook_path(int fiscal_year, const std::string& council, bool english,
                                           const std::filesystem::path& fallback) {
  std::filesystem::path folder = platform::documents_folder();
  if (folder.empty()) folder = fallback;
  std::string name = english ? "Reports_FY" + std::to_string(fiscal_year) : "報告書_" + format_fiscal_year(fiscal_year);
  if (!council.empty()) name += "_" + council;
  for (char& c : name)  // a name is a file's, not a path
    if (c == '/' || c == '\\') c = '_';
  return folder / platform::path_from_utf8(name + ".xlsx");
}

Status write_report_xlsx(const std::filesystem::path& path, const std::vector<XlsxSheet>& sheets) {
  // libxlsxwriter writes the whole file at workbook_close; it goes beside the target first, then into place.
  const std::filesystem::path draft =
      path.parent_path() /
      platform::path_from_utf8("." + platform::path_to_utf8(path.filename()) + "." + new_uuid_v7() + ".tmp");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(platform::path_to_utf8(draft).c_str(), &options);
  if (!workbook)
    return make_error("xlsx.write", platform::path_to_utf8(path), "cannot create the spreadsheet",
                      "表計算ファイルを作れません");
  const Formats formats = add_formats(workbook);
  for (const XlsxSheet& sheet : sheets) add_sheet(workbook, formats, sheet);

  if (lxw_error closed = workbook_close(workbook); closed != LXW_NO_ERROR) {
    std::error_code ignored;
    std::filesystem::remove(draft, ignored);
    return xlsx_error(closed, path);
  }
  auto bytes = read_file(draft);
  std::error_code ignored;
  std::filesystem::remove(draft, ignored);
  if (!bytes) return bytes.error();
  return write_file_atomic(path, *bytes, 0600);  // as the records' exports: the reports name records and people
}

}  // namespace tsunagi
