#include "collector/rules.hpp"

#include <algorithm>
#include <array>

#include "model/clock.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/merge.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"

namespace tsunagi::sync {

// Indexed by Role, in declaration order.
constexpr std::array<std::string_view, 3> kRoleNames{"staff", "supervisor", "admin"};

std::string_view role_name(Role role) { return kRoleNames.at(static_cast<std::size_t>(role)); }

std::optional<Role> parse_role(std::string_view name) {
  auto known = std::find(kRoleNames.begin(), kRoleNames.end(), name);
  if (known == kRoleNames.end()) return std::nullopt;
  return static_cast<Role>(known - kRoleNames.begin());
}

namespace {

RevisionDecision reject(const CheckedRevision& revision, Error error) {
  RevisionDecision decision;
  decision.result.id = revision.id;
  decision.result.hlc = revision.hlc;
  decision.result.status = PushStatus::Rejected;
  decision.result.error = std::move(error);
  return decision;
}

Error not_yours() {
  return make_error("auth.forbidden", "/record/author", "staff may change only their own records",
                    "職員は自分の記録だけを変更できます");
}

Error bad_clock(const std::string& path) {
  return make_error("protocol.clock", path, "not a clock (13 digits, 4 and 8 lower-case hex digits) or later than hlc",
                    "時刻印の形式が正しくありません");
}

// Every clock of a revision is one (Hlc::parse), and no field's is later than the record's: the collector orders
// fields by comparing these texts, so one malformed or oversized value would win every merge.
std::optional<Error> check_clocks(const CheckedRevision& revision) {
  if (!Hlc::parse(revision.hlc)) return bad_clock("/hlc");
  if (!revision.base.empty() && !Hlc::parse(revision.base)) return bad_clock("/base");
  for (const auto& [field, clock] : revision.record.field_clocks)
    if (!Hlc::parse(clock) || clock > revision.hlc) return bad_clock("/record/field_hlc/" + field);
  return std::nullopt;
}

bool is_review_decision(ReviewStatus status) {
  return status == ReviewStatus::Approved || status == ReviewStatus::Returned;
}

}  // namespace

CheckedRevision check_revision(Revision revision) {
  CheckedRevision checked{std::move(revision.id), std::move(revision.hlc), std::move(revision.base), {}, {}, {}};
  if (revision.decoded) {
    checked.record = std::move(*revision.decoded);  // read from the request's text (read_plain_push_request)
  } else {
    auto parsed = record_from_json(revision.record, "/record");
    if (!parsed) {
      checked.error = parsed.error();
      return checked;
    }
    checked.record = std::move(*parsed);
  }
  if (checked.record.id != checked.id) {
    checked.error = make_error("protocol.mismatch", "/record/id", "the record's id is not the revision's",
                               "記録のIDが送信内容と一致しません");
  } else if (checked.record.clock != checked.hlc) {
    checked.error = make_error("protocol.mismatch", "/record/hlc", "the record's clock is not the revision's",
                               "記録の時刻印が送信内容と一致しません");
  } else if (auto clock_error = check_clocks(checked)) {
    checked.error = std::move(clock_error);
  } else {
    // Keys sorted, compact: what the hash is over.
    checked.canonical = revision.decoded ? std::move(revision.canonical) : to_json_text(revision.record);
    if (content_hash_of_text(checked.canonical) != revision.hash)
      checked.error = make_error("protocol.hash", "/hash", "the content hash does not match: damaged on the way",
                                 "内容のハッシュが一致しません（送信中に破損）");
  }
  return checked;
}

std::optional<Error> future_clock_refusal(const std::vector<Revision>& revisions, std::int64_t now_ms) {
  for (const Revision& revision : revisions) {
    auto clock = Hlc::parse(revision.hlc);
    if (!clock || clock->wall_ms <= now_ms + kMaxClockAheadMs) continue;
    const std::string now = iso8601_of_unix_ms(now_ms);
    return make_error(
        "clock.future", "/hlc",
        "the device's clock runs ahead of the collector's (" + now + "): set the date and time right",
        "端末の時計が集約サーバーの時刻（" + now + "）より進んでいます。日付と時刻の設定を直してください");
  }
  return std::nullopt;
}

std::optional<Error> refuse_known_revision(const Principal& who, const std::optional<Record>& stored) {
  // The same answer as for a record the user may not write, so that a pushed (id, clock) tells a staff member
  // nothing about records that are not theirs.
  if (who.user.role == Role::Staff && stored && stored->author != who.user.name) return not_yours();
  return std::nullopt;
}

RevisionDecision decide_revision(const Principal& who, CheckedRevision& revision, const std::optional<Record>& stored,
                                 const SawChange& saw, const ReferenceData* reference, const ReasonGiven& has_reason) {
  if (revision.error) return reject(revision, *revision.error);
  Record& incoming = revision.record;
  bool staff = who.user.role == Role::Staff;
  // Staff create records as themselves and change only their own; supervisors may enter a record for a member of
  // staff (a paper record typed in at the office), which is then that person's.
  const std::string& owner = stored ? stored->author : incoming.author;
  if (staff && owner != who.user.name) return reject(revision, not_yours());
  // A supervisor of some teams and committees decides on what they supervise, nothing else.
  if (!staff && stored && reference && !may_see(who, *stored, *reference)) return reject(revision, not_yours());
  // Who changed it is the token's user, whatever the device wrote: the text is printed again when it differs.
  bool rewritten = false;
  if (incoming.updated_by != who.user.name) {
    incoming.updated_by = who.user.name;
    rewritten = true;
  }

  RevisionDecision decision;
  decision.result.id = revision.id;
  decision.result.hlc = revision.hlc;
  std::optional<Record> merged_with_stored;  // a new record is stored as it came, without a copy
  if (stored) {
    auto merge = merge_records(*stored, incoming, revision.base, saw);
    if (!merge) return reject(revision, merge.error());
    if (merge->taken.empty() && merge->advanced.empty() && merge->lost.empty()) {
      decision.result.status = PushStatus::AlreadyStored;  // nothing newer than what is stored
      return decision;
    }
    if (staff && stored->status == ReviewStatus::Approved)
      return reject(revision, make_error("auth.locked", "/record/status",
                                         "the record is approved: staff cannot change it (a supervisor can reopen it)",
                                         "承認済みの記録は変更できません（管理者が再開すると変更できます）"));
    merged_with_stored = std::move(merge->merged);
    if (merged_with_stored->author != stored->author)
      return reject(revision, make_error("auth.author", "/record/author", "a record's author cannot change",
                                         "記録の作成者は変更できません"));
    if (!merge->lost.empty()) {
      decision.result.status = PushStatus::Conflict;
      // Each value that lost is kept, with who changed it and where, until someone resolves it.
      for (const std::string& field : merge->lost)
        decision.conflicts.push_back({incoming.id, field, merge_value(incoming, field), field_clock(incoming, field),
                                      field_clock(*merged_with_stored, field), who.user.name, who.device.id,
                                      now_iso8601()});
      decision.result.lost = std::move(merge->lost);
    }
    for (const MergeResult::Overwritten& replaced : merge->overwritten)
      decision.overwritten.push_back({incoming.id, replaced.field, merge_value(*stored, replaced.field), replaced.clock,
                                      field_clock(*merged_with_stored, replaced.field), stored->updated_by, "", ""});
  }
  const Record& merged = merged_with_stored ? *merged_with_stored : incoming;
  bool status_changed = !stored || stored->status != merged.status;
  if (staff && status_changed && is_review_decision(merged.status))
    return reject(revision, make_error("auth.review", "/record/status", "only supervisors approve or return records",
                                       "承認・差し戻しは管理者だけが行えます"));
  // A decision is judged against the version it was made on: the stored one. A new record that arrives decided
  // (a paper record a supervisor typed in for a member of staff and decided offline) was submitted first.
  const ReviewStatus before =
      stored ? stored->status : (is_review_decision(merged.status) ? ReviewStatus::Submitted : ReviewStatus::Draft);
  if (status_changed && !staff && before == ReviewStatus::Submitted && merged.status == ReviewStatus::Draft &&
      owner != who.user.name)
    return reject(revision,
                  make_error("review.use_return", "/record/status",
                             "someone else's submitted record goes back by a return, with a comment saying why",
                             "他の人が提出した記録は下書きに戻せません。差し戻し（理由を添えて）を使ってください"));
  if (status_changed && !staff) {
    if (auto decision = decision_between(before, merged.status)) {
      Record judged = stored ? *stored : merged;
      judged.status = before;
      const bool reason = has_reason && has_reason(*decision, revision.base, revision.hlc);
      if (auto refusal = review_refusal(judged, *decision, who.user.name, reason)) {
        refusal->path = "/record" + refusal->path;
        return reject(revision, std::move(*refusal));
      }
    }
  }
  if (!merged.deleted && merged.status != ReviewStatus::Draft) {
    for (const auto& issue : validate_record(merged, reference)) {
      if (issue.severity != Severity::Error) continue;
      return reject(revision, make_error("record.invalid", "/record" + issue.path, issue.message, issue.message_ja));
    }
  }
  decision.exactly_as_sent = !rewritten && (!merged_with_stored || merged == incoming);
  // The pushed text is the stored text when nothing was merged into it; it was canonical when it had our
  // fields only (a newer client's extra fields are kept too, and re-printed the same way).
  decision.document = decision.exactly_as_sent ? std::move(revision.canonical) : record_text(merged);
  decision.to_store = merged_with_stored ? std::move(*merged_with_stored) : std::move(incoming);
  return decision;
}

namespace {

// The ids and names of `ids` as the reference data has them.
std::vector<std::string> with_names(std::vector<std::string> ids, ReferenceKind kind, const ReferenceData& reference) {
  const std::size_t count = ids.size();
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = reference.name_of(kind, ids[i]);
    if (std::find(ids.begin(), ids.end(), name) == ids.end()) ids.push_back(std::move(name));
  }
  return ids;
}

bool any_of_in(const std::vector<std::string>& values, const std::vector<std::string>& allowed) {
  for (const auto& value : values)
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return true;
  return false;
}

}  // namespace

std::vector<std::string> visible_areas(const Principal& who, const ReferenceData& reference) {
  if (who.user.team.empty()) return {};
  auto ids = reference.area_and_descendants(who.user.team);
  if (ids.empty()) ids.push_back(who.user.team);
  return with_names(std::move(ids), ReferenceKind::Area, reference);
}

std::vector<std::string> visible_committees(const Principal& who, const ReferenceData& reference) {
  std::vector<std::string> ids;
  for (const auto& committee : who.user.committees) {
    auto matching = reference.matching_ids(ReferenceKind::Committee, committee);
    if (matching.empty()) matching.push_back(committee);
    ids.insert(ids.end(), matching.begin(), matching.end());
  }
  return with_names(std::move(ids), ReferenceKind::Committee, reference);
}

std::optional<Error> comment_refusal(const Principal& who, const std::optional<Record>& record,
                                     const ReferenceData& reference) {
  if (record && may_see(who, *record, reference)) return std::nullopt;
  return make_error("comment.record_unknown", "/record_id", "no such record (yet): send the record first",
                    "コメントの記録が集約サーバーにありません");
}

std::optional<Error> report_entry_refusal(const Principal& who, const ReportEntry& entry) {
  if (who.user.role != Role::Supervisor && who.user.role != Role::Admin)
    return make_error("report_entry.role", "/role", "only supervisors and admins write report entries",
                      "進捗状況と実績値は管理者だけが入力できます");
  if (!who.user.council.empty() && entry.council != who.user.council)
    return make_error("report_entry.council", "/council", "report entries are written for one's own council only",
                      "自分の協議会の報告だけを入力できます");
  return std::nullopt;
}

std::vector<std::string> supervised_staff(const Principal& who, const ReferenceData& reference) {
  std::vector<std::string> names;
  if (who.user.role != Role::Supervisor || who.user.team.empty()) return names;
  const std::vector<std::string> areas = visible_areas(who, reference);
  for (const StaffMember& member : reference.staff)
    if (std::find(areas.begin(), areas.end(), member.team) != areas.end()) names.push_back(member.name);
  return names;
}

bool supervises_all(const Principal& who) {
  return who.user.role == Role::Admin || (who.user.role == Role::Supervisor && who.user.team.empty() &&
                                          who.user.committees.empty() && who.user.council.empty());
}

Visibility visibility(const Principal& who, const ReferenceData& reference) {
  Visibility visible;
  visible.entries_council = who.user.council;
  if (supervises_all(who)) {
    visible.everything = true;
    return visible;
  }
  const bool supervisor = who.user.role == Role::Supervisor;
  visible.authors = {who.user.name};
  if (supervisor) {
    visible.council = who.user.council;
    for (std::string& name : supervised_staff(who, reference)) visible.authors.push_back(std::move(name));
  }
  visible.meetings_only = !supervisor;
  visible.areas = visible_areas(who, reference);
  visible.committees = visible_committees(who, reference);
  return visible;
}

bool Visibility::admits(const Record& record) const {
  if (everything || any_of_in({record.author}, authors)) return true;
  if (!council.empty() && record.council == council) return true;
  if (meetings_only && record.kind != RecordKind::Meeting) return false;
  return any_of_in(record.areas, areas) || any_of_in(record.committees, committees);
}

bool Visibility::admits_report_entry(const std::string& entry_council) const {
  return entry_council.empty() || entries_council.empty() || entry_council == entries_council;
}

bool may_see(const Principal& who, const Record& record, const ReferenceData& reference) {
  return visibility(who, reference).admits(record);
}

bool may_see_report_entry(const Principal& who, const std::string& council) {
  Visibility visible;
  visible.entries_council = who.user.council;
  return visible.admits_report_entry(council);
}

}  // namespace tsunagi::sync
