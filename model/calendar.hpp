// Dates, times, fiscal years (年度) and Japanese eras (和暦).
// Storage and sync use ISO 8601; reports show 和暦; typed input and seed files mix both, in either width
// (see DOMAIN.md "Calendar and numbers"). All functions are pure and thread-safe.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tsunagi {

struct Date {
  int year = 0, month = 0, day = 0;
  auto operator<=>(const Date&) const = default;
};

// How exactly a date is known: a day, a month, a whole fiscal year, or a period from one day to another.
enum class DatePrecision { Day, Month, FiscalYear, Period };

struct TimeOfDay {
  int hour = 0, minute = 0;
  auto operator<=>(const TimeOfDay&) const = default;
};

// Gregorian leap-year rule (every 4th year, except centuries not divisible by 400).
bool is_leap_year(int year);

// Days in the month (28..31), or 0 if month is outside 1..12.
int days_in_month(int year, int month);

// True if the proleptic Gregorian date exists and year is in 1..9999 (the range ISO strings can hold).
bool is_valid_date(int year, int month, int day);

// Parses exactly "YYYY-MM-DD" (half-width, zero-padded); nullopt unless the date exists.
std::optional<Date> parse_iso_date(std::string_view s);

// "YYYY-MM-DD". Expects a valid date.
std::string format_iso(const Date& d);

// Parses "09:30", "9:30", "９：３０", "9時30分", "9時" (either width, surrounding spaces allowed);
// nullopt unless the time is within 00:00..23:59.
std::optional<TimeOfDay> parse_time(std::string_view s);

// "HH:MM", zero-padded.
std::string format_time(const TimeOfDay& t);

// Fiscal year (年度) containing d: April..March, so 2025-03-31 belongs to FY2024.
int fiscal_year(const Date& d);

// First and last day of fiscal year fy: {fy-04-01, (fy+1)-03-31}.
std::pair<Date, Date> fiscal_year_range(int fy);

enum class Era { Meiji, Taisho, Showa, Heisei, Reiwa };

struct EraYear {
  Era era;
  int year;  // 1 = 元年
};

// Era and era year in force on d, switching on each era's exact first day. nullopt for invalid dates and
// before 1873-01-01, when Japan adopted the Gregorian calendar (earlier Meiji dates were lunisolar).
std::optional<EraYear> era_of(const Date& d);

// Kanji era name, e.g. "令和".
std::string era_name(Era e);

// One-letter abbreviation used in seeds and forms: "M", "T", "S", "H", "R".
std::string era_letter(Era e);

// "令和6年4月1日"; the first year is written 元年 ("令和元年5月1日"). ISO form for dates era_of rejects.
std::string format_wareki(const Date& d);

// "R6.4.1"; the first year is written 1 ("R1.5.1"). ISO form for dates era_of rejects.
std::string format_wareki_short(const Date& d);

// "令和6年度". The era is the one in force on 30 September of the FY, i.e. for most of it: this is the
// era of 1 April except across a change, where FY2019 becomes "令和元年度" by convention (FY2018 stays
// "平成30年度"). Falls back to "<fy>年度" before 1873.
std::string format_fiscal_year(int fy);

// "R6年度", with the same era choice as format_fiscal_year ("R1年度" for FY2019).
std::string format_fiscal_year_short(int fy);

// Parses "2024", "2024年度", "FY2024", "令和6年度", "令和元年度", "R6", "R6年度", "平成30年度" (either width,
// letters case-insensitive). An era form must name a fiscal year that overlaps the era, so "平成31年度"
// (= FY2019) is accepted but "平成32年度" is not.
std::optional<int> parse_fiscal_year(std::string_view s);

// Lenient date parser for typed input, seed files and CLI flags. Accepts, in either width:
// "2023-07-03", "2023/7/3", "2023.7.3", "2023年7月3日", "2024年2月末" (末 = last day of the month),
// "R5.7.3", "H31.4.30", "r5.7.3", "令和5年7月3日", "令和元年5月1日", "令和 6 年 3 月 1 日", "令和6年3月末".
// nullopt if the date does not exist or the era year is not in force on it ("令和1年4月30日", "平成31年5月1日").
std::optional<Date> parse_date(std::string_view s);

// [5] Dates and times as people write them ----------------------------------------------------------------

// A date as written, with how exactly it is known: its first and last day (equal for a day).
struct DateSpan {
  Date from, to;
  DatePrecision precision = DatePrecision::Day;
  // Written in an era after the era had ended ("平成31年5月1日": printed forms keep the old era for months): read as
  // the date it means; the right form is format_date_span's.
  bool era_past_end = false;
};

// Reads a date as the seeds and forms write it, in either width:
// - a day, as parse_date reads it ("R5.7.3", "令和5年7月3日", "2023/7/3"), with a weekday suffix ("（月）") allowed;
// - a month: "令和6年1月", "R6.1", "2024年1月";
// - a fiscal year: "令和5年度", "R5年度", "FY2023", "2023年度";
// - a day or month without a year ("4/17", "4月17日", "５月"): read within `fiscal_year` (April..March), and
//   nullopt without one;
// - a period: two of the above joined by "～", "〜", "~" or "から…まで" ("R5.9.21～R5.12.19", "令和5年7月～9月": the
//   second may leave out the year, then taken from the first); "令和6年1月から" runs to the end of its fiscal year.
// An era year past the era's end is read as the date it means, with era_past_end set; one before the era began
// ("令和1年4月30日") is nullopt. Pure; thread-safe.
std::optional<DateSpan> parse_date_span(std::string_view s, std::optional<int> fiscal_year = std::nullopt);

// The span in 和暦 at its precision: "令和5年7月3日", "令和6年1月", "令和5年度", "令和5年9月21日～令和5年12月19日".
std::string format_date_span(const DateSpan& span);
// The same in ISO forms, for English: "2023-07-03", "2024-01", "FY2023", "2023-09-21 – 2023-12-19".
std::string format_date_span_iso(const DateSpan& span);

// The span a stored date and its end stand for (ISO; an empty end is a day): a whole month or fiscal year reads as
// one, any other end as a period. nullopt unless `date` (and `end`, if given) are ISO dates in order.
std::optional<DateSpan> stored_date_span(std::string_view date, std::string_view end);

// A time or a time range as typed into a start-time field: "13:30", "13：30～15：00", "13:30-15:00", "午後1時30分",
// "午後1時30分～3時" (the end follows the start's 午後). nullopt unless every part reads.
struct TimeRange {
  TimeOfDay start;
  std::optional<TimeOfDay> end;
};
std::optional<TimeRange> parse_time_range(std::string_view s);

// "令和8年11月22日 10:46" (local time) for an ISO 8601 UTC timestamp, "2026-11-22 10:46" in English; the text itself
// when it does not parse.
std::string format_local_timestamp(const std::string& iso, bool japanese);

}  // namespace tsunagi
