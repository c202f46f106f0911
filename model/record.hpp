// The kinds of field record (meeting, case review, outreach, and other initiatives: a guide produced, a survey, a
// desk opened) and their parts, as DOMAIN.md describes them.
// Values are kept as the user gave them (dates as ISO strings) so that a draft with a half-typed field can still be
// stored; validation.hpp says what is wrong with a record.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/calendar.hpp"

namespace tsunagi {

enum class RecordKind { Meeting, CaseReview, Outreach, Initiative };
enum class ReviewStatus { Draft, Submitted, Returned, Approved };
enum class MeetingType {
  Plenary,
  Steering,
  Committee,
  Subcommittee,
  Liaison,
  Network,
  WorkingTeam,
  Training,
  Seminar,
  Exchange,
  Event,      // 啓発イベント
  Symposium,  // シンポジウム
  PeerSalon   // ピアサロン
};
enum class MeetingFormat { InPerson, Online, Written, Hybrid, OnDemand };
// Whether the team held a meeting (主催), attended another's (参加) or held it with others (共催).
enum class Participation { Held, Attended, CoHosted };

enum class ReviewType { CaseConference, CaseStudy, GroupSupervision };
enum class VisitType { Home, Provider, OnSiteConsultation, Rounds, Monitoring, School, Hospital, CommunityMeeting };

// The wire names of each enum, in declaration order. enum_name/parse_enum convert; every enum above has a table.
template <class E>
struct EnumNames;
template <>
struct EnumNames<RecordKind> {
  static constexpr std::array<std::string_view, 4> names{"meeting", "case_review", "outreach", "initiative"};
};
template <>
struct EnumNames<ReviewStatus> {
  static constexpr std::array<std::string_view, 4> names{"draft", "submitted", "returned", "approved"};
};
template <>
struct EnumNames<MeetingType> {
  static constexpr std::array<std::string_view, 13> names{
      "plenary", "steering", "committee", "subcommittee", "liaison", "network",   "working_team",
      "training", "seminar", "exchange",  "event",        "symposium", "peer_salon"};
};
template <>
struct EnumNames<MeetingFormat> {
  static constexpr std::array<std::string_view, 5> names{"in_person", "online", "written", "hybrid", "on_demand"};
};
template <>
struct EnumNames<Participation> {
  static constexpr std::array<std::string_view, 3> names{"held", "attended", "co_hosted"};
};
template <>
struct EnumNames<DatePrecision> {
  static constexpr std::array<std::string_view, 4> names{"day", "month", "fiscal_year", "period"};
};
template <>
struct EnumNames<ReviewType> {
  static constexpr std::array<std::string_view, 3> names{"case_conference", "case_study", "group_supervision"};
};
template <>
struct EnumNames<VisitType> {
  static constexpr std::array<std::string_view, 8> names{
      "home", "provider", "on_site_consultation", "rounds", "monitoring", "school", "hospital", "community_meeting"};
};

template <class E>
std::string_view enum_name(E value) {
  return EnumNames<E>::names[static_cast<std::size_t>(value)];
}
template <class E>
std::optional<E> parse_enum(std::string_view name) {
  const auto& names = EnumNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}
template <class E>
constexpr std::size_t enum_count() {
  return EnumNames<E>::names.size();
}

// What keeps an item of a list (agenda items, roles, follow-ups) the same item while it is edited, moved or merged
// with another device's changes: an id made when it is first stored, and a position that orders the list
// (items sort by position, then id; a move changes the moved item's position only). Set by normalize_record.
struct ListItemKey {
  std::string id;
  std::int64_t pos = 0;
  bool operator==(const ListItemKey&) const = default;
};

struct FollowUp {
  std::string action;
  std::string owner;
  std::string due;  // ISO date or empty
  bool done = false;
  ListItemKey key;
  bool operator==(const FollowUp&) const = default;
};

struct AgendaItem {
  std::string title;
  std::string summary;
  std::string decision;
  std::string work_item;  // the work item (事業項目) it served, by id
  ListItemKey key = {};
  bool operator==(const AgendaItem&) const = default;
};

struct RoleAssignment {
  std::string agency;
  std::string role;
  ListItemKey key;
  bool operator==(const RoleAssignment&) const = default;
};

struct MeetingDetails {
  std::optional<MeetingType> meeting_type;
  std::optional<MeetingFormat> format;
  std::string venue;
  std::vector<AgendaItem> agenda;
  std::string minutes;
  std::string next_date;  // ISO date or empty
  bool operator==(const MeetingDetails&) const = default;
};

struct CaseReviewDetails {
  std::string case_code;  // pseudonymous; never a full name by default; empty for a thematic review
  std::optional<ReviewType> review_type;
  std::string presenting_agency;
  std::string issues;
  std::string policy;  // 支援方針
  std::vector<RoleAssignment> roles;
  std::string next_review;  // ISO date or empty
  bool people_concerned_attended = false;  // 当事者 took part
  bool operator==(const CaseReviewDetails&) const = default;
};

struct OutreachDetails {
  std::optional<VisitType> visit_type;
  std::string place;
  std::optional<int> people_met;
  std::optional<int> duration_minutes;
  std::string referral;
  bool follow_up_needed = false;
  bool operator==(const OutreachDetails&) const = default;
};

// References to reference data (reference.hpp) are stored as ids and shown as names; a value that matches no entry
// is kept as typed (an organisation not yet registered, a name from before ids).

struct Record {
  std::string id;  // UUIDv7, made on the device
  RecordKind kind = RecordKind::Meeting;
  std::string council;  // the council (自立支援協議会) it belongs to, by id
  std::string date;     // ISO YYYY-MM-DD: the day, or the first day of the month, fiscal year or period
  std::string date_end;  // ISO: the last day of the month, fiscal year or period; empty for a day
  DatePrecision date_precision = DatePrecision::Day;
  std::string start_time;  // HH:MM or empty
  std::string end_time;    // HH:MM or empty
  std::string title;
  std::vector<std::string> areas;          // ids; a record in several wards counts once in each
  std::vector<std::string> themes;         // ids
  std::vector<std::string> committees;     // ids: a joint meeting names each; any kind may serve a committee
  std::vector<std::string> organizations;  // ids, or free text for one not registered (shown as 未登録)
  std::vector<std::string> work_items;     // ids of work items (事業項目) and projects (事業) it served
  std::optional<int> participant_count;
  std::optional<int> occurrences;  // 回数: how many sessions the record stands for (年7回); unset = 1
  std::optional<Participation> participation;
  std::string purpose;  // 目的・ねらい
  std::string outcome;  // 成果
  std::string content;  // what was done (outreach and initiatives)
  std::vector<FollowUp> follow_ups;
  ReviewStatus status = ReviewStatus::Draft;
  std::string author;      // who wrote the record
  std::string updated_by;  // who made the last change
  std::string device;      // device of the last change
  std::string created_at;  // ISO 8601 UTC
  std::string updated_at;
  bool deleted = false;  // a tombstone: kept so that the deletion syncs

  MeetingDetails meeting;         // used when kind == Meeting
  CaseReviewDetails case_review;  // used when kind == CaseReview
  OutreachDetails outreach;       // used when kind == Outreach
  // Initiatives (その他の取組) have the common fields only.

  // Hybrid logical clocks: the record's latest change, and per field the change that last set it. A field without
  // an entry was last set when the record was made, at field_clocks["*"].
  std::string clock;
  std::map<std::string, std::string> field_clocks;

  // Fields this version does not know, kept verbatim so that a newer client's data survives a round trip here.
  nlohmann::json unknown = nlohmann::json::object();

  bool operator==(const Record&) const = default;
};

// How many sessions the record counts for (occurrences, 1 when unset).
int occurrence_count(const Record& record);

// The JSON field names that belong to `kind`: the common ones and that kind's own, in export order.
const std::vector<std::string>& record_fields(RecordKind kind);
// Every text a person typed into the record, joined by newlines: what full-text search indexes.
std::string searchable_text(const Record& record);

}  // namespace tsunagi
