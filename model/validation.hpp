// What is wrong with a record, field by field, in English and Japanese. A draft may be saved with errors; a record
// with errors cannot be submitted. Warnings (a case code that looks like a person's name) never block.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/record.hpp"

namespace tsunagi {

struct ReferenceData;

enum class Severity { Error, Warning };

struct ValidationIssue {
  std::string path;  // "/end_time", "/agenda/1/title"
  std::string code;  // stable: "required", "date.invalid", "time.order", "case_code.looks_like_name", ...
  Severity severity = Severity::Error;
  std::string message;     // English
  std::string message_ja;  // Japanese
};

// Checks every field of `record` for its kind. With `reference`, also checks its references (council, areas,
// themes, committees, work items): an unknown one is an error once the record is submitted and a warning on a draft,
// naming the nearest known names; an organisation not in the reference data is a note (未登録), as free text is
// allowed there. Pure; thread-safe once `reference` is indexed.
std::vector<ValidationIssue> validate_record(const Record& record, const ReferenceData* reference = nullptr);

bool has_errors(const std::vector<ValidationIssue>& issues);

// The fields a record of `kind` must have before it is submitted, as validate_record requires them: "/title",
// "/body", and fields of repeatable items with "*" for the item ("/agenda/*/title"). For forms that mark them.
// A meeting of the council's own bodies (plenary, steering, committee...) must also name its committee: with
// `meeting_type`, the paths are those of such a meeting.
std::set<std::string> required_paths(RecordKind kind, std::optional<MeetingType> meeting_type = std::nullopt);

struct NormalizeOptions {
  std::optional<int> fiscal_year;  // dates written without a year ("4/17", "5月") are read within it
};

// Rewrites typed values into their stored forms, so that input in the seeds' forms is accepted: dates as
// parse_date_span reads them ("R5.7.3", "令和6年1月", "令和5年度", "R5.9.21～R5.12.19") -> ISO `date`, `date_end` and
// `date_precision`; times "9時30分", "午後1時30分" -> "13:30", and a range typed into the start time
// ("13：30～15：00") fills the end time too. Values that cannot be read stay as typed, for validate_record to report.
// Trims one-line fields; sorts the sets. Returns notes on what it read in a way worth telling (an old era past its
// end, "date.old_era"), as warnings.
std::vector<ValidationIssue> normalize_record(Record& record, const NormalizeOptions& options = {});

// Replaces the names in a record's references (council, areas, themes, committees, organisations, work items,
// agenda items' work items) by the ids they resolve to (ReferenceData::resolve, in the record's council); a value
// that resolves to nothing stays as typed, for validate_record to report. An empty council becomes
// `default_council`.
void resolve_references(Record& record, const ReferenceData& reference, const std::string& default_council = "");

// True when `code` looks like a person's full name rather than a pseudonymous case code: no digits, and either
// two name-like parts separated by a space or 3 to 8 kanji/kana. A heuristic: the result is a warning only.
bool looks_like_full_name(std::string_view code);

}  // namespace tsunagi
