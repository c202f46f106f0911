// Records as CSV for spreadsheets (Excel, the municipal standard, and LibreOffice): UTF-8 with a BOM, CRLF, one
// column per field of every kind, headers and values in the reader's language, references by name, a 和暦 column
// beside the date, and cells a spreadsheet must not reinterpret kept as text.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/record.hpp"
#include "model/reference.hpp"

namespace tsunagi {

struct CsvOptions {
  // Labels by key ("csv.column.date", "kind.meeting", "status.submitted"...); a key it does not know comes back as
  // it was given. Without one, headers are the JSON field names and values the JSON values (machine-readable).
  std::function<std::string(const std::string& key)> label;
};

// One CSV cell, RFC 4180 quoting, for a cell written as text (`is_text`):
// - text a spreadsheet would run as a formula (starting with = + - @, or a control character) gets a leading
//   apostrophe, which Excel and LibreOffice show as text and never run;
// - text a spreadsheet would turn into a number or a date ("0012", "3-4", "1/2", "2024-04-01", "1e5") is written as
//   the formula ="…", whose result is that text.
std::string csv_cell(const std::string& value, bool is_text);

class CsvWriter {
 public:
  // Writes the BOM and the header row. `reference` must outlive the writer.
  CsvWriter(std::ostream& out, const ReferenceData& reference, CsvOptions options = {});
  void write(const Record& record);

  // The columns, in order: id, kind, each field of every kind once, the 和暦 date, then bookkeeping.
  static std::vector<std::string> columns();

 private:
  std::string value_text(const Record& record, const std::string& column, bool& is_text) const;
  std::string label(const std::string& key) const;

  std::ostream& out_;
  const ReferenceData& reference_;
  CsvOptions options_;
  std::vector<std::string> columns_;
};

}  // namespace tsunagi
