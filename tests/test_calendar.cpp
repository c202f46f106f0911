#include "model/calendar.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace tsunagi;

namespace {

std::string parsed(std::string_view s) {
  const auto date = parse_date(s);
  return date ? format_iso(*date) : "nullopt";
}

}  // namespace

TEST_CASE("leap years and valid dates", "[calendar]") {
  CHECK(is_valid_date(2024, 2, 29));
  CHECK_FALSE(is_valid_date(2023, 2, 29));
  CHECK_FALSE(is_valid_date(1900, 2, 29));
  CHECK(is_valid_date(2000, 2, 29));
  CHECK_FALSE(is_valid_date(2024, 4, 31));
  CHECK(is_valid_date(2024, 12, 31));
  CHECK_FALSE(is_valid_date(2024, 13, 1));
  CHECK_FALSE(is_valid_date(2024, 0, 1));
  CHECK_FALSE(is_valid_date(2024, 1, 0));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2100, 2) == 28);
  CHECK(days_in_month(2024, 13) == 0);
}

TEST_CASE("ISO dates are strict", "[calendar]") {
  CHECK(parse_iso_date("2024-04-01") == Date{2024, 4, 1});
  CHECK(parse_iso_date("2024-02-29") == Date{2024, 2, 29});
  CHECK_FALSE(parse_iso_date("2023-02-29"));
  CHECK_FALSE(parse_iso_date("2024-4-1"));
  CHECK_FALSE(parse_iso_date("2024/04/01"));
  CHECK_FALSE(parse_iso_date(" 2024-04-01"));
  CHECK_FALSE(parse_iso_date("２０２４-04-01"));
  CHECK_FALSE(parse_iso_date("2024-04-0x"));
  CHECK_FALSE(parse_iso_date(""));
  CHECK(format_iso(Date{2024, 4, 1}) == "2024-04-01");
  CHECK(format_iso(Date{987, 12, 3}) == "0987-12-03");
}

TEST_CASE("times in both widths and in 時分", "[calendar]") {
  CHECK(parse_time("09:30") == TimeOfDay{9, 30});
  CHECK(parse_time("9:30") == TimeOfDay{9, 30});
  CHECK(parse_time("９：３０") == TimeOfDay{9, 30});
  CHECK(parse_time("9時30分") == TimeOfDay{9, 30});
  CHECK(parse_time("９時５分") == TimeOfDay{9, 5});
  CHECK(parse_time("9時") == TimeOfDay{9, 0});
  CHECK(parse_time("13時半") == TimeOfDay{13, 30});
  CHECK(parse_time(" 00:00 ") == TimeOfDay{0, 0});
  CHECK(parse_time("23:59") == TimeOfDay{23, 59});

  CHECK_FALSE(parse_time("24:00"));
  CHECK_FALSE(parse_time("12:60"));
  CHECK_FALSE(parse_time("9:5"));
  CHECK_FALSE(parse_time("930"));
  CHECK_FALSE(parse_time("9時30"));
  CHECK_FALSE(parse_time("-1:00"));
  CHECK_FALSE(parse_time("9:30am"));
  CHECK_FALSE(parse_time(""));

  CHECK(format_time(TimeOfDay{9, 5}) == "09:05");
  CHECK(format_time(TimeOfDay{23, 59}) == "23:59");
}

TEST_CASE("fiscal year turns over between 3/31 and 4/1", "[calendar]") {
  for (const int year : {1999, 2000, 2019, 2023, 2024, 2025}) {
    CAPTURE(year);
    CHECK(fiscal_year(Date{year, 3, 31}) == year - 1);
    CHECK(fiscal_year(Date{year, 4, 1}) == year);
    CHECK(fiscal_year(Date{year, 12, 31}) == year);
    CHECK(fiscal_year(Date{year, 1, 1}) == year - 1);
  }
  CHECK(fiscal_year(Date{2024, 4, 1}) == 2024);
  CHECK(fiscal_year(Date{2025, 3, 31}) == 2024);

  const auto [first_day, last_day] = fiscal_year_range(2024);
  CHECK(first_day == Date{2024, 4, 1});
  CHECK(last_day == Date{2025, 3, 31});
}

TEST_CASE("era boundaries switch on the exact first day", "[calendar]") {
  const auto check_era = [](Date d, Era era, int year) {
    CAPTURE(format_iso(d));
    const auto actual = era_of(d);
    REQUIRE(actual);
    CHECK(actual->era == era);
    CHECK(actual->year == year);
  };
  check_era({2019, 4, 30}, Era::Heisei, 31);
  check_era({2019, 5, 1}, Era::Reiwa, 1);
  check_era({1989, 1, 7}, Era::Showa, 64);
  check_era({1989, 1, 8}, Era::Heisei, 1);
  check_era({1926, 12, 24}, Era::Taisho, 15);
  check_era({1926, 12, 25}, Era::Showa, 1);
  check_era({1912, 7, 29}, Era::Meiji, 45);
  check_era({1912, 7, 30}, Era::Taisho, 1);
  check_era({1873, 1, 1}, Era::Meiji, 6);
  CHECK_FALSE(era_of(Date{1872, 12, 31}));
  CHECK_FALSE(era_of(Date{2023, 2, 29}));

  CHECK(era_name(Era::Reiwa) == "令和");
  CHECK(era_name(Era::Meiji) == "明治");
  CHECK(era_letter(Era::Reiwa) == "R");
  CHECK(era_letter(Era::Heisei) == "H");
  CHECK(era_letter(Era::Showa) == "S");
  CHECK(era_letter(Era::Taisho) == "T");
  CHECK(era_letter(Era::Meiji) == "M");
}

TEST_CASE("wareki formatting", "[calendar]") {
  CHECK(format_wareki(Date{2024, 4, 1}) == "令和6年4月1日");
  CHECK(format_wareki(Date{2019, 5, 1}) == "令和元年5月1日");
  CHECK(format_wareki(Date{2019, 4, 30}) == "平成31年4月30日");
  CHECK(format_wareki(Date{1989, 1, 7}) == "昭和64年1月7日");
  CHECK(format_wareki(Date{1989, 1, 8}) == "平成元年1月8日");
  CHECK(format_wareki_short(Date{2024, 4, 1}) == "R6.4.1");
  CHECK(format_wareki_short(Date{2019, 5, 1}) == "R1.5.1");
  CHECK(format_wareki_short(Date{2019, 4, 30}) == "H31.4.30");
  CHECK(format_wareki(Date{1872, 12, 31}) == "1872-12-31");
}

TEST_CASE("fiscal year names", "[calendar]") {
  CHECK(format_fiscal_year(2024) == "令和6年度");
  CHECK(format_fiscal_year(2019) == "令和元年度");
  CHECK(format_fiscal_year(2018) == "平成30年度");
  CHECK(format_fiscal_year(1989) == "平成元年度");
  CHECK(format_fiscal_year(1988) == "昭和63年度");
  CHECK(format_fiscal_year_short(2024) == "R6年度");
  CHECK(format_fiscal_year_short(2019) == "R1年度");
  CHECK(format_fiscal_year_short(2018) == "H30年度");
}

TEST_CASE("parse_fiscal_year accepts the usual spellings", "[calendar]") {
  for (const char* text : {"2024", "2024年度", "令和6年度", "R6", "R6年度", "r6", "令和６年度", "Ｒ６年度", "FY2024",
                           "fy2024", "FY 2024", " 令和 6 年度 "}) {
    CAPTURE(text);
    CHECK(parse_fiscal_year(text) == 2024);
  }
  CHECK(parse_fiscal_year("平成30年度") == 2018);
  CHECK(parse_fiscal_year("令和元年度") == 2019);
  CHECK(parse_fiscal_year("平成31年度") == 2019);  // the official name until May 2019
  CHECK(parse_fiscal_year("H30") == 2018);

  CHECK_FALSE(parse_fiscal_year(""));
  CHECK_FALSE(parse_fiscal_year("平成32年度"));
  CHECK_FALSE(parse_fiscal_year("令和0年度"));
  CHECK_FALSE(parse_fiscal_year("24"));
  CHECK_FALSE(parse_fiscal_year("2024年度度"));
  CHECK_FALSE(parse_fiscal_year("X6"));
  CHECK_FALSE(parse_fiscal_year("FY"));

  for (int fy = 1900; fy <= 2040; ++fy) {
    CAPTURE(fy);
    CHECK(parse_fiscal_year(format_fiscal_year(fy)) == fy);
    CHECK(parse_fiscal_year(format_fiscal_year_short(fy)) == fy);
    CHECK(parse_fiscal_year("FY" + std::to_string(fy)) == fy);
  }
}

TEST_CASE("parse_date accepts western forms", "[calendar]") {
  CHECK(parsed("2023-07-03") == "2023-07-03");
  CHECK(parsed("2023/7/3") == "2023-07-03");
  CHECK(parsed("2023.7.3") == "2023-07-03");
  CHECK(parsed("2023年7月3日") == "2023-07-03");
  CHECK(parsed("２０２３年７月３日") == "2023-07-03");
  CHECK(parsed("２０２３／０７／０３") == "2023-07-03");
  CHECK(parsed("  2023-07-03　") == "2023-07-03");
  CHECK(parsed("2024年2月末") == "2024-02-29");
  CHECK(parsed("2023年2月末") == "2023-02-28");
  CHECK(parsed("2024-02-29") == "2024-02-29");
  CHECK(parsed("2000/2/29") == "2000-02-29");
}

TEST_CASE("parse_date accepts era forms as the seeds write them", "[calendar]") {
  CHECK(parsed("R5.7.3") == "2023-07-03");
  CHECK(parsed("R５.9.13") == "2023-09-13");
  CHECK(parsed("R6.2.2") == "2024-02-02");
  CHECK(parsed("r5.7.3") == "2023-07-03");
  CHECK(parsed("Ｒ５．７．３") == "2023-07-03");
  CHECK(parsed("H31.4.30") == "2019-04-30");
  CHECK(parsed("R1.5.1") == "2019-05-01");
  CHECK(parsed("h1.1.8") == "1989-01-08");
  CHECK(parsed("S64.1.7") == "1989-01-07");
  CHECK(parsed("令和5年7月3日") == "2023-07-03");
  CHECK(parsed("令和元年5月1日") == "2019-05-01");
  CHECK(parsed("平成31年4月30日") == "2019-04-30");
  CHECK(parsed("令和 6 年 3 月 1 日") == "2024-03-01");
  CHECK(parsed("令和　６年　３月　１日") == "2024-03-01");
  CHECK(parsed("令和6年3月末") == "2024-03-31");
  CHECK(parsed("令和6年2月末") == "2024-02-29");
  CHECK(parsed("令和５年２月末") == "2023-02-28");
  CHECK(parsed("平成元年1月8日") == "1989-01-08");
}

TEST_CASE("parse_date round-trips its own wareki output", "[calendar]") {
  for (const Date d : {Date{2019, 4, 30}, Date{2019, 5, 1}, Date{1989, 1, 7}, Date{1989, 1, 8}, Date{2024, 2, 29},
                       Date{1926, 12, 25}, Date{1912, 7, 30}}) {
    CAPTURE(format_iso(d));
    CHECK(parse_date(format_wareki(d)) == d);
    CHECK(parse_date(format_wareki_short(d)) == d);
    CHECK(parse_date(format_iso(d)) == d);
  }
}

TEST_CASE("parse_date rejects impossible dates, wrong era years and garbage", "[calendar]") {
  for (const char* text : {"2023-02-29",
                           "1900-02-29",
                           "2024-04-31",
                           "2024-13-01",
                           "2024-00-10",
                           "2024/1/0",
                           "R5.2.29",         // 2023 is not a leap year
                           "平成32年1月1日",  // Heisei ended in its 31st year
                           "令和1年4月30日",  // Reiwa began on 5/1
                           "令和元年4月30日",
                           "平成31年5月1日",  // already 令和元年
                           "H31.5.1",
                           "R1.4.30",
                           "S64.1.8",
                           "H1.1.7",
                           "令和0年1月1日",
                           "R0.5.1",
                           "令和元年4月末",
                           "M5.1.1",
                           "",
                           "   ",
                           "garbage",
                           "2023",
                           "2023-07",
                           "2023-07-03x",
                           "2023-7/3",
                           "23/7/3",
                           "R5",
                           "R5.7",
                           "令和5年7月",
                           "令和5年7月3",
                           "令和5年13月末",
                           "X5.7.3",
                           "R.7.3",
                           "R123.1.1",
                           "2023年7月3日日",
                           "20230703",
                           "2023--07-03",
                           "-2023-07-03"}) {
    CAPTURE(text);
    CHECK_FALSE(parse_date(text));
  }
}

// ---- Dates as people write them: a day, a month, a fiscal year, a period ----------------------------------------

namespace {

std::string span_text(const std::optional<tsunagi::DateSpan>& span) {
  if (!span) return "none";
  static const char* kPrecision[] = {"day", "month", "fiscal_year", "period"};
  return tsunagi::format_iso(span->from) + ".." + tsunagi::format_iso(span->to) + " " +
         kPrecision[static_cast<int>(span->precision)] + (span->era_past_end ? " past-era" : "");
}

}  // namespace

TEST_CASE("parse_date_span reads a day, a month and a fiscal year as the seeds write them", "[calendar]") {
  using tsunagi::parse_date_span;
  CHECK(span_text(parse_date_span("R5.7.3")) == "2023-07-03..2023-07-03 day");
  CHECK(span_text(parse_date_span("R５.9.13")) == "2023-09-13..2023-09-13 day");
  CHECK(span_text(parse_date_span("令和5年7月3日（月）")) == "2023-07-03..2023-07-03 day");
  CHECK(span_text(parse_date_span("R6.2.2(金)")) == "2024-02-02..2024-02-02 day");
  CHECK(span_text(parse_date_span("2023-07-03")) == "2023-07-03..2023-07-03 day");
  CHECK(span_text(parse_date_span("令和6年3月末")) == "2024-03-31..2024-03-31 day");
  // A month.
  CHECK(span_text(parse_date_span("令和6年1月")) == "2024-01-01..2024-01-31 month");
  CHECK(span_text(parse_date_span("R6.2")) == "2024-02-01..2024-02-29 month");  // a leap year
  CHECK(span_text(parse_date_span("２０２３年２月")) == "2023-02-01..2023-02-28 month");
  // A fiscal year, April to March.
  CHECK(span_text(parse_date_span("令和5年度")) == "2023-04-01..2024-03-31 fiscal_year");
  CHECK(span_text(parse_date_span("平成28年度")) == "2016-04-01..2017-03-31 fiscal_year");
  CHECK(span_text(parse_date_span("FY2024")) == "2024-04-01..2025-03-31 fiscal_year");
  CHECK(span_text(parse_date_span("令和元年度")) == "2019-04-01..2020-03-31 fiscal_year");
  CHECK(span_text(parse_date_span("平成31年度")) == "2019-04-01..2020-03-31 fiscal_year");  // both eras name FY2019
  // Not dates.
  CHECK(span_text(parse_date_span("夏休み期間")) == "none");
  CHECK(span_text(parse_date_span("令和5年13月")) == "none");
  CHECK(span_text(parse_date_span("R5.2.30")) == "none");
  CHECK(span_text(parse_date_span("2023")) == "none");  // a year alone is not a date (令和5年度 is)
}

TEST_CASE("a day or month without a year is read within the fiscal year given, and not without one", "[calendar]") {
  using tsunagi::parse_date_span;
  const int fy = 2023;  // 令和5年度: 2023-04-01 .. 2024-03-31
  CHECK(span_text(parse_date_span("4/17", fy)) == "2023-04-17..2023-04-17 day");
  CHECK(span_text(parse_date_span("3/31", fy)) == "2024-03-31..2024-03-31 day");  // March is next calendar year
  CHECK(span_text(parse_date_span("1/1", fy)) == "2024-01-01..2024-01-01 day");
  CHECK(span_text(parse_date_span("12/31", fy)) == "2023-12-31..2023-12-31 day");
  CHECK(span_text(parse_date_span("５月", fy)) == "2023-05-01..2023-05-31 month");
  CHECK(span_text(parse_date_span("2月", fy)) == "2024-02-01..2024-02-29 month");
  CHECK(span_text(parse_date_span("10月16日", fy)) == "2023-10-16..2023-10-16 day");
  CHECK(span_text(parse_date_span("2/29", 2022)) == "none");  // FY2022's February is 2023's: no 29th
  CHECK(span_text(parse_date_span("4/17")) == "none");        // which year? not guessed
}

TEST_CASE("a period: two dates joined, the second may leave out the year, and 'から' runs to the fiscal year's end",
          "[calendar]") {
  using tsunagi::parse_date_span;
  CHECK(span_text(parse_date_span("R5.9.21～R5.12.19")) == "2023-09-21..2023-12-19 period");
  CHECK(span_text(parse_date_span("R5.9.21〜12.19")) == "2023-09-21..2023-12-19 period");
  CHECK(span_text(parse_date_span("令和5年7月～9月")) == "2023-07-01..2023-09-30 period");
  CHECK(span_text(parse_date_span("令和5年12月～2月")) == "2023-12-01..2024-02-29 period");  // across the new year
  CHECK(span_text(parse_date_span("令和6年1月から")) == "2024-01-01..2024-03-31 period");
  CHECK(span_text(parse_date_span("R5.7.3から R5.7.5まで")) == "2023-07-03..2023-07-05 period");
  CHECK(span_text(parse_date_span("7/21～8/31", 2023)) == "2023-07-21..2023-08-31 period");
  CHECK(span_text(parse_date_span("R5.12.19～R5.9.21")) == "none");  // ends before it begins
}

TEST_CASE("an era written past its end is read as the date it means, flagged, and one before its start is refused",
          "[calendar]") {
  using tsunagi::parse_date_span;
  CHECK(span_text(parse_date_span("平成31年4月30日")) == "2019-04-30..2019-04-30 day");
  CHECK(span_text(parse_date_span("令和元年5月1日")) == "2019-05-01..2019-05-01 day");
  CHECK(span_text(parse_date_span("平成31年5月1日")) == "2019-05-01..2019-05-01 day past-era");
  CHECK(span_text(parse_date_span("H31.6.1")) == "2019-06-01..2019-06-01 day past-era");
  CHECK(span_text(parse_date_span("平成32年1月")) == "2020-01-01..2020-01-31 month past-era");
  CHECK(span_text(parse_date_span("令和元年4月30日")) == "none");  // 令和 had not begun
  CHECK(span_text(parse_date_span("令和元年4月")) == "none");
  CHECK(span_text(parse_date_span("平成31年4月")) == "2019-04-01..2019-04-30 month");
  CHECK(span_text(parse_date_span("昭和64年1月7日")) == "1989-01-07..1989-01-07 day");
  CHECK(span_text(parse_date_span("昭和64年1月8日")) == "1989-01-08..1989-01-08 day past-era");  // 平成元年1月8日
  const auto past = parse_date_span("平成31年5月1日");
  REQUIRE(past);
  CHECK(tsunagi::format_date_span(*past) == "令和元年5月1日");  // the right form, for the warning
}

TEST_CASE("format_date_span writes each precision as the reports do", "[calendar]") {
  using tsunagi::DatePrecision;
  using tsunagi::Date;
  CHECK(tsunagi::format_date_span({Date{2023, 7, 3}, Date{2023, 7, 3}, DatePrecision::Day}) == "令和5年7月3日");
  CHECK(tsunagi::format_date_span({Date{2024, 1, 1}, Date{2024, 1, 31}, DatePrecision::Month}) == "令和6年1月");
  CHECK(tsunagi::format_date_span({Date{2019, 4, 1}, Date{2020, 3, 31}, DatePrecision::FiscalYear}) == "令和元年度");
  CHECK(tsunagi::format_date_span({Date{2023, 9, 21}, Date{2023, 12, 19}, DatePrecision::Period}) ==
        "令和5年9月21日～令和5年12月19日");
}

TEST_CASE("parse_time_range reads a range typed into the start time, and 午前/午後", "[calendar]") {
  auto text = [](std::string_view s) {
    auto range = tsunagi::parse_time_range(s);
    if (!range) return std::string("none");
    return tsunagi::format_time(range->start) + (range->end ? "-" + tsunagi::format_time(*range->end) : "");
  };
  CHECK(text("13：30～15：00") == "13:30-15:00");
  CHECK(text("13:30-15:00") == "13:30-15:00");
  CHECK(text("13:30〜15:00") == "13:30-15:00");
  CHECK(text("午後1時30分") == "13:30");
  CHECK(text("午後1時30分～3時") == "13:30-15:00");
  CHECK(text("午前10時～午後2時") == "10:00-14:00");
  CHECK(text("午前12時") == "00:00");
  CHECK(text("13:30～") == "none");
  CHECK(text("25:00") == "none");
}

TEST_CASE("a stored date and its end read back at their precision, for the list", "[calendar]") {
  CHECK(span_text(tsunagi::stored_date_span("2023-07-03", "")) == "2023-07-03..2023-07-03 day");
  CHECK(span_text(tsunagi::stored_date_span("2024-02-01", "2024-02-29")) == "2024-02-01..2024-02-29 month");
  CHECK(span_text(tsunagi::stored_date_span("2023-04-01", "2024-03-31")) == "2023-04-01..2024-03-31 fiscal_year");
  CHECK(span_text(tsunagi::stored_date_span("2023-09-21", "2023-12-19")) == "2023-09-21..2023-12-19 period");
  CHECK(span_text(tsunagi::stored_date_span("2023-09-21", "2023-09-01")) == "none");
  CHECK(span_text(tsunagi::stored_date_span("R5.7.3", "")) == "none");  // a draft's half-typed date
  auto month = tsunagi::stored_date_span("2024-01-01", "2024-01-31");
  REQUIRE(month);
  CHECK(tsunagi::format_date_span_iso(*month) == "2024-01");
  CHECK(tsunagi::format_date_span(*month) == "令和6年1月");
  CHECK(tsunagi::format_date_span_iso(*tsunagi::stored_date_span("2023-04-01", "2024-03-31")) == "FY2023");
}
