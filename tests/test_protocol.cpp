#include <catch2/catch.hpp>

#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "sync/collector_rules.hpp"
#include "sync/collector_server.hpp"
#include "sync/command_line.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;
using nlohmann::json;

namespace {

Record meeting(const std::string& author, ReviewStatus status = ReviewStatus::Submitted) {
  auto record = parse_record(R"({"id":"r1","kind":"meeting","date":"2024-05-01","title":"運営会議","body":"運営会議",
    "meeting_type":"steering","format":"in_person","area":"東区",
    "hlc":"0000000000100.0000.aaaaaaaa","field_hlc":{"*":"0000000000100.0000.aaaaaaaa"}})");
  REQUIRE(record.ok());
  record->author = author;
  record->status = status;
  return *record;
}

Revision revision_of(const Record& record, const std::string& base = "") {
  std::string text = to_json_text(record_to_json(record));
  return {record.id, record.clock, base, content_hash_of_text(text), json::parse(text)};
}

Principal principal(const std::string& name, Role role, const std::string& team = "") {
  Principal who;
  who.user.name = name;
  who.user.role = role;
  who.user.team = team;
  return who;
}

RevisionDecision decide(const Principal& who, const Revision& revision, const std::optional<Record>& stored) {
  CheckedRevision checked = check_revision(revision);
  return decide_revision(who, checked, stored);
}

}  // namespace

TEST_CASE("cursors carry the collector id: another collector's cursor starts over", "[protocol]") {
  CHECK(format_cursor("c1", 42) == "c1.42");
  CHECK(parse_cursor("c1.42", "c1") == 42);
  CHECK(parse_cursor("", "c1") == 0);
  CHECK(parse_cursor("other.42", "c1") == 0);
  CHECK_FALSE(parse_cursor("c1.x", "c1"));
  CHECK_FALSE(parse_cursor("nodot", "c1"));
  CHECK_FALSE(parse_cursor("c1.-3", "c1"));
}

TEST_CASE("the enrollment line round-trips and bad lines are named", "[protocol]") {
  EnrollmentLine line{"https://127.0.0.1:8443", "K7Q2-M9XD-4PRT-WZ3H-8B5N", "sha256//abc="};
  auto parsed = parse_enrollment_line("  " + format_enrollment_line(line) + "\n");
  REQUIRE(parsed);
  CHECK(parsed->server == line.server);
  CHECK(parsed->code == line.code);
  CHECK(parsed->pin == line.pin);
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll http://x CODE sha256//p"));  // not https
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll https://x CODE md5//p"));
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll https://x CODE"));
  CHECK_FALSE(parse_enrollment_line("something else entirely"));
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

TEST_CASE("a push request names the path of what is wrong", "[protocol]") {
  json missing = json::parse(R"({"revisions":[{"id":"a","hlc":"h","hash":"x","record":{}},{"id":"b","record":{}}]})");
  auto parsed = parse_push_request(missing);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().path == "/revisions/1/hlc");
  json not_array = json::parse(R"({"revisions":"x"})");
  CHECK(parse_push_request(not_array).error().path == "/revisions");
  json too_many = {{"revisions", json::array()}};
  for (std::size_t i = 0; i <= kMaxPushRevisions; ++i) too_many["revisions"].push_back(json::object());
  CHECK(parse_push_request(too_many).error().code == "protocol.too_many");
}

TEST_CASE("the request written around stored text is the request written from parsed records", "[protocol]") {
  Record record = meeting("田中 花子");
  Revision revision = revision_of(record, "0000000000050.0000.aaaaaaaa");
  std::string text = to_json_text(record_to_json(record));
  CHECK(json::parse(push_request_text({{record.id, record.clock, revision.base, text}})) ==
        push_request_json({revision}));
  CHECK(content_hash(record) == revision.hash);
}

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

TEST_CASE("visibility: a team's supervisor sees that team's areas and staff, a supervisor of no team sees all", "[collector]") {
  ReferenceData reference;
  reference.areas = {{"hh", "東・博多エリア", "", ""}, {"higashi", "東区", "", "hh"}, {"nishi", "西区", "", ""}};
  reference.staff = {{"s1", "田中 花子", "staff", "higashi"}, {"s2", "鈴木 三郎", "staff", "nishi"}};
  Record review = meeting("田中 花子");  // held in 東区
  review.kind = RecordKind::CaseReview;
  Record elsewhere = review;             // written by 東区's staff, about 西区
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
  reference.councils = {{"fukuoka", "福岡市障がい者等地域生活支援協議会", "", ""}, {"kodama", "児玉郡市自立支援協議会", "", ""}};
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

TEST_CASE("command-line words: options, repeated options, flags, positional words", "[cli]") {
  const char* argv[] = {"tsunagi",       "record",      "list", "--kind",    "meeting",
                        "--committee=A", "--committee", "B",    "--deleted", "-"};
  Arguments args(10, const_cast<char**>(argv), {"--deleted"});
  CHECK(args.positional() == std::vector<std::string>{"record", "list", "-"});
  CHECK(args.option("--kind") == "meeting");
  CHECK(args.options("--committee") == std::vector<std::string>{"A", "B"});
  CHECK(args.option("--committee") == "B");
  CHECK(args.flag("--deleted"));
  CHECK_FALSE(args.has("--missing"));
  const char* incomplete[] = {"tsunagi", "--data"};
  CHECK_THROWS_AS(Arguments(2, const_cast<char**>(incomplete), {}), UsageError);
}

// The push request and pull answer read from their text (read_plain_push_request, read_plain_pull_answer) must
// give what the document path gives; anything unusual is left to the document path.
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
  std::string pretty = R"({"revisions":[{"id":"r1","hlc":"h","hash":"x","record":)" + json::parse(texts[0].document).dump(1) + "}]}";
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

TEST_CASE("a pull answer read from its text gives the records and texts the document gives", "[protocol]") {
  Record first = meeting("田中");
  Record second = meeting("佐藤");
  second.id = "r2";
  second.deleted = true;
  std::string body = "{\"records\":[" + record_text(first) + "," + record_text(second) +
                     R"(],"reference":{"areas":[]},"cursor":"c.42","more":true})";
  auto plain = read_plain_pull_answer(body);
  REQUIRE(plain.has_value());
  REQUIRE(plain->records.size() == 2);
  CHECK(plain->records[0] == first);
  CHECK(plain->records[1] == second);
  CHECK(plain->documents[0] == to_json_text(record_to_json(first)));
  CHECK(plain->documents[1] == to_json_text(record_to_json(second)));
  CHECK(plain->reference == R"({"areas":[]})");
  CHECK(plain->cursor == "c.42");
  CHECK(plain->more);

  auto last = read_plain_pull_answer(R"({"records":[],"reference":null,"cursor":"c.43","more":false})");
  REQUIRE(last.has_value());
  CHECK(last->records.empty());
  CHECK(last->reference.empty());
  CHECK_FALSE(last->more);

  CHECK_FALSE(read_plain_pull_answer(R"({"records":[],"more":false})"));  // no cursor
  CHECK_FALSE(read_plain_pull_answer(R"({"records":[{"kind":"meeting","x_future":1}],"cursor":"c"})"));
  CHECK_FALSE(read_plain_pull_answer(R"({"records":[{"kind":"meeting", "id":"r1"}],"cursor":"c"})"));
  CHECK_FALSE(read_plain_pull_answer(R"({"records":["r1"],"cursor":"c"})"));
  CHECK_FALSE(read_plain_pull_answer(R"({"records":[],"cursor":"c","more":1})"));
  CHECK_FALSE(read_plain_pull_answer(R"({"records":[],"cursor":"c"} x)"));
}

TEST_CASE("JSON nested beyond the limit is refused by every reader, without recursing into it", "[protocol]") {
  // 100,000 levels would overflow the stack of a reader that recursed for each (the collector died of 30,000).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string in_record = R"({"records":[{"kind":"meeting","id":"r1","extra":)" + deep + R"(}],"cursor":"c"})";
  CHECK_FALSE(read_plain_pull_answer(in_record));
  CHECK_FALSE(read_plain_pull_answer(R"({"records":[],"cursor":"c","reference":)" + deep + "}"));
  CHECK_FALSE(read_plain_push_request(R"({"revisions":[{"id":"r1","record":)" + deep + "}]}"));
  for (const std::string& text : {deep, in_record}) {
    auto parsed = parse_json_text(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == "json.depth");
  }
  // At the limit it is read; a string holding brackets is not nesting.
  const std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(parse_json_text(at_limit));
  CHECK_FALSE(parse_json_text("[" + at_limit + "]"));
  CHECK(parse_json_text("[\"" + std::string(1000, '[') + "\"]"));
  auto huge = parse_json_text(R"({"n": 1e400})");
  REQUIRE_FALSE(huge);
  CHECK(huge.error().code == "json.range");
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

namespace {

ReportEntry entry_for(const std::string& council, const std::string& key) {
  ReportEntry entry;
  entry.id = "0193a5f2-c3d4-7abc-8def-0123456789a" + std::to_string(key.size() % 10);
  entry.council = council;
  entry.fiscal_year = 2024;
  entry.kind = "progress";
  entry.key = key;
  entry.fields = {{"status", "a"}, {"analysis", "順調に進んだ。"}};
  entry.time = "2025-03-10T09:00:00.000Z";
  return entry;
}

}  // namespace

TEST_CASE("a push carries report entries beside comments, each read strictly, naming its path", "[protocol]") {
  const std::vector<ReportEntry> entries{entry_for("fukuoka", "P01"), entry_for("", "P0002")};
  const std::string text = push_request_text({}, "", {}, entries);
  json body = json::parse(text);
  CHECK(body.at("report_entries").size() == 2);
  CHECK_FALSE(body.contains("comments"));  // only what the request needs: older collectors refuse the unknown
  std::vector<ReportEntry> read;
  REQUIRE(parse_push_request(body, nullptr, nullptr, &read).ok());
  CHECK(read == entries);
  // A request without report entries is what it was.
  json plain = json::parse(push_request_text({}, ""));
  CHECK_FALSE(plain.contains("report_entries"));

  json bad = json::parse(text);
  bad["report_entries"][1]["fields"]["status"] = "x";
  auto refused = parse_push_request(bad, nullptr, nullptr, &read);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "report_entry.status");
  CHECK(refused.error().path == "/report_entries/1/fields/status");

  json not_list = json::parse(text);
  not_list["report_entries"] = json::object();
  auto not_array = parse_push_request(not_list, nullptr, nullptr, &read);
  REQUIRE_FALSE(not_array.ok());
  CHECK(not_array.error().path == "/report_entries");

  json many = {{"revisions", json::array()}, {"report_entries", json::array()}};
  for (std::size_t i = 0; i <= kMaxPushRevisions; ++i) many["report_entries"].push_back(report_entry_to_json(entries[0]));
  auto too_many = parse_push_request(many, nullptr, nullptr, &read);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().code == "protocol.too_many");
  CHECK(too_many.error().path == "/report_entries");
  CHECK(too_many.error().message_ja.find("報告") != std::string::npos);

  // The plain reader leaves such a request to the document path.
  CHECK_FALSE(read_plain_push_request(text).has_value());
}

TEST_CASE("a push answer holds one result per report entry, and an answer without them reads as before", "[protocol]") {
  PushResult stored{"e1", "", PushStatus::Stored, {}, {}};
  PushResult refused{"e2", "", PushStatus::Rejected, {}, make_error("report_entry.role", "/role", "no", "いいえ")};
  const json answer = push_results_json({}, {}, {stored, refused});
  CHECK_FALSE(answer.contains("comment_results"));
  std::vector<PushResult> comments, entries;
  REQUIRE(parse_push_results(answer, &comments, &entries).ok());
  CHECK(comments.empty());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].status == PushStatus::Stored);
  CHECK(entries[1].status == PushStatus::Rejected);
  CHECK(entries[1].error.code == "report_entry.role");
  CHECK(entries[1].error.path == "/role");
  // An older collector's answer has no report_entry_results: nothing is acknowledged.
  entries.clear();
  REQUIRE(parse_push_results(push_results_json({}, {stored}), &comments, &entries).ok());
  CHECK(entries.empty());
  CHECK(comments.size() == 1);
}

TEST_CASE("a pull answer read from its text keeps the report entries' text", "[protocol]") {
  const std::string entries = "[" + to_json_text(report_entry_to_json(entry_for("fukuoka", "P01"))) + "]";
  auto plain = read_plain_pull_answer(R"({"records":[],"reference":null,"report_entries":)" + entries +
                                      R"(,"cursor":"c.9","more":false})");
  REQUIRE(plain.has_value());
  CHECK(plain->report_entries == entries);
  CHECK(plain->cursor == "c.9");
  auto none = read_plain_pull_answer(R"({"records":[],"cursor":"c.9","more":false})");
  REQUIRE(none.has_value());
  CHECK(none->report_entries.empty());
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
