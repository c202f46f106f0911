// Merging two versions of one record, field by field, by hybrid logical clock: for each field the value set by the
// later change wins. The merge is commutative, associative and idempotent, so devices and the collector converge
// whatever order revisions arrive in, and a revision applied twice changes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/record.hpp"

namespace tsunagi {

struct MergeResult {
  Record merged;
  std::vector<std::string> taken;  // fields whose value came from `incoming`
  // Fields whose value stayed but whose clock moved on to `incoming`'s: set again to the same value, which is how a
  // conflict is resolved by keeping the current value. The merged record must be stored for those too.
  std::vector<std::string> advanced;
  std::vector<std::string> lost;  // fields `incoming` edited after its base but an edit with a later clock won
  // The other way round: `current`'s values that `incoming`'s later change replaced though `incoming` had not seen
  // them (set after its base, on another device). `clock` is the change that set the replaced value (for
  // "deleted", the latest edit the deletion had not seen).
  struct Overwritten {
    std::string field;
    std::string clock;
    bool operator==(const Overwritten&) const = default;
  };
  std::vector<Overwritten> overwritten;
};

// The clock of the change that last set `field` ("deleted" included, or one member of a list: "agenda/<id>") in
// `record`, and its value as merging compares it (a member's value, or null when it is not in the list).
std::string field_clock(const Record& record, const std::string& field);
nlohmann::json merge_value(const Record& record, const std::string& field);
// Sets what merge_value gives: one field (null clears it), the tombstone, or one member of a list ("agenda/<id>",
// "themes/<text>"; null removes it).
Status set_merge_value(Record& record, const std::string& field, const nlohmann::json& value);

// A value that lost a merge and is kept rather than dropped: two people changed `field` while apart, the later
// change won (its clock is `winner_clock`), and this one's value waits for someone to look. The conflict is open
// while the field still holds the winner, and resolved by any later change of the field (keeping either value or
// writing a third), on every replica alike, since each compares the same clocks.
struct FieldConflict {
  std::string record_id;
  std::string field;
  nlohmann::json value;      // the value that lost
  std::string clock;         // the change that set it
  std::string winner_clock;  // the change that won over it
  std::string by;            // who made the losing change, on which device, and when it reached the collector
  std::string device;
  std::string at;
  bool operator==(const FieldConflict&) const = default;
};

// Whether `conflict` is still open in `record`: nobody changed the field since the winning change.
bool conflict_open(const Record& record, const FieldConflict& conflict);

// Whether the side that made `incoming` had received the change at `clock` (one that set a value of `current`)
// before it made its own changes: the collector answers from the order in which changes reached it.
using SawChange = std::function<bool(const std::string& clock)>;

// Merges `incoming` into `current` (two versions of the record with the same id and kind; a different kind is an
// error, "merge.kind"). Ties (equal clocks) keep `current`: one change has one value. `incoming_base` is the clock
// of the version `incoming` was edited from (empty: unknown): incoming's changes are those with later clocks.
// `saw` tells which of current's changes incoming had seen; without it, those at `incoming_base` or before (which
// a device whose clock runs behind can get wrong: another's change with an early clock may reach the collector
// after the device's base). Both only decide what counts as lost or overwritten, never the merged values. Pure;
// thread-safe when `saw` is.
Result<MergeResult> merge_records(const Record& current, const Record& incoming, const std::string& incoming_base = "",
                                  const SawChange& saw = nullptr);

}  // namespace tsunagi
