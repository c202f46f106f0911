// What is wrong with a record, field by field, in English and Japanese. A draft may be saved with errors; a record
// with errors cannot be submitted. Warnings (a case code that looks like a person's name) never block.
#pragma once

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

// Checks every field of `record` for its kind. With `reference`, also checks that themes and the area are known
// (as warnings: reference data may lag behind). Pure; thread-safe.
std::vector<ValidationIssue> validate_record(const Record& record, const ReferenceData* reference = nullptr);

bool has_errors(const std::vector<ValidationIssue>& issues);

// The fields a record of `kind` must have before it is submitted, as validate_record requires them: "/title",
// "/body", and fields of repeatable items with "*" for the item ("/agenda/*/title"). For forms that mark them.
std::set<std::string> required_paths(RecordKind kind);

// Rewrites typed values into their stored forms, so that input in the seeds' forms is accepted: dates "R5.7.3",
// "令和5年7月3日", full-width digits -> ISO; times "9時30分", "９:３０" -> "09:30". Values that cannot be read stay
// as typed, for validate_record to report. Trims surrounding white space of one-line fields.
void normalize_record(Record& record);

// True when `code` looks like a person's full name rather than a pseudonymous case code: no digits, and either
// two name-like parts separated by a space or 3 to 8 kanji/kana. A heuristic: the result is a warning only.
bool looks_like_full_name(std::string_view code);

}  // namespace tsunagi
