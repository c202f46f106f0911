// Kept conflicts (FieldConflict) as table rows: the client's record_conflicts and the collector's conflicts tables
// hold the same columns in the same order, so both stores bind and read them here.
#pragma once

#include <string>
#include <vector>

#include "model/database.hpp"
#include "model/merge.hpp"

namespace tsunagi {

// Runs `insert` with `conflict` bound to parameters 1..8: record_id, field, clock, value (JSON text),
// winner_clock, by, device, at.
Status insert_conflict(Statement& insert, const FieldConflict& conflict);

// The rows of `select`, whose columns are field, clock, value, winner_clock, by, device, at, as conflicts of
// `record_id` (a value that is not JSON reads as null). Resets the statement.
Result<std::vector<FieldConflict>> read_conflicts(Statement& select, const std::string& record_id);

// Runs `drop` (parameters: record_id, field, clock) for each of `kept` that a later change of its field in `record`
// resolved.
Status drop_resolved(Statement& drop, const Record& record, const std::vector<FieldConflict>& kept);

}  // namespace tsunagi
