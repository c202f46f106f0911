// The JSON form of a record: the product's import/export format and the body of every sync message.
// Field names are fixed by the spec (see record.hpp); unknown fields survive a round trip.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/record.hpp"

namespace tsunagi {

// The record as a JSON object: the common fields, then its kind's fields, then the unknown ones. Unset optional
// values are null. Never throws.
nlohmann::json record_to_json(const Record& record);

// Reads a record from a JSON object. Rejects wrong JSON types, unknown enum values and an unknown or missing `kind`,
// naming the field's path (prefixed with `path`). Values are not otherwise validated (see validation.hpp).
Result<Record> record_from_json(const nlohmann::json& object, const std::string& path = "");

// Parses JSON text from anywhere (a request, an answer, a file) after checking that it is valid UTF-8 and nests at
// most kMaxJsonDepth deep. Every failure is an error value (utf8.invalid, json.depth, json.syntax with the byte
// offset, json.range for a number like 1e400), never an exception.
Result<nlohmann::json> parse_json_text(std::string_view text);

// Parses one record from JSON text (parse_json_text + record_from_json).
Result<Record> parse_record(std::string_view text);
// The same, also giving the record's canonical text (to_json_text of the parsed document): `text` itself when it
// is canonical already, as everything this program writes is.
Result<Record> parse_record(std::string_view text, std::string* canonical);

// The record's canonical JSON text, exactly to_json_text(record_to_json(record)), printed without building the
// document. Never throws.
std::string record_text(const Record& record);

// The fast path of parse_record, for text already checked to be valid UTF-8: the record, read without building a
// document, or nullopt when the text is anything but a plain record (an unknown field, a \u escape, a repeated
// key, a wrong type, a syntax error...). parse_record then gives the same record, or the error with its path.
// When `canonical` is given, says whether `text` is exactly its canonical JSON.
std::optional<Record> read_plain_record(std::string_view text, bool* canonical = nullptr);

// Applies a partial object to `base`: each field named in `patch` is replaced (null clears it); others stay.
// `id` and `kind` cannot change. Fills `changed` with the names of the fields whose value differs afterwards.
Result<Record> apply_patch(const Record& base, const nlohmann::json& patch, std::vector<std::string>* changed);

// The names of the fields (of a's kind, plus unknown ones) whose values differ between a and b; bookkeeping
// fields (clocks, timestamps, device) are not compared. A list field whose members merge one by one (below) names
// each member that was added, removed or changed ("agenda/<item id>", "themes/<theme>"), not the whole list.
std::vector<std::string> changed_fields(const Record& a, const Record& b);

// --- Lists whose members merge one by one ---
// Sets of strings (themes, organizations: a member is its text) and lists of keyed items (agenda, roles,
// follow-ups: a member is an item, named by its id). Two people adding to one list while apart both keep theirs.
bool is_member_field(std::string_view field);
bool is_set_field(std::string_view field);
// One member's name, "<field>/<key>", and back (nullopt for a name without a member).
std::string member_path(std::string_view field, std::string_view key);
std::optional<std::pair<std::string, std::string>> split_member_path(std::string_view path);
// The key of one member as field_value gives it: a set's text, an item's "id" (an item without one: its JSON text).
std::string member_key(const nlohmann::json& member);
// The members of a member field by key, and the field rebuilt from such members in its one order (sets by text,
// items by position, then id).
std::map<std::string, nlohmann::json> field_members(const Record& record, std::string_view field);
Status set_field_members(Record& record, std::string_view field, const std::map<std::string, nlohmann::json>& members);

// Every content field of every kind, each once, in export order (the common ones first).
const std::vector<std::string>& all_record_fields();

// The JSON value of one named field of `record`, or null when the kind has no such field.
nlohmann::json field_value(const Record& record, std::string_view field);

}  // namespace tsunagi
