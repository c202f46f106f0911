// Review: comments and their JSON form, supervisors' decisions and the rules for them, record history, and the
// local store's side of all three (store_review.cpp), with the list filters review adds to RecordQuery.
//
// [SECTION] Comments as JSON
// [SECTION] Decisions and their rules
// [SECTION] History
// [SECTION] The store: comments
// [SECTION] The store: decisions
// [SECTION] The store: role and the device's own refusals
// [SECTION] The store: returned records, review filters, cached history
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/review.hpp"
#include "model/text.hpp"
#include "store_fixture.hpp"
#include "support/diff_printer.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace Catch {
template <>
struct StringMaker<Comment> {
  static std::string convert(const Comment& comment) { return to_json_text(comment_to_json(comment)); }
};
}  // namespace Catch

namespace {

using Titles = std::vector<std::string>;
using Pieces = std::vector<DiffPiece>;

// Titles in one order whatever the list's collation.
Titles sorted(Titles titles) {
  std::sort(titles.begin(), titles.end());
  return titles;
}

// A valid meeting (any status may be stored), by `author` or, when empty, the store's author.
std::string meeting(const std::string& title, const std::string& status, const std::string& author = "") {
  std::string text = R"({"kind":"meeting","date":"2024-06-03","start_time":"13:30","end_time":"15:00","title":")" +
                     title + R"(","area":"東区","status":")" + status +
                     R"(","body":"全体会","meeting_type":"plenary","format":"in_person")";
  if (!author.empty()) text += R"(,"author":")" + author + "\"";
  return text + "}";
}

// A comment as the collector sends it.
Comment pulled_comment(const std::string& record_id, const std::string& text, const std::string& time,
                       const std::string& author = "佐藤 一郎") {
  return {new_uuid_v7(), record_id, text, "", "", author, "supervisor", "device-2", "事務所のPC", time};
}

// Comments written one after another get times of their own (a comment's time has milliseconds).
void next_millisecond() { std::this_thread::sleep_for(std::chrono::milliseconds(3)); }

std::vector<std::string> ids_of(const std::vector<Comment>& comments) {
  std::vector<std::string> ids;
  for (const Comment& comment : comments) ids.push_back(comment.id);
  return ids;
}

std::vector<std::string> fields_of(const std::vector<FieldChange>& changes) {
  std::vector<std::string> fields;
  for (const FieldChange& change : changes) fields.push_back(change.field);
  return fields;
}

const FieldChange& change_of(const std::vector<FieldChange>& changes, const std::string& field) {
  for (const FieldChange& change : changes)
    if (change.field == field) return change;
  throw std::runtime_error("no change of " + field);
}

// The rejection kept with a comment (a column the store does not read back), on a connection of its own.
std::string comment_rejection(const Store& store, const std::string& id) {
  sqlite3* db = nullptr;
  REQUIRE(tsunagi::testing::open_store_file(store.file(), &db, SQLITE_OPEN_READONLY) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT rejection FROM comments WHERE id = ?", -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_text(stmt, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  std::string rejection = "(no such comment)";
  if (sqlite3_step(stmt) == SQLITE_ROW) rejection = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rejection;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Comments as JSON
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("a comment survives its JSON form, and the form leaves out what is empty", "[review]") {
  const Comment full{"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "0190a1b2-0000-7000-8000-000000000001",
                     "日付を確認してください。\n会場も。", "returned", "1717400000000.0001.00000002", "髙橋 由紀",
                     "supervisor", "device-1", "事務所のPC", "2024-06-03T04:05:06.789Z"};
  const json full_json = comment_to_json(full);
  CHECK(full_json == json{{"id", full.id},
                          {"record_id", full.record_id},
                          {"text", full.text},
                          {"time", full.time},
                          {"decision", "returned"},
                          {"revision", "1717400000000.0001.00000002"},
                          {"author", "髙橋 由紀"},
                          {"role", "supervisor"},
                          {"device", "device-1"},
                          {"device_name", "事務所のPC"}});
  auto read = comment_from_json(full_json, "/comments/0");
  REQUIRE(read.ok());
  CHECK(*read == full);

  const Comment plain{"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c", full.record_id, "了解です", "", "", "", "", "", "",
                      "2024-06-03T04:05:07.000Z"};
  const json plain_json = comment_to_json(plain);
  CHECK(plain_json == json{{"id", plain.id}, {"record_id", plain.record_id}, {"text", "了解です"}, {"time", plain.time}});
  auto plain_read = comment_from_json(plain_json, "");
  REQUIRE(plain_read.ok());
  CHECK(*plain_read == plain);

  // Null members read as empty.
  json with_nulls = plain_json;
  with_nulls["decision"] = nullptr;
  with_nulls["author"] = nullptr;
  auto nulls_read = comment_from_json(with_nulls, "");
  REQUIRE(nulls_read.ok());
  CHECK(*nulls_read == plain);

  // Every decision name reads.
  for (const char* decision : {"approved", "returned", "reopened"}) {
    json decided = plain_json;
    decided["decision"] = decision;
    auto decided_read = comment_from_json(decided, "");
    REQUIRE(decided_read.ok());
    CHECK(decided_read->decision == decision);
  }
}

TEST_CASE("a comment that breaks a rule is refused with the code and path of what is wrong", "[review]") {
  const json valid = {{"id", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"},
                      {"record_id", "0190a1b2-0000-7000-8000-000000000001"},
                      {"text", "確認しました"},
                      {"time", "2024-06-03T04:05:06.789Z"}};
  REQUIRE(comment_from_json(valid, "/comments/3").ok());
  auto refusal = [&](const json& object) -> Error {
    auto read = comment_from_json(object, "/comments/3");
    if (read.ok()) FAIL("accepted: " << to_json_text(object));
    return read.error();
  };
  auto changed = [&](const char* member, json value) {
    json object = valid;
    object[member] = std::move(value);
    return object;
  };
  auto without = [&](const char* member) {
    json object = valid;
    object.erase(member);
    return object;
  };

  Error error = refusal(without("id"));
  CHECK(error.code == "protocol.field");
  CHECK(error.path == "/comments/3/id");
  error = refusal(changed("id", "not-a-uuid"));
  CHECK(error.code == "protocol.field");
  CHECK(error.path == "/comments/3/id");
  error = refusal(changed("id", 42));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/comments/3/id");
  error = refusal(without("record_id"));
  CHECK(error.code == "protocol.field");
  CHECK(error.path == "/comments/3/record_id");

  error = refusal(changed("text", ""));
  CHECK(error.code == "comment.empty");
  CHECK(error.path == "/comments/3/text");
  error = refusal(without("text"));
  CHECK(error.code == "comment.empty");
  error = refusal(changed("text", " \n\t\u3000 "));  // white space alone, ideographic spaces too
  CHECK(error.code == "comment.empty");
  CHECK(error.path == "/comments/3/text");

  // At most 20,000 characters, not bytes: 20,000 kana (60,000 bytes) are fine.
  std::string longest;
  for (int i = 0; i < 20000; ++i) longest += "あ";
  auto at_limit = comment_from_json(changed("text", longest), "/comments/3");
  REQUIRE(at_limit.ok());
  CHECK(utf8_length(at_limit->text) == 20000);
  error = refusal(changed("text", longest + "a"));
  CHECK(error.code == "comment.too_long");
  CHECK(error.path == "/comments/3/text");
  CHECK(refusal(changed("text", std::string(20001, 'x'))).code == "comment.too_long");

  error = refusal(changed("text", std::string("確認\xff\xfeしました")));
  CHECK(error.code == "utf8.invalid");
  CHECK(error.path == "/comments/3/text");
  error = refusal(changed("text", std::string("\xe3\x81")));  // a truncated sequence
  CHECK(error.code == "utf8.invalid");

  error = refusal(changed("decision", "rejected"));
  CHECK(error.code == "protocol.field");
  CHECK(error.path == "/comments/3/decision");
  error = refusal(changed("decision", "Approved"));
  CHECK(error.code == "protocol.field");

  error = refusal(changed("colour", "red"));
  CHECK(error.code == "protocol.member");
  CHECK(error.path == "/comments/3/colour");
  error = refusal(changed("pending", true));  // the store's bookkeeping is no member of the protocol's form
  CHECK(error.code == "protocol.member");
  CHECK(error.path == "/comments/3/pending");

  error = refusal(json::array({valid}));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/comments/3");
  error = refusal(changed("author", json::array()));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/comments/3/author");
}

TEST_CASE("comments sort by time, then by id", "[review]") {
  auto comment = [](const std::string& id, const std::string& time) {
    return Comment{id, "r", "text", "", "", "", "", "", "", time};
  };
  std::vector<Comment> comments{comment("c", "2024-06-03T10:00:00.000Z"), comment("b", "2024-06-03T09:00:00.000Z"),
                                comment("a", "2024-06-03T10:00:00.000Z"), comment("d", "2024-06-02T23:59:59.999Z"),
                                comment("e", "2024-06-03T09:00:00.001Z")};
  sort_comments(comments);
  CHECK(ids_of(comments) == std::vector<std::string>{"d", "b", "e", "a", "c"});
  sort_comments(comments);  // stable under sorting again
  CHECK(ids_of(comments) == std::vector<std::string>{"d", "b", "e", "a", "c"});
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Decisions and their rules
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("decisions have names both ways and give the status they say", "[review]") {
  CHECK(decision_name(ReviewDecision::Approve) == "approved");
  CHECK(decision_name(ReviewDecision::Return) == "returned");
  CHECK(decision_name(ReviewDecision::Reopen) == "reopened");
  for (auto decision : {ReviewDecision::Approve, ReviewDecision::Return, ReviewDecision::Reopen})
    CHECK(parse_decision(decision_name(decision)) == decision);
  CHECK_FALSE(parse_decision("approve"));
  CHECK_FALSE(parse_decision(""));
  CHECK_FALSE(parse_decision("submitted"));

  CHECK(status_after(ReviewDecision::Approve) == ReviewStatus::Approved);
  CHECK(status_after(ReviewDecision::Return) == ReviewStatus::Returned);
  CHECK(status_after(ReviewDecision::Reopen) == ReviewStatus::Returned);  // back to its author
}

TEST_CASE("the decision a change of status makes, for every pair of statuses", "[review]") {
  using S = ReviewStatus;
  using D = std::optional<ReviewDecision>;
  struct Case {
    S before, after;
    D decision;
  };
  const Case cases[] = {
      {S::Draft, S::Draft, std::nullopt},
      {S::Draft, S::Submitted, std::nullopt},
      {S::Draft, S::Returned, ReviewDecision::Return},
      {S::Draft, S::Approved, ReviewDecision::Approve},
      {S::Submitted, S::Draft, std::nullopt},
      {S::Submitted, S::Submitted, std::nullopt},
      {S::Submitted, S::Returned, ReviewDecision::Return},
      {S::Submitted, S::Approved, ReviewDecision::Approve},
      {S::Returned, S::Draft, std::nullopt},
      {S::Returned, S::Submitted, std::nullopt},  // the author resubmits: no decision
      {S::Returned, S::Returned, std::nullopt},
      {S::Returned, S::Approved, ReviewDecision::Approve},
      {S::Approved, S::Draft, ReviewDecision::Reopen},
      {S::Approved, S::Submitted, ReviewDecision::Reopen},
      {S::Approved, S::Returned, ReviewDecision::Reopen},
      {S::Approved, S::Approved, std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(enum_name(c.before) << " -> " << enum_name(c.after));
    CHECK(decision_between(c.before, c.after) == c.decision);
  }
}

TEST_CASE("review_refusal names why a decision may not be made, in the order of its rules", "[review]") {
  Record record;
  record.id = "0190a1b2-0000-7000-8000-000000000001";
  record.author = "中村 健太";
  const std::string supervisor = "髙橋 由紀";
  auto refusal = [&](ReviewStatus status, ReviewDecision decision, const std::string& reviewer, bool has_comment,
                     bool deleted = false) -> std::optional<Error> {
    Record judged = record;
    judged.status = status;
    judged.deleted = deleted;
    return review_refusal(judged, decision, reviewer, has_comment);
  };
  auto code = [&](ReviewStatus status, ReviewDecision decision, const std::string& reviewer, bool has_comment,
                  bool deleted = false) -> std::string {
    auto error = refusal(status, decision, reviewer, has_comment, deleted);
    return error ? error->code : "";
  };
  using S = ReviewStatus;
  using D = ReviewDecision;

  // What is allowed.
  CHECK(code(S::Submitted, D::Approve, supervisor, false).empty());
  CHECK(code(S::Submitted, D::Approve, supervisor, true).empty());
  CHECK(code(S::Submitted, D::Return, supervisor, true).empty());
  CHECK(code(S::Approved, D::Reopen, supervisor, true).empty());
  // Only approving one's own record is refused: its author may return or reopen it.
  CHECK(code(S::Submitted, D::Return, record.author, true).empty());
  CHECK(code(S::Approved, D::Reopen, record.author, true).empty());

  // review.deleted, before anything else.
  auto deleted = refusal(S::Submitted, D::Approve, supervisor, true, true);
  REQUIRE(deleted);
  CHECK(deleted->code == "review.deleted");
  CHECK(deleted->path == "/deleted");
  CHECK(code(S::Draft, D::Return, record.author, false, true) == "review.deleted");
  CHECK(code(S::Approved, D::Reopen, supervisor, true, true) == "review.deleted");

  // review.not_submitted: only a submitted record is approved or returned.
  for (S status : {S::Draft, S::Returned, S::Approved}) {
    INFO(enum_name(status));
    auto approve = refusal(status, D::Approve, supervisor, true);
    REQUIRE(approve);
    CHECK(approve->code == "review.not_submitted");
    CHECK(approve->path == "/status");
    CHECK(code(status, D::Return, supervisor, true) == "review.not_submitted");
  }
  CHECK(code(S::Draft, D::Approve, record.author, false) == "review.not_submitted");  // the status first

  // review.not_approved: only an approved record is reopened.
  for (S status : {S::Draft, S::Submitted, S::Returned}) {
    INFO(enum_name(status));
    auto reopen = refusal(status, D::Reopen, supervisor, true);
    REQUIRE(reopen);
    CHECK(reopen->code == "review.not_approved");
    CHECK(reopen->path == "/status");
  }

  // review.own_record.
  auto own = refusal(S::Submitted, D::Approve, record.author, true);
  REQUIRE(own);
  CHECK(own->code == "review.own_record");
  CHECK(own->path == "/author");

  // review.comment_required: a return or a reopening says why.
  auto silent_return = refusal(S::Submitted, D::Return, supervisor, false);
  REQUIRE(silent_return);
  CHECK(silent_return->code == "review.comment_required");
  CHECK(silent_return->path == "/comment");
  CHECK(code(S::Approved, D::Reopen, supervisor, false) == "review.comment_required");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] History
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("a new record's changes list the fields it sets, from nothing", "[review]") {
  Record created;
  created.kind = RecordKind::Meeting;
  created.date = "2024-06-03";
  created.title = "運営会議";
  created.areas = {"higashi"};
  created.participant_count = 12;
  created.meeting.venue = "東区役所";
  created.author = "中村 健太";
  created.updated_by = "中村 健太";
  created.clock = "1717400000000.0000.00000001";
  const auto changes = record_changes(nullptr, created);
  // Fields that always have a value (the date's precision, the status) count as set; the author, bookkeeping,
  // empty texts and lists, unset numbers, false flags and the other kinds' fields do not.
  CHECK(fields_of(changes) ==
        std::vector<std::string>{"date", "date_precision", "title", "areas", "participant_count", "status", "venue"});
  for (const FieldChange& change : changes) {
    INFO(change.field);
    CHECK(change.from.is_null());
    CHECK(change.diff.empty());  // a new text is all new
  }
  CHECK(change_of(changes, "title").to == "運営会議");
  CHECK(change_of(changes, "areas").to == json::array({"higashi"}));
  CHECK(change_of(changes, "participant_count").to == 12);
  CHECK(change_of(changes, "status").to == "draft");

  Record deleted_at_once = created;
  deleted_at_once.deleted = true;
  const auto with_tombstone = record_changes(nullptr, deleted_at_once);
  CHECK(fields_of(with_tombstone).back() == "deleted");
  CHECK(with_tombstone.back().to == true);
}

TEST_CASE("a changed record's changes list only what changed: prose word by word, codes and dates from and to",
          "[review]") {
  Record before;
  before.kind = RecordKind::CaseReview;
  before.date = "2024-06-03";
  before.title = "運営会議 市役所";
  before.status = ReviewStatus::Submitted;
  before.author = "中村 健太";
  before.case_review.case_code = "A-12";
  before.case_review.issues = "強度行動障がい";
  before.clock = "1717400000000.0000.00000001";

  Record after = before;
  after.title = "運営会議 区役所";
  after.case_review.issues = "強度行動障がい、8050問題";
  after.case_review.policy = "月1回の訪問";  // from empty: no diff
  after.status = ReviewStatus::Returned;
  after.date = "2024-06-04";
  after.author = "髙橋 由紀";                  // never compared
  after.updated_by = "髙橋 由紀";              // bookkeeping
  after.clock = "1717400000001.0000.00000001";  // bookkeeping
  after.updated_at = "2024-06-04T00:00:00.000Z";

  const auto changes = record_changes(&before, after);
  CHECK(fields_of(changes) == std::vector<std::string>{"date", "title", "status", "issues", "policy"});

  const FieldChange& title = change_of(changes, "title");
  CHECK(title.from == "運営会議 市役所");
  CHECK(title.to == "運営会議 区役所");
  CHECK(title.diff == Pieces{{DiffOp::Same, "運営会議 "}, {DiffOp::Removed, "市役所"}, {DiffOp::Added, "区役所"}});

  const FieldChange& issues = change_of(changes, "issues");
  CHECK(issues.from == "強度行動障がい");
  CHECK(issues.to == "強度行動障がい、8050問題");
  CHECK(issues.diff == Pieces{{DiffOp::Same, "強度行動障がい"}, {DiffOp::Added, "、8050問題"}});

  const FieldChange& policy = change_of(changes, "policy");
  CHECK(policy.from == "");
  CHECK(policy.to == "月1回の訪問");
  CHECK(policy.diff.empty());

  const FieldChange& status = change_of(changes, "status");
  CHECK(status.from == "submitted");
  CHECK(status.to == "returned");
  CHECK(status.diff.empty());

  const FieldChange& date = change_of(changes, "date");
  CHECK(date.from == "2024-06-03");
  CHECK(date.to == "2024-06-04");
  CHECK(date.diff.empty());

  // A code field with text in it (the case code) is from → to as well.
  Record recoded = before;
  recoded.case_review.case_code = "A-13";
  const auto code_changes = record_changes(&before, recoded);
  REQUIRE(fields_of(code_changes) == std::vector<std::string>{"case_code"});
  CHECK(code_changes[0].from == "A-12");
  CHECK(code_changes[0].to == "A-13");
  CHECK(code_changes[0].diff.empty());

  // Nothing changed: nothing listed. A deletion is a change of its own.
  CHECK(record_changes(&before, before).empty());
  Record deleted = before;
  deleted.deleted = true;
  const auto deletion = record_changes(&before, deleted);
  REQUIRE(fields_of(deletion) == std::vector<std::string>{"deleted"});
  CHECK(deletion[0].from == false);
  CHECK(deletion[0].to == true);
  const auto restored = record_changes(&deleted, before);
  REQUIRE(fields_of(restored) == std::vector<std::string>{"deleted"});
  CHECK(restored[0].from == true);
  CHECK(restored[0].to == false);
}

TEST_CASE("a history survives its JSON form", "[review]") {
  HistoryEntry created;
  created.kind = "created";
  created.who = "中村 健太";
  created.role = "staff";
  created.device = "device-1";
  created.device_name = "中村のノートPC";
  created.time = "2024-06-03T04:00:00.000Z";
  created.changes = {{"title", nullptr, "運営会議", {}}, {"participant_count", nullptr, 12, {}}};

  HistoryEntry edited;
  edited.kind = "changed";
  edited.who = "髙橋 由紀";
  edited.role = "supervisor";
  edited.device = "device-2";
  edited.device_name = "事務所のPC";
  edited.time = "2024-06-04T01:02:03.004Z";
  edited.edited_by_other = true;
  edited.changes = {{"title", "運営会議 市役所", "運営会議 区役所",
                     {{DiffOp::Same, "運営会議 "}, {DiffOp::Removed, "市役所"}, {DiffOp::Added, "区役所"}}},
                    {"areas", json::array({"higashi"}), json::array({"higashi", "hakata"}), {}}};

  HistoryEntry decided;
  decided.kind = "decision";
  decided.who = "髙橋 由紀";
  decided.role = "supervisor";
  decided.time = "2024-06-05T00:00:00.000Z";
  decided.decision = "returned";
  decided.comment = "日付を確認してください";
  decided.changes = {{"status", "submitted", "returned", {}}};

  const std::vector<HistoryEntry> entries{created, edited, decided};
  const json form = history_json(entries);
  REQUIRE(form.is_array());
  REQUIRE(form.size() == 3);
  CHECK_FALSE(form[0].contains("decision"));
  CHECK_FALSE(form[0].contains("comment"));
  CHECK_FALSE(form[0].contains("edited_by_other"));
  CHECK_FALSE(form[0]["changes"][0].contains("diff"));
  CHECK(form[1]["edited_by_other"] == true);
  CHECK(form[1]["changes"][0]["diff"] == json::array({json::array({"=", "運営会議 "}), json::array({"-", "市役所"}),
                                                      json::array({"+", "区役所"})}));
  CHECK(form[2]["decision"] == "returned");
  CHECK(form[2]["comment"] == "日付を確認してください");

  // Through text, as the store keeps it.
  auto parsed = parse_json_text(to_json_text(form));
  REQUIRE(parsed.ok());
  auto read = history_from_json(*parsed);
  REQUIRE(read.ok());
  REQUIRE(read->size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO("entry " << i);
    const HistoryEntry& want = entries[i];
    const HistoryEntry& got = (*read)[i];
    CHECK(got.kind == want.kind);
    CHECK(got.who == want.who);
    CHECK(got.role == want.role);
    CHECK(got.device == want.device);
    CHECK(got.device_name == want.device_name);
    CHECK(got.time == want.time);
    CHECK(got.decision == want.decision);
    CHECK(got.comment == want.comment);
    CHECK(got.edited_by_other == want.edited_by_other);
    REQUIRE(got.changes.size() == want.changes.size());
    for (std::size_t k = 0; k < want.changes.size(); ++k) {
      INFO("change " << k);
      CHECK(got.changes[k].field == want.changes[k].field);
      CHECK(got.changes[k].from == want.changes[k].from);
      CHECK(got.changes[k].to == want.changes[k].to);
      CHECK(got.changes[k].diff == want.changes[k].diff);
    }
  }
  CHECK(history_json(*read) == form);

  auto empty = history_from_json(json::array());
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("a history that is not one is an error value with the path of what is wrong, never an exception",
          "[review]") {
  auto refusal = [](const json& list) -> Error {
    Result<std::vector<HistoryEntry>> read = Error{};
    REQUIRE_NOTHROW(read = history_from_json(list));
    if (read.ok()) FAIL("accepted: " << list.dump());
    return read.error();
  };
  const json entry = {{"kind", "changed"}, {"who", "髙橋 由紀"}, {"changes", json::array()}};
  CHECK(refusal(json::object()).code == "json.type");
  Error error = refusal(json::array({entry, 5}));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/1");
  json wrong = entry;
  wrong["who"] = 7;
  error = refusal(json::array({entry, wrong}));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/1/who");
  wrong = entry;
  wrong["changes"] = json::array({json{{"from", 1}, {"to", 2}}});
  error = refusal(json::array({wrong}));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/0/changes");
  wrong = entry;
  wrong["edited_by_other"] = "yes";
  error = refusal(json::array({wrong}));
  CHECK(error.code == "json.type");
  CHECK(error.path == "/0/edited_by_other");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The store: comments
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(StoreFixture, "a comment added here is stored pending, by the store's author in the given role",
                 "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted", "中村 健太"));
  auto added = store->add_comment(record.id, "日付を確認してください", "supervisor");
  REQUIRE(added.ok());
  CHECK(is_uuid(added->id));
  CHECK(added->record_id == record.id);
  CHECK(added->text == "日付を確認してください");
  CHECK(added->author == "田中 花子");
  CHECK(added->role == "supervisor");
  CHECK(added->decision.empty());
  CHECK(added->revision.empty());
  CHECK(added->device.empty());  // the collector fills in the device
  CHECK(added->time.size() == 24);
  CHECK(added->time.back() == 'Z');

  auto stored = store->comments(record.id);
  REQUIRE(stored.ok());
  CHECK(*stored == std::vector<Comment>{*added});
  auto pending = store->pending_comments(10);
  REQUIRE(pending.ok());
  CHECK(*pending == std::vector<Comment>{*added});
  CHECK(*store->pending_comment_count() == 1);
  // A comment is no change of the record: nothing more to send for it.
  CHECK(*store->outbox_size() == 1);
  CHECK(store->get(record.id)->value() == record);

  // A comment of the enrolled user in another role keeps that role.
  auto as_staff = store->add_comment(record.id, "確認します", "staff");
  REQUIRE(as_staff.ok());
  CHECK(as_staff->role == "staff");

  // Kept across sessions.
  store.reset();
  store = open();
  auto reopened = store->comments(record.id);
  REQUIRE(reopened.ok());
  REQUIRE(reopened->size() == 2);
  CHECK(std::count(reopened->begin(), reopened->end(), *added) == 1);
}

TEST_CASE_METHOD(StoreFixture, "a record's comments come in thread order, whoever wrote them and wherever",
                 "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted"));
  Record other = add(meeting("第3回運営会議", "submitted"));
  auto first = store->add_comment(record.id, "一つ目", "staff");
  REQUIRE(first.ok());
  next_millisecond();
  auto second = store->add_comment(record.id, "二つ目", "staff");
  REQUIRE(second.ok());
  REQUIRE(store->add_comment(other.id, "別の記録へ", "staff").ok());
  // Comments from the collector, written elsewhere earlier and later.
  Comment earliest = pulled_comment(record.id, "昔のコメント", "2020-01-01T00:00:00.000Z");
  Comment latest = pulled_comment(record.id, "未来のコメント", "2999-01-01T00:00:00.000Z");
  // Two in the same millisecond: by id.
  Comment tie_a = pulled_comment(record.id, "同時A", "2021-05-05T05:05:05.005Z");
  Comment tie_b = pulled_comment(record.id, "同時B", "2021-05-05T05:05:05.005Z");
  tie_a.id = "0190a1b2-0000-7000-8000-00000000000a";
  tie_b.id = "0190a1b2-0000-7000-8000-00000000000b";
  PulledPage page;
  page.cursor = "c1.1";
  page.comments = {latest, tie_b, earliest, tie_a};
  REQUIRE(store->apply_pulled(std::move(page)).ok());

  auto thread = store->comments(record.id);
  REQUIRE(thread.ok());
  CHECK(*thread == std::vector<Comment>{earliest, tie_a, tie_b, *first, *second, latest});
  auto sorted = *thread;
  std::reverse(sorted.begin(), sorted.end());
  sort_comments(sorted);
  CHECK(sorted == *thread);  // the store's order is sort_comments'
  CHECK(store->comments(other.id)->size() == 1);
  CHECK(store->comments("0190a1b2-0000-7000-8000-0000000000ff")->empty());
}

TEST_CASE_METHOD(StoreFixture, "a comment on no record, or one that breaks a rule, is refused and not stored",
                 "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted"));
  auto missing = store->add_comment("0190a1b2-0000-7000-8000-0000000000ff", "どこへ", "staff");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "record.not_found");
  CHECK(missing.error().path == "/id");

  auto empty = store->add_comment(record.id, "　 ", "staff");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "comment.empty");
  auto too_long = store->add_comment(record.id, std::string(20001, 'x'), "staff");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == "comment.too_long");
  auto invalid = store->add_comment(record.id, "壊れた\xff文字", "staff");
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().code == "utf8.invalid");

  CHECK(store->comments(record.id)->empty());
  CHECK(*store->pending_comment_count() == 0);
  CHECK(store->add_comment(record.id, std::string(20000, 'x'), "staff").ok());
}

TEST_CASE_METHOD(StoreFixture, "a record is found by a word said only in its comments", "[review][search]") {
  Record record = add(meeting("第2回運営会議", "submitted"));
  add(meeting("第3回運営会議", "submitted"));
  auto found = [this](const std::string& words) {
    RecordQuery query;
    query.search = words;
    return list_titles(*store, query);
  };
  CHECK(found("ひまわり作業所").empty());  // indexed once without the comment
  CHECK(found("了").empty());
  REQUIRE(store->add_comment(record.id, "ひまわり作業所の件は了解です", "staff").ok());
  CHECK(found("ひまわり作業所") == Titles{"第2回運営会議"});
  CHECK(found("了") == Titles{"第2回運営会議"});            // one character
  CHECK(found("ﾋﾏﾜﾘ 運営") == Titles{"第2回運営会議"});       // folded, and with a word of the record
  CHECK(found("ひまわり 第3回").empty());

  // A comment from the collector is searchable too, and the record's own text still is.
  Record third = add(meeting("第4回運営会議", "submitted"));
  CHECK(found("グループホーム").empty());
  PulledPage page;
  page.cursor = "c1.1";
  page.comments = {pulled_comment(third.id, "グループホームの空きを確認", "2024-06-05T00:00:00.000Z")};
  REQUIRE(store->apply_pulled(std::move(page)).ok());
  CHECK(found("グループホーム") == Titles{"第4回運営会議"});
  CHECK(found("第4回運営会議") == Titles{"第4回運営会議"});
}

TEST_CASE_METHOD(StoreFixture, "pending comments wait until acknowledged, and a refused one waits with its reason",
                 "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted"));
  std::vector<Comment> added;
  for (const char* text : {"一つ目", "二つ目", "三つ目"}) {
    next_millisecond();
    auto comment = store->add_comment(record.id, text, "staff");
    REQUIRE(comment.ok());
    added.push_back(*comment);
  }
  CHECK(*store->pending_comment_count() == 3);
  CHECK(*store->pending_comments(10) == added);  // oldest first
  CHECK(*store->pending_comments(2) == std::vector<Comment>{added[0], added[1]});
  CHECK(comment_rejection(*store, added[1].id).empty());

  // Refused: still pending, with the reason.
  REQUIRE(store->mark_comment_rejected(added[1].id, make_error("comment.too_long", "/comments/0/text", "too long",
                                                               "長すぎます")));
  CHECK(*store->pending_comment_count() == 3);
  CHECK(*store->pending_comments(10) == added);
  CHECK(json::parse(comment_rejection(*store, added[1].id)) == json{{"code", "comment.too_long"}, {"message", "too long"}});

  // Acknowledged: no longer pending, reason cleared, still in the thread.
  REQUIRE(store->acknowledge_comments({added[0].id, added[1].id, "0190a1b2-0000-7000-8000-0000000000ff"}));
  CHECK(*store->pending_comment_count() == 1);
  CHECK(*store->pending_comments(10) == std::vector<Comment>{added[2]});
  CHECK(comment_rejection(*store, added[1].id).empty());
  CHECK(*store->comments(record.id) == added);
  REQUIRE(store->acknowledge_comments({}));
  CHECK(*store->pending_comment_count() == 1);
}

TEST_CASE_METHOD(StoreFixture, "a comment pulled from the collector replaces its pending copy", "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted"));
  auto mine = store->add_comment(record.id, "確認お願いします", "staff");
  REQUIRE(mine.ok());
  REQUIRE(store->mark_comment_rejected(mine->id, make_error("store.busy", "", "busy", "混雑")));
  // The collector's copy: who wrote it, in what role and where, as its token says.
  Comment theirs = *mine;
  theirs.role = "supervisor";
  theirs.device = "device-1";
  theirs.device_name = "田中のノートPC";
  Comment someone_elses = pulled_comment(record.id, "了解です", "2999-01-01T00:00:00.000Z");
  PulledPage page;
  page.cursor = "c1.2";
  page.comments = {theirs, someone_elses};
  REQUIRE(store->apply_pulled(std::move(page)).ok());

  CHECK(*store->pending_comment_count() == 0);
  CHECK(store->pending_comments(10)->empty());
  CHECK(comment_rejection(*store, mine->id).empty());
  CHECK(*store->comments(record.id) == std::vector<Comment>{theirs, someone_elses});
  CHECK(*store->pull_cursor() == "c1.2");

  // Pulled again (a cursor replayed): nothing doubles, nothing becomes pending.
  PulledPage again;
  again.cursor = "c1.3";
  again.comments = {theirs};
  REQUIRE(store->apply_pulled(std::move(again)).ok());
  CHECK(store->comments(record.id)->size() == 2);
  CHECK(*store->pending_comment_count() == 0);

  // A comment on a record not here yet is kept for when it comes.
  Comment early = pulled_comment("0190a1b2-0000-7000-8000-0000000000ee", "先に届いたコメント", "2024-06-05T00:00:00.000Z");
  PulledPage ahead;
  ahead.cursor = "c1.4";
  ahead.comments = {early};
  REQUIRE(store->apply_pulled(std::move(ahead)).ok());
  CHECK(*store->comments(early.record_id) == std::vector<Comment>{early});
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The store: decisions
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(StoreFixture, "only a supervisor or an admin reviews", "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted", "中村 健太"));
  const auto outbox = *store->outbox_size();
  for (const char* role : {"staff", "", "Supervisor"}) {
    INFO("role " << role);
    auto refused = store->review({record.id}, ReviewDecision::Approve, "", role);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "auth.review");
  }
  CHECK(store->get(record.id)->value().status == ReviewStatus::Submitted);
  CHECK(*store->outbox_size() == outbox);
  auto by_admin = store->review({record.id}, ReviewDecision::Approve, "", "admin");
  REQUIRE(by_admin.ok());
  CHECK(by_admin->front().status == ReviewStatus::Approved);
}

TEST_CASE_METHOD(StoreFixture, "several records are approved in one transaction: all of them, or none", "[review]") {
  Record first = add(meeting("第1回運営会議", "submitted", "中村 健太"));
  Record second = add(meeting("第2回運営会議", "submitted", "山﨑 美穂"));
  Record draft = add(meeting("第3回運営会議（下書き）", "draft", "中村 健太"));
  const auto outbox = *store->outbox_size();

  auto refused = store->review({first.id, second.id, draft.id}, ReviewDecision::Approve, "", "supervisor");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "review.not_submitted");
  CHECK(refused.error().message.find("第3回運営会議（下書き）") == 0);  // named by its title
  auto missing = store->review({first.id, "0190a1b2-0000-7000-8000-0000000000ff"}, ReviewDecision::Approve, "",
                               "supervisor");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "record.not_found");
  CHECK(store->get(first.id)->value() == first);
  CHECK(store->get(second.id)->value() == second);
  // A refused return leaves no reason behind on the records before the refused one.
  auto refused_return = store->review({first.id, draft.id}, ReviewDecision::Return, "直してください", "supervisor");
  REQUIRE_FALSE(refused_return.ok());
  CHECK(refused_return.error().code == "review.not_submitted");
  CHECK(store->get(first.id)->value() == first);
  CHECK(store->get(second.id)->value() == second);
  CHECK(*store->outbox_size() == outbox);
  CHECK(store->comments(first.id)->empty());
  CHECK(*store->pending_comment_count() == 0);

  auto approved = store->review({first.id, second.id}, ReviewDecision::Approve, "", "supervisor");
  REQUIRE(approved.ok());
  REQUIRE(approved->size() == 2);
  CHECK((*approved)[0].id == first.id);
  CHECK((*approved)[1].id == second.id);
  for (const Record& record : *approved) {
    INFO(record.title);
    CHECK(record.status == ReviewStatus::Approved);
    CHECK(record.field_clocks.at("status") == record.clock);
    CHECK(record.updated_by == "田中 花子");
    CHECK(store->get(record.id)->value() == record);
  }
  CHECK((*approved)[0].clock > first.clock);
  // Each a change that syncs; no comment, as none was given.
  CHECK(*store->outbox_size() == outbox + 2);
  CHECK(store->outbox(10)->back().fields == std::vector<std::string>{"status"});
  CHECK(store->comments(first.id)->empty());
  CHECK(*store->pending_comment_count() == 0);
}

TEST_CASE_METHOD(StoreFixture, "a return says why, in a decision comment naming the decision and the new clock",
                 "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted", "中村 健太"));
  for (const char* silence : {"", " 　\n"}) {
    auto refused = store->review({record.id}, ReviewDecision::Return, silence, "supervisor");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "review.comment_required");
  }
  CHECK(store->get(record.id)->value().status == ReviewStatus::Submitted);

  auto returned = store->review({record.id}, ReviewDecision::Return, "日付を確認してください", "supervisor");
  REQUIRE(returned.ok());
  REQUIRE(returned->size() == 1);
  const Record& after = returned->front();
  CHECK(after.status == ReviewStatus::Returned);
  CHECK(store->get(record.id)->value() == after);

  auto decisions = store->decision_comments(record.id);
  REQUIRE(decisions.ok());
  REQUIRE(decisions->size() == 1);
  const Comment reason = decisions->front();  // a copy: `decisions` is read again below
  CHECK(is_uuid(reason.id));
  CHECK(reason.record_id == record.id);
  CHECK(reason.text == "日付を確認してください");
  CHECK(reason.decision == "returned");
  CHECK(reason.revision == after.clock);
  CHECK(reason.author == "田中 花子");
  CHECK(reason.role == "supervisor");
  CHECK(*store->pending_comments(10) == std::vector<Comment>{reason});
  CHECK(*store->comments(record.id) == std::vector<Comment>{reason});

  // Resubmitted, returned again, with an ordinary comment between: the decisions come newest first, alone.
  next_millisecond();
  REQUIRE(store->update(record.id, json{{"status", "submitted"}}).ok());
  REQUIRE(store->add_comment(record.id, "直しました", "staff").ok());
  next_millisecond();
  auto again = store->review({record.id}, ReviewDecision::Return, "会場も確認してください", "supervisor");
  REQUIRE(again.ok());
  decisions = store->decision_comments(record.id);
  REQUIRE(decisions.ok());
  REQUIRE(decisions->size() == 2);
  CHECK((*decisions)[0].text == "会場も確認してください");
  CHECK((*decisions)[0].revision == again->front().clock);
  CHECK((*decisions)[1] == reason);
  CHECK(store->comments(record.id)->size() == 3);

  // An approval may give a reason too.
  next_millisecond();
  REQUIRE(store->update(record.id, json{{"status", "submitted"}}).ok());
  auto approved = store->review({record.id}, ReviewDecision::Approve, "良いです", "supervisor");
  REQUIRE(approved.ok());
  decisions = store->decision_comments(record.id);
  REQUIRE(decisions->size() == 3);
  CHECK(decisions->front().decision == "approved");
  CHECK(decisions->front().revision == approved->front().clock);
}

TEST_CASE_METHOD(StoreFixture, "nobody approves their own record here, and only an approved record is reopened",
                 "[review]") {
  Record own = add(meeting("自分の会議", "submitted"));
  REQUIRE(own.author == "田中 花子");
  auto refused = store->review({own.id}, ReviewDecision::Approve, "", "supervisor");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "review.own_record");
  CHECK(refused.error().path == "/author");
  CHECK(store->get(own.id)->value().status == ReviewStatus::Submitted);
  // Its author may still return it.
  CHECK(store->review({own.id}, ReviewDecision::Return, "取り下げます", "supervisor").ok());

  Record theirs = add(meeting("中村さんの会議", "submitted", "中村 健太"));
  auto not_approved = store->review({theirs.id}, ReviewDecision::Reopen, "再開します", "supervisor");
  REQUIRE_FALSE(not_approved.ok());
  CHECK(not_approved.error().code == "review.not_approved");
  REQUIRE(store->review({theirs.id}, ReviewDecision::Approve, "", "supervisor").ok());
  auto silent = store->review({theirs.id}, ReviewDecision::Reopen, "", "supervisor");
  REQUIRE_FALSE(silent.ok());
  CHECK(silent.error().code == "review.comment_required");
  auto approve_again = store->review({theirs.id}, ReviewDecision::Approve, "", "supervisor");
  REQUIRE_FALSE(approve_again.ok());
  CHECK(approve_again.error().code == "review.not_submitted");

  auto reopened = store->review({theirs.id}, ReviewDecision::Reopen, "数字に誤りがありました", "supervisor");
  REQUIRE(reopened.ok());
  CHECK(reopened->front().status == ReviewStatus::Returned);
  auto decisions = store->decision_comments(theirs.id);
  REQUIRE(decisions->size() == 1);
  CHECK(decisions->front().decision == "reopened");
  CHECK(decisions->front().revision == reopened->front().clock);

  Record gone = add(meeting("削除した会議", "submitted", "中村 健太"));
  REQUIRE(store->remove(gone.id));
  auto deleted = store->review({gone.id}, ReviewDecision::Approve, "", "supervisor");
  REQUIRE_FALSE(deleted.ok());
  CHECK(deleted.error().code == "review.deleted");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The store: role and the device's own refusals
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(StoreFixture, "a staff member's device changes no approved record and makes no decision",
                 "[review]") {
  CHECK(store->role()->empty());  // never enrolled
  Record approved = add(meeting("承認済みの会議", "approved"));  // their own records
  Record submitted = add(meeting("提出済みの会議", "submitted"));
  REQUIRE(store->set_role("staff"));
  CHECK(*store->role() == "staff");
  const auto outbox = *store->outbox_size();

  auto locked = store->update(approved.id, json{{"title", "承認済みの会議（修正）"}});
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.error().code == "auth.locked");
  CHECK(locked.error().path == "/status");
  Record edited = approved;
  edited.meeting.venue = "東区役所";
  auto replaced = store->replace(edited);
  REQUIRE_FALSE(replaced.ok());
  CHECK(replaced.error().code == "auth.locked");
  auto removed = store->remove(approved.id);
  REQUIRE_FALSE(removed.ok());
  CHECK(removed.error().code == "auth.locked");
  auto withdrawn = store->update(approved.id, json{{"status", "submitted"}});
  REQUIRE_FALSE(withdrawn.ok());
  CHECK(withdrawn.error().code == "auth.locked");

  for (const char* status : {"approved", "returned"}) {
    INFO(status);
    auto decided = store->update(submitted.id, json{{"status", status}});
    REQUIRE_FALSE(decided.ok());
    CHECK(decided.error().code == "auth.review");
    CHECK(decided.error().path == "/status");
  }
  CHECK(store->get(approved.id)->value() == approved);
  CHECK(store->get(submitted.id)->value() == submitted);
  CHECK(*store->outbox_size() == outbox);

  // What staff may do: change a submitted record, take it back as a draft.
  CHECK(store->update(submitted.id, json{{"venue", "東区役所"}}).ok());
  CHECK(store->update(submitted.id, json{{"status", "draft"}}).ok());

  // The role is the device's, for later sessions too.
  store.reset();
  store = open();
  CHECK(*store->role() == "staff");
  CHECK(store->update(approved.id, json{{"title", "承認済みの会議（修正）"}}).error().code == "auth.locked");
}

TEST_CASE_METHOD(StoreFixture,
                 "a staff device changes only its author's records, and a reviewer returns another's submission",
                 "[review]") {
  Record theirs = add(meeting("中村さんの会議", "submitted", "中村 健太"));
  Record mine = add(meeting("自分の会議", "submitted"));
  REQUIRE(store->set_role("staff"));
  auto forbidden = store->update(theirs.id, json{{"venue", "東区役所"}});
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().code == "auth.forbidden");
  CHECK(forbidden.error().path == "/author");
  CHECK(store->update(mine.id, json{{"venue", "東区役所"}}).ok());

  // A supervisor sends someone else's submission back by a return (with its reason), not by making it a draft.
  REQUIRE(store->set_role("supervisor"));
  auto to_draft = store->update(theirs.id, json{{"status", "draft"}});
  REQUIRE_FALSE(to_draft.ok());
  CHECK(to_draft.error().code == "review.use_return");
  CHECK(to_draft.error().path == "/status");
  CHECK(store->get(theirs.id)->value() == theirs);
  CHECK(store->update(mine.id, json{{"status", "draft"}}).ok());  // their own: a withdrawal
  // A device never enrolled knows no roles: the collector judges.
  REQUIRE(store->set_role(""));
  CHECK(store->update(theirs.id, json{{"status", "draft"}}).ok());
}

TEST_CASE_METHOD(StoreFixture, "a supervisor's device, or one never enrolled, leaves those rules to the collector",
                 "[review]") {
  for (const char* role : {"supervisor", ""}) {
    INFO("role '" << role << "'");
    REQUIRE(store->set_role(role));
    CHECK(*store->role() == role);
    Record approved = add(meeting("承認済みの会議", "approved", "中村 健太"));
    Record submitted = add(meeting("提出済みの会議", "submitted", "中村 健太"));
    Record returnable = add(meeting("差し戻す会議", "submitted", "中村 健太"));
    auto edited = store->update(approved.id, json{{"title", "承認済みの会議（修正）"}});
    REQUIRE(edited.ok());
    CHECK(edited->title == "承認済みの会議（修正）");
    CHECK(edited->status == ReviewStatus::Approved);
    auto approved_here = store->update(submitted.id, json{{"status", "approved"}});
    REQUIRE(approved_here.ok());
    CHECK(approved_here->status == ReviewStatus::Approved);
    auto returned_here = store->update(returnable.id, json{{"status", "returned"}});
    REQUIRE(returned_here.ok());
    CHECK(returned_here->status == ReviewStatus::Returned);
  }
}

TEST_CASE_METHOD(StoreFixture, "an enrollment takes an approved record into its name on a staff device", "[review]") {
  // Written under the login name before enrolling (a placeholder name), approved since, never sent.
  const char* saved_user = std::getenv(platform::kLoginVariable);
  const std::string restore_user = saved_user ? saved_user : "";
  set_env(platform::kLoginVariable, "tsunagi-login");
  Record approved = add(meeting("登録前の承認済みの会議", "approved", "tsunagi-login"));
  REQUIRE(store->set_role("staff"));
  auto adopted = store->adopt_author("田中 花子");
  set_env(platform::kLoginVariable, saved_user ? restore_user.c_str() : nullptr);
  REQUIRE(adopted.ok());
  CHECK(*adopted == 1);
  auto stored = store->get(approved.id);
  REQUIRE(stored.ok());
  CHECK((*stored)->author == "田中 花子");
  CHECK((*stored)->status == ReviewStatus::Approved);
  CHECK(store->outbox(10)->back().fields == std::vector<std::string>{"author"});
  // Anything more is an edit, and refused.
  CHECK(store->update(approved.id, json{{"title", "修正"}}).error().code == "auth.locked");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The store: returned records, review filters, cached history
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(StoreFixture, "returned_count counts the author's returned records that are not deleted",
                 "[review]") {
  CHECK(*store->returned_count() == 0);
  add(meeting("差し戻し1", "returned"));
  Record second = add(meeting("差し戻し2", "returned"));
  Record deleted = add(meeting("差し戻し（削除）", "returned"));
  add(meeting("提出済み", "submitted"));
  add(meeting("下書き", "draft"));
  add(meeting("他の人の差し戻し", "returned", "中村 健太"));
  REQUIRE(store->remove(deleted.id));
  CHECK(*store->returned_count() == 2);

  // Resubmitted: no longer counted. Returned by a supervisor: counted again.
  REQUIRE(store->update(second.id, json{{"status", "submitted"}}).ok());
  CHECK(*store->returned_count() == 1);
  REQUIRE(store->review({second.id}, ReviewDecision::Return, "もう一度", "supervisor").ok());
  CHECK(*store->returned_count() == 2);

  // Another author on this device: their count.
  store.reset();
  StoreOptions nakamura;
  nakamura.author = "中村 健太";
  store = open(nakamura);
  CHECK(*store->returned_count() == 1);
}

TEST_CASE_METHOD(StoreFixture, "a viewer sees their own drafts and everyone's submitted records, not others' drafts",
                 "[review]") {
  add(meeting("中村の下書き", "draft", "中村 健太"));
  add(meeting("中村の提出", "submitted", "中村 健太"));
  add(meeting("中村の差し戻し", "returned", "中村 健太"));
  add(meeting("中村の承認済み", "approved", "中村 健太"));
  add(meeting("田中の下書き", "draft"));
  add(meeting("田中の提出", "submitted"));
  RecordQuery query;
  CHECK(list_titles(*store, query).size() == 6);
  query.viewer = "田中 花子";
  CHECK(sorted(list_titles(*store, query)) ==
        sorted({"中村の差し戻し", "中村の提出", "中村の承認済み", "田中の下書き", "田中の提出"}));
  CHECK(*store->count(query) == 5);
  query.viewer = "中村 健太";
  CHECK(sorted(list_titles(*store, query)) ==
        sorted({"中村の下書き", "中村の差し戻し", "中村の提出", "中村の承認済み", "田中の提出"}));
  query.status = ReviewStatus::Draft;  // with other filters
  CHECK(list_titles(*store, query) == Titles{"中村の下書き"});
}

TEST_CASE_METHOD(StoreFixture, "resubmitted_only finds submitted records that were returned before", "[review]") {
  Record resubmitted = add(meeting("再提出した会議", "submitted", "中村 健太"));
  Record still_returned = add(meeting("差し戻し中の会議", "submitted", "中村 健太"));
  Record first_time = add(meeting("初めて提出した会議", "submitted", "中村 健太"));
  Record reopened = add(meeting("再開後に再提出した会議", "submitted", "中村 健太"));
  add(meeting("差し戻しとして届いた会議", "returned", "中村 健太"));
  REQUIRE(store->review({resubmitted.id, still_returned.id}, ReviewDecision::Return, "直してください", "supervisor"));
  REQUIRE(store->update(resubmitted.id, json{{"status", "submitted"}}).ok());
  // An ordinary comment does not count; a record reopened (which goes back to its author) and submitted again does.
  REQUIRE(store->add_comment(first_time.id, "returned", "staff").ok());
  REQUIRE(store->review({reopened.id}, ReviewDecision::Approve, "良いです", "supervisor"));
  REQUIRE(store->review({reopened.id}, ReviewDecision::Reopen, "数字に誤りがありました", "supervisor"));
  REQUIRE(store->update(reopened.id, json{{"status", "submitted"}}).ok());

  RecordQuery query;
  query.resubmitted_only = true;
  CHECK(query.narrows());
  CHECK(sorted(list_titles(*store, query)) == sorted({"再提出した会議", "再開後に再提出した会議"}));
  CHECK(*store->count(query) == 2);

  // A return pulled from the collector counts as well.
  Record pulled_return = add(meeting("別の端末で差し戻された会議", "submitted", "中村 健太"));
  Comment reason = pulled_comment(pulled_return.id, "別の端末から", "2024-06-05T00:00:00.000Z");
  reason.decision = "returned";
  reason.revision = pulled_return.clock;
  PulledPage page;
  page.cursor = "c1.1";
  page.comments = {reason};
  REQUIRE(store->apply_pulled(std::move(page)).ok());
  CHECK(sorted(list_titles(*store, query)) ==
        sorted({"再提出した会議", "再開後に再提出した会議", "別の端末で差し戻された会議"}));
}

TEST_CASE_METHOD(StoreFixture, "a team's records are those its staff wrote, the teams of its wards included",
                 "[review]") {
  auto reference = store->reference();
  REQUIRE(reference.ok());
  ReferenceData with_staff = *reference;
  REQUIRE(with_staff.has_area("higashi_hakata"));
  REQUIRE(with_staff.has_area("hakata"));
  with_staff.staff = {{"s-1", "鈴木 一郎", "supervisor", "higashi_hakata"},
                      {"s-2", "高木 二郎", "staff", "higashi_hakata"},
                      {"s-3", "森 三郎", "staff", "hakata"},  // a ward's team, inside the area's
                      {"s-4", "原 四郎", "staff", "sawara_nishi"}};
  REQUIRE(store->replace_reference(with_staff));
  add(meeting("鈴木の会議", "submitted", "鈴木 一郎"));
  add(meeting("高木の会議", "submitted", "高木 二郎"));
  add(meeting("森の会議", "submitted", "森 三郎"));
  add(meeting("原の会議", "submitted", "原 四郎"));
  add(meeting("名簿にない人の会議", "submitted", "名簿 外"));
  add(meeting("田中の会議", "submitted"));

  auto team = [this](const std::string& name) {
    RecordQuery query;
    query.team = name;
    return sorted(list_titles(*store, query));
  };
  CHECK(team("higashi_hakata") == sorted({"森の会議", "高木の会議", "鈴木の会議"}));
  CHECK(team("東・博多エリア") == sorted({"森の会議", "高木の会議", "鈴木の会議"}));  // by name
  CHECK(team("hakata") == Titles{"森の会議"});
  CHECK(team("博多区") == Titles{"森の会議"});
  CHECK(team("sawara_nishi") == Titles{"原の会議"});
  CHECK(team("chuo_minami_jonan").empty());  // a team with no staff listed has no records
  CHECK(team("no-such-team").empty());
  RecordQuery counted;
  counted.team = "higashi_hakata";
  CHECK(counted.narrows());
  CHECK(*store->count(counted) == 3);
}

TEST_CASE_METHOD(StoreFixture, "a record's history is cached with the time it came", "[review]") {
  Record record = add(meeting("第2回運営会議", "submitted", "中村 健太"));
  auto none = store->cached_history(record.id);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  HistoryEntry created;
  created.kind = "created";
  created.who = "中村 健太";
  created.time = "2024-06-03T04:00:00.000Z";
  created.changes = record_changes(nullptr, record);
  const std::string entries = to_json_text(history_json({created}));
  const std::string before = now_iso8601();
  REQUIRE(store->cache_history(record.id, entries));
  const std::string after = now_iso8601();
  auto cached = store->cached_history(record.id);
  REQUIRE(cached.ok());
  REQUIRE(cached->has_value());
  CHECK((*cached)->entries == entries);
  CHECK((*cached)->fetched_at >= before);
  CHECK((*cached)->fetched_at <= after);
  auto parsed = parse_json_text((*cached)->entries);
  REQUIRE(parsed.ok());
  auto read = history_from_json(*parsed);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 1);
  CHECK(fields_of(read->front().changes) == fields_of(created.changes));

  // Fetched again: replaced. Other records: still nothing. Kept across sessions.
  next_millisecond();
  const std::string newer = to_json_text(history_json({created, created}));
  REQUIRE(store->cache_history(record.id, newer));
  auto replaced = store->cached_history(record.id);
  REQUIRE(replaced.ok());
  REQUIRE(replaced->has_value());
  CHECK((*replaced)->entries == newer);
  CHECK((*replaced)->fetched_at > (*cached)->fetched_at);
  CHECK_FALSE(store->cached_history("0190a1b2-0000-7000-8000-0000000000ff")->has_value());
  store.reset();
  store = open();
  auto reopened = store->cached_history(record.id);
  REQUIRE(reopened.ok());
  REQUIRE(reopened->has_value());
  CHECK((*reopened)->entries == newer);
}

TEST_CASE("a submitted record's author withdraws it to change it, and a status change alone or another's edit is not refused",
          "[review]") {
  Record submitted;
  submitted.author = "佐藤 花子";
  submitted.status = ReviewStatus::Submitted;
  auto refused = submitted_edit_refusal(submitted, json{{"issues", "書き換え"}}, "佐藤 花子");
  REQUIRE(refused);
  CHECK(refused->code == "review.withdraw_first");
  CHECK(refused->path == "/status");
  CHECK(submitted_edit_refusal(submitted, json{{"issues", "書き換え"}, {"status", "submitted"}}, "佐藤 花子"));
  CHECK_FALSE(submitted_edit_refusal(submitted, json{{"issues", "書き換え"}, {"status", "draft"}}, "佐藤 花子"));
  CHECK_FALSE(submitted_edit_refusal(submitted, json{{"status", "draft"}}, "佐藤 花子"));
  CHECK_FALSE(submitted_edit_refusal(submitted, json{{"venue", "東区役所"}}, "山田 主任"));  // a supervisor's edit
  Record draft = submitted;
  draft.status = ReviewStatus::Draft;
  CHECK_FALSE(submitted_edit_refusal(draft, json{{"issues", "書き換え"}}, "佐藤 花子"));
  Record returned = submitted;
  returned.status = ReviewStatus::Returned;
  CHECK_FALSE(submitted_edit_refusal(returned, json{{"issues", "直しました"}, {"status", "submitted"}}, "佐藤 花子"));
}
