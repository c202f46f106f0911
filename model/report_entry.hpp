// Report entries: what supervisors write into the yearly progress management table (進捗状況管理表: per project its
// status a/b/c/d, the work done, the analysis and issues, next year's plan) and indicator actuals that no record
// holds (staff qualifications, ...). Synced entities with history, like comments: each change is a new immutable
// version with an id of its own, versions merge by id (a union), and an entry's current value is its newest version.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"

namespace tsunagi {

constexpr std::string_view kProgressEntry = "progress";  // fields: status, work_done, figures_actual, analysis, next_plan
constexpr std::string_view kActualEntry = "actual";      // fields: value (a finite number), note

// One version of a report entry. An entry is (council, fiscal_year, kind, key); its versions are never edited or
// deleted, so two supervisors writing apart never lose anything, and every version is its history. The collector
// fills in who wrote it, in what role and on which device, from the token.
struct ReportEntry {
  std::string id;       // UUIDv7 made on the device: this version's id
  std::string council;  // a council's id; empty: the city's
  int fiscal_year = 0;  // April..March, 2000..2100
  std::string kind;     // "progress" or "actual"
  std::string key;      // the project's id (progress) or the indicator's id (actual)
  nlohmann::json fields = nlohmann::json::object();
  std::string author;
  std::string role;  // "supervisor", "admin" (the collector refuses anyone else)
  std::string device;
  std::string device_name;
  std::string time;  // when it was written, ISO 8601 UTC
  bool operator==(const ReportEntry&) const = default;
};

nlohmann::json report_entry_to_json(const ReportEntry& entry);
// Reads one version, naming the JSON path of what is wrong: a member it does not have (protocol.member), a wrong
// type (json.type), an id that is not a UUID (protocol.field), invalid UTF-8 (utf8.invalid), a fiscal year outside
// 2000..2100 (report_entry.fiscal_year), an unknown kind (report_entry.kind), an empty key (report_entry.key), a
// field its kind does not have (report_entry.field), a status other than a, b, c, d or empty (report_entry.status),
// a text over 20,000 characters (report_entry.too_long), an actual without a finite number (report_entry.value).
Result<ReportEntry> report_entry_from_json(const nlohmann::json& object, const std::string& path);

// History order: entry by entry (council, fiscal year, kind, key), each entry's versions oldest first (time, id).
void sort_report_entries(std::vector<ReportEntry>& versions);
// The current value of each entry: its newest version by (time, id), in history order of the entries.
std::vector<ReportEntry> current_report_entries(std::vector<ReportEntry> versions);

}  // namespace tsunagi
