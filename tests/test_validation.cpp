#include <catch2/catch.hpp>

#include <algorithm>

#include "model/files.hpp"
#include "model/reference.hpp"
#include "model/validation.hpp"

using namespace tsunagi;

namespace {

Record valid(RecordKind kind) {
  Record r;
  r.id = "x";
  r.kind = kind;
  r.date = "2024-04-01";
  r.start_time = "10:00";
  r.end_time = "11:30";
  r.title = "件名";
  switch (kind) {
    case RecordKind::Meeting:
      r.committees = {"運営会議"};
      r.meeting.meeting_type = MeetingType::Steering;
      r.meeting.format = MeetingFormat::InPerson;
      break;
    case RecordKind::CaseReview:
      r.case_review.case_code = "A-2024-017";
      r.case_review.review_type = ReviewType::CaseConference;
      break;
    case RecordKind::Outreach:
      r.outreach.visit_type = VisitType::Home;
      r.outreach.place = "利用者宅";
      break;
    case RecordKind::Initiative:
      break;
  }
  return r;
}

// The issue at `path` with `code`, or nullptr.
const ValidationIssue* find(const std::vector<ValidationIssue>& issues, const std::string& path,
                            const std::string& code) {
  auto it = std::find_if(issues.begin(), issues.end(),
                         [&](const ValidationIssue& i) { return i.path == path && i.code == code; });
  return it == issues.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("a complete record of each kind has no issues", "[validation]") {
  for (auto kind : {RecordKind::Meeting, RecordKind::CaseReview, RecordKind::Outreach}) {
    auto issues = validate_record(valid(kind));
    INFO(enum_name(kind));
    CHECK(issues.empty());
  }
}

TEST_CASE("each common field is checked and named, in English and Japanese", "[validation]") {
  struct Case {
    std::function<void(Record&)> change;
    std::string path;
    std::string code;
  };
  std::vector<Case> cases{
      {[](Record& r) { r.date = ""; }, "/date", "required"},
      {[](Record& r) { r.date = "2023-02-29"; }, "/date", "date.invalid"},
      {[](Record& r) { r.date = "2024/04/01"; }, "/date", "date.invalid"},
      {[](Record& r) { r.start_time = "25:00"; }, "/start_time", "time.invalid"},
      {[](Record& r) { r.end_time = "9:5"; }, "/end_time", "time.invalid"},
      {[](Record& r) { r.end_time = "09:00"; }, "/end_time", "time.order"},
      {[](Record& r) { r.start_time = ""; }, "/start_time", "required"},
      {[](Record& r) { r.title = "　"; }, "/title", "required"},
      {[](Record& r) { r.title = std::string(201 * 3, 'a'); }, "/title", "text.too_long"},
      {[](Record& r) { r.participant_count = -1; }, "/participant_count", "number.range"},
      {[](Record& r) {
         r.themes = {"a", "a"};
       },
       "/themes/1", "duplicate"},
      {[](Record& r) { r.themes = {""}; }, "/themes/0", "required"},
      {[](Record& r) { r.organizations = {" "}; }, "/organizations/0", "required"},
      {[](Record& r) {
         r.follow_ups = {{"", "田中", "", false, {}}};
       },
       "/follow_ups/0/action", "required"},
      {[](Record& r) {
         r.follow_ups = {{"連絡", "田中", "2024-13-01", false, {}}};
       },
       "/follow_ups/0/due", "date.invalid"},
  };
  for (const auto& c : cases) {
    Record r = valid(RecordKind::Meeting);
    c.change(r);
    auto issues = validate_record(r);
    INFO(c.path << " " << c.code);
    const ValidationIssue* issue = find(issues, c.path, c.code);
    REQUIRE(issue != nullptr);
    CHECK(issue->severity == Severity::Error);
    CHECK_FALSE(issue->message.empty());
    CHECK_FALSE(issue->message_ja.empty());
    CHECK(has_errors(issues));
  }
}

TEST_CASE("each kind's own fields are checked", "[validation]") {
  Record meeting = valid(RecordKind::Meeting);
  meeting.meeting.meeting_type.reset();
  meeting.meeting.format.reset();
  meeting.committees.clear();
  meeting.meeting.agenda = {{"", "", "", {}}};
  meeting.meeting.next_date = "2024-03-01";
  auto issues = validate_record(meeting);
  CHECK(find(issues, "/meeting_type", "required"));
  CHECK_FALSE(find(issues, "/format", "required"));  // reports seldom say: optional
  CHECK_FALSE(find(issues, "/committees", "required"));  // which kind of meeting it is decides
  meeting.meeting.meeting_type = MeetingType::Steering;
  CHECK(find(validate_record(meeting), "/committees", "required"));  // the council's own bodies name theirs
  meeting.meeting.meeting_type = MeetingType::Event;
  CHECK_FALSE(find(validate_record(meeting), "/committees", "required"));  // an event need not
  CHECK(find(issues, "/agenda/0/title", "required"));
  CHECK(find(issues, "/next_date", "date.order"));

  Record review = valid(RecordKind::CaseReview);
  review.case_review.case_code = "";
  review.case_review.review_type.reset();
  review.case_review.roles = {{"", "", {}}};
  review.case_review.next_review = "R6.5.1";
  issues = validate_record(review);
  CHECK(find(issues, "/case_code", "required"));
  CHECK(find(issues, "/review_type", "required"));
  CHECK(find(issues, "/roles/0/agency", "required"));
  CHECK(find(issues, "/roles/0/role", "required"));
  CHECK(find(issues, "/next_review", "date.invalid"));  // stored form is ISO; normalize_record converts typed forms

  Record visit = valid(RecordKind::Outreach);
  visit.outreach.visit_type.reset();
  visit.outreach.place = "";
  visit.outreach.people_met = -2;
  visit.outreach.duration_minutes = 24 * 60 + 1;
  issues = validate_record(visit);
  CHECK(find(issues, "/visit_type", "required"));
  CHECK(find(issues, "/place", "required"));
  CHECK(find(issues, "/people_met", "number.range"));
  CHECK(find(issues, "/duration_minutes", "number.range"));
}

TEST_CASE("a case code that looks like a full name is allowed but flagged", "[validation]") {
  Record review = valid(RecordKind::CaseReview);
  review.case_review.case_code = "山田 太郎";
  auto issues = validate_record(review);
  const ValidationIssue* issue = find(issues, "/case_code", "case_code.looks_like_name");
  REQUIRE(issue);
  CHECK(issue->severity == Severity::Warning);
  CHECK_FALSE(has_errors(issues));

  CHECK(looks_like_full_name("山田太郎"));
  CHECK(looks_like_full_name("山田　太郎"));
  CHECK(looks_like_full_name("やまだ たろう"));
  CHECK(looks_like_full_name("Taro Yamada"));
  CHECK_FALSE(looks_like_full_name("A-2024-017"));
  CHECK_FALSE(looks_like_full_name("ケース１２"));
  CHECK_FALSE(looks_like_full_name("Ａさん"));
  CHECK_FALSE(looks_like_full_name("AB"));
}

TEST_CASE("normalize_record accepts the seeds' forms and full-width digits", "[validation]") {
  Record r = valid(RecordKind::Meeting);
  r.date = "R5.7.3";
  r.start_time = "１３：３０";
  r.end_time = "15時";
  r.meeting.next_date = "令和5年11月20日";
  r.follow_ups = {{"報告", "事務局", "令和6年3月末", false, {}}};
  r.title = "  全体会  ";
  normalize_record(r);
  CHECK(r.date == "2023-07-03");
  CHECK(r.start_time == "13:30");
  CHECK(r.end_time == "15:00");
  CHECK(r.meeting.next_date == "2023-11-20");
  CHECK(r.follow_ups[0].due == "2024-03-31");
  CHECK(r.title == "全体会");
  CHECK(validate_record(r).empty());

  Record unreadable = valid(RecordKind::Meeting);
  unreadable.date = "R5.2.30";
  normalize_record(unreadable);
  CHECK(unreadable.date == "R5.2.30");  // kept as typed, reported by validation
  CHECK(find(validate_record(unreadable), "/date", "date.invalid"));
}

TEST_CASE("with reference data, unknown references are warnings on a draft and errors once submitted",
          "[validation]") {
  ReferenceData reference;
  reference.themes = {{"T01", "地域生活支援拠点等の整備", "", ""}};
  reference.areas = {{"higashi", "東区", "", "", "", "ward"}, {"hakata", "博多区", "", "", "", "ward"}};
  reference.committees = {{"steering", "運営会議", "", "", "steering", "", "", ""}};
  reference.organizations = {{"org-1", "髙田ワークス", "就労継続支援A型", "higashi"}};
  Record r = valid(RecordKind::Meeting);
  r.status = ReviewStatus::Draft;
  r.themes = {"T01", "未知のテーマ"};
  r.areas = {"火星区"};
  r.organizations = {"org-1", "ひまわり作業所"};
  auto issues = validate_record(r, &reference);
  const ValidationIssue* theme = find(issues, "/themes/1", "reference.unknown");
  REQUIRE(theme);
  CHECK(theme->severity == Severity::Warning);
  const ValidationIssue* area = find(issues, "/areas/0", "reference.unknown");
  REQUIRE(area);
  CHECK(area->message_ja.find("火星区") != std::string::npos);
  CHECK(area->message_ja.find("近いもの") != std::string::npos);  // names the nearest known areas
  CHECK_FALSE(find(issues, "/themes/0", "reference.unknown"));
  CHECK_FALSE(find(issues, "/organizations/0", "organization.unregistered"));
  const ValidationIssue* free_text = find(issues, "/organizations/1", "organization.unregistered");
  REQUIRE(free_text);  // free text is allowed for organisations: shown as 未登録, never an error
  CHECK(free_text->severity == Severity::Warning);
  CHECK_FALSE(has_errors(issues));

  r.status = ReviewStatus::Submitted;
  issues = validate_record(r, &reference);
  REQUIRE(find(issues, "/areas/0", "reference.unknown"));
  CHECK(find(issues, "/areas/0", "reference.unknown")->severity == Severity::Error);
  CHECK(find(issues, "/themes/1", "reference.unknown")->severity == Severity::Error);
  CHECK(find(issues, "/organizations/1", "organization.unregistered")->severity == Severity::Warning);

  // Names in any width or variant resolve; an id needs no lookup.
  r.themes = {"T01"};
  r.areas = {"東区", "博多区"};
  resolve_references(r, reference);
  CHECK(r.areas == std::vector<std::string>{"hakata", "higashi"});
  r.organizations = {"高田ワークス"};  // 高 for 髙
  resolve_references(r, reference);
  CHECK(r.organizations == std::vector<std::string>{"org-1"});
  CHECK_FALSE(has_errors(validate_record(r, &reference)));
}

TEST_CASE("the required fields of each kind are the ones validation asks for", "[validation]") {
  using Paths = std::set<std::string>;
  CHECK(required_paths(RecordKind::Meeting) ==
        Paths{"/date", "/title", "/meeting_type", "/agenda/*/title", "/follow_ups/*/action"});
  CHECK(required_paths(RecordKind::CaseReview) == Paths{"/date", "/title", "/case_code", "/review_type",
                                                         "/roles/*/agency", "/roles/*/role", "/follow_ups/*/action"});
  CHECK(required_paths(RecordKind::Outreach) ==
        Paths{"/date", "/title", "/visit_type", "/place", "/follow_ups/*/action"});
}

TEST_CASE("normalize_record stores a date with its precision, and says when an old era was read", "[validation]") {
  Record r = valid(RecordKind::Meeting);
  r.date = "令和6年1月";
  CHECK(normalize_record(r).empty());
  CHECK(r.date == "2024-01-01");
  CHECK(r.date_end == "2024-01-31");
  CHECK(r.date_precision == DatePrecision::Month);
  CHECK(validate_record(r).empty());
  normalize_record(r);  // stored forms stay as they are
  CHECK(r.date_precision == DatePrecision::Month);

  r.date = "4/17";
  CHECK(normalize_record(r).empty());
  CHECK(r.date == "4/17");  // no fiscal year given: left as typed, for validation to report
  CHECK(find(validate_record(r), "/date", "date.no_year"));  // says the year is missing, and how to give it
  r.date = "4/17";
  normalize_record(r, {2023});
  CHECK(r.date == "2023-04-17");
  CHECK(r.date_end.empty());
  CHECK(r.date_precision == DatePrecision::Day);

  r.date = "平成31年5月1日";
  auto notes = normalize_record(r);
  CHECK(r.date == "2019-05-01");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].code == "date.old_era");
  CHECK(notes[0].severity == Severity::Warning);
  CHECK(notes[0].message_ja.find("令和元年5月1日") != std::string::npos);

  r.date = "令和5年度";
  normalize_record(r);
  CHECK((r.date + " " + r.date_end) == "2023-04-01 2024-03-31");
  CHECK(r.date_precision == DatePrecision::FiscalYear);

  // A period given as two fields, as an import may.
  r.date = "R5.9.21";
  r.date_end = "12.19";
  r.date_precision = DatePrecision::Day;
  normalize_record(r);
  CHECK((r.date + " " + r.date_end) == "2023-09-21 2023-12-19");
  CHECK(r.date_precision == DatePrecision::Period);

  // A precision that does not fit its dates is an error.
  r.date_precision = DatePrecision::Month;
  CHECK(find(validate_record(r), "/date_end", "date.span"));
}

TEST_CASE("a time range typed into the start time fills the end time, and 午後 is read", "[validation]") {
  Record r = valid(RecordKind::Meeting);
  r.start_time = "13：30～15：00";
  r.end_time = "";
  normalize_record(r);
  CHECK(r.start_time == "13:30");
  CHECK(r.end_time == "15:00");
  r.start_time = "午後1時30分";
  r.end_time = "午後3時";
  normalize_record(r);
  CHECK(r.start_time == "13:30");
  CHECK(r.end_time == "15:00");
}

TEST_CASE("a thematic case review names a theme instead of a case code, and occurrences count sessions",
          "[validation]") {
  Record review = valid(RecordKind::CaseReview);
  review.case_review.case_code.clear();
  CHECK(find(validate_record(review), "/case_code", "required"));
  review.themes = {"T06"};  // 合同部会【事例検討】 about a theme
  CHECK_FALSE(find(validate_record(review), "/case_code", "required"));

  Record steering = valid(RecordKind::Meeting);
  steering.occurrences = 7;  // 運営会議を年７回開催
  CHECK(occurrence_count(steering) == 7);
  CHECK(validate_record(steering).empty());
  steering.occurrences = 0;
  CHECK(find(validate_record(steering), "/occurrences", "number.range"));
  steering.occurrences.reset();
  CHECK(occurrence_count(steering) == 1);

  Record initiative;
  initiative.kind = RecordKind::Initiative;
  initiative.date = "2023-04-01";
  initiative.title = "令和6年度ふくしマップを作成";
  CHECK(validate_record(initiative).empty());  // a date and a title are all an initiative must have
}

TEST_CASE("a committee meets between its establishment and abolition", "[validation]") {
  ReferenceData reference;
  reference.committees = {{"children", "こども部会", "", "", "committee", "", "2024-04-01", ""}};
  Record r = valid(RecordKind::Meeting);
  r.committees = {"children"};
  r.date = "2024-02-02";
  CHECK(find(validate_record(r, &reference), "/committees/0", "committee.not_yet"));
  r.date = "2024-06-28";
  CHECK_FALSE(find(validate_record(r, &reference), "/committees/0", "committee.not_yet"));
}

namespace {

// Fukuoka's reference data (the default) with Kodama's beside it: names such as 相談支援部会 are in both.
ReferenceData two_councils() {
  auto fukuoka = load_reference_file(assets_dir() / "reference" / "default.json");
  auto kodama = load_reference_file(assets_dir() / "reference" / "kodama.json");
  REQUIRE(fukuoka.ok());
  REQUIRE(kodama.ok());
  return merge_reference(std::move(*fukuoka), *kodama);
}

}  // namespace

TEST_CASE("with several councils: the committee chosen tells the council, and another council's entry is refused",
          "[validation]") {
  const ReferenceData reference = two_councils();
  Record r = valid(RecordKind::Meeting);
  r.date = "2023-07-03";
  r.committees = {"kodama.consultation"};  // Kodama's 相談支援部会, chosen from the tree
  resolve_references(r, reference);
  CHECK(r.council == "kodama");
  CHECK(validate_record(r, &reference).empty());

  Record named = valid(RecordKind::Meeting);
  named.council = "kodama";
  named.committees = {"相談支援部会"};  // by name: the record's council decides which
  resolve_references(named, reference);
  CHECK(named.committees == std::vector<std::string>{"kodama.consultation"});

  Record mixed = valid(RecordKind::Meeting);
  mixed.council = "kodama";
  mixed.committees = {"地域生活支援部会"};  // Fukuoka's only
  mixed.status = ReviewStatus::Submitted;
  resolve_references(mixed, reference);
  auto issues = validate_record(mixed, &reference);
  const ValidationIssue* other = find(issues, "/committees/0", "reference.other_council");
  REQUIRE(other);
  CHECK(other->severity == Severity::Error);
  CHECK(other->message_ja.find("福岡市") != std::string::npos);

  Record unknown = valid(RecordKind::Meeting);
  unknown.council = "kodama";
  unknown.committees = {"区部会x"};
  issues = validate_record(unknown, &reference);
  REQUIRE(find(issues, "/committees/0", "reference.unknown"));
  // The nearest names offered are the record's council's (or every council's), not another's.
  const std::string message = find(issues, "/committees/0", "reference.unknown")->message_ja;
  CHECK(message.find("近いもの") != std::string::npos);
  CHECK(message.find("近いもの: 区部会") == std::string::npos);  // Fukuoka's 区部会 is nearest by spelling
}

TEST_CASE("work items named alike are told apart by the record's committee and year", "[validation]") {
  const ReferenceData reference = two_councils();
  Record r = valid(RecordKind::Meeting);
  r.council = "kodama";
  r.date = "2023-07-14";
  r.committees = {"運営会議"};
  r.work_items = {"地域の障害福祉の資源の把握"};  // three committees have a 事業項目 of this name
  r.meeting.agenda = {{"資源の把握", "", "", "地域の障害福祉の資源の把握", {}}};
  resolve_references(r, reference);
  CHECK(r.committees == std::vector<std::string>{"kodama.steering"});
  CHECK(r.work_items == std::vector<std::string>{"kodama.steering.fy2023.1"});
  CHECK(r.meeting.agenda[0].work_item == "kodama.steering.fy2023.1");
  CHECK(validate_record(r, &reference).empty());

  Record vague = valid(RecordKind::Initiative);
  vague.council = "kodama";
  vague.work_items = {"地域の障害福祉の資源の把握"};  // no committee to tell which
  resolve_references(vague, reference);
  const auto issues = validate_record(vague, &reference);
  const ValidationIssue* ambiguous = find(issues, "/work_items/0", "reference.ambiguous");
  REQUIRE(ambiguous);
  CHECK(ambiguous->message.find("kodama.consultation.fy2023.1") != std::string::npos);  // names the ids to give
}
