// What the collector does with one pushed revision, whatever stores it: check it, authorise it, merge it with the
// stored version. Pure functions; a store calls them inside its write transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collector/store.hpp"
#include "model/merge.hpp"
#include "model/record.hpp"
#include "model/reference.hpp"
#include "model/report_entry.hpp"
#include "model/review.hpp"
#include "sync/protocol.hpp"

namespace tsunagi::sync {

struct RevisionDecision {
  PushResult result;
  std::optional<Record> to_store;        // the merged record to write, when anything changed
  std::string document;                  // to_store as canonical JSON text
  bool exactly_as_sent = false;          // to_store is the pushed version itself: the pushing device need not pull it
  std::vector<FieldConflict> conflicts;  // the pushed values that lost to later changes, to keep
  // The stored values the pushed change replaced without having seen them, to keep as well. Who made each and
  // when it arrived are the store's to find (by the clock's device, from the revisions it recorded): here they are
  // the stored version's last writer, with device and `at` empty.
  std::vector<FieldConflict> overwritten;
};

// A revision checked on its own, before the store's write transaction (so that the lock is held for the merge
// and the writes only): its record decoded, its canonical text, and the hash verified.
struct CheckedRevision {
  std::string id;
  std::string hlc;
  std::string base;
  Record record;
  std::string canonical;       // the record's canonical JSON text, over which the hash is
  std::optional<Error> error;  // why it is rejected already
};
// Rejects a record that does not decode, does not match its id, clock or hash, or whose clocks are not clocks.
// (A clock from the future refuses the whole request: future_clock_refusal.)
CheckedRevision check_revision(Revision revision);

// clock.future when a revision's clock runs more than kMaxClockAheadMs ahead of `now_ms`: the device's clock is
// wrong, and every device that pulled the revision would jump ahead with it. Nothing of the request is stored.
std::optional<Error> future_clock_refusal(const std::vector<Revision>& revisions, std::int64_t now_ms);

// For a revision the store has seen before (same id and clock): the refusal to answer instead of already_stored
// when `who` may not write the record (staff and another's record), or nothing.
std::optional<Error> refuse_known_revision(const Principal& who, const std::optional<Record>& stored);

// Decides a checked revision that the store has not seen before (same id and clock), given the stored version of
// the record, if any. Rejects what check_revision rejected, what the user may not write (staff write only their
// own records, never an approved one: auth.locked; only supervisors approve or return), a change of author
// (auth.author), and a merged result that is invalid while not a draft. Sets `updated_by` to the token's user.
// `saw` tells which stored changes the pushing device had received (merge_records; nullptr: judged by its base).
// With `reference`, a record that is not a draft must also refer only to entries it knows (validate_record).
// A review decision (review_refusal: only a submitted record is approved or returned, only an approved one reopened,
// never one's own approved) needs its reason for a return or reopening: `has_reason` says whether `who` gave a
// comment naming the decision and a clock in (base, hlc] of this revision (nullptr: none given).
using ReasonGiven = std::function<bool(ReviewDecision decision, const std::string& base, const std::string& hlc)>;
RevisionDecision decide_revision(const Principal& who, CheckedRevision& revision, const std::optional<Record>& stored,
                                 const SawChange& saw = nullptr, const ReferenceData* reference = nullptr,
                                 const ReasonGiven& has_reason = nullptr);

// Why `who` may not comment on `record` (nullopt: stored or unknown record), or nullopt: a comment goes on a record
// its writer may see. An unknown record and one not visible get the same answer (comment.record_unknown), so that a
// comment tells nothing about records one may not see.
std::optional<Error> comment_refusal(const Principal& who, const std::optional<Record>& record,
                                     const ReferenceData& reference);

// Why `who` may not write the report entry `entry`, or nullopt: only a supervisor or an admin writes the progress
// management table and hand-entered actuals (report_entry.role), and one with a council only that council's
// (report_entry.council).
std::optional<Error> report_entry_refusal(const Principal& who, const ReportEntry& entry);
// Who sees what, stated once: the values a record's (and a report entry's) stored columns are tested against.
// may_see and may_see_report_entry apply it to one record; each store translates the same values into the query of
// its pull (store_sqlite: visible_sql), and the agreement test (tests/test_collector_rules.cpp) pulls as every kind of
// user and compares with may_see.
//  - admins, and supervisors with no council, no team and no committees (the city's), see everything;
//  - everyone sees what they wrote; a team's supervisor also what that team's staff (the reference data's staff
//    list) wrote;
//  - a council's supervisor sees every record of that council;
//  - a supervisor of a team (an area) and committees sees every record of those areas (and the areas below) and
//    committees; staff see the meetings of their team's areas and of their committees.
// Report entries: every user of a council receives that council's and the city's (no council); users with no
// council receive every council's.
struct Visibility {
  bool everything = false;
  std::vector<std::string> authors;     // records written by these names
  std::string council;                  // every record of this council (empty: none by council)
  bool meetings_only = false;           // areas and committees show meetings only
  std::vector<std::string> areas;       // records in any of these areas (ids and names: records before ids hold names)
  std::vector<std::string> committees;  // records of any of these committees (ids and names)
  std::string entries_council;          // report entries of this council and the city's (empty: every council's)

  bool admits(const Record& record) const;
  bool admits_report_entry(const std::string& council) const;
};
Visibility visibility(const Principal& who, const ReferenceData& reference);

// visibility(who, reference) applied to one record, or to one report entry of `council`.
bool may_see(const Principal& who, const Record& record, const ReferenceData& reference);
bool may_see_report_entry(const Principal& who, const std::string& council);
bool supervises_all(const Principal& who);
// The names of the staff of the areas a supervisor's team covers (empty for anyone else).
std::vector<std::string> supervised_staff(const Principal& who, const ReferenceData& reference);
// The values of a record's areas and committees that put a meeting in a staff member's view: the ids of their
// team's area and every area below it, and of their committees (a user's committees name ids or names), each with
// its name too (records written before ids hold names).
std::vector<std::string> visible_areas(const Principal& who, const ReferenceData& reference);
std::vector<std::string> visible_committees(const Principal& who, const ReferenceData& reference);

}  // namespace tsunagi::sync
