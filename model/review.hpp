// Review: the comments on a record (a thread of their own, never a field of the record, so that two people
// commenting apart never conflict) and a supervisor's decisions (approve, return, reopen), with the rules both the
// device and the collector apply. And a record's history: every stored change with who, where and when, and each
// changed field from what to what.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/record.hpp"
#include "model/text_diff.hpp"

namespace tsunagi {

// One comment on a record. Append-only: made once on one device, never edited or deleted, so comments merge by
// their id alone. The collector fills in who wrote it, in what role and on which device, from the token.
struct Comment {
  std::string id;         // UUIDv7, made on the device
  std::string record_id;
  std::string text;
  std::string decision;   // "" (a comment), or the decision it gives the reason for: "approved", "returned", "reopened"
  std::string revision;   // with a decision: the record's clock the decision was made at
  std::string author;
  std::string role;       // "staff", "supervisor", "admin"
  std::string device;     // the collector's id of the device it was written on
  std::string device_name;
  std::string time;       // when it was written, ISO 8601 UTC
  bool operator==(const Comment&) const = default;
};

nlohmann::json comment_to_json(const Comment& comment);
// Reads a comment, naming the path of what is wrong; the text must be 1..20,000 characters of valid UTF-8.
Result<Comment> comment_from_json(const nlohmann::json& object, const std::string& path);
// Comments in thread order: by time, then id.
void sort_comments(std::vector<Comment>& comments);

// Why `editor` may not apply `patch` (a partial record, as `record edit` takes it) to `stored`, or nullopt: what
// waits for review stays as the reviewer reads it, so its author withdraws it to a draft to change it (in the same
// patch, {"status": "draft", ...}, as the window's 下書きに戻す does first) and submits it again. Someone else's
// change (a supervisor's) is the collector's to judge, and shows in the history as theirs.
std::optional<Error> submitted_edit_refusal(const Record& stored, const nlohmann::json& patch, const std::string& editor);

enum class ReviewDecision { Approve, Return, Reopen };
std::string_view decision_name(ReviewDecision decision);  // "approved", "returned", "reopened"
std::optional<ReviewDecision> parse_decision(std::string_view name);
// The status a decision gives a record: approved, or returned (a reopened record goes back to its author).
ReviewStatus status_after(ReviewDecision decision);
// The decision that changing a record's status from `before` to `after` makes, if any: submitted → approved is an
// approval, submitted → returned a return, approved → anything else a reopening.
std::optional<ReviewDecision> decision_between(ReviewStatus before, ReviewStatus after);
// Why `reviewer` may not make `decision` on `record`, or nullopt: only a submitted record is approved or returned
// (review.not_submitted), only an approved one reopened (review.not_approved), a return or reopening needs a
// comment (review.comment_required), and nobody approves a record they wrote (review.own_record: a second
// supervisor must). Who holds the supervisor's role is the caller's to check.
std::optional<Error> review_refusal(const Record& record, ReviewDecision decision, const std::string& reviewer,
                                    bool has_comment);

// --- History ---

// One field changed: its value before and after (null when unset), and for text a word-level diff.
struct FieldChange {
  std::string field;
  nlohmann::json from;
  nlohmann::json to;
  std::vector<DiffPiece> diff;  // text fields only
};
// The fields whose values differ between `before` and `after` (every field set, when there is no before), in
// export order; bookkeeping (clocks, times, device, who changed it) is not compared.
std::vector<FieldChange> record_changes(const Record* before, const Record& after);

// One entry of a record's history.
struct HistoryEntry {
  std::string kind;  // "created", "changed", "decision" (a review decision), "conflict" (a value that lost a merge)
  std::string who;
  std::string role;
  std::string device;  // the collector's device id
  std::string device_name;
  std::string time;  // ISO 8601 UTC, when it reached the collector
  std::string decision;  // for "decision": approved, returned, reopened
  std::string comment;   // for "decision": the reason given
  std::vector<FieldChange> changes;
  bool edited_by_other = false;  // someone other than the author changed the content
};
nlohmann::json history_entry_json(const HistoryEntry& entry);
Result<HistoryEntry> history_entry_from_json(const nlohmann::json& object, const std::string& path);
nlohmann::json history_json(const std::vector<HistoryEntry>& entries);
Result<std::vector<HistoryEntry>> history_from_json(const nlohmann::json& list);

}  // namespace tsunagi
