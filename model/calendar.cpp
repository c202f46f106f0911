// Sections:
//   [1] Era table
//   [2] Input cursor shared by the parsers
//   [3] Gregorian dates and times
//   [4] Fiscal years and eras

#include "model/calendar.hpp"

#include "model/text.hpp"

#include <array>
#include <cstdio>

namespace tsunagi {

namespace {

// [1] Era table ------------------------------------------------------------------------------------------

struct EraInfo {
  Era era;
  std::string_view name;
  char letter;
  Date first_day;
};

// Ordered by first day; indexed by Era.
constexpr std::array<EraInfo, 5> kEras{{
    {Era::Meiji, "明治", 'M', {1868, 1, 25}},
    {Era::Taisho, "大正", 'T', {1912, 7, 30}},
    {Era::Showa, "昭和", 'S', {1926, 12, 25}},
    {Era::Heisei, "平成", 'H', {1989, 1, 8}},
    {Era::Reiwa, "令和", 'R', {2019, 5, 1}},
}};

// Japan switched to the Gregorian calendar on Meiji 6-01-01; earlier Meiji dates do not map 1:1.
constexpr Date kFirstGregorianDay{1873, 1, 1};

const EraInfo& info(Era e) { return kEras[static_cast<std::size_t>(e)]; }

int gregorian_year(Era e, int era_year) { return info(e).first_day.year + era_year - 1; }

// [2] Input cursor ---------------------------------------------------------------------------------------

// Reads already width-normalized text left to right; every reader returns false/nullopt without a partial
// meaning, so parsers can simply bail out.
struct Cursor {
  std::string_view rest;

  bool done() const { return rest.empty(); }

  void skip_spaces() {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  }

  bool eat(std::string_view token) {
    if (!rest.starts_with(token)) return false;
    rest.remove_prefix(token.size());
    return true;
  }

  // Matches ASCII letters ignoring case, so "fy2024" and "r5.7.3" work.
  bool eat_ascii_ci(std::string_view token) {
    if (rest.size() < token.size()) return false;
    for (std::size_t i = 0; i < token.size(); ++i) {
      char c = rest[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != token[i]) return false;
    }
    rest.remove_prefix(token.size());
    return true;
  }

  // A run of min_digits..max_digits ASCII digits; a longer run is rejected, not split.
  std::optional<int> number(std::size_t min_digits, std::size_t max_digits) {
    std::size_t count = 0;
    while (count < rest.size() && rest[count] >= '0' && rest[count] <= '9') ++count;
    if (count < min_digits || count > max_digits) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) value = value * 10 + (rest[i] - '0');
    rest.remove_prefix(count);
    return value;
  }

  // An era by kanji name or letter.
  std::optional<Era> era() {
    for (const EraInfo& e : kEras) {
      if (eat(e.name) || eat_ascii_ci(std::string_view(&e.letter, 1))) return e.era;
    }
    return std::nullopt;
  }

  // An era year: 元 or 1..99.
  std::optional<int> era_year() {
    if (eat("元")) return 1;
    const auto year = number(1, 2);
    if (!year || *year < 1) return std::nullopt;
    return year;
  }
};

Cursor normalized_cursor(std::string_view s, std::string& storage) {
  storage = trim(normalize_width(s));
  return Cursor{storage};
}

// Era used to name fiscal year fy: the one in force on 30 September, i.e. for most of the year.
std::optional<EraYear> fiscal_era(int fy) {
  const auto at_mid_year = era_of(Date{fy, 9, 30});
  if (!at_mid_year) return std::nullopt;
  return EraYear{at_mid_year->era, fy - info(at_mid_year->era).first_day.year + 1};
}

}  // namespace

// [3] Gregorian dates and times --------------------------------------------------------------------------

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(int year, int month, int day) {
  return year >= 1 && year <= 9999 && day >= 1 && day <= days_in_month(year, month);
}

std::optional<Date> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  Cursor c{s};
  const auto year = c.number(4, 4);
  c.eat("-");
  const auto month = c.number(2, 2);
  c.eat("-");
  const auto day = c.number(2, 2);
  if (!year || !month || !day || !c.done() || !is_valid_date(*year, *month, *day)) return std::nullopt;
  return Date{*year, *month, *day};
}

std::string format_iso(const Date& d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buffer;
}

std::optional<TimeOfDay> parse_time(std::string_view s) {
  std::string storage;
  Cursor c = normalized_cursor(s, storage);
  const auto hour = c.number(1, 2);
  if (!hour) return std::nullopt;
  c.skip_spaces();
  std::optional<int> minute;
  if (c.eat(":")) {
    c.skip_spaces();
    minute = c.number(2, 2);
  } else if (c.eat("時")) {
    c.skip_spaces();
    if (c.done()) {
      minute = 0;
    } else if (c.eat("半")) {
      minute = 30;
    } else {
      minute = c.number(1, 2);
      c.skip_spaces();
      if (!c.eat("分")) return std::nullopt;
    }
  }
  if (!minute || !c.done() || *hour > 23 || *minute > 59) return std::nullopt;
  return TimeOfDay{*hour, *minute};
}

std::string format_time(const TimeOfDay& t) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", t.hour, t.minute);
  return buffer;
}

std::optional<Date> parse_date(std::string_view s) {
  std::string storage;
  Cursor c = normalized_cursor(s, storage);
  const std::optional<Era> era = c.era();
  c.skip_spaces();
  const std::optional<int> year_number = era ? c.era_year() : c.number(4, 4);
  if (!year_number) return std::nullopt;
  const int year = era ? gregorian_year(*era, *year_number) : *year_number;

  std::optional<int> month;
  std::optional<int> day;
  c.skip_spaces();
  if (c.eat("年")) {
    c.skip_spaces();
    month = c.number(1, 2);
    c.skip_spaces();
    if (!month || !c.eat("月")) return std::nullopt;
    c.skip_spaces();
    if (c.eat("末")) {
      day = days_in_month(year, *month);
    } else {
      day = c.number(1, 2);
      c.skip_spaces();
      if (!c.eat("日")) return std::nullopt;
    }
  } else {
    if (c.done()) return std::nullopt;
    const std::string_view separator = c.rest.substr(0, 1);
    if (separator != "-" && separator != "/" && separator != ".") return std::nullopt;
    c.eat(separator);
    c.skip_spaces();
    month = c.number(1, 2);
    c.skip_spaces();
    if (!c.eat(separator)) return std::nullopt;  // "2023-7/3" mixes styles: likely a typo
    c.skip_spaces();
    day = c.number(1, 2);
  }
  c.skip_spaces();
  if (!month || !day || !c.done() || !is_valid_date(year, *month, *day)) return std::nullopt;

  const Date date{year, *month, *day};
  if (era) {
    // The era year must be the one actually in force: "令和1年4月30日" was still 平成31年.
    const auto actual = era_of(date);
    if (!actual || actual->era != *era || actual->year != *year_number) return std::nullopt;
  }
  return date;
}

// [4] Fiscal years and eras ------------------------------------------------------------------------------

int fiscal_year(const Date& d) { return d.month >= 4 ? d.year : d.year - 1; }

std::pair<Date, Date> fiscal_year_range(int fy) { return {Date{fy, 4, 1}, Date{fy + 1, 3, 31}}; }

std::optional<EraYear> era_of(const Date& d) {
  if (!is_valid_date(d.year, d.month, d.day) || d < kFirstGregorianDay) return std::nullopt;
  for (auto e = kEras.rbegin(); e != kEras.rend(); ++e) {
    if (d >= e->first_day) return EraYear{e->era, d.year - e->first_day.year + 1};
  }
  return std::nullopt;  // unreachable: kFirstGregorianDay is within Meiji
}

std::string era_name(Era e) { return std::string(info(e).name); }

std::string era_letter(Era e) { return std::string(1, info(e).letter); }

std::string format_wareki(const Date& d) {
  const auto era = era_of(d);
  if (!era) return format_iso(d);
  const std::string year = era->year == 1 ? "元" : std::to_string(era->year);
  return era_name(era->era) + year + "年" + std::to_string(d.month) + "月" + std::to_string(d.day) + "日";
}

std::string format_wareki_short(const Date& d) {
  const auto era = era_of(d);
  if (!era) return format_iso(d);
  return era_letter(era->era) + std::to_string(era->year) + "." + std::to_string(d.month) + "." + std::to_string(d.day);
}

std::string format_fiscal_year(int fy) {
  const auto era = fiscal_era(fy);
  if (!era) return std::to_string(fy) + "年度";
  const std::string year = era->year == 1 ? "元" : std::to_string(era->year);
  return era_name(era->era) + year + "年度";
}

std::string format_fiscal_year_short(int fy) {
  const auto era = fiscal_era(fy);
  if (!era) return std::to_string(fy) + "年度";
  return era_letter(era->era) + std::to_string(era->year) + "年度";
}

std::optional<int> parse_fiscal_year(std::string_view s) {
  std::string storage;
  Cursor c = normalized_cursor(s, storage);
  std::optional<int> fy;
  std::optional<Era> era;
  if (c.eat_ascii_ci("FY")) {
    c.skip_spaces();
    fy = c.number(4, 4);
  } else if ((era = c.era())) {
    c.skip_spaces();
    const auto era_year = c.era_year();
    if (era_year) fy = gregorian_year(*era, *era_year);
  } else {
    fy = c.number(4, 4);
  }
  c.skip_spaces();
  c.eat("年度");
  c.skip_spaces();
  if (!fy || !c.done() || *fy < 1 || *fy > 9998) return std::nullopt;

  if (era) {
    // Accept any era naming part of the year, so both 平成31年度 and 令和元年度 mean FY2019.
    const auto [first_day, last_day] = fiscal_year_range(*fy);
    const auto at_start = era_of(first_day);
    const auto at_end = era_of(last_day);
    const bool overlaps = (at_start && at_start->era == *era) || (at_end && at_end->era == *era);
    if (!overlaps) return std::nullopt;
  }
  return fy;
}

}  // namespace tsunagi
