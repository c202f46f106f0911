#include "model/merge.hpp"

#include <set>

#include "model/record_json.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

constexpr const char* kCreation = "*";

// Every field either version carries: its kind's fields, the tombstone flag, and unknown fields.
std::vector<std::string> merge_fields(const Record& a, const Record& b) {
  std::vector<std::string> fields = record_fields(a.kind);
  fields.emplace_back("deleted");
  std::set<std::string> unknown;
  for (const auto& [key, value] : a.unknown.items()) unknown.insert(key);
  for (const auto& [key, value] : b.unknown.items()) unknown.insert(key);
  fields.insert(fields.end(), unknown.begin(), unknown.end());
  return fields;
}

// Sets one field of `record` to `value` (null clears it).
Status set_value(Record& record, const std::string& field, const json& value) {
  if (field == "deleted") {
    record.deleted = value.is_boolean() && value.get<bool>();
    return ok_status();
  }
  auto patched = apply_patch(record, json{{field, value}}, nullptr);
  if (!patched) return patched.error();
  record = std::move(*patched);
  return ok_status();
}

}  // namespace

std::string field_clock(const Record& record, const std::string& field) {
  if (auto it = record.field_clocks.find(field); it != record.field_clocks.end()) return it->second;
  if (auto it = record.field_clocks.find(kCreation); it != record.field_clocks.end()) return it->second;
  return record.clock;
}

json merge_value(const Record& record, const std::string& field) {
  return field == "deleted" ? json(record.deleted) : field_value(record, field);
}

bool conflict_open(const Record& record, const FieldConflict& conflict) {
  return field_clock(record, conflict.field) <= conflict.winner_clock;
}

Result<MergeResult> merge_records(const Record& current, const Record& incoming, const std::string& incoming_base) {
  if (current.kind != incoming.kind)
    return make_error("merge.kind", "/kind", "a record cannot change its kind", "記録の種類は変更できません");
  MergeResult result;
  Record& merged = result.merged;
  merged = current;
  std::string creation = field_clock(current, kCreation);
  if (auto other = field_clock(incoming, kCreation); !other.empty() && (creation.empty() || other < creation))
    creation = other;  // both sides normally share it: the record was made once

  std::map<std::string, std::string> clocks;
  for (const auto& field : merge_fields(current, incoming)) {
    std::string ours = field_clock(current, field);
    std::string theirs = field_clock(incoming, field);
    json our_value = merge_value(current, field);
    json their_value = merge_value(incoming, field);
    std::string winner = ours;
    if (our_value != their_value) {
      if (theirs > ours) {
        if (auto status = set_value(merged, field, their_value); !status) return status.error();
        result.taken.push_back(field);
        winner = theirs;
      } else if (theirs != creation && theirs > incoming_base && ours > incoming_base) {
        result.lost.push_back(field);  // both sides changed it since the incoming side's base: a real conflict
      }
    } else if (theirs > ours) {
      winner = theirs;
      if (winner != creation) result.advanced.push_back(field);
    }
    if (winner != creation) clocks[field] = winner;
  }
  clocks[kCreation] = creation;
  merged.field_clocks = std::move(clocks);
  if (incoming.clock > current.clock) {
    merged.clock = incoming.clock;
    merged.updated_at = incoming.updated_at;
    merged.updated_by = incoming.updated_by;
    merged.device = incoming.device;
  }
  if (merged.created_at.empty() || (!incoming.created_at.empty() && incoming.created_at < merged.created_at))
    merged.created_at = incoming.created_at;
  return result;
}

}  // namespace tsunagi
