// The local store's side of report entries: versions as rows of their own (append-only, merged by id, as comments
// are), pending until the collector acknowledges them. The bookkeeping of pending rows is shared with comments
// (store_review.cpp: pending_count, acknowledge_pending, mark_pending_rejected).
#include <cstdio>
#include <ctime>

#include "model/database.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"
#include "model/platform.hpp"

namespace tsunagi {

namespace {

constexpr const char* kTable = "report_entries";

// Reads the versions a statement selects (their documents, in column 0).
Result<std::vector<ReportEntry>> read_report_entries(Statement& s) {
  std::vector<ReportEntry> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    auto document = parse_json_text(s.text(0));
    if (!document) return document.error().with_context("stored report entry");
    auto entry = report_entry_from_json(*document, "");
    if (!entry) return entry.error().with_context("stored report entry");
    out.push_back(std::move(*entry));
  }
  s.reset();
  return out;
}

// Unix milliseconds of a time as now_iso8601 writes it ("2025-03-10T09:00:00.123Z"); nullopt for anything else.
std::optional<std::int64_t> unix_ms_of(const std::string& time) {
  std::tm parts{};
  int milliseconds = 0;
  char zone = 0;
  if (std::sscanf(time.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &milliseconds, &zone) != 8 ||
      zone != 'Z')
    return std::nullopt;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<std::int64_t>(platform::from_utc(parts)) * 1000 + milliseconds;
}

}  // namespace

Result<std::string> Store::next_report_entry_time(const std::string& council, int fiscal_year, const std::string& kind,
                                                  const std::string& key) const {
  auto latest = db_->prepare(
      "SELECT max(time) FROM report_entries WHERE fiscal_year = ? AND council = ? AND kind = ? AND key = ?");
  if (!latest) return latest.error();
  auto row = (*latest)->bind(1, fiscal_year).bind(2, council).bind(3, kind).bind(4, key).step();
  if (!row) return row.error();
  const std::string newest = *row && !(*latest)->is_null(0) ? (*latest)->text(0) : std::string();
  (*latest)->reset();
  std::string now = now_iso8601();
  if (newest.empty() || now > newest) return now;
  auto newest_ms = unix_ms_of(newest);
  return newest_ms ? iso8601_of_unix_ms(*newest_ms + 1) : now;
}

Status Store::write_report_entry(const ReportEntry& e, bool pending) {
  // A version's content never changes; the collector's copy brings who wrote it and where, from the token, and its
  // time, which the collector dates no later than its own now.
  auto upsert = db_->prepare(
      "INSERT INTO report_entries(id, council, fiscal_year, kind, key, author, role, device, device_name, time, doc, "
      "pending) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(id) DO UPDATE SET author = ?6, "
      "role = ?7, device = ?8, device_name = ?9, time = ?10, doc = ?11, pending = 0, rejection = ''");
  if (!upsert) return upsert.error();
  return (*upsert)
      ->bind(1, e.id)
      .bind(2, e.council)
      .bind(3, e.fiscal_year)
      .bind(4, e.kind)
      .bind(5, e.key)
      .bind(6, e.author)
      .bind(7, e.role)
      .bind(8, e.device)
      .bind(9, e.device_name)
      .bind(10, e.time)
      .bind(11, to_json_text(report_entry_to_json(e)))
      .bind(12, pending)
      .run();
}

Result<ReportEntry> Store::add_report_entry(const std::string& council, int fiscal_year, const std::string& kind,
                                            const std::string& key, const nlohmann::json& fields,
                                            const std::string& role) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto time = next_report_entry_time(council, fiscal_year, kind, key);
  if (!time) return time.error();
  ReportEntry entry{new_uuid_v7(), council, fiscal_year, kind, key, fields, author_, role, "", "", *time};
  // The same checks as the collector's, so that what is stored here is what it will accept.
  auto checked = report_entry_from_json(report_entry_to_json(entry), "/report_entry");
  if (!checked) return checked.error();
  if (auto status = write_report_entry(*checked, true); !status) return status.error();
  if (auto status = commit(transaction); !status) return status.error();
  return std::move(*checked);
}

Result<std::vector<ReportEntry>> Store::report_entries(const std::string& council, int fiscal_year) const {
  // The order is sort_report_entries' (text compares byte by byte in both).
  auto select = db_->prepare(
      "SELECT doc FROM report_entries WHERE fiscal_year = ?1 AND (?2 = '' OR council = ?2) "
      "ORDER BY council, kind, key, time, id");
  if (!select) return select.error();
  (*select)->bind(1, fiscal_year).bind(2, council);
  return read_report_entries(**select);
}

Result<std::vector<ReportEntry>> Store::pending_report_entries(std::size_t limit) const {
  auto select = db_->prepare("SELECT doc FROM report_entries WHERE pending = 1 ORDER BY time, id LIMIT ?");
  if (!select) return select.error();
  (*select)->bind(1, static_cast<std::int64_t>(limit));
  return read_report_entries(**select);
}

Result<std::int64_t> Store::pending_report_entry_count() const { return pending_count(kTable); }

Status Store::acknowledge_report_entries(const std::vector<std::string>& ids) { return acknowledge_pending(kTable, ids); }

Status Store::mark_report_entry_rejected(const std::string& id, const Error& error) {
  return mark_pending_rejected(kTable, id, error);
}

Result<std::optional<Error>> Store::report_entry_rejection(const std::string& id) const {
  auto select = db_->prepare("SELECT rejection FROM report_entries WHERE id = ?");
  if (!select) return select.error();
  auto row = (*select)->bind(1, id).step();
  if (!row) return row.error();
  const std::string rejection = *row ? (*select)->text(0) : std::string();
  (*select)->reset();
  if (rejection.empty()) return std::optional<Error>();
  auto parsed = parse_json_text(rejection);
  if (!parsed) return parsed.error().with_context("stored rejection");
  return std::optional<Error>(
      make_error(string_member(*parsed, "code"), "", string_member(*parsed, "message"), ""));
}

}  // namespace tsunagi
