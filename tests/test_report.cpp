// The yearly reports against hand-computed figures: which records count (the fiscal-year boundary, tombstones,
// drafts, returned and submitted records), each measure, targets per organisation, hand-entered actuals,
// committees established mid-year; the theme matrix; the committee report of seed 004's dated activities.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "model/files.hpp"
#include "model/record_json.hpp"
#include "model/report.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

Record record_of(json object) {
  if (!object.contains("council")) object["council"] = "fukuoka";
  auto record = record_from_json(object);
  if (!record) throw std::runtime_error(record.error().describe());
  return *record;
}

Record case_review(const std::string& date, const std::string& status) {
  return record_of({{"id", "cr-" + date + "-" + status},
                    {"kind", "case_review"},
                    {"date", date},
                    {"title", "事例検討 " + date},
                    {"case_code", "A-2024-017"},
                    {"review_type", "case_study"},
                    {"status", status}});
}

// A fixture of seed activities (tests/fixtures/seed_activities), parsed.
json seed_fixture(const std::string& name) {
  auto text = read_file(std::filesystem::path(TSUNAGI_TEST_SOURCE_DIR) / "fixtures" / "seed_activities" / name);
  if (!text) throw std::runtime_error(text.error().describe());
  auto parsed = parse_json_text(*text);
  if (!parsed) throw std::runtime_error(parsed.error().describe());
  return *parsed;
}

const IndicatorRow& row(const IndicatorReport& report, const std::string& id) {
  for (const IndicatorRow& r : report.indicators)
    if (r.id == id) return r;
  throw std::runtime_error("no indicator " + id);
}

// A small council of its own: three offices (two commissioned), three committees, two themes, three areas.
ReferenceData test_reference() {
  ReferenceData reference;
  reference.councils = {{"fukuoka", "福岡市", "", ""}};
  reference.areas = {{"hh", "東・博多エリア", "", "", "fukuoka", "area"},
                     {"higashi", "東区", "", "hh", "fukuoka", "ward"},
                     {"hakata", "博多区", "", "hh", "fukuoka", "ward"}};
  reference.themes = {{"T03", "社会資源の不足", "", "fukuoka"}, {"T08", "ひきこもり", "", "fukuoka"}};
  reference.organizations = {{"o1", "相談支援センターA", "計画相談支援", "higashi", "commissioned", "fukuoka"},
                             {"o2", "相談支援センターB", "計画相談支援", "hakata", "commissioned", "fukuoka"},
                             {"o3", "就労移行支援C", "就労移行支援", "hakata", "designated", "fukuoka"}};
  reference.committees = {
      {"c1", "こども部会", "", "", "committee", "fukuoka", "2024-10-01", ""},           // established mid-year
      {"c2", "旧地域移行部会", "", "", "committee", "fukuoka", "2020-04-01", "2024-12-31"},  // abolished in FY2024
      {"c3", "相談支援部会", "", "", "committee", "fukuoka", "", ""},                   // date not known
  };
  reference.indicators = json::parse(R"([
    {"id": "case_reviews", "name": "事例検討実施回数", "unit": "回", "measure": "count",
     "filter": {"kind": "case_review"}, "targets": {"2024": 3}, "actuals_before": {"2022": 5}},
    {"id": "committee_sessions", "name": "専門部会の実施回数", "unit": "回", "measure": "occurrences",
     "filter": {"kind": "meeting", "meeting_type": "committee"}, "targets": {"2024": 7}},
    {"id": "participants", "name": "参加者数", "unit": "人", "measure": "sum:participants",
     "filter": {"kind": "meeting"}, "comparison": "以下", "targets": {"2024": 10}},
    {"id": "organizations", "name": "参加機関数", "unit": "機関", "measure": "distinct:organizations",
     "filter": {"kind": "meeting"}, "targets": {"2024": 3}, "comparison": "exactly"},
    {"id": "guidance", "name": "指導・助言件数", "unit": "件", "measure": "count",
     "filter": {"kind": "outreach", "organization_role": "commissioned"},
     "per_organization": {"per": 1, "role": "commissioned"}},
    {"id": "established", "name": "専門部会の設置数", "unit": "部会", "measure": "committees_established",
     "filter": {"meeting_type": "committee"}, "targets": {"2024": 2}},
    {"id": "qualified", "name": "主任相談支援専門員の配置数", "unit": "人", "measure": "count",
     "filter": {"kind": "initiative"}, "targets": {"2024": 10},
     "actuals": {"2024": {"value": 12, "by": "山田 主任", "at": "2025-04-10T09:00:00Z"}}}
  ])");
  reference.reindex();
  return reference;
}

}  // namespace

TEST_CASE_METHOD(StoreFixture, "a report counts approved records of its fiscal year, and submitted ones only when "
                               "provisional",
                 "[report]") {
  for (auto [date, status] : std::vector<std::pair<std::string, std::string>>{
           {"2024-04-01", "approved"},   // the fiscal year's first day
           {"2025-03-31", "approved"},   // its last day
           {"2025-04-01", "approved"},   // FY2025
           {"2024-03-31", "approved"},   // FY2023
           {"2024-06-01", "submitted"},  // provisional only
           {"2024-06-02", "returned"},   // never
           {"2024-06-03", "draft"}}) {   // never
    json object = record_to_json(case_review(date, status));
    object.erase("id");
    add(object.dump());
  }
  json gone = record_to_json(case_review("2024-06-04", "approved"));
  gone.erase("id");
  Record tombstone = add(gone.dump());
  REQUIRE(store->remove(tombstone.id));

  const ReportScope scope{2024, "fukuoka", false};
  auto records = report_records(*store, scope, 2023);
  REQUIRE(records);
  std::vector<std::string> dates;
  for (const Record& record : *records) dates.push_back(record.date);
  CHECK(dates == std::vector<std::string>{"2024-03-31", "2024-04-01", "2025-03-31"});

  ReportScope provisional = scope;
  provisional.provisional = true;
  auto with_submitted = report_records(*store, provisional, 2024);
  REQUIRE(with_submitted);
  CHECK(with_submitted->size() == 3);  // 2024-04-01, 2024-06-01 (submitted), 2025-03-31

  ReferenceData reference = test_reference();
  IndicatorReport report = indicator_report(*records, reference, scope, 2);
  const IndicatorRow& reviews = row(report, "case_reviews");
  CHECK(reviews.current.actual == 2);
  CHECK(reviews.current.target == 3);
  CHECK_FALSE(*reviews.current.achieved);
  CHECK(*reviews.current.rate == Approx(2.0 / 3.0));
  CHECK(reviews.current.records.size() == 2);
  REQUIRE(reviews.earlier.size() == 2);
  CHECK(reviews.earlier[0].fiscal_year == 2022);
  CHECK(reviews.earlier[0].actual == 5);  // the plan's recorded actual: no records that year
  CHECK(reviews.earlier[1].fiscal_year == 2023);
  CHECK(reviews.earlier[1].actual == 1);

  IndicatorReport counted_provisionally = indicator_report(*with_submitted, reference, provisional, 0);
  CHECK(row(counted_provisionally, "case_reviews").current.actual == 3);
  CHECK(*row(counted_provisionally, "case_reviews").current.achieved);
  CHECK(indicator_report_json(counted_provisionally)["provisional"] == true);
}

TEST_CASE("each measure, a per-office target, a hand-entered actual and committees established mid-year",
          "[report]") {
  ReferenceData reference = test_reference();
  std::vector<Record> records{
      record_of({{"id", "m1"}, {"kind", "meeting"}, {"date", "2024-05-20"}, {"title", "専門部会（年7回）"},
                 {"meeting_type", "committee"}, {"occurrences", 7}, {"participant_count", 12},
                 {"organizations", {"o1", "o2"}}, {"status", "approved"}}),
      record_of({{"id", "m2"}, {"kind", "meeting"}, {"date", "2024-07-01"}, {"title", "連絡会"},
                 {"meeting_type", "liaison"}, {"participant_count", 8}, {"organizations", {"o2", "o3"}},
                 {"status", "approved"}}),
      record_of({{"id", "v1"}, {"kind", "outreach"}, {"date", "2024-08-01"}, {"title", "訪問A"},
                 {"visit_type", "provider"}, {"organizations", {"o1"}}, {"status", "approved"}}),
      record_of({{"id", "v2"}, {"kind", "outreach"}, {"date", "2024-09-01"}, {"title", "訪問C"},
                 {"visit_type", "provider"}, {"organizations", {"o3"}}, {"status", "approved"}}),  // not commissioned
  };
  IndicatorReport report = indicator_report(records, reference, {2024, "fukuoka", false}, 1);

  CHECK(row(report, "committee_sessions").current.actual == 7);  // one record standing for seven sessions
  CHECK(*row(report, "committee_sessions").current.achieved);

  const IndicatorFigure& participants = row(report, "participants").current;
  CHECK(participants.actual == 20);
  CHECK(row(report, "participants").comparison == Comparison::AtMost);
  CHECK_FALSE(*participants.achieved);  // 以下 10: 20 is over
  CHECK(*participants.rate == Approx(0.5));

  CHECK(row(report, "organizations").current.actual == 3);  // o1, o2, o3 once each
  CHECK(*row(report, "organizations").current.achieved);   // ちょうど 3

  const IndicatorRow& guidance = row(report, "guidance");
  CHECK(guidance.organizations == 2);  // the commissioned offices
  CHECK(guidance.current.target == 2);  // 1 per office
  CHECK(guidance.current.actual == 1);  // the visit to o1; o3 is not commissioned
  CHECK(guidance.current.records == std::vector<std::string>{"v1"});

  const IndicatorRow& established = row(report, "established");
  CHECK(established.current.actual == 1);  // c1 (from 2024-10-01); c2 abolished before the year's end; c3 unknown
  CHECK(established.earlier.at(0).actual == 1);  // FY2023: c2 only

  const IndicatorFigure& qualified = row(report, "qualified").current;
  CHECK(qualified.actual == 12);
  CHECK(qualified.hand_entered);
  CHECK(qualified.entered_by == "山田 主任");
  CHECK(*qualified.achieved);

  const json out = indicator_report_json(report);
  CHECK(out["fiscal_year"] == 2024);
  CHECK(out["indicators"][0]["id"] == "case_reviews");
  CHECK(out["indicators"][1]["actual"] == 7);
  CHECK(out["indicators"][1]["achieved"] == true);
  CHECK(out["indicators"][6]["entered_by"] == "山田 主任");

  ReportSheet sheet = indicator_sheet(report, false);
  CHECK(sheet.header.front() == "指標");
  CHECK(sheet.rows[2][2] == "以下");
  CHECK(sheet.rows[4][3] == "2");
  CHECK(sheet.rows[4].back() == "1か所あたり1×2か所");
  CHECK(sheet.rows[6][4] == "12");
  CHECK(sheet.rows[6].back() == "実績は手入力（山田 主任 2025-04-10）");
}

TEST_CASE("the theme report counts an activity once in each of its areas, and once in the theme's total",
          "[report]") {
  ReferenceData reference = test_reference();
  std::vector<Record> records{
      record_of({{"id", "a"}, {"kind", "initiative"}, {"date", "2024-05-01"}, {"title", "合同研修"},
                 {"themes", {"T03"}}, {"areas", {"higashi", "hakata"}}, {"status", "approved"}}),
      record_of({{"id", "b"}, {"kind", "initiative"}, {"date", "2024-06-01"}, {"title", "居場所づくり"},
                 {"themes", {"T03", "T08"}}, {"areas", {"hakata"}}, {"status", "approved"}}),
      record_of({{"id", "c"}, {"kind", "initiative"}, {"date", "2024-06-02"}, {"title", "下書き"},
                 {"themes", {"T08"}}, {"areas", {"higashi"}}, {"status", "draft"}}),
  };
  ThemeReport report = theme_report(records, reference, {2024, "fukuoka", false});
  const json out = theme_report_json(report, reference);
  CHECK(out["fiscal_year"] == 2024);
  const json expected = json::parse(R"([
    {"theme": "T03", "area": "higashi", "area_name": "東区", "count": 1, "records": ["a"]},
    {"theme": "T03", "area": "hakata", "area_name": "博多区", "count": 2, "records": ["a", "b"]},
    {"theme": "T08", "area": "hakata", "area_name": "博多区", "count": 1, "records": ["b"]}
  ])");
  json cells = out["cells"];
  for (json& cell : cells) cell.erase("theme_name");
  CHECK(cells == expected);
  ReportSheet sheet = theme_sheet(report, reference, false);
  CHECK(sheet.header == std::vector<std::string>{"地域課題", "東・博多エリア", "東区", "博多区", "計"});
  CHECK(sheet.rows[0] == std::vector<std::string>{"T03 社会資源の不足", "0", "1", "2", "2"});
  const std::string csv = sheet_csv(sheet);
  CHECK(csv.rfind("\xEF\xBB\xBF地域課題,", 0) == 0);
  CHECK(csv.find("\r\nT03 社会資源の不足,0,1,2,2\r\n") != std::string::npos);
}

TEST_CASE("the committee report lists seed 004's activities per committee and work item with their dates",
          "[report]") {
  const json fixture = seed_fixture("004_kodama.json");
  auto reference = load_reference_file(assets_dir() / "reference" / "kodama.json");
  REQUIRE(reference);
  std::vector<Record> records;
  int n = 0;
  for (const json& entry : fixture["records"]) {
    json expected = entry["expected"];
    expected["id"] = "r" + std::to_string(n++);
    expected["status"] = "approved";
    records.push_back(record_of(expected));
  }
  CommitteeReport report = committee_report(records, *reference, {2023, "kodama", false});
  const json out = committee_report_json(report);
  auto lines_of = [&out](const std::string& work_item) {
    std::vector<std::string> lines;
    for (const json& committee : out["committees"])
      for (const json& item : committee["work_items"])
        if (item["id"] == work_item)
          for (const json& activity : item["activities"]) lines.push_back(activity["line"]);
    return lines;
  };
  // 運営会議 3: the seed writes 放課後等デイサービス事業所連絡会議を開催した（R５.9.21、R５.12.19）.
  auto steering = lines_of("kodama.steering.fy2023.3");
  CHECK(std::find(steering.begin(), steering.end(), "放課後等デイサービス事業所連絡会議（9/21、12/19）") != steering.end());
  // 運営会議 2: 第１回全体会（R5.7.3）, 第２回全体会 書面開催（R5.11.20）, 第３回全体会（R6.2.2）.
  auto plenaries = lines_of("kodama.steering.fy2023.2");
  CHECK(std::find(plenaries.begin(), plenaries.end(), "第１回全体会（7/3）") != plenaries.end());
  CHECK(std::find(plenaries.begin(), plenaries.end(), "第３回全体会（2/2）") != plenaries.end());
  auto network = lines_of("kodama.steering.fy2023.3");
  CHECK(std::find(network.begin(), network.end(), "委託事業所連絡会議（1月から）") != network.end());
  CHECK(out["committees"][0]["name"] == "運営会議");
  ReportSheet sheet = committee_sheet(report, false);
  CHECK(sheet.header == std::vector<std::string>{"会議体", "事業項目", "取組状況"});
  CHECK(sheet.rows.front()[0] == "運営会議");
}

TEST_CASE_METHOD(StoreFixture, "the theme matrix of seed 001's activities, entered as records, is the seed's grouping",
                 "[report]") {
  const json fixture = seed_fixture("001_fukuoka_themes.json");
  for (const json& entry : fixture["records"]) add(entry["record"].dump());  // wards typed by name, as staff do
  const ReportScope scope{2024, "fukuoka", false};
  auto records = report_records(*store, scope, 2024);
  REQUIRE(records);
  CHECK(records->size() == 15);
  auto reference = store->reference();
  REQUIRE(reference);
  ThemeReport report = theme_report(*records, *reference, scope);
  std::map<std::pair<std::string, std::string>, std::size_t> matrix;
  for (const ThemeCell& cell : report.cells) matrix[{cell.theme, cell.area_name}] = cell.records.size();
  // Counted by hand from the seed: each 【…】 section under a theme is one activity of the wards it names.
  const std::map<std::pair<std::string, std::string>, std::size_t> seed{
      {{"T02", "東区"}, 2}, {{"T02", "博多区"}, 1}, {{"T02", "中央区"}, 1}, {{"T02", "南区"}, 3},
      {{"T02", "城南区"}, 2}, {{"T02", "早良区"}, 1}, {{"T02", "福岡市（福祉局生活支援課）"}, 1},
      {{"T04", "東区"}, 1}, {{"T04", "博多区"}, 2}, {{"T04", "中央区"}, 1}, {{"T04", "南区"}, 1},
      {{"T07", "博多区"}, 2}, {{"T07", "東区"}, 1}, {{"T07", "西区"}, 1}, {{"T07", "早良区"}, 1},
      {{"T07", "福岡市（こども未来局こども発達支援課）"}, 1},
      {{"T08", "中央区"}, 1}, {{"T08", "市基幹"}, 1},
  };
  CHECK(matrix == seed);
}

namespace {

ReportEntry entry_version(const std::string& id, const std::string& kind, const std::string& key, int year, json fields,
                          const std::string& author, const std::string& time) {
  ReportEntry entry;
  entry.id = id;
  entry.council = "fukuoka";
  entry.fiscal_year = year;
  entry.kind = kind;
  entry.key = key;
  entry.fields = std::move(fields);
  entry.author = author;
  entry.role = "supervisor";
  entry.time = time;
  return entry;
}

}  // namespace

TEST_CASE("a synced actual stands in for the count and for the reference data's, its newest version counting",
          "[report]") {
  ReferenceData reference = test_reference();
  const std::vector<Record> records{case_review("2024-06-01", "approved"), case_review("2024-07-01", "approved")};
  const std::vector<ReportEntry> entries{
      entry_version("e1", "actual", "case_reviews", 2024, {{"value", 4}}, "山田 主任", "2025-04-02T09:00:00Z"),
      entry_version("e2", "actual", "case_reviews", 2024, {{"value", 5}, {"note", "外部研修を含む"}}, "佐々木 課長",
                    "2025-04-03T09:00:00Z"),
      entry_version("e3", "actual", "qualified", 2024, {{"value", 9}}, "佐々木 課長", "2025-04-03T10:00:00Z"),
      entry_version("e4", "actual", "case_reviews", 2023, {{"value", 1}}, "山田 主任", "2024-04-03T10:00:00Z"),
  };
  const IndicatorReport without = indicator_report(records, reference, {2024, "fukuoka", false}, 1);
  CHECK(row(without, "case_reviews").current.actual == 2);  // counted from the records
  CHECK(row(without, "case_reviews").earlier.at(0).actual == std::nullopt);  // FY2023: no record, no figure

  const IndicatorReport report = indicator_report(records, reference, {2024, "fukuoka", false}, 1, entries);
  const IndicatorRow& cases = row(report, "case_reviews");
  CHECK(cases.current.actual == 5);  // e2, the newer of the two versions
  CHECK(cases.current.hand_entered);
  CHECK(cases.current.entered_by == "佐々木 課長");
  CHECK(cases.current.records.empty());  // no record is behind a hand-entered figure
  CHECK(*cases.current.achieved);         // 5 against 3
  CHECK(cases.earlier.at(0).actual == 1);  // FY2023's own entry
  const IndicatorFigure& qualified = row(report, "qualified").current;
  CHECK(qualified.actual == 9);  // the synced entry before the reference data's 12
  CHECK(qualified.entered_by == "佐々木 課長");
  CHECK_FALSE(*qualified.achieved);  // 9 against 10

  // Another council's entry does not count for this one.
  std::vector<ReportEntry> elsewhere{entries[2]};
  elsewhere[0].council = "kodama";
  CHECK(row(indicator_report(records, reference, {2024, "fukuoka", false}, 1, elsewhere), "qualified").current.actual == 12);
}

TEST_CASE("the progress table: each project of the year with the records that served it, its newest evaluation "
          "and every version as history",
          "[report]") {
  ReferenceData reference = test_reference();
  reference.projects = {
      {"p1", "fukuoka", "1", "新たな障害者相談支援体制の構築", "expanded", "１ 相談システムの構築", "基幹相談支援センターを再整備する。",
       2024, json::parse(R"([{"name": "相談件数", "unit": "件", "baseline": 25272, "baseline_year": 2014,
                               "target": 43669, "target_year": 2017}])")},
      {"p2", "fukuoka", "8", "ピアカウンセリング事業", "", "", "", 2024, json::array()},
      {"p3", "fukuoka", "9", "翌年度の事業", "", "", "", 2025, json::array()},
  };
  reference.reindex();
  const std::vector<Record> records{
      record_of({{"id", "w1"}, {"kind", "meeting"}, {"date", "2024-05-20"}, {"title", "よろず相談窓口の打合せ"},
                 {"work_items", {"p1"}}, {"status", "approved"}}),
      record_of({{"id", "w2"}, {"kind", "meeting"}, {"date", "2024-11-20"}, {"title", "よろず相談窓口の打合せ"},
                 {"work_items", {"p1"}}, {"status", "approved"}}),
      record_of({{"id", "w3"}, {"kind", "outreach"}, {"date", "2024-06-02"}, {"title", "出前相談"},
                 {"work_items", {"p1"}}, {"status", "submitted"}}),  // not approved: only when provisional
      record_of({{"id", "w4"}, {"kind", "initiative"}, {"date", "2024-07-01"}, {"title", "ピア相談会"},
                 {"work_items", {"p2"}}, {"status", "approved"}}),
  };
  const std::vector<ReportEntry> entries{
      entry_version("e2", "progress", "p2", 2024,
                    {{"status", "b"}, {"work_done", "6団体によるピアカウンセリングを実施しました。"},
                     {"analysis", "相談者への的確な情報提供が必要です。"}, {"next_plan", "継続して実施します。"}},
                    "山田 主任", "2025-04-10T09:00:00Z"),
      entry_version("e1", "progress", "p2", 2024, {{"status", "c"}}, "佐々木 課長", "2025-04-01T09:00:00Z"),
      entry_version("e3", "progress", "p2", 2023, {{"status", "d"}}, "佐々木 課長", "2024-04-01T09:00:00Z"),
  };
  const ProgressReport report = progress_report(records, reference, {2024, "fukuoka", false}, entries);
  REQUIRE(report.rows.size() == 2);  // p3 is the next year's
  const ProgressRow& p1 = report.rows[0];
  CHECK(p1.number == "1");
  CHECK(p1.status.empty());
  CHECK_FALSE(p1.work_done_entered);
  CHECK(p1.work_done == "よろず相談窓口の打合せ（5/20、11/20）");  // pre-filled from the approved records
  CHECK(p1.history.empty());
  const ProgressRow& p2 = report.rows[1];
  CHECK(p2.status == "b");  // e2 is newer than e1 whatever their order
  CHECK(p2.work_done_entered);
  CHECK(p2.work_done == "6団体によるピアカウンセリングを実施しました。");
  CHECK(p2.entered_by == "山田 主任");
  REQUIRE(p2.history.size() == 2);  // FY2023's version is another entry
  CHECK(p2.history[0].id == "e1");
  CHECK(p2.history[1].id == "e2");

  const ProgressReport provisional = progress_report(records, reference, {2024, "fukuoka", true}, entries);
  CHECK(provisional.rows[0].work_done == "よろず相談窓口の打合せ（5/20、11/20）\n出前相談（6/2）");

  const json out = progress_report_json(report);
  CHECK(out["projects"][0]["records"] == json{"w1", "w2"});
  CHECK(out["projects"][1]["status"] == "b");
  CHECK(out["projects"][1]["versions"] == 2);

  const ReportSheet sheet = progress_sheet(report, false);
  CHECK(sheet.header[3] == "令和6年度の実施状況");
  CHECK(sheet.header.back() == "令和7年度の取組予定");
  CHECK(sheet.rows[0][1] == "新たな障害者相談支援体制の構築【拡充】");
  CHECK(sheet.rows[0][5] == "平成26年度 相談件数 25272件");
  CHECK(sheet.rows[0][6] == "平成29年度 相談件数 43669件");
  CHECK(sheet.rows[1][4] == "b");
  CHECK(sheet.rows[1][8] == "相談者への的確な情報提供が必要です。");
  CHECK(sheet.rows[1][9] == "継続して実施します。");
}
