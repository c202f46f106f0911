#include "model/report_entry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <tuple>

#include "model/ids.hpp"
#include "model/text.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxFieldLength = 20000;  // characters, as a comment's text
constexpr int kFirstFiscalYear = 2000;
constexpr int kLastFiscalYear = 2100;

constexpr std::array<std::string_view, 11> kMembers{"id",     "council", "fiscal_year", "kind",        "key", "fields",
                                                    "author", "role",    "device",      "device_name", "time"};
constexpr std::array<std::string_view, 5> kProgressFields{"status", "work_done", "figures_actual", "analysis",
                                                          "next_plan"};
constexpr std::array<std::string_view, 4> kStatuses{"a", "b", "c", "d"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A text of the entry: a string (json.type) of valid UTF-8, at most `max_length` characters when given.
Result<std::string> read_string(const json& value, const std::string& path, std::size_t max_length = 0) {
  if (!value.is_string()) return make_error("json.type", path, "expected a string", "文字列が必要です");
  std::string text = value.get<std::string>();
  if (!is_valid_utf8(text)) return make_error("utf8.invalid", path, "invalid UTF-8", "文字コードが正しくありません");
  if (max_length && utf8_length(text) > max_length)
    return make_error("report_entry.too_long", path, "at most 20,000 characters", "20,000文字までです");
  return text;
}

std::optional<Error> check_progress_fields(const json& fields, const std::string& path) {
  for (const auto& [name, value] : fields.items()) {
    const std::string where = path + "/" + name;
    if (!among(kProgressFields, name))
      return make_error("report_entry.field", where, "not a field of a progress entry", "進捗状況の項目ではありません");
    auto text = read_string(value, where, kMaxFieldLength);
    if (!text) return text.error();
    if (name == "status" && !text->empty() && !among(kStatuses, *text))
      return make_error("report_entry.status", where, "the status is a, b, c, d or empty",
                        "進捗状況は a、b、c、d のいずれか（または空）です");
  }
  return std::nullopt;
}

std::optional<Error> check_actual_fields(const json& fields, const std::string& path) {
  for (const auto& [name, value] : fields.items()) {
    const std::string where = path + "/" + name;
    if (name == "note") {
      if (auto text = read_string(value, where, kMaxFieldLength); !text) return text.error();
    } else if (name != "value") {
      return make_error("report_entry.field", where, "not a field of an actual", "実績値の項目ではありません");
    }
  }
  auto value = fields.find("value");
  if (value == fields.end() || !value->is_number() || !std::isfinite(value->get<double>()))
    return make_error("report_entry.value", path + "/value", "an actual needs its value, a finite number",
                      "実績値には数値を入力してください");
  return std::nullopt;
}

}  // namespace

json report_entry_to_json(const ReportEntry& e) {
  json out = {{"id", e.id},     {"council", e.council}, {"fiscal_year", e.fiscal_year}, {"kind", e.kind},
              {"key", e.key},   {"fields", e.fields},   {"time", e.time}};
  const std::pair<const char*, const std::string*> optional[] = {
      {"author", &e.author}, {"role", &e.role}, {"device", &e.device}, {"device_name", &e.device_name}};
  for (const auto& [name, value] : optional)
    if (!value->empty()) out[name] = *value;
  return out;
}

Result<ReportEntry> report_entry_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return make_error("json.type", path, "expected an object", "オブジェクトが必要です");
  for (const auto& [key, value] : object.items())
    if (!among(kMembers, key))
      return make_error("protocol.member", path + "/" + key, "not a member of a report entry", "報告の項目にありません");
  ReportEntry e;
  const std::pair<const char*, std::string*> texts[] = {
      {"id", &e.id},         {"council", &e.council}, {"kind", &e.kind},         {"key", &e.key},
      {"author", &e.author}, {"role", &e.role},       {"device", &e.device},     {"device_name", &e.device_name},
      {"time", &e.time}};
  for (const auto& [name, out] : texts) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) continue;
    auto text = read_string(*it, path + "/" + name);
    if (!text) return text.error();
    *out = std::move(*text);
  }
  if (!is_uuid(e.id))
    return make_error("protocol.field", path + "/id", "a report entry's id is a UUID", "報告のIDが正しくありません");
  auto year = object.find("fiscal_year");
  if (year == object.end() || !year->is_number_integer())
    return make_error("json.type", path + "/fiscal_year", "expected the fiscal year, an integer", "年度（整数）が必要です");
  if (*year < kFirstFiscalYear || *year > kLastFiscalYear)
    return make_error("report_entry.fiscal_year", path + "/fiscal_year", "the fiscal year is 2000..2100",
                      "年度は2000〜2100年度です");
  e.fiscal_year = year->get<int>();
  if (e.kind != kProgressEntry && e.kind != kActualEntry)
    return make_error("report_entry.kind", path + "/kind", "the kind is \"progress\" or \"actual\"",
                      "種類は progress（進捗状況）か actual（実績値）です");
  if (trim(e.key).empty())
    return make_error("report_entry.key", path + "/key", "an entry names its project or indicator",
                      "事業または指標が指定されていません");
  auto fields = object.find("fields");
  if (fields == object.end() || !fields->is_object())
    return make_error("json.type", path + "/fields", "expected the fields, an object", "項目（オブジェクト）が必要です");
  const std::string fields_path = path + "/fields";
  if (auto error = e.kind == kProgressEntry ? check_progress_fields(*fields, fields_path)
                                            : check_actual_fields(*fields, fields_path))
    return *error;
  e.fields = *fields;
  return e;
}

namespace {

auto entry_order(const ReportEntry& e) { return std::tie(e.council, e.fiscal_year, e.kind, e.key, e.time, e.id); }

bool same_entry(const ReportEntry& a, const ReportEntry& b) {
  return std::tie(a.council, a.fiscal_year, a.kind, a.key) == std::tie(b.council, b.fiscal_year, b.kind, b.key);
}

}  // namespace

void sort_report_entries(std::vector<ReportEntry>& versions) {
  std::sort(versions.begin(), versions.end(),
            [](const ReportEntry& a, const ReportEntry& b) { return entry_order(a) < entry_order(b); });
}

std::vector<ReportEntry> current_report_entries(std::vector<ReportEntry> versions) {
  sort_report_entries(versions);
  std::vector<ReportEntry> current;
  for (ReportEntry& version : versions) {
    // Sorted, an entry's newest version is the last of its run.
    if (!current.empty() && same_entry(current.back(), version))
      current.back() = std::move(version);
    else
      current.push_back(std::move(version));
  }
  return current;
}

}  // namespace tsunagi
