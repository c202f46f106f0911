// Kept conflicts (FieldConflict) as table rows: the client's record_conflicts and the collector's conflicts tables
// hold the same columns in the same order, so both stores bind and read them here. `Stmt` is a prepared statement
// of model/database (SQLite) or collector/postgres, which have the same shape.
#pragma once

#include <string>
#include <vector>

#include "model/json_text.hpp"
#include "model/merge.hpp"
#include "model/record_json.hpp"

namespace tsunagi {

// Runs `insert` with `conflict` bound to parameters 1..8: record_id, field, clock, value (JSON text),
// winner_clock, by, device, at.
template <class Stmt>
Status insert_conflict(Stmt& insert, const FieldConflict& conflict) {
  return insert.bind(1, conflict.record_id)
      .bind(2, conflict.field)
      .bind(3, conflict.clock)
      .bind(4, to_json_text(conflict.value))
      .bind(5, conflict.winner_clock)
      .bind(6, conflict.by)
      .bind(7, conflict.device)
      .bind(8, conflict.at)
      .run();
}

// The rows of `select`, whose columns are field, clock, value, winner_clock, by, device, at, as conflicts of
// `record_id` (a value that is not JSON reads as null). Resets the statement.
template <class Stmt>
Result<std::vector<FieldConflict>> read_conflicts(Stmt& select, const std::string& record_id) {
  std::vector<FieldConflict> out;
  for (;;) {
    auto row = select.step();
    if (!row) return row.error();
    if (!*row) break;
    auto value = parse_json_text(select.text(2));
    out.push_back({record_id, select.text(0), value ? std::move(*value) : nlohmann::json(nullptr), select.text(1),
                   select.text(3), select.text(4), select.text(5), select.text(6)});
  }
  select.reset();
  return out;
}

// Runs `drop` (parameters: record_id, field, clock) for each of `kept` that a later change of its field in `record`
// resolved.
template <class Stmt>
Status drop_resolved(Stmt& drop, const Record& record, const std::vector<FieldConflict>& kept) {
  for (const FieldConflict& conflict : kept)
    if (!conflict_open(record, conflict))
      if (auto status = drop.bind(1, record.id).bind(2, conflict.field).bind(3, conflict.clock).run(); !status)
        return status;
  return ok_status();
}

}  // namespace tsunagi
