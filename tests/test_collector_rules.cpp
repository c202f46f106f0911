#include <catch2/catch.hpp>

#include "collector/rules.hpp"
#include "collector/server.hpp"
#include "collector_fixture.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "protocol_fixture.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;
using namespace protocol_fixture;
using namespace collector_fixture;
using nlohmann::json;

namespace {

RevisionDecision decide(const Principal& who, const Revision& revision, const std::optional<Record>& stored) {
  CheckedRevision checked = check_revision(revision);
  return decide_revision(who, checked, stored);
}

}  // namespace

TEST_CASE("a revision is checked against its id, clock and hash", "[collector]") {
  Principal supervisor = principal("主任", Role::Supervisor);
  Revision good = revision_of(meeting("田中 花子"));
  CHECK(decide(supervisor, good, std::nullopt).result.status == PushStatus::Stored);

  Revision damaged = good;
  damaged.record["title"] = "改ざん";
  auto decision = decide(supervisor, damaged, std::nullopt);
  CHECK(decision.result.status == PushStatus::Rejected);
  CHECK(decision.result.error.code == "protocol.hash");

  Revision wrong_id = good;
  wrong_id.id = "other";
  CHECK(decide(supervisor, wrong_id, std::nullopt).result.error.path == "/record/id");

  Revision mistyped = good;
  mistyped.record["participant_count"] = "many";
  CHECK(decide(supervisor, mistyped, std::nullopt).result.error.path == "/record/participant_count");
}

TEST_CASE("staff write their own records: only supervisors approve or return", "[collector]") {
  Principal tanaka = principal("田中 花子", Role::Staff, "東区");
  Principal sato = principal("佐藤 一郎", Role::Staff, "東区");
  Principal chief = principal("主任", Role::Supervisor);
  Record mine = meeting("田中 花子");
  CHECK(decide(tanaka, revision_of(mine), std::nullopt).result.status == PushStatus::Stored);
  auto forbidden = decide(sato, revision_of(mine), std::nullopt);
  CHECK(forbidden.result.status == PushStatus::Rejected);
  CHECK(forbidden.result.error.code == "auth.forbidden");

  Record approved = meeting("田中 花子", ReviewStatus::Approved);
  CHECK(decide(tanaka, revision_of(approved), std::nullopt).result.error.code == "auth.review");
  CHECK(decide(chief, revision_of(approved), std::nullopt).result.status == PushStatus::Stored);

  Record invalid = meeting("田中 花子");
  invalid.date = "";
  auto rejected = decide(tanaka, revision_of(invalid), std::nullopt);
  CHECK(rejected.result.error.code == "record.invalid");
  CHECK(rejected.result.error.path == "/record/date");
}

TEST_CASE("a revision with nothing newer than the stored record is already stored", "[collector]") {
  Principal chief = principal("主任", Role::Supervisor);
  Record stored = meeting("田中 花子");
  auto decision = decide(chief, revision_of(stored), stored);
  CHECK(decision.result.status == PushStatus::AlreadyStored);
  CHECK_FALSE(decision.to_store);
}

TEST_CASE("visibility: supervisors see all: staff their own and their team's and committees' meetings", "[collector]") {
  ReferenceData reference;
  reference.areas = {{"hh", "東・博多エリア", "", ""}, {"higashi", "東区", "", "hh"}, {"nishi", "西区", "", ""}};
  Record meeting_east = meeting("田中 花子");
  Record review = meeting("田中 花子");
  review.kind = RecordKind::CaseReview;
  CHECK(may_see(principal("主任", Role::Supervisor), review, reference));
  CHECK(may_see(principal("田中 花子", Role::Staff), review, reference));
  CHECK_FALSE(may_see(principal("佐藤 一郎", Role::Staff, "東区"), review, reference));
  CHECK(may_see(principal("佐藤 一郎", Role::Staff, "東区"), meeting_east, reference));
  CHECK(may_see(principal("佐藤 一郎", Role::Staff, "東・博多エリア"), meeting_east, reference));
  CHECK_FALSE(may_see(principal("鈴木 三郎", Role::Staff, "西区"), meeting_east, reference));
  Principal committee_member = principal("鈴木 三郎", Role::Staff, "西区");
  committee_member.user.committees = {"運営会議"};
  CHECK(may_see(committee_member, meeting_east, reference));
}

TEST_CASE("visibility: a team's supervisor sees that team's areas and staff, a supervisor of no team sees all",
          "[collector]") {
  ReferenceData reference;
  reference.areas = {{"hh", "東・博多エリア", "", ""}, {"higashi", "東区", "", "hh"}, {"nishi", "西区", "", ""}};
  reference.staff = {{"s1", "田中 花子", "staff", "higashi"}, {"s2", "鈴木 三郎", "staff", "nishi"}};
  Record review = meeting("田中 花子");  // held in 東区
  review.kind = RecordKind::CaseReview;
  Record elsewhere = review;  // written by 東区's staff, about 西区
  elsewhere.areas = {"西区"};
  Record western = meeting("鈴木 三郎");
  western.areas = {"西区"};
  const Principal east = principal("東 主任", Role::Supervisor, "東・博多エリア");
  CHECK(may_see(east, review, reference));
  CHECK(may_see(east, elsewhere, reference));  // its author is of the team
  CHECK_FALSE(may_see(east, western, reference));
  CHECK(supervised_staff(east, reference) == std::vector<std::string>{"田中 花子"});
  const Principal west = principal("西 主任", Role::Supervisor, "西区");
  CHECK_FALSE(may_see(west, review, reference));
  CHECK(may_see(west, western, reference));
  CHECK(may_see(principal("課長", Role::Supervisor), western, reference));
  CHECK(may_see(principal("管理", Role::Admin, "西区"), review, reference));
  // Nor does a team's supervisor decide on what they do not supervise.
  CheckedRevision decided = check_revision(revision_of(meeting("田中 花子", ReviewStatus::Approved)));
  auto refused = decide_revision(west, decided, meeting("田中 花子", ReviewStatus::Submitted), {}, &reference, {});
  CHECK(refused.result.error.code == "auth.forbidden");
}

TEST_CASE("visibility: a council's supervisor sees every record of that council and none of another", "[collector]") {
  ReferenceData reference;
  reference.councils = {{"fukuoka", "福岡市障がい者等地域生活支援協議会", "", ""},
                        {"kodama", "児玉郡市自立支援協議会", "", ""}};
  Record kodama_review = meeting("児玉 太郎");
  kodama_review.kind = RecordKind::CaseReview;
  kodama_review.council = "kodama";
  Record fukuoka_review = kodama_review;
  fukuoka_review.council = "fukuoka";
  Principal kodama_head = principal("児玉 課長", Role::Supervisor);
  kodama_head.user.council = "kodama";
  CHECK_FALSE(supervises_all(kodama_head));
  CHECK(may_see(kodama_head, kodama_review, reference));
  CHECK_FALSE(may_see(kodama_head, fukuoka_review, reference));
  // Staff are not widened by a council: they see their own records and their team's meetings.
  Principal kodama_staff = principal("児玉 花子", Role::Staff);
  kodama_staff.user.council = "kodama";
  CHECK_FALSE(may_see(kodama_staff, kodama_review, reference));
  // A council's supervisor who also has a team sees both.
  Principal both = kodama_head;
  both.user.team = "東区";
  fukuoka_review.areas = {"東区"};
  CHECK(may_see(both, fukuoka_review, reference));
}
TEST_CASE("the collector checks a submitted record's references against its reference data", "[protocol]") {
  ReferenceData reference;
  reference.areas = {{"higashi", "東区", "", "", "fukuoka", "ward"}};
  reference.committees = {{"steering", "運営会議", "", "", "steering", "fukuoka", "", ""}};
  Principal staff = principal("田中 花子", Role::Staff, "higashi");
  Record record = meeting("田中 花子");  // an older client's record: one area and a body, by name
  CheckedRevision checked = check_revision(revision_of(record));
  CHECK(decide_revision(staff, checked, std::nullopt, nullptr, &reference).result.status == PushStatus::Stored);

  record.areas = {"火星区"};
  checked = check_revision(revision_of(record));
  RevisionDecision refused = decide_revision(staff, checked, std::nullopt, nullptr, &reference);
  REQUIRE(refused.result.status == PushStatus::Rejected);
  CHECK(refused.result.error.code == "record.invalid");
  CHECK(refused.result.error.path == "/record/areas/0");
  CHECK(refused.result.error.message_ja.find("火星区") != std::string::npos);

  record.status = ReviewStatus::Draft;  // a draft keeps what does not match yet, as a warning on the laptop
  checked = check_revision(revision_of(record));
  CHECK(decide_revision(staff, checked, std::nullopt, nullptr, &reference).result.status == PushStatus::Stored);
  record.status = ReviewStatus::Submitted;
  checked = check_revision(revision_of(record));
  CHECK(decide_revision(staff, checked, std::nullopt, nullptr, nullptr).result.status == PushStatus::Stored);
}

TEST_CASE("staff see the meetings of their area and committees by id or by name, in records of either", "[protocol]") {
  ReferenceData reference;
  reference.areas = {{"higashi_hakata", "東・博多エリア", "", "", "", "area"},
                     {"higashi", "東区", "", "higashi_hakata", "", "ward"},
                     {"nishi", "西区", "", "", "", "ward"}};
  reference.committees = {{"children", "こども部会", "", "", "committee", "", "", ""},
                          {"preschool_sub", "未就学児分科会", "", "children", "subcommittee", "", "", ""}};
  Principal staff = principal("田中 花子", Role::Staff, "higashi_hakata");
  Record other = meeting("山本 太郎");
  other.areas = {"nishi", "higashi"};  // a joint meeting: one of its wards is hers
  CHECK(may_see(staff, other, reference));
  other.areas = {"東区"};  // written before ids
  CHECK(may_see(staff, other, reference));
  other.areas = {"nishi"};
  CHECK_FALSE(may_see(staff, other, reference));
  staff.user.committees = {"こども部会"};
  other.committees = {"children"};
  CHECK(may_see(staff, other, reference));
}

TEST_CASE("report entries: supervisors and admins write them for their own council, and a council's users read them",
          "[collector]") {
  const ReportEntry fukuoka = entry_for("fukuoka", "P01");
  const ReportEntry kodama = entry_for("kodama", "P01");
  const ReportEntry city = entry_for("", "P01");
  Principal staff = principal("東 太郎", Role::Staff, "東区");
  staff.user.council = "fukuoka";
  auto refused = report_entry_refusal(staff, fukuoka);
  REQUIRE(refused);
  CHECK(refused->code == "report_entry.role");
  CHECK_FALSE(refused->message_ja.empty());

  Principal head = principal("山本 課長", Role::Supervisor);
  head.user.council = "fukuoka";
  CHECK_FALSE(report_entry_refusal(head, fukuoka));
  auto elsewhere = report_entry_refusal(head, kodama);
  REQUIRE(elsewhere);
  CHECK(elsewhere->code == "report_entry.council");
  CHECK(report_entry_refusal(head, city));  // the city's entries are for those of no council
  const Principal city_head = principal("市 課長", Role::Supervisor);
  CHECK_FALSE(report_entry_refusal(city_head, kodama));
  CHECK_FALSE(report_entry_refusal(principal("管理者", Role::Admin), city));

  CHECK(may_see_report_entry(staff, "fukuoka"));
  CHECK(may_see_report_entry(staff, ""));
  CHECK_FALSE(may_see_report_entry(head, "kodama"));
  CHECK(may_see_report_entry(city_head, "kodama"));
  CHECK(may_see_report_entry(principal("西 花子", Role::Staff), "kodama"));
}

TEST_CASE("enrollment codes are readable and forgiving to type: tokens are 256 bits", "[protocol]") {
  std::string code = new_enrollment_code();
  CHECK(code.size() == 24);  // 20 characters in groups of four
  CHECK(code.find_first_of("ILOU") == std::string::npos);
  CHECK(canonical_enrollment_code("k7q2-m9xd 4prt") == "K7Q2M9XD4PRT");
  CHECK(canonical_enrollment_code("O1IL") == "0111");
  CHECK(new_enrollment_code() != code);
  std::string token = new_device_token();
  CHECK(token.size() == 43);  // 256 bits in base64url
  CHECK(token.find_first_of("+/=") == std::string::npos);
}

TEST_CASE("a push request read from its text gives the revisions the document gives", "[protocol]") {
  Record first = meeting("田中");
  Record second = meeting("佐藤", ReviewStatus::Draft);
  second.id = "r2";
  second.title = "tab\there \"quoted\"";
  std::vector<RevisionText> texts{{first.id, first.clock, "", record_text(first)},
                                  {second.id, second.clock, first.clock, record_text(second)}};
  const std::string cursor = "0193a000-0000-7000-8000-00000000000c.42";
  std::string body = push_request_text(texts, cursor);
  std::string seen_fast = "x", seen_slow = "x";
  auto plain = read_plain_push_request(body, &seen_fast);
  REQUIRE(plain.has_value());
  json document = json::parse(body);
  auto reparsed = parse_push_request(document);
  REQUIRE(reparsed);
  CHECK(json::parse(body) == push_request_json(*reparsed, cursor));
  document = json::parse(body);
  auto parsed = parse_push_request(document, &seen_slow);
  REQUIRE(parsed.ok());
  CHECK(seen_fast == cursor);
  CHECK(seen_slow == cursor);
  // Without a cursor (an older client), or with null: empty either way.
  for (const char* without : {R"({"revisions":[]})", R"({"revisions":[],"seen":null})"}) {
    seen_fast = seen_slow = "x";
    REQUIRE(read_plain_push_request(without, &seen_fast));
    json older = json::parse(without);
    REQUIRE(parse_push_request(older, &seen_slow));
    CHECK(seen_fast.empty());
    CHECK(seen_slow.empty());
  }
  json wrong_type = json::parse(R"({"revisions":[],"seen":7})");
  CHECK_FALSE(read_plain_push_request(wrong_type.dump()));
  CHECK(parse_push_request(wrong_type).error().path == "/seen");
  REQUIRE(plain->size() == parsed->size());
  for (std::size_t i = 0; i < plain->size(); ++i) {
    const Revision& fast = (*plain)[i];
    const Revision& slow = (*parsed)[i];
    CHECK(fast.id == slow.id);
    CHECK(fast.hlc == slow.hlc);
    CHECK(fast.base == slow.base);
    CHECK(fast.hash == slow.hash);
    CheckedRevision a = check_revision(fast);
    CheckedRevision b = check_revision(slow);
    CHECK(a.record == b.record);
    CHECK(a.canonical == b.canonical);
    CHECK(a.error.has_value() == b.error.has_value());
    CHECK_FALSE(a.error.has_value());
  }
  // A damaged record fails the hash check either way.
  std::string damaged = body;
  damaged.replace(damaged.find("運営会議"), std::string("運営会議").size(), "改ざん会議");
  auto damaged_plain = read_plain_push_request(damaged);
  REQUIRE(damaged_plain.has_value());
  CHECK(check_revision((*damaged_plain)[0]).error->code == "protocol.hash");

  // Left to the document path: a record that is not canonical or has fields this version does not know, a
  // missing member, a wrong type, too many revisions, bad syntax.
  std::string pretty =
      R"({"revisions":[{"id":"r1","hlc":"h","hash":"x","record":)" + json::parse(texts[0].document).dump(1) + "}]}";
  CHECK_FALSE(read_plain_push_request(pretty).has_value());
  Record future = first;
  future.unknown["x_future"] = 1;
  CHECK_FALSE(read_plain_push_request(push_request_text({{future.id, future.clock, "", record_text(future)}})));
  CHECK_FALSE(read_plain_push_request(R"({"revisions":[{"id":"r1","hlc":"h","record":{"kind":"meeting"}}]})"));
  CHECK_FALSE(read_plain_push_request(R"({"revisions":[{"id":1,"hlc":"h","hash":"x","record":{"kind":"meeting"}}]})"));
  CHECK_FALSE(read_plain_push_request(R"({"revisions":{}})"));
  CHECK_FALSE(read_plain_push_request(R"({"revisions":[)"));
  CHECK_FALSE(read_plain_push_request("{\"revisions\":[],\"x\":\"\xFF\"}"));
  std::vector<RevisionText> many(kMaxPushRevisions + 1, texts[0]);
  CHECK_FALSE(read_plain_push_request(push_request_text(many)));
  many.pop_back();
  CHECK(read_plain_push_request(push_request_text(many)).has_value());
  auto empty = read_plain_push_request(R"({"revisions":[]})");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  // A member the protocol does not know is refused (it is never skipped unchecked), in the request and in a
  // revision, by both readers.
  for (const char* text : {R"({"revisions":[],"other":[1,{"a":"\u3042"}]})",
                           R"({"revisions":[{"id":"r1","hlc":"h","hash":"x","record":{"kind":"meeting"},"x":1}]})"}) {
    INFO(text);
    CHECK_FALSE(read_plain_push_request(text));
    json document = json::parse(text);
    auto parsed = parse_push_request(document);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == "protocol.member");
  }
}
