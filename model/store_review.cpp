// The local store's side of review: comments (rows of their own, append-only, merged by id), supervisors'
// decisions, and the history the collector sent, kept for reading offline.
#include <algorithm>

#include "model/database.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/store.hpp"
#include "model/store_schema.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

constexpr const char* kCommentColumns =
    "id, record_id, author, role, device, device_name, time, text, decision, revision";

Comment read_comment(const Statement& s) {
  return {s.text(0), s.text(1), s.text(7), s.text(8), s.text(9), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)};
}

Result<std::vector<Comment>> read_comments(Statement& s) {
  std::vector<Comment> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_comment(s));
  }
  s.reset();
  return out;
}

}  // namespace

Status Store::write_comment(const Comment& c, bool pending) {
  // The collector's copy of a comment written here replaces what this device stamped: who wrote it and where, from
  // the token, and its time, which the collector dates no later than its own now (a clock running ahead).
  auto upsert = db_->prepare(
      "INSERT INTO comments(id, record_id, author, role, device, device_name, time, text, decision, revision, "
      "pending) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(id) DO UPDATE SET author = ?3, "
      "role = ?4, device = ?5, device_name = ?6, time = ?7, pending = 0, rejection = ''");
  if (!upsert) return upsert.error();
  auto status = (*upsert)
                    ->bind(1, c.id)
                    .bind(2, c.record_id)
                    .bind(3, c.author)
                    .bind(4, c.role)
                    .bind(5, c.device)
                    .bind(6, c.device_name)
                    .bind(7, c.time)
                    .bind(8, c.text)
                    .bind(9, c.decision)
                    .bind(10, c.revision)
                    .bind(11, pending)
                    .run();
  if (!status) return status;
  // The record's text row holds its comments: it is written again (by the backlog) once the record is here.
  auto row = db_->prepare("SELECT seq, date, start_time FROM records WHERE id = ?");
  if (!row) return row.error();
  auto found = (*row)->bind(1, c.record_id).step();
  if (!found) return found.error();
  if (!*found) {
    (*row)->reset();
    return ok_status();
  }
  const std::int64_t seq = (*row)->integer(0);
  const std::string date = (*row)->text(1), start_time = (*row)->text(2);
  (*row)->reset();
  if (auto status = unindex_record_text(*db_, seq, date, start_time); !status) return status;
  auto backlog = db_->prepare("INSERT OR IGNORE INTO fts_backlog(seq) VALUES(?)");
  if (!backlog) return backlog.error();
  return (*backlog)->bind(1, seq).run();
}

Result<Comment> Store::add_comment(const std::string& record_id, const std::string& text, const std::string& role) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto record = get(record_id);
  if (!record) return record.error();
  if (!*record)
    return make_error("record.not_found", "/id", "no record " + record_id, "記録 " + record_id + " はありません");
  Comment comment{new_uuid_v7(), record_id, text, "", "", author_, role, "", "", now_iso8601()};
  // The same checks as the collector's, so that what is stored here is what it will accept.
  if (auto checked = comment_from_json(comment_to_json(comment), "/comment"); !checked) return checked.error();
  if (auto status = write_comment(comment, true); !status) return status.error();
  if (auto status = commit(transaction); !status) return status.error();
  return comment;
}

Result<std::vector<Comment>> Store::comments(const std::string& record_id) const {
  auto select = db_->prepare(std::string("SELECT ") + kCommentColumns +
                             " FROM comments WHERE record_id = ? ORDER BY time, id");
  if (!select) return select.error();
  (*select)->bind(1, record_id);
  return read_comments(**select);
}

Result<std::vector<Comment>> Store::decision_comments(const std::string& record_id) const {
  auto select = db_->prepare(std::string("SELECT ") + kCommentColumns +
                             " FROM comments WHERE record_id = ? AND decision <> '' ORDER BY time DESC, id DESC");
  if (!select) return select.error();
  (*select)->bind(1, record_id);
  return read_comments(**select);
}

namespace {
constexpr const char* kRoleSetting = "role";
}  // namespace

Result<std::string> Store::role() const { return setting(kRoleSetting); }

Status Store::set_role(const std::string& role) { return set_setting(kRoleSetting, role); }

std::optional<Error> Store::local_refusal(const Record& before, const Record& after) const {
  auto role = this->role();
  if (!role) return role.error();
  // A submission goes back to a draft by its author's withdrawal; anyone else returns it, saying why.
  if (before.status == ReviewStatus::Submitted && after.status == ReviewStatus::Draft && before.author != author_ &&
      !role->empty())
    return make_error("review.use_return", "/status",
                      "someone else's submitted record goes back by a return, with a comment saying why",
                      "他の人が提出した記録は下書きに戻せません。差し戻し（理由を添えて）を使ってください");
  if (*role != "staff") return std::nullopt;  // supervisors' changes are the collector's to judge
  if (before.author != author_)
    return make_error("auth.forbidden", "/author", "staff change only the records they wrote",
                      "職員は自分が書いた記録だけを変更できます");
  if (before.status == ReviewStatus::Approved)
    return make_error("auth.locked", "/status",
                      "the record is approved: it cannot be changed; ask a supervisor to reopen it if it must change",
                      "承認済みの記録は変更できません。変更が必要なら管理者に再開を依頼してください");
  if (after.status != before.status &&
      (after.status == ReviewStatus::Approved || after.status == ReviewStatus::Returned))
    return make_error("auth.review", "/status", "only supervisors approve or return records",
                      "承認と差し戻しは管理者だけができます");
  return std::nullopt;
}

Result<std::vector<Record>> Store::review(const std::vector<std::string>& ids, ReviewDecision decision,
                                          const std::string& comment, const std::string& role) {
  if (role != "supervisor" && role != "admin")
    return make_error("auth.review", "/status", "only supervisors approve, return or reopen records",
                      "承認・差し戻し・再開は管理者だけが行えます");
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  const bool has_comment = !trim(comment).empty();
  std::vector<Record> decided;
  decided.reserve(ids.size());
  for (const std::string& id : ids) {
    auto before = get(id);
    if (!before) return before.error();
    if (!*before) return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
    if (auto refusal = review_refusal(**before, decision, author_, has_comment))
      return refusal->with_context((*before)->title.empty() ? id : (*before)->title);
    Record after = **before;
    after.status = status_after(decision);
    auto saved = save_changes(**before, std::move(after), {"status"});
    if (!saved) return saved.error();
    if (has_comment) {
      Comment reason{new_uuid_v7(), id, comment, std::string(decision_name(decision)), saved->clock, author_, role, "",
                     "", now_iso8601()};
      if (auto checked = comment_from_json(comment_to_json(reason), "/comment"); !checked) return checked.error();
      if (auto status = write_comment(reason, true); !status) return status.error();
    }
    decided.push_back(std::move(*saved));
  }
  if (auto status = commit(transaction); !status) return status.error();
  return decided;
}

Result<std::vector<Comment>> Store::pending_comments(std::size_t limit) const {
  auto select = db_->prepare(std::string("SELECT ") + kCommentColumns +
                             " FROM comments WHERE pending = 1 ORDER BY time, id LIMIT ?");
  if (!select) return select.error();
  (*select)->bind(1, static_cast<std::int64_t>(limit));
  return read_comments(**select);
}

Result<std::int64_t> Store::pending_comment_count() const { return pending_count("comments"); }

Status Store::acknowledge_comments(const std::vector<std::string>& ids) { return acknowledge_pending("comments", ids); }

Status Store::mark_comment_rejected(const std::string& id, const Error& error) {
  return mark_pending_rejected("comments", id, error);
}

Result<std::int64_t> Store::pending_count(const char* table) const {
  auto count = db_->query_int(std::string("SELECT count(*) FROM ") + table + " WHERE pending = 1");
  if (!count) return count.error();
  return count->value_or(0);
}

Status Store::acknowledge_pending(const char* table, const std::vector<std::string>& ids) {
  if (ids.empty()) return ok_status();
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  auto update = db_->prepare(std::string("UPDATE ") + table + " SET pending = 0, rejection = '' WHERE id = ?");
  if (!update) return update.error();
  for (const std::string& id : ids)
    if (auto status = (*update)->bind(1, id).run(); !status) return status;
  return transaction.commit();
}

Status Store::mark_pending_rejected(const char* table, const std::string& id, const Error& error) {
  auto update = db_->prepare(std::string("UPDATE ") + table + " SET rejection = ? WHERE id = ?");
  if (!update) return update.error();
  return (*update)
      ->bind(1, to_json_text(nlohmann::json{{"code", error.code}, {"message", error.message}}))
      .bind(2, id)
      .run();
}

Result<std::int64_t> Store::returned_count() const {
  auto count = db_->prepare("SELECT count(*) FROM records WHERE author = ? AND status = 'returned' AND deleted = 0");
  if (!count) return count.error();
  auto row = (*count)->bind(1, author()).step();
  if (!row) return row.error();
  const std::int64_t value = (*count)->integer(0);
  (*count)->reset();
  return value;
}

Result<std::vector<int>> Store::fiscal_years() const {
  auto select = db_->prepare(
      "SELECT DISTINCT fiscal_year FROM records WHERE deleted = 0 AND fiscal_year IS NOT NULL ORDER BY fiscal_year DESC");
  if (!select) return select.error();
  std::vector<int> years;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return row.error();
    if (!*row) break;
    years.push_back(static_cast<int>((*select)->integer(0)));
  }
  (*select)->reset();
  return years;
}

Result<std::optional<Store::CachedHistory>> Store::cached_history(const std::string& record_id) const {
  auto select = db_->prepare("SELECT entries, fetched_at FROM record_history WHERE record_id = ?");
  if (!select) return select.error();
  auto row = (*select)->bind(1, record_id).step();
  if (!row) return row.error();
  std::optional<CachedHistory> cached;
  if (*row) cached = CachedHistory{(*select)->text(0), (*select)->text(1)};
  (*select)->reset();
  return cached;
}

Status Store::cache_history(const std::string& record_id, const std::string& entries) {
  auto upsert = db_->prepare("INSERT OR REPLACE INTO record_history(record_id, entries, fetched_at) VALUES(?, ?, ?)");
  if (!upsert) return upsert.error();
  return (*upsert)->bind(1, record_id).bind(2, entries).bind(3, now_iso8601()).run();
}

}  // namespace tsunagi
