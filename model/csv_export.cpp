#include "model/csv_export.hpp"

#include <algorithm>
#include <cstring>

#include "model/calendar.hpp"
#include "model/record_json.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

// Whether a spreadsheet opening the CSV would read `text` as a number, a date or a time rather than as text: only
// digits and the marks numbers and dates are written with, with at least one digit ("0012", "3-4", "1/2", "12:30",
// "1.5", "-3", "1e5", "1,000").
bool reads_as_number(std::string_view text) {
  if (text.empty()) return false;
  bool digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digit = true;
    else if (!std::strchr("-/.:,+ eE%", c))
      return false;
  }
  return digit;
}

// The reference kind a list field holds.
std::optional<ReferenceKind> reference_kind(std::string_view field) {
  if (field == "council") return ReferenceKind::Council;
  if (field == "areas") return ReferenceKind::Area;
  if (field == "themes") return ReferenceKind::Theme;
  if (field == "committees") return ReferenceKind::Committee;
  if (field == "organizations") return ReferenceKind::Organization;
  if (field == "work_items") return ReferenceKind::WorkItem;
  return std::nullopt;
}

// The i18n prefix of an enum field's values ("kind.meeting").
const char* enum_prefix(std::string_view field) {
  for (const char* name : {"kind", "status", "meeting_type", "format", "participation", "review_type", "visit_type",
                           "date_precision"})
    if (field == name) return name;
  return nullptr;
}

}  // namespace

std::string csv_cell(const std::string& value, bool is_text) {
  std::string cell = value;
  if (is_text && !cell.empty()) {
    const auto first = static_cast<unsigned char>(cell[0]);
    if (std::strchr("=+-@", cell[0]) != nullptr || first < 0x20 || first == 0x7F)
      cell.insert(cell.begin(), '\'');
    else if (reads_as_number(cell))
      cell = "=\"" + cell + "\"";  // digits and marks only: no quote inside to escape
  }
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::vector<std::string> CsvWriter::columns() {
  std::vector<std::string> columns{"id", "kind"};
  for (const auto& field : all_record_fields()) {
    columns.push_back(field);
    if (field == "date_end") columns.push_back("date_wareki");  // the date as the reports write it
  }
  for (const char* field : {"updated_by", "device", "created_at", "updated_at", "deleted"}) columns.push_back(field);
  return columns;
}

CsvWriter::CsvWriter(std::ostream& out, const ReferenceData& reference, CsvOptions options)
    : out_(out), reference_(reference), options_(std::move(options)), columns_(columns()) {
  out_ << "\xEF\xBB\xBF";  // UTF-8 BOM: Excel then reads the file as UTF-8, not Shift_JIS
  for (std::size_t i = 0; i < columns_.size(); ++i)
    out_ << (i ? "," : "") << csv_cell(options_.label ? label("csv.column." + columns_[i]) : columns_[i], true);
  out_ << "\r\n";
}

std::string CsvWriter::label(const std::string& key) const {
  if (!options_.label) return key;
  return options_.label(key);
}

std::string CsvWriter::value_text(const Record& record, const std::string& column, bool& is_text) const {
  is_text = true;
  const bool readable = static_cast<bool>(options_.label);
  if (column == "date_wareki") {
    auto from = parse_iso_date(record.date);
    if (!from) return record.date;
    auto to = parse_iso_date(record.date_end);
    return format_date_span({*from, to ? *to : *from, to ? record.date_precision : DatePrecision::Day});
  }
  const json value = column == "id"           ? json(record.id)
                     : column == "kind"       ? json(std::string(enum_name(record.kind)))
                     : column == "updated_by" ? json(record.updated_by)
                     : column == "device"     ? json(record.device)
                     : column == "created_at" ? json(record.created_at)
                     : column == "updated_at" ? json(record.updated_at)
                     : column == "deleted"    ? json(record.deleted)
                                              : field_value(record, column);
  if (value.is_null()) return "";
  if (value.is_boolean()) {
    is_text = false;
    return value.get<bool>() ? (readable ? label("csv.true") : "TRUE") : (readable ? label("csv.false") : "FALSE");
  }
  if (value.is_number()) {
    is_text = false;
    return value.dump();
  }
  if (readable && value.is_string()) {
    if (const char* prefix = enum_prefix(column))
      return value.get<std::string>().empty() ? "" : label(std::string(prefix) + "." + value.get<std::string>());
    if (auto kind = reference_kind(column)) return reference_.name_of(*kind, value.get<std::string>());
  }
  if (value.is_string()) {
    // ISO dates and HH:MM times go as they are: a spreadsheet reads them as dates and times, which sort as such.
    const std::string& text = value.get<std::string>();
    auto time = parse_time(text);
    if (parse_iso_date(text) || (time && format_time(*time) == text)) is_text = false;
    return text;
  }
  // Lists: one member a line; references by name; items as "key: value" separated by " / ".
  std::string out;
  for (const json& member : value) {
    std::string text;
    if (member.is_string()) {
      auto kind = reference_kind(column);
      text = readable && kind ? reference_.name_of(*kind, member.get<std::string>()) : member.get<std::string>();
    } else if (member.is_object()) {
      for (const auto& [key, item] : member.items()) {
        if (key == "id" || key == "pos") continue;  // list bookkeeping
        std::string part = item.is_string() ? item.get<std::string>() : item.dump();
        if (key == "work_item" && readable) part = reference_.name_of(ReferenceKind::WorkItem, part);
        if (!part.empty() && part != "\"\"") text += (text.empty() ? "" : " / ") + (readable ? label("csv.item." + key) : key) + ": " + part;
      }
    } else {
      text = member.dump();
    }
    out += (out.empty() ? "" : "\n") + text;
  }
  return out;
}

void CsvWriter::write(const Record& record) {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    bool is_text = true;
    const std::string text = value_text(record, columns_[i], is_text);
    out_ << (i ? "," : "") << csv_cell(text, is_text);
  }
  out_ << "\r\n";
}

}  // namespace tsunagi
