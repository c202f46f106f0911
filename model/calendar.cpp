// Sections:
//   [1] Era table
//   [2] Input cursor shared by the parsers
//   [3] Gregorian dates and times
//   [4] Fiscal years and eras
//   [5] Dates and times as people write them

#include "model/calendar.hpp"

#include "model/text.hpp"
#include "model/platform.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <tuple>

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

  // How many ASCII digits come next.
  std::size_t digits() const {
    std::size_t count = 0;
    while (count < rest.size() && rest[count] >= '0' && rest[count] <= '9') ++count;
    return count;
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

// [5] Dates and times as people write them ----------------------------------------------------------------

namespace {

// One end of a written date, before a year is known for it.
struct WrittenDate {
  std::optional<Era> era;
  int era_year = 0;
  int year = 0;  // Gregorian; 0 when not written
  int month = 0;  // 0: a year (fiscal) only
  int day = 0;    // 0: a month only
  bool last_day = false;  // 末
  bool fiscal = false;    // 年度
};

// "（月）", "(火・祝)": a weekday, as forms print after a date.
void skip_weekday(Cursor& c) {
  Cursor probe = c;
  probe.skip_spaces();
  if (!probe.eat("(")) return;
  bool any = false;
  for (;;) {
    bool ate = false;
    for (std::string_view day : {"月", "火", "水", "木", "金", "土", "日", "祝", "・", "曜", "曜日"})
      if (probe.eat(day)) ate = any = true;
    if (!ate) break;
  }
  if (any && probe.eat(")")) c = probe;
}

// What may follow "N月": "末" (the last day), "D日", or nothing (the month).
bool read_day_after_month(Cursor& c, WrittenDate& w) {
  c.skip_spaces();
  if (c.eat("末")) {
    w.last_day = true;
  } else if (c.digits() > 0) {
    auto day = c.number(1, 2);
    c.skip_spaces();
    if (!day || !c.eat("日")) return false;
    w.day = *day;
  }
  return true;
}

// Month and day after a year written with 年: "7月3日", "7月", "3月末".
bool read_kanji_month_day(Cursor& c, WrittenDate& w) {
  c.skip_spaces();
  auto month = c.number(1, 2);
  c.skip_spaces();
  if (!month || !c.eat("月")) return false;
  w.month = *month;
  return read_day_after_month(c, w);
}

// Month and optional day after a year written with a separator: ".7.3", "/7", "-07-03".
bool read_separated_month_day(Cursor& c, WrittenDate& w) {
  const std::string_view separator = c.rest.substr(0, 1);
  if (separator != "-" && separator != "/" && separator != ".") return false;
  c.eat(separator);
  c.skip_spaces();
  auto month = c.number(1, 2);
  if (!month) return false;
  w.month = *month;
  c.skip_spaces();
  if (c.eat(separator)) {
    c.skip_spaces();
    auto day = c.number(1, 2);
    if (!day) return false;
    w.day = *day;
  }
  return true;
}

std::optional<WrittenDate> read_written_date(Cursor& c) {
  WrittenDate w;
  c.skip_spaces();
  if (c.eat_ascii_ci("FY")) {
    c.skip_spaces();
    auto year = c.number(4, 4);
    if (!year) return std::nullopt;
    c.skip_spaces();
    c.eat("年度");
    w.year = *year;
    w.fiscal = true;
    return w;
  }
  if ((w.era = c.era())) {
    c.skip_spaces();
    auto era_year = c.era_year();
    if (!era_year) return std::nullopt;
    w.era_year = *era_year;
    w.year = gregorian_year(*w.era, *era_year);
  } else if (c.digits() == 4) {
    w.year = *c.number(4, 4);
  } else if (c.digits() == 1 || c.digits() == 2) {
    // No year: "4/17", "4.17", "4月17日", "5月".
    w.month = *c.number(1, 2);
    c.skip_spaces();
    if (c.eat("月")) {
      if (!read_day_after_month(c, w)) return std::nullopt;
    } else if (c.eat("/") || c.eat(".")) {
      c.skip_spaces();
      auto day = c.number(1, 2);
      if (!day) return std::nullopt;
      w.day = *day;
    } else {
      return std::nullopt;
    }
    skip_weekday(c);
    return w;
  } else {
    return std::nullopt;
  }
  c.skip_spaces();
  if (c.eat("年度")) {
    w.fiscal = true;
    return w;
  }
  if (c.eat("年")) {
    if (!read_kanji_month_day(c, w)) return std::nullopt;
  } else if (!read_separated_month_day(c, w)) {
    return std::nullopt;
  }
  skip_weekday(c);
  return w;
}

// The span a written date stands for. A date without a year takes one from `fiscal_year` (April..March), else
// the first such date on or after `not_before` (the start of a period).
std::optional<DateSpan> span_of(const WrittenDate& w, std::optional<int> fiscal_year,
                                std::optional<Date> not_before) {
  DateSpan span;
  int year = w.year;
  if (w.fiscal) {
    if (year < 1 || year > 9998) return std::nullopt;
    std::tie(span.from, span.to) = fiscal_year_range(year);
    span.precision = DatePrecision::FiscalYear;
    if (w.era) {
      // Either era naming part of the year is right (平成31年度 and 令和元年度 are FY2019); a later one is past.
      const auto at_start = era_of(span.from);
      const auto at_end = era_of(span.to);
      if ((at_start && at_start->era == *w.era) || (at_end && at_end->era == *w.era)) return span;
      if (at_start && at_start->era > *w.era) {
        span.era_past_end = true;
        return span;
      }
      return std::nullopt;
    }
    return span;
  }
  if (w.month < 1 || w.month > 12) return std::nullopt;
  if (year == 0) {
    if (fiscal_year) {
      year = w.month >= 4 ? *fiscal_year : *fiscal_year + 1;
    } else if (not_before) {
      year = not_before->year;
      if (Date{year, w.month, w.day ? w.day : days_in_month(year, w.month)} < *not_before) ++year;
    } else {
      return std::nullopt;
    }
  }
  if (year < 1 || year > 9999) return std::nullopt;
  if (w.day == 0 && !w.last_day) {
    span.from = Date{year, w.month, 1};
    span.to = Date{year, w.month, days_in_month(year, w.month)};
    span.precision = DatePrecision::Month;
  } else {
    const int day = w.last_day ? days_in_month(year, w.month) : w.day;
    if (!is_valid_date(year, w.month, day)) return std::nullopt;
    span.from = span.to = Date{year, w.month, day};
  }
  if (w.era) {
    // The era must have begun by the span's end; one that had ended by its start was written from habit.
    const auto at_end = era_of(span.to);
    const auto at_start = era_of(span.from);
    if (!at_end || at_end->era < *w.era) return std::nullopt;
    if (at_start && at_start->era > *w.era) span.era_past_end = true;
  }
  return span;
}

// Splits "A～B" at its first range mark; `open` when the mark ends the text ("Aから").
struct RangeParts {
  std::string_view from, to;
  bool ranged = false;
};

RangeParts split_range(std::string_view text) {
  RangeParts parts{text, {}, false};
  std::size_t best = std::string_view::npos;
  std::size_t mark_size = 0;
  for (std::string_view mark : {"~", "〜", "から"}) {
    auto at = text.find(mark);
    if (at != std::string_view::npos && at < best) {
      best = at;
      mark_size = mark.size();
    }
  }
  if (best == std::string_view::npos) return parts;
  parts.from = text.substr(0, best);
  parts.to = text.substr(best + mark_size);
  if (parts.to.ends_with("まで")) parts.to.remove_suffix(std::string_view("まで").size());
  parts.ranged = true;
  return parts;
}

std::optional<DateSpan> read_span(std::string_view text, std::optional<int> fiscal_year,
                                  std::optional<Date> not_before) {
  Cursor c{text};
  auto written = read_written_date(c);
  c.skip_spaces();
  if (!written || !c.done()) return std::nullopt;
  return span_of(*written, fiscal_year, not_before);
}

}  // namespace

std::optional<DateSpan> parse_date_span(std::string_view s, std::optional<int> fiscal_year) {
  std::string storage;
  normalized_cursor(s, storage);
  const RangeParts parts = split_range(storage);
  auto from = read_span(trim(parts.from), fiscal_year, std::nullopt);
  if (!from || !parts.ranged) return from;
  const std::string to_text = trim(parts.to);
  DateSpan period = *from;
  period.precision = DatePrecision::Period;
  if (to_text.empty()) {
    // "令和6年1月から": from then to the end of its fiscal year.
    period.to = fiscal_year_range(tsunagi::fiscal_year(from->from)).second;
  } else {
    auto to = read_span(to_text, fiscal_year, from->from);
    if (!to || to->to < from->from) return std::nullopt;
    period.to = to->to;
    period.era_past_end = from->era_past_end || to->era_past_end;
  }
  if (period.to == period.from) period.precision = DatePrecision::Day;
  return period;
}

std::string format_date_span(const DateSpan& span) {
  switch (span.precision) {
    case DatePrecision::Day:
      return format_wareki(span.from);
    case DatePrecision::Month: {
      std::string day = format_wareki(span.from);  // "令和6年1月1日": the month is all but the day
      auto month_end = day.find("月");
      return month_end == std::string::npos ? day : day.substr(0, month_end + std::string_view("月").size());
    }
    case DatePrecision::FiscalYear:
      return format_fiscal_year(tsunagi::fiscal_year(span.from));
    case DatePrecision::Period:
      return format_wareki(span.from) + "～" + format_wareki(span.to);
  }
  return format_iso(span.from);
}

std::string format_date_span_iso(const DateSpan& span) {
  switch (span.precision) {
    case DatePrecision::Day:
      return format_iso(span.from);
    case DatePrecision::Month:
      return format_iso(span.from).substr(0, 7);
    case DatePrecision::FiscalYear:
      return "FY" + std::to_string(tsunagi::fiscal_year(span.from));
    case DatePrecision::Period:
      return format_iso(span.from) + " – " + format_iso(span.to);
  }
  return format_iso(span.from);
}

std::optional<DateSpan> stored_date_span(std::string_view date, std::string_view end) {
  auto from = parse_iso_date(date);
  if (!from) return std::nullopt;
  DateSpan span{*from, *from, DatePrecision::Day};
  if (end.empty()) return span;
  auto to = parse_iso_date(end);
  if (!to || *to < *from) return std::nullopt;
  span.to = *to;
  if (*to == *from)
    span.precision = DatePrecision::Day;
  else if (from->day == 1 && to->year == from->year && to->month == from->month &&
           to->day == days_in_month(to->year, to->month))
    span.precision = DatePrecision::Month;
  else if (std::make_pair(*from, *to) == fiscal_year_range(tsunagi::fiscal_year(*from)))
    span.precision = DatePrecision::FiscalYear;
  else
    span.precision = DatePrecision::Period;
  return span;
}

namespace {

// One time, after an optional 午前/午後: "午後1時30分" is 13:30. `afternoon_default`: a time with neither follows
// the start's 午後 ("午後1時～3時").
std::optional<TimeOfDay> read_time(std::string_view text, bool& afternoon) {
  Cursor c{text};
  c.skip_spaces();
  bool morning = false;
  if (c.eat("午後"))
    afternoon = true;
  else if (c.eat("午前"))
    morning = true, afternoon = false;
  auto time = parse_time(c.rest);
  if (!time) return std::nullopt;
  if (afternoon && time->hour < 12) time->hour += 12;
  if (morning && time->hour == 12) time->hour = 0;
  return time;
}

}  // namespace

std::optional<TimeRange> parse_time_range(std::string_view s) {
  std::string storage;
  normalized_cursor(s, storage);
  RangeParts parts = split_range(storage);
  if (!parts.ranged)
    if (auto dash = storage.find('-'); dash != std::string::npos)
      parts = {std::string_view(storage).substr(0, dash), std::string_view(storage).substr(dash + 1), true};
  bool afternoon = false;
  auto start = read_time(parts.from, afternoon);
  if (!start) return std::nullopt;
  TimeRange range{*start, std::nullopt};
  if (!parts.ranged) return range;
  auto end = read_time(parts.to, afternoon);
  if (!end) return std::nullopt;
  range.end = end;
  return range;
}

std::string format_local_timestamp(const std::string& iso, bool japanese) {
  std::tm utc{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute, &second) != 6)
    return iso;
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  const std::time_t when = platform::from_utc(utc);
  const std::optional<std::tm> shown = when == static_cast<std::time_t>(-1) ? std::nullopt : platform::local_time(when);
  if (!shown) return iso;
  const std::tm& local = *shown;
  const Date date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", local.tm_hour, local.tm_min);
  return (japanese ? format_wareki(date) : format_iso(date)) + " " + clock;
}

}  // namespace tsunagi
