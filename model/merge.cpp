#include "model/merge.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "model/record_json.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

constexpr const char* kCreation = "*";

// The device part of a clock's text ("wall.counter.node"): one device's changes follow each other, never conflict.
std::string_view clock_node(std::string_view clock) {
  auto dot = clock.rfind('.');
  return dot == std::string_view::npos ? clock : clock.substr(dot + 1);
}

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

// One side's state of one member of a list field: whether it is in the list, as what, set by which change.
struct MemberState {
  bool present = false;
  json value;
  std::string clock;
  bool same_as(const MemberState& other) const {
    return present == other.present && (!present || value == other.value);
  }
};

MemberState member_state(const Record& record, const std::map<std::string, json>& members, const std::string& field,
                         const std::string& key) {
  MemberState state;
  if (auto it = members.find(key); it != members.end()) {
    state.present = true;
    state.value = it->second;
  }
  state.clock = field_clock(record, member_path(field, key));
  return state;
}

// The members' keys a record knows: those in the list and those with a clock of their own (removed ones too).
void known_keys(const Record& record, const std::map<std::string, json>& members, const std::string& field,
                std::set<std::string>& keys) {
  for (const auto& [key, member] : members) keys.insert(key);
  const std::string prefix = field + "/";
  for (auto it = record.field_clocks.lower_bound(prefix);
       it != record.field_clocks.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    keys.insert(it->first.substr(prefix.size()));
}

}  // namespace

std::string field_clock(const Record& record, const std::string& field) {
  if (auto it = record.field_clocks.find(field); it != record.field_clocks.end()) {
    if (auto member = split_member_path(field)) return std::max(it->second, field_clock(record, member->first));
    return it->second;
  }
  if (auto member = split_member_path(field)) return field_clock(record, member->first);
  if (auto it = record.field_clocks.find(kCreation); it != record.field_clocks.end()) return it->second;
  return record.clock;
}

json merge_value(const Record& record, const std::string& field) {
  if (field == "deleted") return json(record.deleted);
  if (auto member = split_member_path(field)) {
    auto members = field_members(record, member->first);
    auto it = members.find(member->second);
    return it != members.end() ? it->second : json(nullptr);
  }
  return field_value(record, field);
}

Status set_merge_value(Record& record, const std::string& field, const json& value) {
  if (field == "deleted") {
    record.deleted = value.is_boolean() && value.get<bool>();
    return ok_status();
  }
  if (auto member = split_member_path(field)) {
    auto members = field_members(record, member->first);
    if (value.is_null())
      members.erase(member->second);
    else
      members[member->second] = value;
    return set_field_members(record, member->first, members);
  }
  auto patched = apply_patch(record, json{{field, value}}, nullptr);
  if (!patched) return patched.error();
  record = std::move(*patched);
  return ok_status();
}

bool conflict_open(const Record& record, const FieldConflict& conflict) {
  return field_clock(record, conflict.field) <= conflict.winner_clock;
}

Result<MergeResult> merge_records(const Record& current, const Record& incoming, const std::string& incoming_base,
                                  const SawChange& saw) {
  if (current.kind != incoming.kind)
    return make_error("merge.kind", "/kind", "a record cannot change its kind", "記録の種類は変更できません");
  // Whether incoming had not seen the change of current's at `clock`.
  auto unseen = [&](const std::string& clock) { return saw ? !saw(clock) : clock > incoming_base; };
  MergeResult result;
  Record& merged = result.merged;
  merged = current;
  std::string creation = field_clock(current, kCreation);
  if (auto other = field_clock(incoming, kCreation); !other.empty() && (creation.empty() || other < creation))
    creation = other;  // both sides normally share it: the record was made once

  // One value (a field, or one member of a list) set by each side: the later change wins.
  auto decide = [&](const std::string& name, const std::string& ours, const std::string& theirs, bool same,
                    bool theirs_on_tie) {
    if (same) {
      if (theirs > ours && theirs != creation) result.advanced.push_back(name);
      return false;
    }
    if (theirs > ours || (theirs == ours && theirs_on_tie)) {
      result.taken.push_back(name);
      if (ours != creation && clock_node(ours) != clock_node(theirs) && unseen(ours))
        result.overwritten.push_back({name, ours});  // replaced by a change made without seeing it
      return true;
    }
    if (theirs != creation && theirs > incoming_base && unseen(ours))
      result.lost.push_back(name);  // both sides changed it since the incoming side's base: a real conflict
    return false;
  };

  std::map<std::string, std::string> clocks;
  for (const auto& field : merge_fields(current, incoming)) {
    std::string ours = field_clock(current, field);
    std::string theirs = field_clock(incoming, field);
    const std::string winner = std::max(ours, theirs);  // ties keep `current`, whose clock it is as well
    if (is_member_field(field)) {
      // Member by member: each member (a set's text, a list's item by id) has the clock of the change that last
      // added, changed or removed it, else the whole field's.
      const auto our_members = field_members(current, field);
      const auto their_members = field_members(incoming, field);
      std::set<std::string> keys;
      known_keys(current, our_members, field, keys);
      known_keys(incoming, their_members, field, keys);
      std::map<std::string, json> members;
      for (const std::string& key : keys) {
        const std::string path = member_path(field, key);
        MemberState mine = member_state(current, our_members, field, key);
        MemberState theirs_state = member_state(incoming, their_members, field, key);
        // Equal clocks with different states come only from hand-made documents: the same side wins on every
        // replica (present over absent, then the greater text).
        const bool theirs_on_tie = std::make_pair(theirs_state.present, theirs_state.value.dump()) >
                                   std::make_pair(mine.present, mine.value.dump());
        const MemberState& kept =
            decide(path, mine.clock, theirs_state.clock, mine.same_as(theirs_state), theirs_on_tie) ? theirs_state
                                                                                                    : mine;
        if (kept.present) members[key] = kept.value;
        const std::string member_winner =
            mine.same_as(theirs_state) ? std::max(mine.clock, theirs_state.clock) : kept.clock;
        if (member_winner > winner) clocks[path] = member_winner;
      }
      // Rebuilt even when no member changed: in the one order, whatever order the current list was in.
      if (auto status = set_field_members(merged, field, members); !status) return status.error();
    } else {
      json their_value = merge_value(incoming, field);
      if (decide(field, ours, theirs, merge_value(current, field) == their_value, false))
        if (auto status = set_merge_value(merged, field, their_value); !status) return status.error();
    }
    if (winner != creation) clocks[field] = winner;
  }

  // An edit against a deletion: the record stays deleted (the deletion is a change of its own field), and the
  // edits made meanwhile on the other side are kept as a conflict on "deleted", so that someone can bring it back.
  if (merged.deleted && current.deleted && !incoming.deleted) {
    const std::string deleted_at = field_clock(current, "deleted");
    bool edited = false;
    for (const auto& [field, clock] : incoming.field_clocks)
      if (field != kCreation && field != "deleted" && clock != creation && clock > incoming_base &&
          clock > field_clock(current, field))
        edited = true;
    if (edited && unseen(deleted_at) &&
        std::find(result.lost.begin(), result.lost.end(), "deleted") == result.lost.end())
      result.lost.emplace_back("deleted");
  }

  // A deletion against edits it had not seen (the first case the other way round): the edits are kept as a
  // conflict on "deleted" the same way.
  if (merged.deleted && !current.deleted && incoming.deleted &&
      std::none_of(result.overwritten.begin(), result.overwritten.end(),
                   [](const MergeResult::Overwritten& o) { return o.field == "deleted"; })) {
    const std::string deleted_at = field_clock(incoming, "deleted");
    std::string latest_edit;
    for (const auto& [field, clock] : current.field_clocks)
      if (field != kCreation && field != "deleted" && clock != creation && clock > field_clock(incoming, field) &&
          clock_node(clock) != clock_node(deleted_at) && unseen(clock))
        latest_edit = std::max(latest_edit, clock);
    if (!latest_edit.empty()) result.overwritten.push_back({"deleted", latest_edit});
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
