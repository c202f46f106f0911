#include <catch2/catch.hpp>

#include "common/command_line.hpp"
#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "protocol_fixture.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;
using namespace protocol_fixture;
using nlohmann::json;

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
  EnrollmentLine line{"https://127.0.0.1:8443", "K7Q2-M9XD-4PRT-WZ3H-8B5N",
                      "sha256//NJOIunYIVPmZpJw/fabj+XKBzpWHiVgoVNlVJNwFXBE="};
  auto parsed = parse_enrollment_line("  " + format_enrollment_line(line) + "\n");
  REQUIRE(parsed);
  CHECK(parsed->server == line.server);
  CHECK(parsed->code == line.code);
  CHECK(parsed->pin == line.pin);
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll http://x CODE sha256//p"));  // not https
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll https://x CODE md5//p"));
  CHECK_FALSE(parse_enrollment_line("tsunagi-enroll https://x CODE"));
  CHECK_FALSE(parse_enrollment_line("something else entirely"));
  // A pin cut short or damaged in copying is a broken line, not a collector with another key.
  const std::string pin = "sha256//NJOIunYIVPmZpJw/fabj+XKBzpWHiVgoVNlVJNwFXBE=";
  CHECK(check_pin(pin).ok());
  CHECK_FALSE(check_pin(pin.substr(0, pin.size() - 8)).ok());
  CHECK_FALSE(check_pin(pin.substr(0, pin.size() - 1) + "!").ok());
  CHECK_FALSE(check_pin("sha256//" + std::string(44, '=')).ok());
  auto cut = parse_enrollment_line("tsunagi-enroll https://localhost:8443 K7Q2-M9XD " + pin.substr(0, 30));
  REQUIRE_FALSE(cut);
  CHECK(cut.error().message_ja.find("ピンが途中で切れて") != std::string::npos);
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
