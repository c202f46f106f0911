#include "model/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "model/calendar.hpp"
#include "model/csv_export.hpp"
#include "model/store.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

using nlohmann::json;

std::optional<int> record_fiscal_year(const Record& record) {
  auto date = parse_iso_date(record.date);
  if (!date) return std::nullopt;
  return fiscal_year(*date);
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool any_in(const std::vector<std::string>& values, const std::vector<std::string>& allowed) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return contains(allowed, v); });
}

// A number member of a JSON object (numbers, or text holding one), or nullopt.
std::optional<double> number_of(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    try {
      std::size_t used = 0;
      const std::string text = value.get<std::string>();
      double parsed = std::stod(text, &used);
      if (used == text.size()) return parsed;
    } catch (...) {
    }
  }
  return std::nullopt;
}

std::optional<double> year_member(const json& object, int year) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(std::to_string(year));
  if (found == object.end()) return std::nullopt;
  return number_of(*found);
}

std::string text_member(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

Comparison comparison_of(const std::string& text) {
  if (text == "at_most" || text == "以下") return Comparison::AtMost;
  if (text == "exactly" || text == "ちょうど") return Comparison::Exactly;
  return Comparison::AtLeast;
}

std::string_view comparison_name(Comparison comparison) {
  switch (comparison) {
    case Comparison::AtMost: return "at_most";
    case Comparison::Exactly: return "exactly";
    case Comparison::AtLeast: break;
  }
  return "at_least";
}

// What an indicator's filter asks of a record; the reference lookups made once per indicator.
class IndicatorFilter {
 public:
  IndicatorFilter(const json& filter, const ReferenceData& reference) : reference_(reference) {
    if (!filter.is_object()) return;
    kind_ = parse_enum<RecordKind>(text_member(filter, "kind"));
    kind_given_ = filter.contains("kind");
    meeting_type_ = text_member(filter, "meeting_type");
    review_type_ = text_member(filter, "review_type");
    visit_type_ = text_member(filter, "visit_type");
    participation_ = text_member(filter, "participation");
    if (std::string committee = text_member(filter, "committee"); !committee.empty()) {
      committees_ = reference.committee_and_descendants(committee);
      if (committees_.empty()) committees_.push_back(committee);
    }
    if (std::string theme = text_member(filter, "theme"); !theme.empty())
      theme_ = reference.resolve(ReferenceKind::Theme, theme).value_or(theme);
    if (std::string area = text_member(filter, "area"); !area.empty()) {
      areas_ = reference.area_and_descendants(area);
      if (areas_.empty()) areas_.push_back(area);
    }
    service_type_ = text_member(filter, "service_type");
    organization_role_ = text_member(filter, "organization_role");
  }

  bool matches(const Record& record) const {
    if (kind_given_ && (!kind_ || record.kind != *kind_)) return false;
    if (!meeting_type_.empty() && (record.kind != RecordKind::Meeting || !record.meeting.meeting_type ||
                                   enum_name(*record.meeting.meeting_type) != meeting_type_))
      return false;
    if (!review_type_.empty() && (record.kind != RecordKind::CaseReview || !record.case_review.review_type ||
                                  enum_name(*record.case_review.review_type) != review_type_))
      return false;
    if (!visit_type_.empty() && (record.kind != RecordKind::Outreach || !record.outreach.visit_type ||
                                 enum_name(*record.outreach.visit_type) != visit_type_))
      return false;
    if (!participation_.empty() && (!record.participation || enum_name(*record.participation) != participation_))
      return false;
    if (!committees_.empty() && !any_in(record.committees, committees_)) return false;
    if (!theme_.empty() && !contains(record.themes, theme_)) return false;
    if (!areas_.empty() && !any_in(record.areas, areas_)) return false;
    if (!service_type_.empty() || !organization_role_.empty()) {
      const bool any = std::any_of(record.organizations.begin(), record.organizations.end(), [&](const std::string& id) {
        const Organization* organization = find_organization(id);
        return organization && (service_type_.empty() || organization->service_type == service_type_) &&
               (organization_role_.empty() || organization->role == organization_role_);
      });
      if (!any) return false;
    }
    return true;
  }

  // The committees of the filter (every committee when it names none) of `council`.
  bool committee_matches(const Committee& committee) const {
    if (!committees_.empty() && !contains(committees_, committee.id)) return false;
    return meeting_type_.empty() || committee.meeting_type == meeting_type_;
  }

 private:
  const Organization* find_organization(const std::string& id) const {
    for (const Organization& organization : reference_.organizations)
      if (organization.id == id) return &organization;
    return nullptr;
  }

  const ReferenceData& reference_;
  std::optional<RecordKind> kind_;
  bool kind_given_ = false;
  std::string meeting_type_, review_type_, visit_type_, participation_, theme_, service_type_, organization_role_;
  std::vector<std::string> committees_, areas_;
};

bool of_council(const std::string& entry_council, const std::string& council) {
  return council.empty() || entry_council.empty() || entry_council == council;
}

// The measure `how` (IndicatorRow::measure) over the records that count in `year_scope` and match `filter`.
IndicatorFigure measure(const std::string& how, const IndicatorFilter& filter, const std::vector<Record>& records,
                        const ReferenceData& reference, const ReportScope& year_scope) {
  IndicatorFigure figure;
  figure.fiscal_year = year_scope.fiscal_year;
  if (how == "committees_established") {
    // Committees standing at the year's end: established on or before it, not abolished by then.
    const std::string end = format_iso(fiscal_year_range(year_scope.fiscal_year).second);
    double count = 0;
    for (const Committee& committee : reference.committees)
      if (of_council(committee.council, year_scope.council) && filter.committee_matches(committee) &&
          !committee.established.empty() && committee.established <= end &&
          (committee.abolished.empty() || committee.abolished > end))
        ++count;
    figure.actual = count;
    return figure;
  }
  double total = 0;
  std::set<std::string> distinct;
  for (const Record& record : records) {
    if (!counts_in(record, year_scope) || !filter.matches(record)) continue;
    figure.records.push_back(record.id);
    if (how == "occurrences") total += occurrence_count(record);
    else if (how == "sum:participants") total += record.participant_count.value_or(0);
    else if (how == "distinct:organizations") distinct.insert(record.organizations.begin(), record.organizations.end());
    else if (how == "distinct:committees") distinct.insert(record.committees.begin(), record.committees.end());
    else total += 1;
  }
  figure.actual = how.rfind("distinct:", 0) == 0 ? static_cast<double>(distinct.size()) : total;
  return figure;
}

void judge(IndicatorFigure& figure, Comparison comparison) {
  if (!figure.target || !figure.actual) return;
  const double target = *figure.target, actual = *figure.actual;
  switch (comparison) {
    case Comparison::AtLeast:
      figure.achieved = actual >= target;
      if (target > 0) figure.rate = actual / target;
      break;
    case Comparison::AtMost:
      figure.achieved = actual <= target;
      if (actual > 0) figure.rate = target / actual;
      else figure.rate = 1.0;
      break;
    case Comparison::Exactly:
      figure.achieved = std::abs(actual - target) < 1e-9;
      if (target > 0) figure.rate = actual / target;
      break;
  }
}

json figure_json(const IndicatorFigure& figure) {
  auto number = [](const std::optional<double>& value) {
    if (!value) return json(nullptr);
    if (*value == std::floor(*value) && std::abs(*value) < 1e15) return json(static_cast<std::int64_t>(*value));
    return json(*value);
  };
  json out = {{"fiscal_year", figure.fiscal_year},
              {"target", number(figure.target)},
              {"actual", number(figure.actual)},
              {"rate", number(figure.rate)},
              {"achieved", figure.achieved ? json(*figure.achieved) : json(nullptr)},
              {"records", figure.records}};
  if (figure.hand_entered) {
    out["entered_by"] = figure.entered_by;
    out["entered_at"] = figure.entered_at;
  }
  return out;
}

// A record's date as the committee report writes it: 4/17 for a day, 1月 for a month, 9/21～12/19 for a period,
// nothing for a whole fiscal year (the report is of one).
std::string date_as_reported(const Record& record) {
  auto day = [](const std::string& iso) {
    auto date = parse_iso_date(iso);
    return date ? std::to_string(date->month) + "/" + std::to_string(date->day) : std::string();
  };
  auto from = parse_iso_date(record.date);
  if (!from) return "";
  switch (record.date_precision) {
    case DatePrecision::Month: return std::to_string(from->month) + "月";
    case DatePrecision::FiscalYear: return "";
    case DatePrecision::Period: {
      // 令和6年1月から: from a month's first day to the fiscal year's end.
      if (from->day == 1 && record.date_end == format_iso(fiscal_year_range(fiscal_year(*from)).second))
        return std::to_string(from->month) + "月から";
      return record.date_end.empty() ? day(record.date) : day(record.date) + "～" + day(record.date_end);
    }
    case DatePrecision::Day: break;
  }
  return day(record.date);
}

// Orders an activity's dates (and what is shown of them, and their records) by date.
void sort_by_date(CommitteeActivity& activity) {
  std::vector<std::size_t> order(activity.dates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return activity.dates[a] < activity.dates[b]; });
  CommitteeActivity sorted{activity.label, {}, {}, {}};
  for (std::size_t i : order) {
    sorted.dates.push_back(activity.dates[i]);
    sorted.shown.push_back(activity.shown[i]);
    sorted.records.push_back(activity.records[i]);
  }
  activity = std::move(sorted);
}

// The counted records of `scope` that served work item or project `id` (theirs, or an agenda item's), grouped by
// title with their dates, in date order.
std::vector<CommitteeActivity> activities_serving(const std::vector<Record>& records, const ReportScope& scope,
                                                  const std::string& id) {
  std::vector<CommitteeActivity> activities;
  for (const Record& record : records) {
    if (!counts_in(record, scope)) continue;
    const bool served = contains(record.work_items, id) ||
                        std::any_of(record.meeting.agenda.begin(), record.meeting.agenda.end(),
                                    [&](const AgendaItem& agenda) { return agenda.work_item == id; });
    if (!served) continue;
    auto same = std::find_if(activities.begin(), activities.end(),
                             [&](const CommitteeActivity& activity) { return activity.label == record.title; });
    if (same == activities.end()) same = activities.insert(activities.end(), {record.title, {}, {}, {}});
    same->dates.push_back(record.date);
    same->shown.push_back(date_as_reported(record));
    same->records.push_back(record.id);
  }
  for (CommitteeActivity& activity : activities) sort_by_date(activity);
  return activities;
}

}  // namespace

bool counts_in(const Record& record, const ReportScope& scope) {
  if (record.deleted) return false;
  if (record.status != ReviewStatus::Approved && !(scope.provisional && record.status == ReviewStatus::Submitted))
    return false;
  if (!scope.council.empty() && record.council != scope.council) return false;
  return record_fiscal_year(record) == scope.fiscal_year;
}

Result<std::vector<Record>> report_records(const Store& store, const ReportScope& scope, int first_year) {
  RecordQuery query;
  query.date_from = format_iso(fiscal_year_range(first_year).first);
  query.date_to = format_iso(fiscal_year_range(scope.fiscal_year).second);
  query.council = scope.council;
  query.sort = SortColumn::Date;
  query.descending = false;
  query.limit = 0;
  std::vector<Record> records;
  auto status = store.for_each(query, [&](const Record& record) {
    ReportScope year = scope;
    if (auto fy = record_fiscal_year(record)) year.fiscal_year = *fy;
    if (counts_in(record, year)) records.push_back(record);
    return true;
  });
  if (!status) return status.error();
  return records;
}

Result<std::vector<ReportEntry>> report_entries_of(const Store& store, const ReportScope& scope, int first_year) {
  std::vector<ReportEntry> all;
  for (int year = first_year; year <= scope.fiscal_year; ++year) {
    auto entries = store.report_entries(scope.council, year);
    if (!entries) return entries.error();
    for (ReportEntry& entry : *entries) {
      // One the collector refused (another council's, a staff member's) counts nowhere.
      auto refused = store.report_entry_rejection(entry.id);
      if (!refused) return refused.error();
      if (!*refused) all.push_back(std::move(entry));
    }
  }
  return all;
}

IndicatorReport indicator_report(const std::vector<Record>& records, const ReferenceData& reference,
                                 const ReportScope& scope, int years_before, const std::vector<ReportEntry>& entries) {
  IndicatorReport report{scope.fiscal_year, scope.council, scope.provisional, {}};
  const std::vector<ReportEntry> current = current_report_entries(entries);
  for (const json& indicator : reference.indicators) {
    if (!indicator.is_object()) continue;
    IndicatorRow row;
    row.id = text_member(indicator, "id");
    row.name = text_member(indicator, "name");
    row.name_en = text_member(indicator, "name_en");
    row.unit = text_member(indicator, "unit");
    row.measure = text_member(indicator, "measure").empty() ? "count" : text_member(indicator, "measure");
    row.comparison = comparison_of(text_member(indicator, "comparison"));
    const IndicatorFilter filter(indicator.value("filter", json::object()), reference);
    if (auto per = indicator.find("per_organization"); per != indicator.end() && per->is_object()) {
      row.per_organization = number_of(per->value("per", json(1))).value_or(1);
      const std::string service_type = text_member(*per, "service_type"), role = text_member(*per, "role");
      for (const Organization& organization : reference.organizations)
        if (of_council(organization.council, scope.council) &&
            (service_type.empty() || organization.service_type == service_type) &&
            (role.empty() || organization.role == role))
          ++row.organizations;
    }
    const json targets = indicator.value("targets", json::object());
    const json actuals_before = indicator.value("actuals_before", json::object());
    const json actuals = indicator.value("actuals", json::object());
    auto figure_of = [&](int year) {
      ReportScope year_scope = scope;
      year_scope.fiscal_year = year;
      IndicatorFigure figure = measure(row.measure, filter, records, reference, year_scope);
      if (row.per_organization)
        figure.target = *row.per_organization * row.organizations;
      else
        figure.target = year_member(targets, year);
      // A figure no record holds, entered by a supervisor (synced, else in the reference data), stands in for the
      // count; a year before the records began keeps the actual the plan recorded.
      auto synced = std::find_if(current.begin(), current.end(), [&](const ReportEntry& entry) {
        return entry.kind == kActualEntry && entry.key == row.id && entry.fiscal_year == year &&
               (scope.council.empty() || entry.council == scope.council || entry.council.empty());
      });
      if (synced != current.end()) {
        figure.actual = number_of(synced->fields.value("value", json()));
        figure.hand_entered = true;
        figure.records.clear();
        figure.entered_by = synced->author;
        figure.entered_at = synced->time;
      } else if (auto entered = actuals.find(std::to_string(year)); entered != actuals.end()) {
        const json& value = *entered;
        if (auto number = number_of(value.is_object() ? value.value("value", json()) : value)) {
          figure.actual = *number;
          figure.hand_entered = true;
          figure.records.clear();
          if (value.is_object()) {
            figure.entered_by = text_member(value, "by");
            figure.entered_at = text_member(value, "at");
          }
        }
      } else if (year < scope.fiscal_year && figure.records.empty() && row.measure != "committees_established") {
        // A year before the records began: the actual the plan recorded, or unknown (not a zero).
        figure.actual = year_member(actuals_before, year);
      }
      judge(figure, row.comparison);
      return figure;
    };
    for (int year = scope.fiscal_year - years_before; year < scope.fiscal_year; ++year)
      row.earlier.push_back(figure_of(year));
    row.current = figure_of(scope.fiscal_year);
    report.indicators.push_back(std::move(row));
  }
  return report;
}

json indicator_report_json(const IndicatorReport& report) {
  json indicators = json::array();
  for (const IndicatorRow& row : report.indicators) {
    json out = figure_json(row.current);
    out.erase("fiscal_year");
    out["id"] = row.id;
    out["name"] = row.name;
    out["name_en"] = row.name_en;
    out["unit"] = row.unit;
    out["measure"] = row.measure;
    out["comparison"] = std::string(comparison_name(row.comparison));
    if (row.per_organization) {
      out["per_organization"] = *row.per_organization;
      out["organizations"] = row.organizations;
    }
    json earlier = json::array();
    for (const IndicatorFigure& figure : row.earlier) earlier.push_back(figure_json(figure));
    out["earlier"] = std::move(earlier);
    indicators.push_back(std::move(out));
  }
  return {{"fiscal_year", report.fiscal_year},
          {"council", report.council},
          {"provisional", report.provisional},
          {"indicators", std::move(indicators)}};
}

CommitteeReport committee_report(const std::vector<Record>& records, const ReferenceData& reference,
                                 const ReportScope& scope) {
  CommitteeReport report{scope.fiscal_year, scope.council, scope.provisional, {}};
  for (const Committee& committee : reference.committees) {
    if (!of_council(committee.council, scope.council)) continue;
    CommitteeSection section{committee.id, committee.name, {}};
    for (const WorkItem& item : reference.work_items) {
      if (item.committee != committee.id || item.fiscal_year != scope.fiscal_year) continue;
      section.work_items.push_back({item.id, item.number, item.name, activities_serving(records, scope, item.id)});
    }
    if (!section.work_items.empty()) report.committees.push_back(std::move(section));
  }
  return report;
}

std::string activity_line(const CommitteeActivity& activity) {
  std::string dates;
  for (const std::string& shown : activity.shown)
    if (!shown.empty()) dates += (dates.empty() ? "" : "、") + shown;
  return dates.empty() ? activity.label : activity.label + "（" + dates + "）";
}

std::vector<std::string> activity_records(const std::vector<CommitteeActivity>& activities) {
  std::vector<std::string> ids;
  for (const CommitteeActivity& activity : activities) ids.insert(ids.end(), activity.records.begin(), activity.records.end());
  return ids;
}

std::string activity_lines(const std::vector<CommitteeActivity>& activities) {
  std::string lines;
  for (const CommitteeActivity& activity : activities) lines += (lines.empty() ? "" : "\n") + activity_line(activity);
  return lines;
}

json committee_report_json(const CommitteeReport& report) {
  json committees = json::array();
  for (const CommitteeSection& section : report.committees) {
    json items = json::array();
    for (const CommitteeWorkItem& item : section.work_items) {
      json activities = json::array();
      for (const CommitteeActivity& activity : item.activities)
        activities.push_back({{"label", activity.label},
                              {"line", activity_line(activity)},
                              {"dates", activity.dates},
                              {"records", activity.records}});
      items.push_back({{"id", item.id}, {"number", item.number}, {"name", item.name}, {"activities", activities}});
    }
    committees.push_back({{"committee", section.committee}, {"name", section.name}, {"work_items", items}});
  }
  return {{"fiscal_year", report.fiscal_year},
          {"council", report.council},
          {"provisional", report.provisional},
          {"committees", std::move(committees)}};
}

ThemeReport theme_report(const std::vector<Record>& records, const ReferenceData& reference, const ReportScope& scope) {
  ThemeReport report{scope.fiscal_year, scope.council, scope.provisional, {}, {}, {}};
  for (const Theme& theme : reference.themes)
    if (of_council(theme.council, scope.council)) report.themes.push_back(theme.id);
  for (const Area& area : reference.areas)
    if (of_council(area.council, scope.council) && area.type != "department") report.areas.push_back(area.id);
  // Areas a record names that the list leaves out (a department, one typed before ids) still get their column.
  for (const Record& record : records)
    if (counts_in(record, scope))
      for (const std::string& area : record.areas)
        if (!contains(report.areas, area)) report.areas.push_back(area);
  for (const std::string& theme : report.themes)
    for (const std::string& area : report.areas) {
      ThemeCell cell{theme, area, reference.name_of(ReferenceKind::Area, area), {}};
      for (const Record& record : records)
        if (counts_in(record, scope) && contains(record.themes, theme) && contains(record.areas, area))
          cell.records.push_back(record.id);
      if (!cell.records.empty()) report.cells.push_back(std::move(cell));
    }
  return report;
}

json theme_report_json(const ThemeReport& report, const ReferenceData& reference) {
  json cells = json::array();
  for (const ThemeCell& cell : report.cells)
    cells.push_back({{"theme", cell.theme},
                     {"theme_name", reference.name_of(ReferenceKind::Theme, cell.theme)},
                     {"area", cell.area},
                     {"area_name", cell.area_name},
                     {"count", cell.records.size()},
                     {"records", cell.records}});
  return {{"fiscal_year", report.fiscal_year},
          {"council", report.council},
          {"provisional", report.provisional},
          {"cells", std::move(cells)}};
}

ProgressReport progress_report(const std::vector<Record>& records, const ReferenceData& reference,
                               const ReportScope& scope, const std::vector<ReportEntry>& entries) {
  ProgressReport report{scope.fiscal_year, scope.council, scope.provisional, {}};
  std::vector<ReportEntry> versions;
  for (const ReportEntry& entry : entries)
    if (entry.kind == kProgressEntry && entry.fiscal_year == scope.fiscal_year &&
        (scope.council.empty() || entry.council == scope.council))
      versions.push_back(entry);
  sort_report_entries(versions);
  for (const Project& project : reference.projects) {
    if (project.fiscal_year != scope.fiscal_year || !of_council(project.council, scope.council)) continue;
    ProgressRow row;
    row.project = project.id;
    row.council = project.council;
    row.number = project.number;
    row.name = project.name;
    row.category = project.category;
    row.plan_place = project.plan_place;
    row.summary = project.summary;
    row.figures = project.figures;
    row.activities = activities_serving(records, scope, project.id);
    for (const ReportEntry& entry : versions)
      if (entry.key == project.id) row.history.push_back(entry);
    if (!row.history.empty()) {
      const ReportEntry& latest = row.history.back();
      row.work_done = text_member(latest.fields, "work_done");
      row.work_done_entered = !row.work_done.empty();
      row.status = text_member(latest.fields, "status");
      row.figures_actual = text_member(latest.fields, "figures_actual");
      row.analysis = text_member(latest.fields, "analysis");
      row.next_plan = text_member(latest.fields, "next_plan");
      row.entered_by = latest.author;
      row.entered_at = latest.time;
    }
    if (!row.work_done_entered) row.work_done = activity_lines(row.activities);  // what the records say was done
    report.rows.push_back(std::move(row));
  }
  return report;
}

json progress_report_json(const ProgressReport& report) {
  json projects = json::array();
  for (const ProgressRow& row : report.rows) {
    projects.push_back({{"id", row.project},
                        {"number", row.number},
                        {"name", row.name},
                        {"status", row.status},
                        {"work_done", row.work_done},
                        {"work_done_entered", row.work_done_entered},
                        {"figures", row.figures},
                        {"figures_actual", row.figures_actual},
                        {"analysis", row.analysis},
                        {"next_plan", row.next_plan},
                        {"entered_by", row.entered_by},
                        {"entered_at", row.entered_at},
                        {"versions", row.history.size()},
                        {"records", activity_records(row.activities)}});
  }
  return {{"fiscal_year", report.fiscal_year},
          {"council", report.council},
          {"provisional", report.provisional},
          {"projects", std::move(projects)}};
}

std::string fiscal_year_text(int year, bool english) {
  return english ? "FY" + std::to_string(year) : format_fiscal_year(year);
}

std::optional<double> parse_figure(std::string_view text) {
  std::string number;
  for (char c : normalize_width(trim(text)))
    if (c != ',') number += c;
  if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (*end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string progress_status_text(const std::string& status, bool english) {
  if (status == "a") return english ? "a: achieved or completed" : "a 完全に達成・終了";
  if (status == "b") return english ? "b: under way, continuing" : "b 具体的に取り組み、継続して推進";
  if (status == "c") return english ? "c: preparing" : "c 本実施に向けた準備段階";
  if (status == "d") return english ? "d: not started" : "d 未着手";
  return "";
}

namespace {

std::string number_text(const std::optional<double>& value) {
  if (!value) return "";
  const double rounded = std::round(*value * 10) / 10;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, rounded == std::floor(rounded) ? "%.0f" : "%.1f", rounded);
  return buffer;
}

std::string rate_text(const std::optional<double>& rate) {
  return rate ? number_text(*rate * 100) + "%" : "";
}

std::string achieved_text(const std::optional<bool>& achieved, bool english) {
  if (!achieved) return "";
  return *achieved ? (english ? "achieved" : "達成") : (english ? "not achieved" : "未達成");
}

std::string provisional_note(bool provisional, bool english) {
  if (!provisional) return "";
  return english ? " (provisional: submitted records counted too)" : "（暫定：提出済みの記録を含む）";
}

}  // namespace

ReportSheet indicator_sheet(const IndicatorReport& report, bool english) {
  ReportSheet sheet;
  sheet.title = (english ? "Activity indicators " : "活動指標 ") + fiscal_year_text(report.fiscal_year, english) +
                provisional_note(report.provisional, english);
  sheet.header = english ? std::vector<std::string>{"Indicator", "Unit", "Comparison", "Target", "Actual", "Rate",
                                                    "Result"}
                         : std::vector<std::string>{"指標", "単位", "比較", "目標", "実績", "達成率", "評価"};
  const std::size_t years = report.indicators.empty() ? 0 : report.indicators.front().earlier.size();
  for (std::size_t i = 0; i < years; ++i)
    sheet.header.push_back(fiscal_year_text(report.indicators.front().earlier[i].fiscal_year, english) +
                           (english ? " actual" : " 実績"));
  sheet.header.push_back(english ? "Notes" : "備考");
  for (const IndicatorRow& row : report.indicators) {
    static const char* const kComparisonJa[] = {"以上", "以下", "ちょうど"};
    static const char* const kComparisonEn[] = {"at least", "at most", "exactly"};
    const auto comparison = static_cast<std::size_t>(row.comparison);
    std::string notes;
    if (row.per_organization)
      notes = english ? number_text(row.per_organization) + " per organisation × " + std::to_string(row.organizations)
                      : "1か所あたり" + number_text(row.per_organization) + "×" + std::to_string(row.organizations) + "か所";
    if (row.current.hand_entered)
      notes += (notes.empty() ? "" : (english ? "; " : "、")) +
               (english ? "actual entered by " + row.current.entered_by + " " + row.current.entered_at.substr(0, 10)
                        : "実績は手入力（" + row.current.entered_by + " " + row.current.entered_at.substr(0, 10) + "）");
    std::vector<std::string> cells{english && !row.name_en.empty() ? row.name_en : row.name,
                                   row.unit,
                                   english ? kComparisonEn[comparison] : kComparisonJa[comparison],
                                   number_text(row.current.target),
                                   number_text(row.current.actual),
                                   rate_text(row.current.rate),
                                   achieved_text(row.current.achieved, english)};
    for (const IndicatorFigure& figure : row.earlier) cells.push_back(number_text(figure.actual));
    cells.push_back(notes);
    sheet.rows.push_back(std::move(cells));
    sheet.row_records.push_back(row.current.records);
  }
  return sheet;
}

ReportSheet committee_sheet(const CommitteeReport& report, bool english) {
  ReportSheet sheet;
  sheet.title = (english ? "Committee activity report " : "専門部会等の活動報告 ") +
                fiscal_year_text(report.fiscal_year, english) + provisional_note(report.provisional, english);
  sheet.header = english ? std::vector<std::string>{"Committee", "Work item", "Activities"}
                         : std::vector<std::string>{"会議体", "事業項目", "取組状況"};
  for (const CommitteeSection& section : report.committees)
    for (const CommitteeWorkItem& item : section.work_items) {
      sheet.rows.push_back({section.name, item.number.empty() ? item.name : item.number + "．" + item.name,
                            activity_lines(item.activities)});
      sheet.row_records.push_back(activity_records(item.activities));
    }
  return sheet;
}

ReportSheet theme_sheet(const ThemeReport& report, const ReferenceData& reference, bool english) {
  ReportSheet sheet;
  sheet.title = (english ? "Regional issues by area " : "地域課題別の取組状況 ") +
                fiscal_year_text(report.fiscal_year, english) + provisional_note(report.provisional, english);
  sheet.header = {english ? "Theme" : "地域課題"};
  for (const std::string& area : report.areas) sheet.header.push_back(reference.name_of(ReferenceKind::Area, area, english));
  sheet.header.push_back(english ? "Total" : "計");
  for (const std::string& theme : report.themes) {
    std::vector<std::string> cells{theme + " " + reference.name_of(ReferenceKind::Theme, theme, english)};
    std::set<std::string> all;
    for (const std::string& area : report.areas) {
      auto cell = std::find_if(report.cells.begin(), report.cells.end(),
                               [&](const ThemeCell& c) { return c.theme == theme && c.area == area; });
      cells.push_back(cell == report.cells.end() ? "0" : std::to_string(cell->records.size()));
      if (cell != report.cells.end()) all.insert(cell->records.begin(), cell->records.end());
    }
    cells.push_back(std::to_string(all.size()));  // an activity in several areas counts once in the total
    sheet.rows.push_back(std::move(cells));
    sheet.row_records.emplace_back(all.begin(), all.end());
  }
  return sheet;
}

ReportSheet progress_sheet(const ProgressReport& report, bool english) {
  ReportSheet sheet;
  sheet.title = (english ? "Progress management table " : "進捗状況管理表 ") + fiscal_year_text(report.fiscal_year, english) +
                provisional_note(report.provisional, english);
  sheet.header = english ? std::vector<std::string>{"No.", "Project", "Summary", "Work done", "Status", "Baseline",
                                                    "Target", "Actual", "Analysis and issues", "Next year's plan"}
                         : std::vector<std::string>{"事業番号", "事業名", "事業概要", fiscal_year_text(report.fiscal_year, false) + "の実施状況",
                                                    "目的達成状況", "数値目標（基準）", "数値目標（目標）", "実績",
                                                    "数値目標達成状況及び現状分析、今後の課題",
                                                    fiscal_year_text(report.fiscal_year + 1, false) + "の取組予定"};
  // "平成26年度 相談件数 25,272件": a figure of the plan as the seed writes it, one per line.
  auto figures = [english](const json& list, const char* value_key, const char* year_key) {
    std::string lines;
    for (const json& figure : list) {
      if (!figure.is_object()) continue;
      std::string line;
      if (auto year = figure.find(year_key); year != figure.end() && year->is_number_integer())
        line = fiscal_year_text(year->get<int>(), english) + " ";
      line += text_member(figure, "name") + " ";
      if (auto value = number_of(figure.value(value_key, json()))) line += number_text(value) + text_member(figure, "unit");
      lines += (lines.empty() ? "" : "\n") + line;
    }
    return lines;
  };
  for (const ProgressRow& row : report.rows) {
    std::string name = row.name;
    if (row.category == "new") name += english ? " [new]" : "【新規】";
    if (row.category == "expanded") name += english ? " [expanded]" : "【拡充】";
    sheet.rows.push_back({row.number, name, row.summary, row.work_done, row.status,
                          figures(row.figures, "baseline", "baseline_year"), figures(row.figures, "target", "target_year"),
                          row.figures_actual, row.analysis, row.next_plan});
    sheet.row_records.push_back(activity_records(row.activities));
  }
  return sheet;
}

std::string sheet_csv(const ReportSheet& sheet) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      // Counts and rates stay numbers for the spreadsheet; everything else is text.
      const bool number = !cells[i].empty() && cells[i].find_first_not_of("0123456789.") == std::string::npos;
      out += (i ? "," : "") + csv_cell(cells[i], !number);
    }
    out += "\r\n";
  };
  line(sheet.header);
  for (const auto& row : sheet.rows) line(row);
  return out;
}

}  // namespace tsunagi
