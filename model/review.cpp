#include "model/review.hpp"

#include <set>

#include <algorithm>
#include <array>

#include "model/ids.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxCommentLength = 20000;  // characters

Error field_error(const std::string& path, const char* message, const char* message_ja) {
  return make_error("json.type", path, message, message_ja);
}

// Reads the string member `name` of `object` into `out` (absent or null: empty).
std::optional<Error> read_text(const json& object, const char* name, const std::string& path, std::string& out) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return field_error(path + "/" + name, "expected a string", "文字列が必要です");
  out = it->get<std::string>();
  return std::nullopt;
}

}  // namespace

json comment_to_json(const Comment& c) {
  json out = {{"id", c.id}, {"record_id", c.record_id}, {"text", c.text}, {"time", c.time}};
  const std::pair<const char*, const std::string*> optional[] = {
      {"decision", &c.decision}, {"revision", &c.revision}, {"author", &c.author},
      {"role", &c.role},         {"device", &c.device},     {"device_name", &c.device_name}};
  for (const auto& [name, value] : optional)
    if (!value->empty()) out[name] = *value;
  return out;
}

Result<Comment> comment_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return field_error(path, "expected an object", "オブジェクトが必要です");
  static const std::array<std::string_view, 10> kMembers{"id",   "record_id", "text",   "decision",    "revision",
                                                         "author", "role",    "device", "device_name", "time"};
  for (const auto& [key, value] : object.items())
    if (std::find(kMembers.begin(), kMembers.end(), key) == kMembers.end())
      return make_error("protocol.member", path + "/" + key, "not a member of a comment", "コメントにない項目です");
  Comment c;
  const std::pair<const char*, std::string*> members[] = {
      {"id", &c.id},         {"record_id", &c.record_id}, {"text", &c.text},     {"decision", &c.decision},
      {"revision", &c.revision}, {"author", &c.author},   {"role", &c.role},     {"device", &c.device},
      {"device_name", &c.device_name}, {"time", &c.time}};
  for (const auto& [name, value] : members)
    if (auto error = read_text(object, name, path, *value)) return *error;
  if (!is_uuid(c.id)) return make_error("protocol.field", path + "/id", "a comment's id is a UUID", "コメントのIDが正しくありません");
  if (c.record_id.empty())
    return make_error("protocol.field", path + "/record_id", "a comment names its record", "コメントの記録が指定されていません");
  if (!is_valid_utf8(c.text)) return make_error("utf8.invalid", path + "/text", "invalid UTF-8", "文字コードが正しくありません");
  const std::size_t length = utf8_length(c.text);
  if (trim(c.text).empty())
    return make_error("comment.empty", path + "/text", "a comment needs text", "コメントを入力してください");
  if (length > kMaxCommentLength)
    return make_error("comment.too_long", path + "/text", "a comment is at most 20,000 characters",
                      "コメントは20,000文字までです");
  if (!c.decision.empty() && !parse_decision(c.decision))
    return make_error("protocol.field", path + "/decision", "not a review decision", "確認の判断ではありません");
  return c;
}

void sort_comments(std::vector<Comment>& comments) {
  std::sort(comments.begin(), comments.end(),
            [](const Comment& a, const Comment& b) { return std::tie(a.time, a.id) < std::tie(b.time, b.id); });
}

// Indexed by ReviewDecision, in declaration order.
constexpr std::array<std::string_view, 3> kDecisionNames{"approved", "returned", "reopened"};

std::string_view decision_name(ReviewDecision decision) { return kDecisionNames.at(static_cast<std::size_t>(decision)); }

std::optional<ReviewDecision> parse_decision(std::string_view name) {
  auto it = std::find(kDecisionNames.begin(), kDecisionNames.end(), name);
  if (it == kDecisionNames.end()) return std::nullopt;
  return static_cast<ReviewDecision>(it - kDecisionNames.begin());
}

ReviewStatus status_after(ReviewDecision decision) {
  return decision == ReviewDecision::Approve ? ReviewStatus::Approved : ReviewStatus::Returned;
}

std::optional<ReviewDecision> decision_between(ReviewStatus before, ReviewStatus after) {
  if (before == after) return std::nullopt;
  if (before == ReviewStatus::Approved) return ReviewDecision::Reopen;
  if (after == ReviewStatus::Approved) return ReviewDecision::Approve;
  if (after == ReviewStatus::Returned) return ReviewDecision::Return;
  return std::nullopt;
}

std::optional<Error> submitted_edit_refusal(const Record& stored, const nlohmann::json& patch, const std::string& editor) {
  if (stored.status != ReviewStatus::Submitted || stored.author != editor || !patch.is_object()) return std::nullopt;
  if (patch.value("status", std::string()) == "draft") return std::nullopt;
  for (const auto& [field, value] : patch.items())
    if (field != "status")
      return make_error("review.withdraw_first", "/status",
                        "the record is submitted and waits for review: withdraw it to a draft (\"status\": \"draft\") "
                        "to change it, then submit it again",
                        "提出済みの記録は確認待ちのため、そのままでは変更できません。下書きに戻して（\"status\": \"draft\"）"
                        "変更し、もう一度提出してください");
  return std::nullopt;
}

std::optional<Error> review_refusal(const Record& record, ReviewDecision decision, const std::string& reviewer,
                                    bool has_comment) {
  if (record.deleted)
    return make_error("review.deleted", "/deleted", "the record was deleted", "この記録は削除されています");
  if (decision == ReviewDecision::Reopen) {
    if (record.status != ReviewStatus::Approved)
      return make_error("review.not_approved", "/status", "only an approved record is reopened",
                        "再開できるのは承認済みの記録だけです");
  } else if (record.status != ReviewStatus::Submitted) {
    return make_error("review.not_submitted", "/status", "only a submitted record is approved or returned",
                      "承認・差し戻しできるのは提出済みの記録だけです");
  }
  if (decision == ReviewDecision::Approve && record.author == reviewer)
    return make_error("review.own_record", "/author", "nobody approves a record they wrote: another supervisor must",
                      "自分が書いた記録は承認できません（別の管理者が承認します）");
  if (decision != ReviewDecision::Approve && !has_comment)
    return make_error("review.comment_required", "/comment", "say why in a comment",
                      "理由をコメントに書いてください");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------------------------

std::vector<FieldChange> record_changes(const Record* before, const Record& after) {
  std::vector<FieldChange> changes;
  auto compare = [&](const std::string& field, json from, json to) {
    if (from == to) return;
    if (!before && (to.is_null() || (to.is_string() && to.get_ref<const std::string&>().empty()) ||
                    (to.is_array() && to.empty()) || to == false))
      return;  // a new record lists what it sets
    FieldChange change{field, std::move(from), std::move(to), {}};
    // Prose changes show word by word; codes, dates and names are simply from → to, and a new text is all new.
    static const std::set<std::string, std::less<>> prose{"title", "purpose", "outcome", "content", "minutes",
                                                          "issues", "policy", "venue", "place", "referral"};
    if (prose.count(field) && change.to.is_string() && change.from.is_string() &&
        !change.from.get_ref<const std::string&>().empty())
      change.diff = word_diff(change.from.get_ref<const std::string&>(), change.to.get_ref<const std::string&>());
    changes.push_back(std::move(change));
  };
  for (const std::string& field : all_record_fields()) {
    if (field == "author") continue;  // never changes
    json to = field_value(after, field);
    json from = before ? field_value(*before, field) : json(nullptr);
    compare(field, std::move(from), std::move(to));
  }
  compare("deleted", before ? json(before->deleted) : json(nullptr), json(after.deleted));
  return changes;
}

json history_entry_json(const HistoryEntry& e) {
  json changes = json::array();
  for (const FieldChange& change : e.changes) {
    json item = {{"field", change.field}, {"from", change.from}, {"to", change.to}};
    if (!change.diff.empty()) item["diff"] = diff_json(change.diff);
    changes.push_back(std::move(item));
  }
  json out = {{"kind", e.kind}, {"who", e.who},   {"role", e.role},       {"device", e.device},
              {"device_name", e.device_name},     {"time", e.time},       {"changes", std::move(changes)}};
  if (!e.decision.empty()) out["decision"] = e.decision;
  if (!e.comment.empty()) out["comment"] = e.comment;
  if (e.edited_by_other) out["edited_by_other"] = true;
  return out;
}

Result<HistoryEntry> history_entry_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return field_error(path, "expected an object", "オブジェクトが必要です");
  HistoryEntry e;
  const std::pair<const char*, std::string*> members[] = {
      {"kind", &e.kind}, {"who", &e.who},   {"role", &e.role},         {"device", &e.device},
      {"device_name", &e.device_name},      {"time", &e.time},         {"decision", &e.decision},
      {"comment", &e.comment}};
  for (const auto& [name, value] : members)
    if (auto error = read_text(object, name, path, *value)) return *error;
  // Read by hand: json::value() throws on a wrong type, and this reads the collector's answer.
  if (auto flag = object.find("edited_by_other"); flag != object.end() && !flag->is_null()) {
    if (!flag->is_boolean())
      return field_error(path + "/edited_by_other", "expected true or false", "true または falseが必要です");
    e.edited_by_other = flag->get<bool>();
  }
  auto changes = object.find("changes");
  if (changes != object.end() && changes->is_array()) {
    for (const json& item : *changes) {
      if (!item.is_object() || !item.contains("field") || !item["field"].is_string())
        return field_error(path + "/changes", "expected changes with a field", "変更の項目名が必要です");
      FieldChange change{item["field"].get<std::string>(), item.value("from", json()), item.value("to", json()), {}};
      if (auto diff = item.find("diff"); diff != item.end() && diff->is_array())
        for (const json& piece : *diff) {
          if (!piece.is_array() || piece.size() != 2 || !piece[0].is_string() || !piece[1].is_string()) continue;
          const std::string op = piece[0].get<std::string>();
          change.diff.push_back({op == "-" ? DiffOp::Removed : op == "+" ? DiffOp::Added : DiffOp::Same,
                                 piece[1].get<std::string>()});
        }
      e.changes.push_back(std::move(change));
    }
  }
  return e;
}

json history_json(const std::vector<HistoryEntry>& entries) {
  json out = json::array();
  for (const HistoryEntry& entry : entries) out.push_back(history_entry_json(entry));
  return out;
}

Result<std::vector<HistoryEntry>> history_from_json(const json& list) {
  if (!list.is_array()) return field_error("", "expected an array", "配列が必要です");
  std::vector<HistoryEntry> entries;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto entry = history_entry_from_json(list[i], "/" + std::to_string(i));
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

}  // namespace tsunagi
