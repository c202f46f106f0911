// Review across a real collector over HTTPS on 127.0.0.1: comments travel both ways, stamped by the collector from
// the token; a record's thread stays with those who may see the record; the collector judges supervisors'
// decisions; a record's history is one story, whichever device asks; and a comment the collector cannot take is
// answered with its path, without losing anything else.
#include <algorithm>
#include <chrono>
#include <thread>

#include "model/review.hpp"
#include "tests/support/encrypted_folders.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// Runs `sql` on the SQLite file `file` (a device's store), binding `values` in order: what a hand-edited or damaged
// database holds.
void execute(const fs::path& file, const std::string& sql, const std::vector<std::string>& values = {}) {
  sqlite3* db = nullptr;
  const bool opened = testing::open_store_file(file, &db, SQLITE_OPEN_READWRITE) == SQLITE_OK;
  std::string failure = opened ? "" : "cannot open " + file.string();
  if (opened) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      failure = sqlite3_errmsg(db);
    } else {
      for (std::size_t i = 0; i < values.size(); ++i)
        sqlite3_bind_text(statement, static_cast<int>(i + 1), values[i].c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(statement) != SQLITE_DONE) failure = sqlite3_errmsg(db);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  INFO(sql << ": " << failure);
  REQUIRE(failure.empty());
}

fs::path store_file(const EngineDevice& device) { return device.folder / Store::kFileName; }

void synced(EngineDevice& device) {
  auto outcome = device.sync();
  INFO(device.folder.filename().string() << ": " << outcome.error.describe());
  REQUIRE(outcome.result == sync::SyncResult::Done);
}

Record stored(const EngineDevice& device, const std::string& id) {
  auto record = device.store->get(id);
  REQUIRE(record);
  REQUIRE(*record);
  return **record;
}

std::vector<Comment> comments_on(const EngineDevice& device, const std::string& record_id) {
  auto comments = device.store->comments(record_id);
  REQUIRE(comments);
  return *comments;
}

std::vector<std::string> texts(const std::vector<Comment>& comments) {
  std::vector<std::string> out;
  for (const Comment& comment : comments) out.push_back(comment.text);
  return out;
}

// A comment as a device writes it before the collector stamps it.
Comment comment_on(const std::string& record_id, const std::string& text) {
  return {new_uuid_v7(), record_id, text, "", "", "", "", "", "", now_iso8601()};
}

// A push request sent as is, with `device`'s token, over its own connection to the collector.
sync::HttpResponse send_push(const EngineDevice& device, const std::string& body) {
  auto answer = device.transport->send({"POST", sync::kPushPath, body, device.enrollment.token});
  INFO((answer ? answer->body : answer.error().describe()));
  REQUIRE(answer);
  return *answer;
}

// The revision of `record` as its device would push it (a record new to the collector: no base).
sync::RevisionText revision_text(const Record& record) { return {record.id, record.clock, "", record_text(record)}; }

// The statuses of the comment results of every push answer, in order.
std::vector<std::string> comment_statuses(const std::vector<FaultTransport::Answer>& answers) {
  std::vector<std::string> statuses;
  for (const auto& answer : answers) {
    if (answer.path != sync::kPushPath || answer.status != 200) continue;
    const json body = json::parse(answer.body);
    if (body.contains("comment_results"))
      for (const auto& result : body.at("comment_results")) statuses.push_back(result.at("status").get<std::string>());
  }
  return statuses;
}

// The collector's copy of a comment (its stored document).
json collector_comment(const CollectorDatabase& db, const std::string& id) {
  auto docs = db.column("SELECT doc FROM comments WHERE id = ?", {id});
  REQUIRE(docs.size() == 1);
  return json::parse(docs[0]);
}

json collector_record(const CollectorDatabase& db, const std::string& id) {
  auto docs = db.column("SELECT doc FROM records WHERE id = ?", {id});
  REQUIRE(docs.size() == 1);
  return json::parse(docs[0]);
}

std::vector<HistoryEntry> history_of(const EngineDevice& device, const std::string& record_id) {
  auto entries = sync::fetch_history(*device.transport, device.enrollment, record_id);
  INFO((entries ? std::string() : entries.error().describe()));
  REQUIRE(entries);
  return *entries;
}

// The change of `field` an entry lists; the test fails when there is none.
FieldChange change_of(const HistoryEntry& entry, const std::string& field) {
  auto it = std::find_if(entry.changes.begin(), entry.changes.end(),
                         [&field](const FieldChange& change) { return change.field == field; });
  INFO("entry " << history_entry_json(entry).dump() << " has no change of " << field);
  REQUIRE(it != entry.changes.end());
  return *it;
}

std::set<std::string> changed_fields(const HistoryEntry& entry) {
  std::set<std::string> fields;
  for (const FieldChange& change : entry.changes) fields.insert(change.field);
  return fields;
}

// One entry made on `device`: who made it, in what role, on which device (the collector's id and the name the
// device enrolled with).
void check_made_on(const HistoryEntry& entry, const EngineDevice& device, const std::string& role) {
  INFO(history_entry_json(entry).dump());
  CHECK(entry.who == device.enrollment.user_name);
  CHECK(entry.role == role);
  CHECK(entry.device == device.enrollment.device_id);
  CHECK(entry.device_name == device.folder.filename().string());
  CHECK_FALSE(entry.time.empty());
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Comments travel
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(SyncFixture,
                 "a comment goes from staff to a supervisor and back stamped by the collector from the token",
                 "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const std::string id = staff.import({to_record(case_review_json("東 太郎の事例検討", "東区", "submitted"))}).front();
  synced(staff);
  auto written = staff.store->add_comment(id, "家族の意向を確認しました。", "staff");
  REQUIRE(written);
  CHECK(written->author == "東 太郎");
  CHECK(staff.store->pending_comment_count().value() == 1);

  // What the device wrote about who, where and when is not believed: its copy here says another user, another
  // device, and a time in the future (a laptop whose clock runs decades ahead).
  execute(store_file(staff),
          "UPDATE comments SET author = ?, role = ?, device = ?, device_name = ?, time = ? WHERE id = ?",
          {"山本 課長", "admin", "forged-device", "偽の端末", "2099-01-01T00:00:00.000Z", written->id});
  const std::string before = now_iso8601();
  synced(staff);
  const std::string after = now_iso8601();
  CHECK(staff.store->pending_comment_count().value() == 0);

  const json at_collector = collector_comment(database(), written->id);
  INFO(at_collector.dump());
  CHECK(at_collector.at("author") == "東 太郎");
  CHECK(at_collector.at("role") == "staff");
  CHECK(at_collector.at("device") == staff.enrollment.device_id);
  CHECK(at_collector.at("device_name") == "staff");
  CHECK(at_collector.at("text") == "家族の意向を確認しました。");
  CHECK(at_collector.at("record_id") == id);
  const std::string time = at_collector.at("time");
  CHECK(time >= before);  // clamped to the collector's now, not 2099
  CHECK(time <= after);

  Comment expected = *written;
  expected.role = "staff";
  expected.device = staff.enrollment.device_id;
  expected.device_name = "staff";
  expected.time = time;
  synced(supervisor);
  CHECK(comments_on(supervisor, id) == std::vector<Comment>{expected});
  // The writing device took the collector's version back too: every replica holds the same comment.
  CHECK(comments_on(staff, id) == std::vector<Comment>{expected});

  // And back: the supervisor answers; the staff device receives it stamped the same way.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto reply = supervisor.store->add_comment(id, "了解です。次回のケース会議で共有してください。", "supervisor");
  REQUIRE(reply);
  synced(supervisor);
  synced(staff);
  const auto thread = comments_on(staff, id);
  REQUIRE(thread.size() == 2);
  CHECK(texts(thread) ==
        std::vector<std::string>{"家族の意向を確認しました。", "了解です。次回のケース会議で共有してください。"});
  CHECK(thread[1].id == reply->id);
  CHECK(thread[1].author == "山本 課長");
  CHECK(thread[1].role == "supervisor");
  CHECK(thread[1].device == supervisor.enrollment.device_id);
  CHECK(thread[1].device_name == "supervisor");
  CHECK(thread[1].decision.empty());
  CHECK(thread == comments_on(supervisor, id));
  CHECK(database().integer("SELECT count(*) FROM comments WHERE record_id = ?", {id}) == 2);
}

TEST_CASE_METHOD(SyncFixture,
                 "two devices comment on one record apart and both end with both comments in time order stored once",
                 "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const std::string id = staff.import({to_record(meeting_json("東区 地域連絡会", "東区"))}).front();
  synced(staff);
  synced(supervisor);

  // Apart: the staff device writes first, the supervisor's a moment later, and the later one reaches the collector
  // first.
  auto first = staff.store->add_comment(id, "議事録は来週までに共有します。", "staff");
  REQUIRE(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto second = supervisor.store->add_comment(id, "次回は就労支援部会と合同で。", "supervisor");
  REQUIRE(second);
  REQUIRE(first->time < second->time);
  synced(supervisor);

  // The staff device's push is stored but its answer is lost: the engine sends the comment again.
  FaultTransport watching(*staff.transport);
  watching.lose_response = [](int number, const sync::HttpRequest& request) {
    return request.path == sync::kPushPath && number == 1;
  };
  auto outcome = staff.sync(test_sync_options(), &watching);
  INFO(outcome.error.describe() << "\n" << watching.events());
  REQUIRE(outcome.result == sync::SyncResult::Done);
  CHECK(watching.lost() == 1);
  CHECK(comment_statuses(watching.answers()) == std::vector<std::string>{"stored", "already_stored"});
  CHECK(staff.store->pending_comment_count().value() == 0);
  CHECK(database().integer("SELECT count(*) FROM comments WHERE id = ?", {first->id}) == 1);
  CHECK(database().integer("SELECT count(*) FROM comments WHERE record_id = ?", {id}) == 2);

  // The same id again, with another text, is the comment already stored: append-only, it is never replaced.
  Comment again = *first;
  again.text = "書き換えようとしたコメント";
  const auto answer = send_push(staff, sync::push_request_text({}, "", {again}));
  REQUIRE(answer.status == 200);
  const json results = json::parse(answer.body).at("comment_results");
  REQUIRE(results.size() == 1);
  CHECK(results[0].at("id") == first->id);
  CHECK(results[0].at("status") == "already_stored");
  CHECK(collector_comment(database(), first->id).at("text") == "議事録は来週までに共有します。");
  CHECK(database().integer("SELECT count(*) FROM comments WHERE record_id = ?", {id}) == 2);

  synced(supervisor);
  synced(staff);
  synced(supervisor);
  const std::vector<std::string> in_time_order{"議事録は来週までに共有します。", "次回は就労支援部会と合同で。"};
  for (const EngineDevice* device : {&staff, &supervisor}) {
    INFO(device->folder.filename().string());
    const auto thread = comments_on(*device, id);
    CHECK(texts(thread) == in_time_order);
    REQUIRE(thread.size() == 2);
    CHECK(thread[0].id == first->id);
    CHECK(thread[0].author == "東 太郎");
    CHECK(thread[1].id == second->id);
    CHECK(thread[1].author == "山本 課長");
    CHECK(thread[0].time < thread[1].time);
  }
  CHECK(comments_on(staff, id) == comments_on(supervisor, id));
}

// ---------------------------------------------------------------------------------------------------------------
// Who sees a thread
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(SyncFixture,
                 "staff who may not see a case review never get its comments nor its history and may not comment on it",
                 "[sync][review]") {
  EngineDevice a = engine_device("staff-a", add_user("東 太郎", "staff", "東区"));
  EngineDevice b = engine_device("staff-b", add_user("東 三郎", "staff", "東区"));  // same team, not the author
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const auto ids = a.import({to_record(case_review_json("東 太郎の事例検討", "東区", "submitted")),
                             to_record(meeting_json("東区 地域連絡会", "東区"))});
  const std::string& review = ids[0];
  const std::string& meeting = ids[1];
  REQUIRE(a.store->add_comment(review, "本人の同意を得て記録しました。", "staff"));
  REQUIRE(a.store->add_comment(meeting, "次回の会場は未定です。", "staff"));
  synced(a);
  synced(supervisor);
  REQUIRE(supervisor.store->add_comment(review, "支援計画の目標をもう少し具体的に。", "supervisor"));
  synced(supervisor);

  synced(b);
  CHECK(b.record_ids() == std::set<std::string>{meeting});
  CHECK(texts(comments_on(b, meeting)) == std::vector<std::string>{"次回の会場は未定です。"});
  CHECK(comments_on(b, review).empty());
  CHECK(CollectorDatabase(store_file(b)).integer("SELECT count(*) FROM comments") == 1);  // none of the review's
  CHECK(database().integer("SELECT count(*) FROM comments WHERE record_id = ?", {review}) == 2);

  // B's device has no such record to comment on; a comment pushed anyway (a crafted request) is refused as one on
  // a record that does not exist: the answer tells nothing of records B may not see. Nothing is stored.
  auto local = b.store->add_comment(review, "見えない記録へのコメント", "staff");
  REQUIRE_FALSE(local);
  CHECK(local.error().code == "record.not_found");
  const long long comments_before = database().integer("SELECT count(*) FROM comments");
  const Comment hidden = comment_on(review, "見えない記録へのコメント");
  const Comment nowhere = comment_on(new_uuid_v7(), "ない記録へのコメント");
  const auto answer = send_push(b, sync::push_request_text({}, "", {hidden, nowhere}));
  REQUIRE(answer.status == 200);
  const json results = json::parse(answer.body).at("comment_results");
  INFO(results.dump());
  REQUIRE(results.size() == 2);
  CHECK(results[0].at("id") == hidden.id);
  CHECK(results[0].at("status") == "rejected");
  CHECK(results[0].at("code") == 422);
  CHECK(results[0].at("error").at("code") == "comment.record_unknown");
  CHECK(results[0].at("error").at("path") == "/record_id");
  CHECK(results[0].at("error") == results[1].at("error"));
  CHECK(database().integer("SELECT count(*) FROM comments") == comments_before);
  CHECK(database().integer("SELECT count(*) FROM comments WHERE id = ?", {hidden.id}) == 0);

  // Nor does the collector give B its history: the same answer as for no record at all.
  auto history = sync::fetch_history(*b.transport, b.enrollment, review);
  REQUIRE_FALSE(history);
  CHECK(history.error().code == "record.not_found");
  auto unknown = sync::fetch_history(*b.transport, b.enrollment, new_uuid_v7());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == history.error().code);
  CHECK(unknown.error().message == history.error().message);
  const auto meeting_history = history_of(b, meeting);
  REQUIRE(meeting_history.size() == 1);
  CHECK(meeting_history[0].kind == "created");
  CHECK(meeting_history[0].who == "東 太郎");

  // Later comments on the review do not reach B either.
  REQUIRE(a.store->add_comment(review, "追記: 次回は家族も同席します。", "staff"));
  synced(a);
  synced(b);
  CHECK(comments_on(b, review).empty());
  CHECK(CollectorDatabase(store_file(b)).integer("SELECT count(*) FROM comments") == 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions at the collector
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(SyncFixture, "the collector judges review decisions pushed by the engine", "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const std::string id = staff.import({to_record(meeting_json("東区 地域連絡会", "東区", "submitted"))}).front();
  synced(staff);
  synced(supervisor);

  SECTION("a return without a reason is refused: review.comment_required") {
    auto local = supervisor.store->review({id}, ReviewDecision::Return, "", "supervisor");
    REQUIRE_FALSE(local);
    CHECK(local.error().code == "review.comment_required");
    // A device that changes the status without the review (an older client, a script) is refused by the collector.
    REQUIRE(supervisor.store->update(id, json{{"status", "returned"}}));
    auto outcome = supervisor.sync();
    CHECK(outcome.result == sync::SyncResult::Rejected);
    REQUIRE(outcome.rejections.size() == 1);
    CHECK(outcome.rejections[0].record_id == id);
    CHECK(outcome.rejections[0].error.code == "review.comment_required");
    CHECK(outcome.rejections[0].error.path == "/record/comment");
    CHECK(collector_record(database(), id).at("status") == "submitted");
    CHECK(database().integer("SELECT count(*) FROM comments") == 0);
    synced(staff);
    CHECK(stored(staff, id).status == ReviewStatus::Submitted);
  }

  SECTION("a supervisor does not approve their own record: review.own_record, and another supervisor may") {
    const std::string own =
        supervisor.import({to_record(meeting_json("山本 課長の会議", "東区", "submitted"))}).front();
    synced(supervisor);
    auto local = supervisor.store->review({own}, ReviewDecision::Approve, "", "supervisor");
    REQUIRE_FALSE(local);
    CHECK(local.error().code == "review.own_record");
    REQUIRE(supervisor.store->update(own, json{{"status", "approved"}}));
    auto outcome = supervisor.sync();
    CHECK(outcome.result == sync::SyncResult::Rejected);
    REQUIRE(outcome.rejections.size() == 1);
    CHECK(outcome.rejections[0].record_id == own);
    CHECK(outcome.rejections[0].error.code == "review.own_record");
    CHECK(outcome.rejections[0].error.path == "/record/author");
    CHECK(collector_record(database(), own).at("status") == "submitted");

    EngineDevice second = engine_device("second", add_user("中村 主任", "supervisor"));
    synced(second);
    REQUIRE(second.store->review({own}, ReviewDecision::Approve, "", "supervisor"));
    synced(second);
    CHECK(collector_record(database(), own).at("status") == "approved");
  }

  SECTION("staff do not approve: refused on the device, and by the collector when the device did not know") {
    REQUIRE(staff.store->role().value() == "staff");
    auto local = staff.store->update(id, json{{"status", "approved"}});
    REQUIRE_FALSE(local);
    CHECK(local.error().code == "auth.review");
    // A device that made the change before it knew its role (as one enrolled by an older version): the engine
    // pushes it and the collector refuses it.
    REQUIRE(staff.store->set_role(""));
    REQUIRE(staff.store->update(id, json{{"status", "approved"}}));
    auto outcome = staff.sync();
    CHECK(outcome.result == sync::SyncResult::Rejected);
    REQUIRE(outcome.rejections.size() == 1);
    CHECK(outcome.rejections[0].record_id == id);
    CHECK(outcome.rejections[0].error.code == "auth.review");
    CHECK(outcome.rejections[0].error.path == "/record/status");
    CHECK(collector_record(database(), id).at("status") == "submitted");
    CHECK(staff.store->role().value() == "staff");  // the sync told the device its role again
  }

  SECTION("a return with a reason is stored and the reason comes back to the author") {
    const std::string reason = "開催時間と参加者数を確認してください。";
    auto returned = supervisor.store->review({id}, ReviewDecision::Return, reason, "supervisor");
    REQUIRE(returned);
    REQUIRE(returned->size() == 1);
    const std::string clock = returned->front().clock;
    synced(supervisor);
    auto db = database();
    CHECK(collector_record(db, id).at("status") == "returned");
    REQUIRE(db.integer("SELECT count(*) FROM comments WHERE record_id = ?", {id}) == 1);
    CHECK(db.column("SELECT decision FROM comments WHERE record_id = ?", {id}) == std::vector<std::string>{"returned"});
    CHECK(db.column("SELECT revision FROM comments WHERE record_id = ?", {id}) == std::vector<std::string>{clock});

    synced(staff);
    CHECK(stored(staff, id).status == ReviewStatus::Returned);
    CHECK(staff.store->returned_count().value() == 1);
    auto decisions = staff.store->decision_comments(id);
    REQUIRE(decisions);
    REQUIRE(decisions->size() == 1);
    const Comment& given = decisions->front();
    CHECK(given.text == reason);
    CHECK(given.decision == "returned");
    CHECK(given.revision == clock);
    CHECK(given.author == "山本 課長");
    CHECK(given.role == "supervisor");
    CHECK(given.device == supervisor.enrollment.device_id);
    CHECK(given.device_name == "supervisor");
    CHECK(comments_on(staff, id) == comments_on(supervisor, id));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(SyncFixture,
                 "a record's history over the collector lists every change and decision the same for every device",
                 "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const std::string id = staff.import({to_record(case_review_json("東 太郎の事例検討", "東区", "submitted"))}).front();
  synced(staff);
  synced(supervisor);

  const std::string return_reason = "支援計画の目標をもう少し具体的に書いてください。";
  const std::string reopen_reason = "監査の指摘で日付の確認が必要になりました。";
  REQUIRE(supervisor.store->review({id}, ReviewDecision::Return, return_reason, "supervisor"));
  synced(supervisor);
  synced(staff);
  REQUIRE(
      staff.store->update(id, json{{"issues", "家族それぞれの支援者で目標を一本化した。"}, {"status", "submitted"}}));
  synced(staff);
  synced(supervisor);
  REQUIRE(supervisor.store->review({id}, ReviewDecision::Approve, "", "supervisor"));
  synced(supervisor);
  REQUIRE(supervisor.store->review({id}, ReviewDecision::Reopen, reopen_reason, "supervisor"));
  synced(supervisor);
  synced(staff);

  // Apart: the staff member changes the policy and syncs; the supervisor, who has not heard of it, changes it later.
  REQUIRE(staff.store->update(id, json{{"policy", "職員が書き直した方針"}}));
  synced(staff);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(supervisor.store->update(id, json{{"policy", "管理者が書き直した方針"}}));
  synced(supervisor);
  synced(staff);

  const auto entries = history_of(staff, id);
  INFO(history_json(entries).dump(2));
  std::vector<std::string> kinds;
  for (const HistoryEntry& entry : entries) kinds.push_back(entry.kind);
  REQUIRE(kinds == std::vector<std::string>{"created", "decision", "changed", "decision", "decision", "changed",
                                            "changed", "conflict"});
  auto check_status = [](const HistoryEntry& entry, const json& from, const std::string& to) {
    const FieldChange change = change_of(entry, "status");
    CHECK(change.from == from);
    CHECK(change.to == to);
  };

  const HistoryEntry& created = entries[0];
  check_made_on(created, staff, "staff");
  check_status(created, nullptr, "submitted");
  CHECK(change_of(created, "title").to == "東 太郎の事例検討");
  CHECK_FALSE(created.edited_by_other);

  const HistoryEntry& returned = entries[1];
  check_made_on(returned, supervisor, "supervisor");
  CHECK(returned.decision == "returned");
  CHECK(returned.comment == return_reason);
  CHECK(changed_fields(returned) == std::set<std::string>{"status"});
  check_status(returned, "submitted", "returned");
  CHECK_FALSE(returned.edited_by_other);  // a decision is not an edit of the content

  const HistoryEntry& resubmitted = entries[2];
  check_made_on(resubmitted, staff, "staff");
  CHECK(resubmitted.decision.empty());
  CHECK(changed_fields(resubmitted) == std::set<std::string>{"issues", "status"});
  check_status(resubmitted, "returned", "submitted");
  CHECK(change_of(resubmitted, "issues").to == "家族それぞれの支援者で目標を一本化した。");
  CHECK_FALSE(change_of(resubmitted, "issues").diff.empty());
  CHECK_FALSE(resubmitted.edited_by_other);

  const HistoryEntry& approved = entries[3];
  check_made_on(approved, supervisor, "supervisor");
  CHECK(approved.decision == "approved");
  CHECK(approved.comment.empty());
  check_status(approved, "submitted", "approved");

  const HistoryEntry& reopened = entries[4];
  check_made_on(reopened, supervisor, "supervisor");
  CHECK(reopened.decision == "reopened");
  CHECK(reopened.comment == reopen_reason);
  check_status(reopened, "approved", "returned");
  CHECK_FALSE(reopened.edited_by_other);

  const HistoryEntry& staff_edit = entries[5];
  check_made_on(staff_edit, staff, "staff");
  CHECK(changed_fields(staff_edit) == std::set<std::string>{"policy"});
  CHECK_FALSE(staff_edit.edited_by_other);

  const HistoryEntry& supervisor_edit = entries[6];
  check_made_on(supervisor_edit, supervisor, "supervisor");
  CHECK(changed_fields(supervisor_edit) == std::set<std::string>{"policy"});
  CHECK(change_of(supervisor_edit, "policy").from == "職員が書き直した方針");
  CHECK(change_of(supervisor_edit, "policy").to == "管理者が書き直した方針");
  CHECK(supervisor_edit.edited_by_other);

  // The staff member's policy, replaced unseen, is kept: with who wrote it and on which device.
  const HistoryEntry& kept = entries[7];
  check_made_on(kept, staff, "staff");  // who, role, device and its name
  CHECK_FALSE(kept.time.empty());
  REQUIRE(kept.changes.size() == 1);
  CHECK(kept.changes[0].field == "policy");
  CHECK(kept.changes[0].from == "職員が書き直した方針");
  CHECK(kept.changes[0].to == "管理者が書き直した方針");

  for (std::size_t i = 1; i + 1 < entries.size(); ++i) CHECK(entries[i - 1].time <= entries[i].time);
  CHECK(history_json(history_of(supervisor, id)) == history_json(entries));
}

// ---------------------------------------------------------------------------------------------------------------
// Bad comments
// ---------------------------------------------------------------------------------------------------------------

TEST_CASE_METHOD(SyncFixture,
                 "a pushed comment the collector cannot read is answered with its path and loses nothing else",
                 "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  const std::string id = staff.import({to_record(meeting_json("東区 地域連絡会", "東区"))}).front();
  synced(staff);

  // One push: a new record, a good comment, and a bad one.
  const Record fresh = stored(staff, staff.import({to_record(meeting_json("東区 運営会議", "東区"))}).front());
  const Comment good = comment_on(id, "議事録を共有しました。");
  const Comment bad = comment_on(id, "BAD-TEXT");
  const std::string request = sync::push_request_text({revision_text(fresh)}, "", {good, bad});
  auto nothing_stored = [&] {
    auto db = database();
    CHECK(db.integer("SELECT count(*) FROM records WHERE id = ?", {fresh.id}) == 0);
    CHECK(db.integer("SELECT count(*) FROM comments") == 0);
  };
  std::string body;
  std::string code, path, message;
  SECTION("invalid UTF-8") {
    body = request;
    body.replace(body.find("BAD-TEXT"), 8, "\xff\xfe");
    code = "utf8.invalid";
    path = "";
    message = "invalid UTF-8 at byte " + std::to_string(body.find('\xff'));
  }
  SECTION("a member comments do not have") {
    json document = json::parse(request);
    document["comments"][1]["mood"] = "urgent";
    body = document.dump();
    code = "protocol.member";
    path = "/comments/1/mood";
    message = "not a member of a comment";
  }
  SECTION("an empty text") {
    body = request;
    body.replace(body.find("BAD-TEXT"), 8, "");
    code = "comment.empty";
    path = "/comments/1/text";
    message = "a comment needs text";
  }
  const auto answer = send_push(staff, body);
  INFO(answer.body);
  CHECK(answer.status == 400);
  const Error error = sync::error_from_response(answer.status, answer.body);
  CHECK(error.code == code);
  CHECK(error.path == path);
  CHECK(error.message == message);
  // The request is one transaction, refused whole: nothing of it is half stored, and sent again without the bad
  // comment, all of the rest is stored.
  nothing_stored();
  const auto resent = send_push(staff, sync::push_request_text({revision_text(fresh)}, "", {good}));
  REQUIRE(resent.status == 200);
  const json results = json::parse(resent.body);
  CHECK(results.at("results").at(0).at("status") == "stored");
  CHECK(results.at("comment_results").at(0).at("status") == "stored");
  CHECK(collector_record(database(), fresh.id).at("title") == "東区 運営会議");
  CHECK(collector_comment(database(), good.id).at("text") == "議事録を共有しました。");
}

TEST_CASE_METHOD(SyncFixture,
                 "a damaged comment waiting on a device is refused alone and the device's other changes still go",
                 "[sync][review]") {
  EngineDevice staff = engine_device("staff", add_user("東 太郎", "staff", "東区"));
  EngineDevice supervisor = engine_device("supervisor", add_user("山本 課長", "supervisor"));
  const std::string id = staff.import({to_record(meeting_json("東区 地域連絡会", "東区"))}).front();
  synced(staff);

  auto damaged = staff.store->add_comment(id, "保存のあとで壊れたコメント", "staff");
  REQUIRE(damaged);
  std::string text, code;
  SECTION("a text of spaces") {
    text = "   ";
    code = "comment.empty";
  }
  SECTION("a text that is not UTF-8") {
    text = "壊れた\xff\xfe";
    code = "utf8.invalid";
  }
  execute(store_file(staff), "UPDATE comments SET text = ? WHERE id = ?", {text, damaged->id});
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto good = staff.store->add_comment(id, "議事録を共有しました。", "staff");
  REQUIRE(good);
  REQUIRE(staff.store->update(id, json{{"venue", "東区役所 3階"}}));

  auto outcome = staff.sync();
  INFO(outcome.error.describe());
  CHECK(outcome.result == sync::SyncResult::Rejected);
  REQUIRE(outcome.rejections.size() == 1);
  CHECK(outcome.rejections[0].record_id == id);
  CHECK(outcome.rejections[0].error.code == code);
  CHECK(outcome.rejections[0].error.path == "/text");
  // Everything else went: the other comment and the change of the record.
  auto db = database();
  CHECK(db.integer("SELECT count(*) FROM comments WHERE id = ?", {damaged->id}) == 0);
  CHECK(collector_comment(db, good->id).at("text") == "議事録を共有しました。");
  CHECK(collector_record(db, id).at("venue") == "東区役所 3階");
  CHECK(staff.outbox_size() == 0);
  // The damaged one waits on the device, marked, for someone to see to it.
  auto pending = staff.store->pending_comments(10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK(pending->front().id == damaged->id);
  CHECK(CollectorDatabase(store_file(staff))
            .column("SELECT json_extract(rejection, '$.code') FROM comments WHERE id = ?", {damaged->id}) ==
        std::vector<std::string>{code});
  synced(supervisor);
  CHECK(texts(comments_on(supervisor, id)) == std::vector<std::string>{"議事録を共有しました。"});
}

}  // namespace tsunagi::sync_tests
