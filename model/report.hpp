// The yearly reports, computed from the records a store holds (a supervisor's laptop holds every record it may
// see, so reports work offline): activity indicators against their targets (活動指標, seed 002), the committee
// activity report (seed 004) and the theme report (seed 001). Pure functions over records and reference data;
// report_records reads the records from a store.
//
// Every figure names the records behind it, so that a click (or --records) lists them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/record.hpp"
#include "model/reference.hpp"
#include "model/report_entry.hpp"

namespace tsunagi {

class Store;

// What a report counts: one fiscal year, one council (or every one), approved records (and submitted ones too when
// provisional: the report then says so).
struct ReportScope {
  int fiscal_year = 0;
  std::string council;  // a council's id; empty: every council's records
  bool provisional = false;
};

// Whether `record` counts in `scope`: not deleted, its (first) day in the fiscal year, of the council, approved (or
// submitted when provisional). Drafts and returned records never count.
bool counts_in(const Record& record, const ReportScope& scope);

// The records of `scope`'s council dated in the fiscal years `first_year` .. scope.fiscal_year that count (each
// year judged as scope judges its own), in date order.
Result<std::vector<Record>> report_records(const Store& store, const ReportScope& scope, int first_year);
// Every version of the report entries of `scope`'s council (all councils' when it names none) for the fiscal years
// `first_year` .. scope.fiscal_year, but those the collector refused.
Result<std::vector<ReportEntry>> report_entries_of(const Store& store, const ReportScope& scope, int first_year);

// --- Indicators (活動指標) ---

enum class Comparison { AtLeast, AtMost, Exactly };  // 以上, 以下, ちょうど

struct IndicatorFigure {
  int fiscal_year = 0;
  std::optional<double> target;
  std::optional<double> actual;  // nullopt: nothing known for that year
  bool hand_entered = false;     // an actual no record holds, entered by a supervisor
  std::string entered_by, entered_at;
  std::optional<double> rate;     // actual ÷ target (AtLeast, Exactly), target ÷ actual (AtMost)
  std::optional<bool> achieved;   // nullopt without a target or an actual
  std::vector<std::string> records;  // behind the actual (ids), when counted from records
};

struct IndicatorRow {
  std::string id, name, name_en, unit, measure;
  Comparison comparison = Comparison::AtLeast;
  // A per-organisation target (1 per consultation office per year): the number per organisation and how many
  // organisations match; the year's target is their product.
  std::optional<double> per_organization;
  int organizations = 0;
  IndicatorFigure current;              // scope's fiscal year
  std::vector<IndicatorFigure> earlier;  // the years before it, oldest first
};

struct IndicatorReport {
  int fiscal_year = 0;
  std::string council;
  bool provisional = false;
  std::vector<IndicatorRow> indicators;
};

// The reference data's indicators for `scope`, with `years_before` earlier years beside each. `records` are
// report_records' (the years needed); figures are computed from those that count in each year's scope.
// An indicator: {"id", "name", "unit", "measure": count | occurrences | sum:participants | distinct:organizations |
// distinct:committees | committees_established, "filter": {kind, meeting_type, review_type, visit_type,
// participation, committee (and below it), theme, area (and its wards), service_type, organization_role},
// "comparison": at_least | at_most | exactly (以上 / 以下 / ちょうど), "targets": {"2024": 3},
// "per_organization": {"per": 1, "service_type" | "role": ...}, "actuals_before": {"2023": 2},
// "actuals": {"2024": {"value", "by", "at"}}}. An indicator that is not an object is skipped.
// `entries`: report entries (any versions); the current "actual" entry of an indicator and year (a supervisor's
// hand-entered figure, synced) stands in for the count, before the reference data's "actuals".
IndicatorReport indicator_report(const std::vector<Record>& records, const ReferenceData& reference,
                                 const ReportScope& scope, int years_before = 2,
                                 const std::vector<ReportEntry>& entries = {});
nlohmann::json indicator_report_json(const IndicatorReport& report);

// --- Committee activity report (seed 004) ---

// One activity line of a work item: what was done, with its dates (情報共有（4/17、7/24、10/16）).
struct CommitteeActivity {
  std::string label;               // the record's title
  std::vector<std::string> dates;  // ISO (a record's first day), in date order
  std::vector<std::string> shown;  // each date as the report writes it: 4/17, 1月 (a month), 9/21～12/19 (a period)
  std::vector<std::string> records;
};
struct CommitteeWorkItem {
  std::string id, number, name;
  std::vector<CommitteeActivity> activities;
};
struct CommitteeSection {
  std::string committee, name;
  std::vector<CommitteeWorkItem> work_items;
};
struct CommitteeReport {
  int fiscal_year = 0;
  std::string council;
  bool provisional = false;
  std::vector<CommitteeSection> committees;
};

// Per committee and work item of the fiscal year (the reference data's, in their order), the counted records that
// served it (their work_items, or an agenda item's), grouped by title with their dates.
CommitteeReport committee_report(const std::vector<Record>& records, const ReferenceData& reference,
                                 const ReportScope& scope);
// "情報共有（4/17、7/24、10/16）": the label with each date as month/day.
std::string activity_line(const CommitteeActivity& activity);
// Each activity's line, one per line (a work item's 取組状況 cell).
std::string activity_lines(const std::vector<CommitteeActivity>& activities);
// The ids of the records behind `activities`, in their order.
std::vector<std::string> activity_records(const std::vector<CommitteeActivity>& activities);
nlohmann::json committee_report_json(const CommitteeReport& report);

// --- Theme report (seed 001) ---

struct ThemeCell {
  std::string theme, area, area_name;
  std::vector<std::string> records;
};
struct ThemeReport {
  int fiscal_year = 0;
  std::string council;
  bool provisional = false;
  std::vector<std::string> themes;  // ids, the reference data's order
  std::vector<std::string> areas;   // ids: wards, areas and the city's (市基幹, 市), the reference data's order
  std::vector<ThemeCell> cells;     // the cells with any record, themes then areas in order
};

// The counted records per regional-issue theme and area: an activity in several wards counts once in each.
ThemeReport theme_report(const std::vector<Record>& records, const ReferenceData& reference, const ReportScope& scope);
// {"fiscal_year", "provisional", "cells": [{"theme", "area", "area_name", "count", "records"}]}
nlohmann::json theme_report_json(const ThemeReport& report, const ReferenceData& reference);

// --- Progress management table (進捗状況管理表, seed 003) ---

// One project (事業) of the plan: what the reference data says of it, the records that served it this year, and the
// supervisors' evaluation (the current version of its "progress" entry).
struct ProgressRow {
  std::string project, council, number, name, category, plan_place, summary;
  nlohmann::json figures = nlohmann::json::array();  // the plan's: [{name, unit, baseline, baseline_year, target, ...}]
  std::vector<CommitteeActivity> activities;         // the counted records that served it, grouped by title
  std::string work_done;       // as entered; else pre-filled from the activities' lines
  bool work_done_entered = false;
  std::string status;          // "a" done, "b" continuing, "c" preparing, "d" not started; "" not evaluated
  std::string figures_actual;  // this year's figures against the plan's, as entered
  std::string analysis;        // 現状分析・今後の課題
  std::string next_plan;       // 次年度の取組予定
  std::string entered_by, entered_at;  // the current version's writer and time; empty when never evaluated
  std::vector<ReportEntry> history;    // every version, oldest first
};
struct ProgressReport {
  int fiscal_year = 0;
  std::string council;
  bool provisional = false;
  std::vector<ProgressRow> rows;
};

// The projects of `scope`'s council and fiscal year (the reference data's, in order), each with the records that
// served it (their work_items) and its progress entry from `entries` (any versions; the newest counts).
ProgressReport progress_report(const std::vector<Record>& records, const ReferenceData& reference,
                               const ReportScope& scope, const std::vector<ReportEntry>& entries);
// {"fiscal_year", "council", "provisional", "projects": [{"id", "number", "name", "status", "work_done",
// "work_done_entered", "figures", "figures_actual", "analysis", "next_plan", "entered_by", "entered_at",
// "versions", "records"}]}
nlohmann::json progress_report_json(const ProgressReport& report);
// A fiscal year as a report names it: 令和6年度, or FY2024 in English.
std::string fiscal_year_text(int year, bool english);

// A figure as a supervisor types it for an actual: full-width digits and thousands separators (1,200 / １，２００)
// read; nullopt unless a finite number of at least 0.
std::optional<double> parse_figure(std::string_view text);

// A status's words: a 完全に達成・終了, b 継続して推進, c 準備段階, d 未着手 (English with `english`).
std::string progress_status_text(const std::string& status, bool english);

// --- As sheets: what the table, CSV (and spreadsheet) forms of a report share ---

// A report laid out as the seed lays it out: a title, a header row and rows of cells (text as shown: 和暦 for years,
// names for ids). `english`: English headers and names where the reference data has them.
struct ReportSheet {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::vector<std::string>> row_records;  // per row, the ids of the records behind its figures
};
ReportSheet indicator_sheet(const IndicatorReport& report, bool english);
ReportSheet committee_sheet(const CommitteeReport& report, bool english);
ReportSheet theme_sheet(const ThemeReport& report, const ReferenceData& reference, bool english);
ReportSheet progress_sheet(const ProgressReport& report, bool english);
// CSV for spreadsheets: UTF-8 with a BOM, CRLF, the header row then the rows (csv_cell quoting).
std::string sheet_csv(const ReportSheet& sheet);

}  // namespace tsunagi
