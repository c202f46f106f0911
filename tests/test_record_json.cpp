#include <catch2/catch.hpp>

#include "model/files.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

Record sample(RecordKind kind) {
  Record r;
  r.id = "0193a5f2-c3d4-7abc-8def-0123456789ab";
  r.kind = kind;
  r.date = "2023-07-03";
  r.start_time = "13:30";
  r.end_time = "15:00";
  r.title = "第１回全体会（サインレス導入後のアンケート報告）";
  r.areas = {"東区", "博多区"};
  r.committees = {"全体会"};
  r.purpose = "サインレス導入の効果を確かめる";
  r.outcome = "サインレスの継続を決定";
  r.occurrences = 2;
  r.participation = Participation::Held;
  r.themes = {"地域生活支援拠点等の整備", "相談支援体制の充実・強化"};
  r.organizations = {"髙田ワークス", "𠮷野の里作業所"};
  r.participant_count = 24;
  r.follow_ups = {{"議事録を各市町へ送付", "事務局", "2023-07-14", false, {}}, {"アンケート集計", "田中", "", true, {}}};
  r.status = ReviewStatus::Submitted;
  r.author = "田中 花子";
  switch (kind) {
    case RecordKind::Meeting:
      r.meeting.meeting_type = MeetingType::Plenary;
      r.meeting.format = MeetingFormat::Written;
      r.meeting.venue = "本庄市役所　第２会議室";
      r.meeting.agenda = {{"サインレスの継続について", "計画相談導入率向上と事業所負担軽減", "サインレスの継続を決定", {}}};
      r.meeting.minutes = "各委員から意見を頂戴した。\n「第７期障害者福祉計画」について資料を配付。";
      r.meeting.next_date = "2023-11-20";
      break;
    case RecordKind::CaseReview:
      r.case_review.case_code = "A-2024-017";
      r.case_review.review_type = ReviewType::GroupSupervision;
      r.case_review.presenting_agency = "相談支援事業所　ひまわり";
      r.case_review.issues = "強度行動障がい、8050問題";
      r.case_review.policy = "短期入所の利用を検討し、家族の負担を軽減する";
      r.case_review.roles = {{"基幹相談支援センター", "全体調整", {}}, {"就労継続支援B型", "日中活動", {}}};
      r.case_review.next_review = "2024-01-10";
      break;
    case RecordKind::Outreach:
      r.outreach.visit_type = VisitType::Provider;
      r.outreach.place = "グループホーム山﨑ハウス";
      r.content = "施設入所支援・グループホームの空き情報を把握";
      r.outreach.people_met = 3;
      r.outreach.duration_minutes = 90;
      r.outreach.referral = "";
      r.outreach.follow_up_needed = true;
      break;
    case RecordKind::Initiative:
      r.content = "令和6年度ふくしマップを作成し、市町のHP掲載及び関係機関に配付した。";
      r.date_precision = DatePrecision::FiscalYear;
      r.date = "2023-04-01";
      r.date_end = "2024-03-31";
      break;
  }
  r.unknown["x_future_field"] = json{{"nested", {1, 2, 3}}};
  return r;
}

}  // namespace

TEST_CASE("every kind round-trips through JSON with Japanese text intact", "[json]") {
  for (auto kind : {RecordKind::Meeting, RecordKind::CaseReview, RecordKind::Outreach, RecordKind::Initiative}) {
    Record original = sample(kind);
    std::string text = record_to_json(original).dump();
    auto parsed = parse_record(text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == original);
    CHECK(text.find("𠮷野の里作業所") != std::string::npos);  // not escaped, not mangled
  }
}

TEST_CASE("JSON uses exactly the field names of the spec", "[json]") {
  json meeting = record_to_json(sample(RecordKind::Meeting));
  for (const char* key :
       {"id",          "kind",       "council",    "date",          "date_end",          "date_precision",
        "start_time",  "end_time",   "title",      "areas",         "themes",            "committees",
        "organizations", "work_items", "participant_count", "occurrences", "participation", "purpose",
        "outcome",     "follow_ups", "status",     "author",        "device",            "created_at",
        "updated_at",  "deleted",    "meeting_type", "format",      "venue",             "agenda",
        "minutes",     "next_date"})
    CHECK(meeting.contains(key));
  // Records before lists of references had one area and, on meetings, one committee ("body"): never written now.
  CHECK_FALSE(meeting.contains("area"));
  CHECK_FALSE(meeting.contains("body"));
  CHECK_FALSE(meeting.contains("content"));  // outreach and initiatives only
  CHECK(meeting["meeting_type"] == "plenary");
  CHECK(meeting["format"] == "written");
  CHECK(meeting["follow_ups"][0] ==
        json{{"action", "議事録を各市町へ送付"}, {"owner", "事務局"}, {"due", "2023-07-14"}, {"done", false}});
  CHECK_FALSE(meeting.contains("case_code"));

  json review = record_to_json(sample(RecordKind::CaseReview));
  for (const char* key : {"case_code", "review_type", "presenting_agency", "issues", "policy", "roles", "next_review"})
    CHECK(review.contains(key));
  CHECK(review["roles"][0] == json{{"agency", "基幹相談支援センター"}, {"role", "全体調整"}});

  json visit = record_to_json(sample(RecordKind::Outreach));
  for (const char* key : {"visit_type", "place", "purpose", "content", "outcome", "people_met", "duration_minutes",
                          "referral", "follow_up_needed"})
    CHECK(visit.contains(key));
  CHECK(visit["visit_type"] == "provider");
}

TEST_CASE("unknown fields survive, so a newer client's data is kept", "[json]") {
  auto parsed = parse_record(R"({"kind":"meeting","title":"t","x_new":{"a":[1,"二"]},"x_flag":true})");
  REQUIRE(parsed.ok());
  json back = record_to_json(*parsed);
  CHECK(back["x_new"] == json{{"a", {1, "二"}}});
  CHECK(back["x_flag"] == true);
}

TEST_CASE("wrong JSON types are rejected with the field's path", "[json]") {
  struct Case {
    const char* text;
    const char* path;
    const char* code;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"kind":"meeting","title":5})", "/title", "json.type"},
           {R"({"kind":"meeting","participant_count":"12"})", "/participant_count", "json.type"},
           {R"({"kind":"meeting","participant_count":1.5})", "/participant_count", "json.type"},
           {R"({"kind":"meeting","themes":"福祉"})", "/themes", "json.type"},
           {R"({"kind":"meeting","themes":["a",3]})", "/themes/1", "json.type"},
           {R"({"kind":"meeting","agenda":[{"title":"a"},{"title":["x"]}]})", "/agenda/1/title", "json.type"},
           {R"({"kind":"meeting","follow_ups":[{"action":"a","done":"yes"}]})", "/follow_ups/0/done", "json.type"},
           {R"({"kind":"meeting","meeting_type":"party"})", "/meeting_type", "json.enum"},
           {R"({"kind":"outreach","visit_type":"space"})", "/visit_type", "json.enum"},
           {R"({"kind":"outreach","follow_up_needed":1})", "/follow_up_needed", "json.type"},
           {R"({"kind":"case_review","roles":{"agency":"x"}})", "/roles", "json.type"},
           {R"({"kind":"meeting","status":"done"})", "/status", "json.enum"},
           {R"({"kind":"party"})", "/kind", "json.enum"},
           {R"({"kind":7})", "/kind", "json.type"},
           {R"({"title":"no kind"})", "/kind", "record.kind_missing"},
           {R"([1,2])", "/", "json.type"},
       }) {
    INFO(c.text);
    auto parsed = parse_record(c.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().path == c.path);
    CHECK(parsed.error().code == c.code);
    CHECK_FALSE(parsed.error().message_ja.empty());
  }
}

TEST_CASE("invalid UTF-8 and malformed JSON are rejected with a position", "[json]") {
  std::string bad = "{\"kind\":\"meeting\",\"title\":\"\xE3\x81\"}";
  auto parsed = parse_record(bad);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().code == "utf8.invalid");
  CHECK(parsed.error().message.find("byte 27") != std::string::npos);

  auto broken = parse_record(R"({"kind":"meeting",)");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "json.syntax");
  CHECK(broken.error().message.find("parse_error") != std::string::npos);
}

TEST_CASE("a patch changes only the named fields and reports them", "[json]") {
  Record base = sample(RecordKind::Meeting);
  std::vector<std::string> changed;
  auto patched = apply_patch(
      base, json{{"title", "第１回全体会（修正）"}, {"venue", nullptr}, {"x_future_field", nullptr}}, &changed);
  REQUIRE(patched.ok());
  CHECK(patched->title == "第１回全体会（修正）");
  CHECK(patched->meeting.venue.empty());
  CHECK(patched->meeting.agenda == base.meeting.agenda);
  CHECK_FALSE(patched->unknown.contains("x_future_field"));
  CHECK(changed == std::vector<std::string>{"title", "venue", "x_future_field"});

  auto kind_change = apply_patch(base, json{{"kind", "outreach"}}, nullptr);
  REQUIRE_FALSE(kind_change.ok());
  CHECK(kind_change.error().code == "record.immutable");
  auto wrong_type = apply_patch(base, json{{"agenda", "text"}}, nullptr);
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.error().path == "/agenda");
}

TEST_CASE("the fast JSON writer writes what nlohmann's dump writes", "[json]") {
  json value = record_to_json(sample(RecordKind::Meeting));
  value["controls"] = std::string("tab\there \"quoted\" back\\slash\nnew\x01\x1f end");
  value["numbers"] = json{{"int", -42}, {"big", 9007199254740993LL}, {"float", 1.5}, {"null", nullptr}};
  value["empty"] = json::object();
  value["list"] = json::array({true, false, "二", json::array()});
  CHECK(to_json_text(value) == value.dump());
  CHECK(to_json_text(json("bad \xE3\x81 utf8")) == "\"bad \xEF\xBF\xBD utf8\"");
  // Every kind of ill-formed UTF-8 is replaced as nlohmann replaces it; well-formed text of every length is kept.
  for (std::string text : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xF0\x8F\xBF\xBF",
                           "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "a\xE3\x81", "\xE3\x81\x82\xE3",
                           "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80\xF4\x8F\xBF\xBF",
                           "\xF0\x9F\x98\x80 \xE5\x90\x89\x7F\x01"})
    CHECK(to_json_text(json(text)) == json(text).dump(-1, ' ', false, json::error_handler_t::replace));
}

// ---------------------------------------------------------------------------------------------------------------
// The printer and reader that skip the document (record_text, read_plain_record, parse_record): they must give
// exactly what the document path gives, record for record and error for error.
// ---------------------------------------------------------------------------------------------------------------

namespace {

std::string read_demo_text() {
  auto text = read_file(assets_dir() / "demo" / "records.json");
  REQUIRE(text.ok());
  return *text;
}

// The document path: what parse_record did before it had a fast path.
Result<Record> parse_by_document(std::string_view text) {
  auto parsed = parse_json_text(text);
  if (!parsed) return parsed.error();
  return record_from_json(*parsed);
}

void check_same_outcome(const std::string& text) {
  INFO(text);
  auto fast = parse_record(text);
  auto document = parse_by_document(text);
  REQUIRE(fast.ok() == document.ok());
  if (fast.ok()) {
    CHECK(*fast == *document);
    std::string canonical;
    auto with_text = parse_record(text, &canonical);
    REQUIRE(with_text.ok());
    CHECK(*with_text == *document);
    CHECK(canonical == to_json_text(json::parse(text)));
  } else {
    CHECK(fast.error().code == document.error().code);
    CHECK(fast.error().path == document.error().path);
    CHECK(fast.error().message == document.error().message);
  }
}

std::vector<Record> demo_records() {
  auto text = read_demo_text();
  std::vector<Record> records;
  for (const auto& element : json::parse(text)) {
    auto record = record_from_json(element);
    REQUIRE(record.ok());
    records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace

TEST_CASE("record_text prints what record_to_json and to_json_text print", "[json]") {
  std::vector<Record> records = demo_records();
  for (auto kind : {RecordKind::Meeting, RecordKind::CaseReview, RecordKind::Outreach, RecordKind::Initiative}) {
    Record r = sample(kind);
    r.clock = "1732233600000.0003.9f3c2a1b";
    r.field_clocks = {{"*", "1732230000000.0000.9f3c2a1b"}, {"title", r.clock}};
    records.push_back(r);
    // Unknown fields in every position of the key order, one with a known field's name (the known one wins),
    // and values of every JSON type.
    r.unknown = json{{"aaa", 1.5},          {"kinds", json::array({1, "二", nullptr})},
                     {"title", "shadowed"}, {"x_future", json{{"nested", true}}},
                     {"zzz", "末尾"},       {"\xE3\x81\x82", -7}};
    r.title = "tab\there \"quoted\" back\\slash\nnew\x01\x1f end";
    records.push_back(r);
    r.participant_count.reset();
    r.themes.clear();
    r.follow_ups.clear();
    r.deleted = true;
    records.push_back(r);
  }
  for (const Record& record : records) {
    INFO(record.title);
    std::string text = record_text(record);
    CHECK(text == to_json_text(record_to_json(record)));
  }
}

TEST_CASE("a plain record is read without a document, exactly as with one", "[json]") {
  for (const Record& record : demo_records()) {
    std::string text = record_text(record);
    bool canonical = false;
    auto plain = read_plain_record(text, &canonical);
    REQUIRE(plain.has_value());
    CHECK(canonical);
    CHECK(*plain == record);
    check_same_outcome(text);
    // The same record pretty-printed, keys in another order: the same record, not canonical, same canonical text.
    check_same_outcome(json::parse(text).dump(2));
  }
  // The demo file's own elements, as people write them (no bookkeeping fields, white space).
  for (const auto& element : json::parse(read_demo_text())) check_same_outcome(element.dump(1));
}

TEST_CASE("what the fast reader does not take gives the document path's record or error", "[json]") {
  const std::string base =
      R"({"id":"r1","kind":"meeting","title":"会議","participant_count":3,"themes":["a","b"],)"
      R"("follow_ups":[{"action":"送付","done":false,"due":"","owner":"事務局"}],"agenda":[],"field_hlc":{"*":"1"},)"
      R"("status":"draft","deleted":false,"meeting_type":"plenary"})";
  check_same_outcome(base);
  const std::vector<std::string> cases = {
      R"({"kind":"meeting","title":"a","title":"b"})",                   // a repeated key: the last wins
      R"({"kind":"meeting","field_hlc":{"a":"1","a":"2"}})",             // in field_hlc too
      R"({"kind":"meeting","follow_ups":[{"done":true,"done":false}]})",  // and in an item
      R"({"kind":"meeting","case_code":"A-1"})",                         // another kind's field: kept as unknown
      R"({"kind":"meeting","x_future":{"a":[1,2]}})",                    // an unknown field: kept
      R"({"kind":"meeting","follow_ups":[{"action":"a","extra":1}]})",   // an unknown item member: ignored
      R"({"kind":"meeting","title":"\u3042\ud842\udfb7"})",              // \u escapes
      R"({"kind":"meeting","title":"a\/b"})",                            // an escaped slash
      R"({"kind":"meeting","participant_count":-0})",
      R"({"kind":"meeting","participant_count":null,"title":null,"themes":null,"status":null,"deleted":null})",
      R"({"kind":"meeting","follow_ups":[{"action":null,"done":null}]})",
      R"({"kind":"meeting","participant_count":"x"})",        // wrong types
      R"({"kind":"meeting","participant_count":1.5})",
      R"({"kind":"meeting","participant_count":99999999999})",  // out of range
      R"({"kind":"meeting","participant_count":2147483648})",
      R"({"kind":"meeting","participant_count":-2147483647})",
      R"({"kind":"meeting","participant_count":012})",  // not JSON
      R"({"kind":"meeting","themes":[1]})",
      R"({"kind":"meeting","themes":"a"})",
      R"({"kind":"meeting","follow_ups":[{"done":"yes"}]})",
      R"({"kind":"meeting","follow_ups":["a"]})",
      R"({"kind":"meeting","field_hlc":{"a":1}})",
      R"({"kind":"meeting","field_hlc":[]})",
      R"({"kind":"meeting","deleted":"no"})",
      R"({"kind":"meeting","status":"weird"})",
      R"({"kind":"meeting","meeting_type":"party"})",
      R"({"kind":"party"})",
      R"({"kind":null})",
      R"({"title":"no kind"})",
      R"({})",
      R"([])",
      R"("text")",
      R"({"kind":"meeting","title":"a"} trailing)",
      R"({"kind":"meeting","title":"a",})",
      R"({"kind":"meeting","title":"a")",
      R"({"kind":"meeting","title":"ctl)" "\x01" R"("})",
      "{\"kind\":\"meeting\",\"title\":\"bad \xE3\x81 utf8\"}",
      " {\"kind\" : \"outreach\", \"people_met\" : 2 }\n",
  };
  for (const auto& text : cases) check_same_outcome(text);

  // Every one-byte change and every truncation of a canonical record: both paths agree on each.
  std::string text = record_text(sample(RecordKind::Outreach));
  const std::string replacements = "\"\\{}[],:0-9 an\x01\x80";
  std::uint32_t seed = 12345;
  for (std::size_t i = 0; i < text.size(); ++i) {
    check_same_outcome(text.substr(0, i));
    seed = seed * 1103515245 + 12345;
    std::string changed = text;
    changed[i] = replacements[(seed >> 16) % replacements.size()];
    check_same_outcome(changed);
  }
}

TEST_CASE("the plain JSON reader finds every quote, escape and control character, wherever it falls in a word",
          "[record][json]") {
  // The reader scans strings eight bytes at a time: put each special character at every character boundary of a
  // long Japanese text (its ASCII run puts them at every offset within a word), and compare with the full parser.
  const std::string text = "相談支援の記録ABCDEFGHIJ0123456789あいうえお";
  auto boundary = [&text](std::size_t at) { return at == text.size() || (text[at] & 0xC0) != 0x80; };
  for (const std::string special : {"\\\"", "\\\\", "\\n", "\\t", "\\/"}) {
    for (std::size_t at = 0; at <= text.size(); ++at) {
      if (!boundary(at)) continue;
      std::string json_text = std::string("\"").append(text, 0, at).append(special).append(text, at).append("\"");
      JsonReader reader(json_text);
      std::string read;
      INFO(json_text);
      REQUIRE(reader.string(read));
      CHECK(read == nlohmann::json::parse(json_text).get<std::string>());
      CHECK(reader.at_end());
      JsonReader skipper(json_text);
      CHECK(skipper.skip_value());
      CHECK(skipper.at_end());
    }
  }
  for (std::size_t at = 0; at <= text.size(); ++at) {  // a raw control character is not JSON
    if (!boundary(at)) continue;
    std::string json_text = std::string("\"").append(text, 0, at).append("\x01").append(text, at).append("\"");
    std::string read;
    JsonReader reader(json_text);
    CHECK_FALSE(reader.string(read));
    JsonReader skipper(json_text);
    CHECK_FALSE(skipper.skip_value());
  }
  std::string unterminated = "\"" + text;
  std::string read;
  JsonReader reader(unterminated);
  CHECK_FALSE(reader.string(read));
}

TEST_CASE("records written before lists of references are read into the lists", "[json]") {
  auto old = parse_record(
      R"({"id":"r1","kind":"meeting","date":"2023-07-03","title":"全体会","area":"東区","body":"全体会",)"
      R"("themes":[],"meeting_type":"plenary"})");
  REQUIRE(old.ok());
  CHECK(old->areas == std::vector<std::string>{"東区"});
  CHECK(old->committees == std::vector<std::string>{"全体会"});
  CHECK_FALSE(old->unknown.contains("area"));  // read, not kept as an unknown field
  CHECK_FALSE(old->unknown.contains("body"));
  // With both, the record keeps both; a patch naming the old field replaces the list.
  auto both = parse_record(R"({"id":"r2","kind":"outreach","area":"東区","areas":["博多区"]})");
  REQUIRE(both.ok());
  CHECK(both->areas == std::vector<std::string>{"博多区", "東区"});
  auto patched = apply_patch(*old, json{{"area", "西区"}}, nullptr);
  REQUIRE(patched.ok());
  CHECK(patched->areas == std::vector<std::string>{"西区"});
  // An outreach record has no committee field of its own: "body" there is another program's field, kept.
  auto visit = parse_record(R"({"id":"r3","kind":"outreach","body":"x"})");
  REQUIRE(visit.ok());
  CHECK(visit->unknown["body"] == "x");
}

TEST_CASE("an initiative and the new fields round-trip through the JSON text", "[json]") {
  Record r = sample(RecordKind::Initiative);
  r.work_items = {"kodama.steering.1"};
  r.council = "kodama";
  std::string text = record_text(r);
  CHECK(text == to_json_text(record_to_json(r)));
  auto back = parse_record(text);
  REQUIRE(back.ok());
  CHECK(*back == r);
  json document = record_to_json(r);
  CHECK(document["kind"] == "initiative");
  CHECK(document["date_precision"] == "fiscal_year");
  CHECK(document["participation"] == "held");
  CHECK(document["occurrences"] == 2);
  CHECK_FALSE(document.contains("meeting_type"));
}
